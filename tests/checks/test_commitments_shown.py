"""A credit check's answer lists the subject's live commitments and breaches (both stores):
社会公开 and 特定范围 ones to any checking department, 不公开 ones only to the receiving
department; fulfilled and withdrawn commitments are not listed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.checks.test_console import City, _build_city, _check
from tests.commitments.helpers import signed
from tests.conftest import LiveCities
from tests.webkit import login
from xinyong.auth.principal import Principal
from xinyong.checks import answers
from xinyong.checks import service as checks
from xinyong.checks.resolve import SubjectQuery
from xinyong.commitments import breach, performance
from xinyong.commitments import service as commitments
from xinyong.core.db import session_scope
from xinyong.subjects.models import Department, Subject

TODAY = date(2026, 12, 1)
PURPOSE = "政府采购项目 SZCG-2026-118 供应商资格审查"


def _officer(department: Department) -> Principal:
    return Principal(
        kind="staff", role="department_user", account_id=None, department_id=department.id,
        label="采购科",
    )  # fmt: skip


def _close(session: Session, c, outcome: str) -> None:
    performance.record(
        session, c=c, condition_code="drawing_review", outcome=outcome, evidence="核查记录",
        actor="t", department_id=c.department_id, today=date(2026, 11, 20),
    )  # fmt: skip


def _answer(session: Session, department: Department, uscc: str, lang: str = "zh"):
    check = checks.run_single(
        session, principal=_officer(department), department_id=None,
        matter="government_procurement", purpose=PURPOSE,
        subjects=[SubjectQuery(1, code=uscc)], today=TODAY,
    )  # fmt: skip
    read = answers.check_read(session, check, lang, today=TODAY)  # type: ignore[arg-type]
    (row,) = read.rows
    return read, row


def test_check_lists_live_commitments_and_breaches_by_publicity(session: Session) -> None:
    firm = factories.enterprise(session)
    live = signed(session, subject=firm, signed_on=date(2026, 11, 2))  # 社会公开, in force
    broken = signed(session, subject=firm)
    _close(session, broken, "not_fulfilled")
    breach.decide(
        session, c=broken, reasons="逾期未补齐施工图审查合格书", evidence="窗口核查记录",
        actor="t", department_id=broken.department_id, today=date(2026, 11, 30),
    )  # fmt: skip
    limited = signed(
        session, subject=firm, template="certificate_notification",
        department_kind="market_regulation",
    )  # fmt: skip
    private = signed(
        session, subject=firm, template="industry_self_discipline", department_kind="commerce"
    )
    kept = signed(session, subject=firm)
    _close(session, kept, "fulfilled")
    gone = signed(session, subject=firm)
    commitments.withdraw(session, c=gone, reason="申请撤回", actor="t")
    assert (limited.publicity, private.publicity) == ("特定范围", "不公开")

    finance = factories.department(session, "finance")
    read, row = _answer(session, finance, firm.uscc or "")
    shown = {c.number: c for c in row.commitments}
    assert set(shown) == {live.number, broken.number, limited.number}
    assert shown[broken.number].status == "breached"
    assert shown[broken.number].status_label == "违诺"
    assert shown[broken.number].breach_record_id == broken.breach_record_id
    assert shown[live.number].template_name == "施工许可容缺受理承诺（施工图审查合格书）"
    (due,) = shown[live.number].conditions
    assert due.state == "pending" and due.deadline == live_deadline(session, live)
    as_json = read.model_dump(mode="json")["rows"][0]["commitments"]
    assert {c["number"] for c in as_json} == set(shown)

    # The receiving department alone sees its 不公开 commitment.
    commerce = session.get(Department, private.department_id)
    assert commerce is not None
    _, own = _answer(session, commerce, firm.uscc or "", lang="en")
    assert private.number in {c.number for c in own.commitments}
    assert {c.status_label for c in own.commitments} >= {"Breached", "In force"}


def live_deadline(session: Session, c) -> date:
    (condition,) = commitments.conditions(session, c)
    return condition.deadline


@pytest.fixture
def city(live_city: LiveCities) -> Iterator[City]:
    with live_city(extras=_build_city) as built:
        yield built.facts


def test_result_page_shows_commitments(city: City) -> None:
    with session_scope() as session:
        firm = session.scalars(select(Subject).where(Subject.uscc == city.clean_uscc)).one()
        c = signed(session, subject=firm)
        _close(session, c, "not_fulfilled")
        breach.decide(
            session, c=c, reasons="逾期未补齐施工图审查合格书", evidence="窗口核查记录",
            actor="t", department_id=c.department_id, today=date.today(),
        )  # fmt: skip
        number = c.number
    client = login("buyer")
    check_id, page = _check(client, city.clean_uscc)
    assert "信用承诺(履行中与违诺)" in page and number in page and "违诺" in page
    english = client.get(f"/console/checks/{check_id}?lang=en").text
    assert "Commitments (live and breached)" in english and "Breached" in english
