"""Counter codes (柜台码): staff hand a subject a one-time code to open its own account or to
set a new password. A code is kept only as a keyed hash; it expires, is used once, becomes
void when a newer code of the same purpose is issued, and is voided (locked out) after
repeated wrong tries for the same subject. Messages are keys of accounts/texts.yaml."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.auth import passwords
from xinyong.auth.models import COUNTER_CODE_PURPOSES, Account, CounterCode
from xinyong.core.config import get_settings
from xinyong.core.db import as_utc, utcnow
from xinyong.core.errors import Conflict, Invalid
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject

# How long a code is valid: opening an account may wait for the subject to get home; a
# password reset is done at once.
VALID_MINUTES = {"open": 24 * 60, "reset": 60}
# Wrong codes tried for one subject before its live codes are void (staff issue a new one).
MAX_WRONG = 5


def code_hash(code: str) -> str:
    """The keyed hash a code is stored as (its spelling normalised: case, spaces, dashes)."""
    key = get_settings().secret_key.encode()
    canonical = "".join(ch for ch in code.upper() if ch.isalnum())
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    """Twelve hexadecimal characters in three groups, e.g. ``3F9A-07C2-B1E4`` (48 bits)."""
    return "-".join(secrets.token_hex(2).upper() for _ in range(3))


def _account_of(session: Session, subject_id: int) -> Account | None:
    return session.scalar(select(Account).where(Account.subject_id == subject_id))


def _live(row: CounterCode, now: datetime) -> bool:
    expires = as_utc(row.expires_at)
    return row.used_at is None and row.voided_at is None and expires is not None and expires > now


def issue(
    session: Session, *, subject_code: str, purpose: str = "open", issued_by: int | None
) -> str:
    """A one-time code for the subject (shown once to staff); earlier live codes of the same
    purpose become void. Opening needs a subject without an account, reset one with."""
    subject = subjects_service.get_by_code(session, subject_code)
    return issue_for(session, subject=subject, purpose=purpose, issued_by=issued_by)


def issue_for(session: Session, *, subject: Subject, purpose: str, issued_by: int | None) -> str:
    """``issue`` for a subject already found (the console's look-up by code or name)."""
    if purpose not in COUNTER_CODE_PURPOSES:
        raise Invalid(key="counter.err.purpose", details={"field": "purpose"})
    has_account = _account_of(session, subject.id) is not None
    if purpose == "open" and has_account:
        raise Conflict(key="counter.err.has_account", details={"field": "subject_code"})
    if purpose == "reset" and not has_account:
        raise Conflict(key="counter.err.no_account", details={"field": "subject_code"})
    now = utcnow()
    for row in _codes(session, subject.id, purpose):
        if _live(row, now):
            row.voided_at = now
    code = new_code()
    minutes = VALID_MINUTES[purpose]
    session.add(
        CounterCode(
            subject_id=subject.id,
            code_hash=code_hash(code),
            purpose=purpose,
            issued_by=issued_by,
            expires_at=now + timedelta(minutes=minutes),
        )
    )
    session.flush()
    _audit(session, issued_by, "counter_code.issue", subject.id, purpose, minutes)
    return code


def _audit(
    session: Session,
    account_id: int | None,
    action: str,
    subject_id: int,
    purpose: str,
    minutes: int | None = None,
) -> None:
    summary: dict[str, object] = {"purpose": purpose}
    if minutes is not None:
        summary["valid_minutes"] = minutes
    audit_service.append(
        session,
        actor=f"account:{account_id}" if account_id else "system",
        action=action,
        object_type="subject",
        object_id=subject_id,
        subject_id=subject_id,
        summary=summary,
    )


def _codes(session: Session, subject_id: int, purpose: str) -> list[CounterCode]:
    stmt = select(CounterCode).where(
        CounterCode.subject_id == subject_id, CounterCode.purpose == purpose
    )
    return list(session.scalars(stmt))


def redeem(session: Session, *, subject_code: str, code: str, purpose: str) -> CounterCode:
    """The subject's live code of this purpose that ``code`` is, or a refusal saying why.
    A wrong code counts against the subject's live codes (flushed: callers commit the count
    even though they refuse); the ``MAX_WRONG``-th wrong try voids them."""
    subject = subjects_service.find_by_code(session, subject_code.strip())
    if subject is None:
        raise Invalid(key="counter.err.wrong_pair", details={"field": "code"})
    now = utcnow()
    digest = code_hash(code)
    rows = _codes(session, subject.id, purpose)
    match = next((r for r in rows if hmac.compare_digest(r.code_hash, digest)), None)
    if match is None:
        _count_wrong(session, subject, [r for r in rows if _live(r, now)], purpose, now)
    elif match.used_at is not None:
        raise Invalid(key="counter.err.used", details={"field": "code"})
    elif match.voided_at is not None:
        raise Invalid(key="counter.err.void", details={"field": "code"})
    elif not _live(match, now):
        raise Invalid(key="counter.err.expired", details={"field": "code"})
    assert match is not None
    return match


def _count_wrong(
    session: Session, subject: Subject, live: list[CounterCode], purpose: str, now: datetime
) -> None:
    """One more wrong try against the subject's live codes; at the limit they are void."""
    locked = False
    for row in live:
        row.failed_attempts += 1
        if row.failed_attempts >= MAX_WRONG:
            row.voided_at = now
            locked = True
    session.flush()
    if locked:
        _audit(session, None, "counter_code.locked", subject.id, purpose)
        session.flush()
        raise Invalid(key="counter.err.locked", details={"field": "code"})
    raise Invalid(key="counter.err.wrong_pair", details={"field": "code"})


def open_account(
    session: Session,
    *,
    subject_code: str,
    code: str,
    username: str,
    password: str,
    display_name: str,
) -> Account:
    """Redeem an opening code: create the subject's own account, bound to the subject."""
    from xinyong.auth import service as auth_service
    from xinyong.auth.schemas import AccountCreate

    row = redeem(session, subject_code=subject_code, code=code, purpose="open")
    if _account_of(session, row.subject_id) is not None:
        raise Conflict(key="counter.err.has_account", details={"field": "subject_code"})
    data = AccountCreate(
        username=username,
        display_name=display_name,
        password=password,
        kind="subject",
        role="subject",
        subject_id=row.subject_id,
    )
    account = auth_service.create_account(session, data=data, actor="counter_code")
    row.used_at = utcnow()
    session.flush()
    return account


def reset_password(session: Session, *, subject_code: str, code: str, password: str) -> Account:
    """Redeem a reset code: the subject's account gets the new password, its sessions end
    and a lock after failed logins is lifted."""
    row = redeem(session, subject_code=subject_code, code=code, purpose="reset")
    account = _account_of(session, row.subject_id)
    if account is None:
        raise Conflict(key="counter.err.no_account", details={"field": "subject_code"})
    passwords.check_rules(password, username=account.username)
    now = utcnow()
    account.password_hash = passwords.hash_password(password)
    account.password_changed_at = now
    account.failed_logins = 0
    account.locked_until = None
    account.session_epoch += 1
    row.used_at = now
    session.flush()
    audit_service.append(
        session,
        actor="counter_code",
        action="account.password_reset",
        object_type="account",
        object_id=account.id,
        subject_id=account.subject_id,
        summary={"username": account.username},
    )
    return account
