"""API keys for system-to-system calls: ``xy_<prefix>_<secret>``, only a hash stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.auth.models import ApiKey
from xinyong.auth.principal import Principal
from xinyong.core.db import as_utc, utcnow
from xinyong.core.errors import Forbidden, Invalid, NotFound, Unauthorized

SCOPES = (
    "records:submit",
    "records:read",
    "subjects:read",
    "checks:run",
    "rights:decide",
    "lists:decide",
    "reports:request",
    "evaluations:read",
    "financing:bank",
    "incentives:verify",
    "commitments:write",
)


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    token: str  # shown once; never stored


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(
    session: Session,
    *,
    name: str,
    scopes: list[str],
    department_id: int | None = None,
    organisation_id: int | None = None,
    expires_at: datetime | None = None,
    actor: str = "system",
) -> IssuedKey:
    """Issue a key owned by a department or an organisation, with scopes and expiry."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise Invalid(
            key="auth.err.scopes",
            params={"join_SCOPES": ", ".join(SCOPES)},
            details={"field": "scopes"},
        )
    if (department_id is None) == (organisation_id is None):
        raise Invalid(key="auth.err.key_owner")
    prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
    key = ApiKey(
        prefix=prefix,
        secret_hash=_digest(secret),
        name=name,
        department_id=department_id,
        organisation_id=organisation_id,
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    session.add(key)
    session.flush()
    _audit(session, actor, "apikey.create", key)
    return IssuedKey(key, f"xy_{prefix}_{secret}")


def _audit(session: Session, actor: str, action: str, key: ApiKey) -> None:
    audit_service.append(
        session,
        actor=actor,
        action=action,
        object_type="api_key",
        object_id=key.id,
        summary={"prefix": key.prefix, "name": key.name, "scopes": key.scopes},
    )


def revoke(session: Session, *, prefix: str, actor: str = "system") -> ApiKey:
    """Revoke a key at once; later calls with it are refused."""
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None:
        raise NotFound(key="auth.err.no_key", params={"prefix": prefix})
    key.revoked_at = key.revoked_at or utcnow()
    session.flush()
    _audit(session, actor, "apikey.revoke", key)
    return key


# How fresh ``last_used_at`` is kept. Writing it on every call would make every request of
# one key wait for the row lock of the one before it until that request's transaction ends.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _touch(session: Session, key: ApiKey, now: datetime) -> None:
    """Note the key's use, at most once per LAST_USED_RESOLUTION (a conditional update, so
    of simultaneous calls one writes and the others find it fresh)."""
    last = as_utc(key.last_used_at)
    if last is not None and now - last < LAST_USED_RESOLUTION:
        return
    session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == key.id,
            or_(
                ApiKey.last_used_at.is_(None),
                ApiKey.last_used_at < now - LAST_USED_RESOLUTION,
            ),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )


def _verified(session: Session, token: str, now: datetime) -> ApiKey:
    """The live key a bearer token is (secret checked), or Unauthorized."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "xy" or len(parts[1]) > 16:
        raise Unauthorized(key="auth.err.key_malformed")
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or not hmac.compare_digest(key.secret_hash, _digest(parts[2])):
        raise Unauthorized(key="auth.err.key_unknown")
    expires = as_utc(key.expires_at)
    if key.revoked_at is not None or (expires is not None and expires < now):
        raise Unauthorized(key="auth.err.key_revoked")
    return key


def verified_key_id(session: Session, token: str) -> int | None:
    """The id of the live key a bearer token verifiably is, else None (no side effects:
    the rate limiter keys requests on this, never on the unverified prefix)."""
    try:
        return _verified(session, token, utcnow()).id
    except Unauthorized:
        return None


def authenticate(session: Session, token: str) -> Principal:
    """The principal of a bearer token, or Unauthorized (unknown, revoked, expired)."""
    now = utcnow()
    key = _verified(session, token, now)
    _touch(session, key, now)
    return Principal(
        kind="apikey",
        api_key_id=key.id,
        department_id=key.department_id,
        organisation_id=key.organisation_id,
        scopes=frozenset(key.scopes),
        label=f"API key {key.name} ({key.prefix})",
    )


def require_scope(principal: Principal, scope: str) -> None:
    """Refuse an API call whose key lacks the scope."""
    if principal.kind == "apikey" and scope not in principal.scopes:
        raise Forbidden(key="auth.err.key_scope", params={"scope": scope}, code="scope")
