"""Accounts, organisations, API keys, counter codes and subjects' authorisations."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.auth import counter, passwords
from xinyong.auth.models import ORGANISATION_KINDS, STAFF_ROLES, Account, CounterCode, Organisation
from xinyong.auth.principal import Principal
from xinyong.auth.schemas import AccountCreate, OrganisationCreate
from xinyong.core.config import get_settings
from xinyong.core.db import as_utc, utcnow
from xinyong.core.errors import Conflict, Invalid, NotFound, Unauthorized
from xinyong.identity import codes
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject

# Organisation users: a plain user, or 信易贷 bank staff (see auth.policy.ORGANISATION_ROLES).
ORGANISATION_ROLES = ("org_user", "product_manager", "loan_officer", "branch_admin")
ROLES_BY_KIND = {"staff": STAFF_ROLES, "organisation": ORGANISATION_ROLES, "subject": ("subject",)}
COUNTER_CODE_MINUTES = counter.VALID_MINUTES["open"]


# --- accounts -------------------------------------------------------------------------------


def _check_binding(data: AccountCreate) -> None:
    if data.role not in ROLES_BY_KIND[data.kind]:
        allowed = ", ".join(ROLES_BY_KIND[data.kind])
        raise Invalid(
            key="auth.err.role",
            params={"data_kind": data.kind, "allowed": allowed},
            details={"field": "role"},
        )
    needed = {"staff": "department_id", "organisation": "organisation_id", "subject": "subject_id"}
    own = needed[data.kind]
    if getattr(data, own) is None:
        raise Invalid(
            key="auth.err.needs",
            params={"data_kind": data.kind, "own": own},
            details={"field": own},
        )
    for field in set(needed.values()) - {own}:
        if getattr(data, field) is not None:
            raise Invalid(
                key="auth.err.has_no",
                params={"data_kind": data.kind, "field": field},
                details={"field": field},
            )


def create_account(session: Session, *, data: AccountCreate, actor: str = "system") -> Account:
    """Create an account after checking its binding, role and password rules."""
    _check_binding(data)
    passwords.check_rules(data.password, username=data.username)
    if session.scalar(select(Account.id).where(Account.username == data.username)):
        raise Conflict(
            key="auth.err.username_taken",
            params={"data_username": data.username},
            details={"field": "username"},
        )
    account = Account(
        username=data.username,
        display_name=data.display_name,
        password_hash=passwords.hash_password(data.password),
        kind=data.kind,
        role=data.role,
        department_id=data.department_id,
        organisation_id=data.organisation_id,
        subject_id=data.subject_id,
    )
    session.add(account)
    session.flush()
    _audit(
        session,
        actor,
        "account.create",
        account,
        {"username": account.username, "kind": account.kind, "role": account.role},
    )
    return account


def _audit(
    session: Session, actor: str, action: str, account: Account, summary: dict[str, object]
) -> None:
    audit_service.append(
        session,
        actor=actor,
        action=action,
        object_type="account",
        object_id=account.id,
        subject_id=account.subject_id,
        summary=summary,
    )


def get_account(session: Session, username: str) -> Account:
    account = session.scalar(select(Account).where(Account.username == username))
    if account is None:
        raise NotFound(key="auth.err.no_account_name", params={"username": username})
    return account


# One answer for every refused login (wrong password, unknown or disabled username, locked
# account), so that the answer does not tell which usernames exist.
LOGIN_REFUSED = "auth.err.login_refused"


def authenticate(session: Session, *, username: str, password: str) -> Account:
    """Check a login; repeated failures lock the account for a while (lock-out). Every
    refusal answers alike and is audited (the attempted username cleaned, see below)."""
    now = utcnow()
    account = session.scalar(select(Account).where(Account.username == username))
    if account is None or not account.active:
        passwords.verify_password(_dummy_hash(), password)  # same cost either way
        return _refuse(session, account, username, "unknown" if account is None else "inactive")
    locked_until = as_utc(account.locked_until)
    if locked_until and locked_until > now:
        passwords.verify_password(_dummy_hash(), password)
        return _refuse(session, account, username, "locked")
    if not passwords.verify_password(account.password_hash, password):
        _count_failure(session, account, now)
        return _refuse(session, account, username, "password")
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    account.failed_logins = 0
    account.locked_until = None
    account.last_login_at = now
    session.flush()
    _audit(session, f"account:{account.id}", "account.login", account, {})
    return account


def _count_failure(session: Session, account: Account, now: datetime) -> None:
    """One more failed password; the threshold locks the account (audited)."""
    settings = get_settings()
    account.failed_logins += 1
    if account.failed_logins >= settings.lockout_threshold:
        account.locked_until = now + timedelta(minutes=settings.lockout_minutes)
        account.failed_logins = 0
        until: dict[str, object] = {"until": account.locked_until.isoformat()}
        _audit(session, f"account:{account.id}", "account.locked", account, until)
    session.flush()


def safe_username(value: str) -> str:
    """An attempted username as it may be kept in the audit log: printable characters only,
    at most 64 (a password typed into the username field is not kept whole)."""
    printable = "".join(ch for ch in value if ch.isprintable())
    return printable[:64]


def _refuse(session: Session, account: Account | None, username: str, reason: str) -> Account:
    """Audit a refused login and raise the one answer every refusal gets."""
    audit_service.append(
        session,
        actor="anonymous" if account is None else f"account:{account.id}",
        action="account.login_failed",
        object_type="account",
        object_id=account.id if account is not None else "unknown",
        subject_id=account.subject_id if account is not None else None,
        summary={"username": safe_username(username), "reason": reason},
    )
    session.flush()
    raise Unauthorized(key=LOGIN_REFUSED, code="login_refused")


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against for unknown users, made on first use (not at import)."""
    return passwords.hash_password("xinyong-dummy-password-for-timing")


def set_active(session: Session, *, username: str, active: bool, actor: str = "system") -> Account:
    """Disable (or re-enable) an account; disabling also ends its sessions."""
    account = get_account(session, username)
    account.active = active
    if not active:
        account.session_epoch += 1
    session.flush()
    _audit(session, actor, "account.enable" if active else "account.disable", account, {})
    return account


def logout(session: Session, *, account_id: int) -> None:
    """End the session being logged out of, on the server: the account's session epoch moves
    on (the mechanism of logout-everywhere), so a copy of the cookie is worthless."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(key="auth.err.no_account", params={"account_id": account_id})
    account.session_epoch += 1
    session.flush()
    _audit(session, f"account:{account.id}", "account.logout", account, {})


def logout_everywhere(session: Session, *, account_id: int) -> None:
    """End every session of the account (sessions carry the epoch they were issued in)."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(key="auth.err.no_account", params={"account_id": account_id})
    account.session_epoch += 1
    session.flush()
    _audit(session, f"account:{account.id}", "account.logout_everywhere", account, {})


def principal_for(session: Session, account: Account) -> Principal:
    """The policy's view of a logged-in account."""
    return Principal(
        kind=account.kind,  # type: ignore[arg-type]
        role=account.role,
        account_id=account.id,
        department_id=account.department_id,
        organisation_id=account.organisation_id,
        subject_id=account.subject_id,
        label=f"{account.display_name} ({account.username})",
    )


# --- organisations --------------------------------------------------------------------------


def create_organisation(session: Session, *, data: OrganisationCreate) -> Organisation:
    """Register a bank or benefit provider."""
    if data.kind not in ORGANISATION_KINDS:
        raise Invalid(
            key="auth.err.org_kind", params={"data_kind": data.kind}, details={"field": "kind"}
        )
    uscc = None
    if data.uscc:
        result = codes.validate_uscc(data.uscc)
        if not result.valid:
            raise Invalid(
                key="auth.err.uscc",
                params={"result_reason": result.reason},
                details={"field": "uscc"},
            )
        uscc = result.code
    if session.scalar(select(Organisation.id).where(Organisation.name == data.name)):
        raise Conflict(
            key="auth.err.org_exists", params={"data_name": data.name}, details={"field": "name"}
        )
    organisation = Organisation(kind=data.kind, name=data.name, uscc=uscc)
    session.add(organisation)
    session.flush()
    audit_service.append(
        session,
        actor="system",
        action="organisation.create",
        object_type="organisation",
        object_id=organisation.id,
        summary={"kind": data.kind, "name": data.name},
    )
    return organisation


# --- subject accounts opened with a counter code (see auth/counter.py) --------------------


def issue_counter_code(
    session: Session, *, subject_code: str, issued_by: int | None, purpose: str = "open"
) -> str:
    """A one-time code (shown once to staff at the counter) to open the subject's account,
    or with ``purpose="reset"`` to set a new password for it."""
    return counter.issue(session, subject_code=subject_code, purpose=purpose, issued_by=issued_by)


def open_subject_account(
    session: Session,
    *,
    code: str,
    username: str,
    password: str,
    display_name: str,
    subject_code: str | None = None,
) -> Account:
    """Redeem an opening code: create the subject's own account, bound to the subject. The
    portal and the API name the subject too (wrong tries then count against its codes);
    without it the code alone is looked up (the counter's own tools)."""
    if subject_code is None:
        row = session.scalar(
            select(CounterCode).where(
                CounterCode.code_hash == counter.code_hash(code), CounterCode.purpose == "open"
            )
        )
        subject = session.get(Subject, row.subject_id) if row is not None else None
        if subject is None or not (subject.uscc or subject.id_number_hash):
            raise Invalid(key="counter.err.wrong_pair", details={"field": "code"})
        subject_code = subject.uscc or subjects_service.reveal_id_number(subject) or ""
    return counter.open_account(
        session,
        subject_code=subject_code,
        code=code,
        username=username,
        password=password,
        display_name=display_name,
    )
