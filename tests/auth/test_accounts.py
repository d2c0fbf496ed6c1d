"""Accounts, lock-out, counter codes, API keys and authorisations on both stores."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests import factories
from xinyong.audit.models import AuditEntry
from xinyong.auth import apikeys, authorisations
from xinyong.auth import service as auth_service
from xinyong.auth.models import Account, ApiKey, CounterCode
from xinyong.auth.schemas import AccountCreate, AuthorisationCreate, OrganisationCreate
from xinyong.core.db import utcnow
from xinyong.core.errors import Conflict, Forbidden, Invalid, Unauthorized

PASSWORD = "Correct-Horse-42"


def staff(session: Session, username: str = "li.ming", role: str = "reporter") -> Account:
    dept = factories.department(session)
    data = AccountCreate(
        username=username,
        display_name="李明",
        password=PASSWORD,
        kind="staff",
        role=role,
        department_id=dept.id,
    )
    return auth_service.create_account(session, data=data)


def test_login_and_lockout(session: Session) -> None:
    account = staff(session)
    assert account.password_hash.startswith("$argon2id$")
    assert (
        auth_service.authenticate(session, username="li.ming", password=PASSWORD).id == account.id
    )
    for _ in range(5):
        with pytest.raises(Unauthorized):
            auth_service.authenticate(session, username="li.ming", password="wrong-password-1A")
    with pytest.raises(Unauthorized) as locked:
        auth_service.authenticate(session, username="li.ming", password=PASSWORD)
    with pytest.raises(Unauthorized) as unknown:
        auth_service.authenticate(session, username="no.such.user", password=PASSWORD)
    # a locked account and an unknown username get the same answer (no enumeration)
    assert locked.value.to_dict() == unknown.value.to_dict()
    assert locked.value.status_code == unknown.value.status_code == 401
    session.execute(
        update(Account).where(Account.id == account.id).values(locked_until=utcnow() - timedelta(1))
    )
    session.expire_all()
    assert auth_service.authenticate(session, username="li.ming", password=PASSWORD)


def test_unknown_user_and_disabled_account(session: Session) -> None:
    with pytest.raises(Unauthorized):
        auth_service.authenticate(session, username="nobody", password=PASSWORD)
    account = staff(session)
    epoch = account.session_epoch
    auth_service.set_active(session, username="li.ming", active=False)
    assert account.session_epoch == epoch + 1
    with pytest.raises(Unauthorized):
        auth_service.authenticate(session, username="li.ming", password=PASSWORD)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Short1!", "at least"),
        ("alllowercaseletters", "three of"),
        ("Li.Ming-2024-abc", "username"),
    ],
)
def test_password_rules(session: Session, password: str, reason: str) -> None:
    dept = factories.department(session)
    data = AccountCreate(
        username="li.ming",
        display_name="李明",
        password=password,
        kind="staff",
        role="reporter",
        department_id=dept.id,
    )
    with pytest.raises(Invalid, match=reason):
        auth_service.create_account(session, data=data)


@pytest.mark.parametrize(
    ("kind", "role", "binding", "field"),
    [
        ("staff", "reporter", {}, "department_id"),
        ("staff", "superuser", {"department_id": 1}, "role"),
        ("subject", "subject", {}, "subject_id"),
        ("organisation", "org_user", {"department_id": 1}, "organisation_id"),
    ],
)
def test_account_binding(
    session: Session, kind: str, role: str, binding: dict[str, int], field: str
) -> None:
    data = AccountCreate(
        username="x.user", display_name="X", password=PASSWORD, kind=kind, role=role, **binding
    )
    with pytest.raises(Invalid) as caught:
        auth_service.create_account(session, data=data)
    assert caught.value.details["field"] == field


def test_duplicate_username(session: Session) -> None:
    staff(session)
    with pytest.raises(Conflict):
        staff(session)


def test_counter_code_opens_the_subject_account_once(session: Session) -> None:
    company = factories.enterprise(session)
    code = auth_service.issue_counter_code(session, subject_code=company.uscc or "", issued_by=None)
    account = auth_service.open_subject_account(
        session, code=code.lower(), username="acme", password=PASSWORD, display_name="鑫达"
    )
    assert (account.kind, account.subject_id) == ("subject", company.id)
    with pytest.raises(Invalid):
        auth_service.open_subject_account(
            session, code=code, username="acme2", password=PASSWORD, display_name="x"
        )
    with pytest.raises(Conflict):  # it has its account: a reset code is what it may get
        auth_service.issue_counter_code(session, subject_code=company.uscc or "", issued_by=None)
    other = factories.enterprise(session, name="苏州市另一家科技有限公司")
    stale = auth_service.issue_counter_code(session, subject_code=other.uscc or "", issued_by=None)
    session.execute(update(CounterCode).values(expires_at=utcnow() - timedelta(minutes=1)))
    with pytest.raises(Invalid):
        auth_service.open_subject_account(
            session, code=stale, username="acme3", password=PASSWORD, display_name="x"
        )


def test_api_keys(session: Session) -> None:
    dept = factories.department(session)
    issued = apikeys.create(
        session, name="penalty feed", scopes=["records:submit"], department_id=dept.id
    )
    assert (
        issued.token.startswith("xy_")
        and issued.token.split("_", 2)[2] not in issued.key.secret_hash
    )
    principal = apikeys.authenticate(session, issued.token)
    assert principal.scopes == {"records:submit"} and principal.department_id == dept.id
    apikeys.require_scope(principal, "records:submit")
    with pytest.raises(Forbidden):
        apikeys.require_scope(principal, "checks:run")
    with pytest.raises(Unauthorized):
        apikeys.authenticate(session, issued.token[:-2] + "zz")
    with pytest.raises(Unauthorized):
        apikeys.authenticate(session, "Bearer nonsense")
    apikeys.revoke(session, prefix=issued.key.prefix)
    with pytest.raises(Unauthorized, match="revoked"):
        apikeys.authenticate(session, issued.token)
    expiring = apikeys.create(
        session,
        name="x",
        scopes=["records:read"],
        department_id=dept.id,
        expires_at=utcnow() - timedelta(seconds=1),
    )
    with pytest.raises(Unauthorized):
        apikeys.authenticate(session, expiring.token)
    with pytest.raises(Invalid):
        apikeys.create(session, name="x", scopes=["everything"], department_id=dept.id)
    assert session.query(ApiKey).count() >= 2


def test_authorisations(session: Session) -> None:
    company = factories.enterprise(session)
    other = factories.enterprise(session)
    bank = auth_service.create_organisation(
        session, data=OrganisationCreate(kind="bank", name="苏州银行测试支行")
    )
    later = utcnow() + timedelta(days=30)
    grant = authorisations.grant(
        session,
        subject_id=company.id,
        granted_by=None,
        data=AuthorisationCreate(
            organisation_id=bank.id,
            scope=["tax_credit_rating"],
            purpose="信易贷授信审查",
            expires_at=later,
        ),
    )
    assert authorisations.covered_items(
        session, subject_id=company.id, organisation_id=bank.id
    ) == {"tax_credit_rating"}
    assert not authorisations.covered_items(session, subject_id=other.id, organisation_id=bank.id)
    with pytest.raises(Forbidden):
        authorisations.revoke(session, authorisation_id=grant.id, subject_id=other.id)
    authorisations.revoke(session, authorisation_id=grant.id, subject_id=company.id)
    assert not authorisations.live(session, subject_id=company.id, organisation_id=bank.id)
    with pytest.raises(Invalid):
        authorisations.grant(
            session,
            subject_id=company.id,
            granted_by=None,
            data=AuthorisationCreate(
                organisation_id=bank.id, scope=["no_such_item"], purpose="x" * 5, expires_at=later
            ),
        )
    with pytest.raises(Invalid):
        authorisations.grant(
            session,
            subject_id=company.id,
            granted_by=None,
            data=AuthorisationCreate(
                organisation_id=bank.id,
                scope=["*"],
                purpose="授信",
                expires_at=utcnow() - timedelta(days=1),
            ),
        )


def test_account_actions_are_audited(session: Session) -> None:
    from xinyong.audit import jobs as audit_jobs
    from xinyong.audit.models import AuditEntry

    account = staff(session)
    auth_service.authenticate(session, username="li.ming", password=PASSWORD)
    auth_service.set_active(session, username="li.ming", active=False, actor="cli:root")
    actions = [
        e.action
        for e in session.query(AuditEntry)
        .filter(AuditEntry.object_id == str(account.id))
        .filter(AuditEntry.object_type == "account")
        .order_by(AuditEntry.seq)
    ]
    assert actions == ["account.create", "account.login", "account.disable"]
    assert audit_jobs.verify(session).ok


def test_every_failed_login_is_audited(session: Session) -> None:
    """Finding 9: wrong passwords, unknown usernames (kept cleaned) and locked accounts."""
    account = staff(session)
    for username, password in (
        ("li.ming", "wrong-password-1A"),
        ("ghost\t\n" + "y" * 100, PASSWORD),
    ):
        with pytest.raises(Unauthorized):
            auth_service.authenticate(session, username=username, password=password)
    failures = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "account.login_failed")
        .order_by(AuditEntry.seq)
    ).all()
    assert [(e.object_id, e.summary["reason"]) for e in failures] == [
        (str(account.id), "password"),
        ("unknown", "unknown"),
    ]
    assert failures[1].summary["username"] == "ghost" + "y" * 59  # printable, at most 64
    assert failures[1].actor == "anonymous"
