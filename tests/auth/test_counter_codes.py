"""Counter codes on both stores: a subject opens its account or resets its password with the
code staff issued; expired, used, wrong and replaced codes are refused, and repeated wrong
tries void the subject's codes (lock-out)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests import factories
from xinyong.audit.models import AuditEntry
from xinyong.auth import counter
from xinyong.auth import service as auth_service
from xinyong.auth.models import Account, CounterCode
from xinyong.core.db import utcnow
from xinyong.core.errors import Conflict, Invalid, Unauthorized
from xinyong.subjects.models import Subject

PASSWORD = "Correct-Horse-42"
NEW_PASSWORD = "Battery-Staple-77"


def _open(session: Session, subject: Subject, code: str, username: str = "acme") -> Account:
    return counter.open_account(
        session,
        subject_code=subject.uscc or "",
        code=code,
        username=username,
        password=PASSWORD,
        display_name="测试企业",
    )


def _refusal(session: Session, subject: Subject, code: str) -> str | None:
    with pytest.raises(Invalid) as caught:
        _open(session, subject, code)
    return caught.value.key


def test_a_code_opens_the_account_once_and_is_stored_as_a_hash(session: Session) -> None:
    company = factories.enterprise(session)
    code = counter.issue(session, subject_code=company.uscc or "", issued_by=None)
    row = session.scalars(select(CounterCode).where(CounterCode.subject_id == company.id)).one()
    assert code not in row.code_hash and row.purpose == "open"
    account = _open(session, company, " " + code.lower().replace("-", " ") + " ")
    assert (account.kind, account.role, account.subject_id) == ("subject", "subject", company.id)
    assert _refusal(session, company, code) == "counter.err.used"
    assert auth_service.authenticate(session, username="acme", password=PASSWORD).id == account.id


def test_an_expired_code_is_refused(session: Session) -> None:
    company = factories.enterprise(session)
    code = counter.issue(session, subject_code=company.uscc or "", issued_by=None)
    row = session.scalars(select(CounterCode).where(CounterCode.subject_id == company.id)).one()
    assert (
        counter.VALID_MINUTES["open"] * 60 - 5
        < (row.expires_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)).total_seconds()
        <= counter.VALID_MINUTES["open"] * 60
    )
    session.execute(
        update(CounterCode)
        .where(CounterCode.id == row.id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    assert _refusal(session, company, code) == "counter.err.expired"
    assert session.scalar(select(Account.id).where(Account.subject_id == company.id)) is None


def test_a_wrong_code_or_another_subjects_code_is_refused(session: Session) -> None:
    company = factories.enterprise(session)
    other = factories.enterprise(session)
    counter.issue(session, subject_code=company.uscc or "", issued_by=None)
    others_code = counter.issue(session, subject_code=other.uscc or "", issued_by=None)
    assert _refusal(session, company, "AAAA-BBBB-CCCC") == "counter.err.wrong_pair"
    assert _refusal(session, company, others_code) == "counter.err.wrong_pair"
    unknown = factories.uscc()
    with pytest.raises(Invalid) as caught:
        counter.open_account(
            session, subject_code=unknown, code=others_code, username="x1x",
            password=PASSWORD, display_name="x",
        )  # fmt: skip
    assert caught.value.key == "counter.err.wrong_pair"  # the same answer: nothing to probe
    tries = session.scalars(select(CounterCode.failed_attempts).order_by(CounterCode.id)).all()
    assert list(tries)[-2:] == [2, 0]


def test_repeated_wrong_codes_void_the_subjects_codes(session: Session) -> None:
    company = factories.enterprise(session)
    code = counter.issue(session, subject_code=company.uscc or "", issued_by=None)
    keys = [_refusal(session, company, f"0000-0000-000{n}") for n in range(counter.MAX_WRONG)]
    assert keys == ["counter.err.wrong_pair"] * (counter.MAX_WRONG - 1) + ["counter.err.locked"]
    assert _refusal(session, company, code) == "counter.err.void"  # the right code, too late
    locked = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "counter_code.locked", AuditEntry.subject_id == company.id
        )
    ).all()
    assert len(locked) == 1
    fresh = counter.issue(session, subject_code=company.uscc or "", issued_by=None)
    assert _open(session, company, fresh).subject_id == company.id


def test_a_new_code_voids_the_older_one_of_the_same_purpose(session: Session) -> None:
    company = factories.enterprise(session)
    first = counter.issue(session, subject_code=company.uscc or "", issued_by=None)
    second = counter.issue(session, subject_code=company.uscc or "", issued_by=None)
    assert _refusal(session, company, first) == "counter.err.void"
    assert _open(session, company, second).subject_id == company.id


def test_a_reset_code_sets_a_new_password_and_ends_sessions(session: Session) -> None:
    number = factories.id_number(birth=date(1990, 3, 4))
    person = factories.person(session, name="王小红", id_number=number)
    with pytest.raises(Conflict):  # no account to reset yet
        counter.issue(session, subject_code=number, purpose="reset", issued_by=None)
    opening = counter.issue(session, subject_code=number, issued_by=None)
    account = counter.open_account(
        session, subject_code=number, code=opening, username="wang.xh",
        password=PASSWORD, display_name="王小红",
    )  # fmt: skip
    epoch = account.session_epoch
    with pytest.raises(Conflict):
        counter.issue(session, subject_code=number, issued_by=None)  # already open
    reset = counter.issue(session, subject_code=number, purpose="reset", issued_by=None)
    with pytest.raises(Invalid) as caught:  # an opening code is no reset code
        counter.reset_password(session, subject_code=number, code=opening, password=NEW_PASSWORD)
    assert caught.value.key == "counter.err.wrong_pair"
    with pytest.raises(Invalid):  # the password rules hold
        counter.reset_password(session, subject_code=number, code=reset, password="short")
    counter.reset_password(session, subject_code=number, code=reset, password=NEW_PASSWORD)
    assert account.session_epoch == epoch + 1
    with pytest.raises(Unauthorized):
        auth_service.authenticate(session, username="wang.xh", password=PASSWORD)
    assert auth_service.authenticate(session, username="wang.xh", password=NEW_PASSWORD)
    with pytest.raises(Invalid) as caught:
        counter.reset_password(session, subject_code=number, code=reset, password=NEW_PASSWORD)
    assert caught.value.key == "counter.err.used"
    assert person.id == account.subject_id


def test_an_unknown_purpose_is_refused(session: Session) -> None:
    company = factories.enterprise(session)
    with pytest.raises(Invalid) as caught:
        counter.issue(session, subject_code=company.uscc or "", purpose="admin", issued_by=None)
    assert caught.value.key == "counter.err.purpose"


def test_the_cli_issues_opening_and_reset_codes(configured_db: str) -> None:
    from typer.testing import CliRunner

    from xinyong.cli import app
    from xinyong.core.db import session_scope

    runner = CliRunner()
    with session_scope() as session:
        uscc = factories.enterprise(session).uscc or ""
    issued = runner.invoke(app, ["users", "issue-code", uscc])
    assert issued.exit_code == 0, issued.output
    code = issued.output.strip().rsplit(" ", 1)[-1]
    assert "valid 1440 min" in issued.output and len(code) == 14
    with session_scope() as session:
        subject = session.scalars(select(Subject).where(Subject.uscc == uscc)).one()
        _open(session, subject, code, username="cli.opened")
    reset = runner.invoke(app, ["users", "issue-code", uscc, "--purpose", "reset"])
    assert reset.exit_code == 0 and "reset code (valid 60 min)" in reset.output
    wrong = runner.invoke(app, ["users", "issue-code", uscc, "--purpose", "admin"])
    assert wrong.exit_code != 0
