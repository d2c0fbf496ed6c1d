"""Deadlines in working days: the 2026 National Day holiday and its make-up Saturday, a year
boundary into a year with no published schedule, a city's holiday file and its own limits."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.rights.helpers import applicant, penalised, proof
from xinyong.core import workdays
from xinyong.core.config import reset_settings
from xinyong.rights import objections, repairs, service
from xinyong.rights.config import RightsConfigError, get_config, reset_config
from xinyong.rights.objections import ObjectionApplication
from xinyong.rights.repairs import RepairApplication
from xinyong.rights.states import ObjectionGround

CITY_HOLIDAYS_2027 = """\
version: "city-test"
years:
  2027:
    holidays:
      - {from: 2027-01-01, to: 2027-01-03, name: 元旦}
"""


@pytest.fixture(autouse=True)
def fresh_rules(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("XINYONG_HOLIDAYS_FILE", raising=False)
    monkeypatch.delenv("XINYONG_RIGHTS_FILE", raising=False)
    _reset()
    yield
    monkeypatch.delenv("XINYONG_HOLIDAYS_FILE", raising=False)
    monkeypatch.delenv("XINYONG_RIGHTS_FILE", raising=False)
    _reset()


def _reset() -> None:
    reset_settings()
    workdays.reset_calendar()
    reset_config()


def _object(session: Session, today: date):  # type: ignore[no-untyped-def]
    subject, record = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    application = ObjectionApplication([record.id], ObjectionGround.wrong_information, "金额有误")
    return objections.apply(
        session, applicant=applicant(subject), application=application, today=today
    )


def test_objection_across_national_day(session: Session) -> None:
    # Wednesday 30 Sept 2026; 1–7 Oct are the holiday, Saturday 10 Oct a make-up workday.
    case = _object(session, date(2026, 9, 30))
    assert case.decide_due_on == date(2026, 10, 9)  # Thu 8 Oct, Fri 9 Oct
    extended = service.extend(
        session,
        case_id=case.id,
        reason="需向执法队调取案卷",
        actor="staff",
        department_id=case.department_id,
    )
    assert extended.decide_due_on == date(2026, 10, 13)  # Sat 10 Oct (make-up), Mon 12, Tue 13


def test_repair_accepted_before_national_day(session: Session) -> None:
    subject, record = penalised(session, decided=date(2025, 6, 1), today=date(2025, 7, 1))
    application = RepairApplication(record.id, "罚款已缴清", True, [proof()])
    case = repairs.apply(
        session, applicant=applicant(subject), application=application, today=date(2026, 9, 30)
    )
    assert case.due_on == date(2026, 10, 8)  # accept within 1 working day
    repairs.accept(
        session,
        case_id=case.id,
        actor="staff",
        department_id=case.department_id,
        today=date(2026, 10, 8),
    )
    assert case.decide_due_on == date(2026, 10, 12)  # Fri 9, Sat 10 (make-up), Mon 12


def test_into_a_year_without_a_schedule_counts_weekends_and_says_so(
    session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        case = _object(session, date(2026, 12, 31))
    # 2027 is not published yet: weekends only, so Friday 1 Jan counts as a working day.
    assert case.decide_due_on == date(2027, 1, 4)
    assert any("2027" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


def test_a_city_holiday_file_moves_the_deadline(
    session: Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    city = tmp_path / "holidays.yaml"
    city.write_text(CITY_HOLIDAYS_2027, encoding="utf-8")
    monkeypatch.setenv("XINYONG_HOLIDAYS_FILE", str(city))
    _reset()
    case = _object(session, date(2026, 12, 31))
    assert case.decide_due_on == date(2027, 1, 5)  # 1–3 Jan off: Mon 4, Tue 5


def test_a_city_changes_the_limits_without_code(
    session: Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    rules = tmp_path / "rights.yaml"
    rules.write_text("deadlines:\n  objection:\n    verify: 5\n", encoding="utf-8")
    monkeypatch.setenv("XINYONG_RIGHTS_FILE", str(rules))
    _reset()
    assert get_config().deadlines.objection.verify == 5
    assert get_config().deadlines.objection.registration == 1  # the rest stays shipped
    case = _object(session, date(2026, 9, 30))
    assert case.decide_due_on == date(2026, 10, 13)  # 8, 9, 10 (make-up), 12, 13


def test_a_bad_city_file_names_the_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rules = tmp_path / "rights.yaml"
    rules.write_text("deadlines:\n  objection:\n    verify: -2\n", encoding="utf-8")
    monkeypatch.setenv("XINYONG_RIGHTS_FILE", str(rules))
    _reset()
    with pytest.raises(RightsConfigError, match=r"deadlines\.objection\.verify"):
        get_config()
    rules.write_text("deadlines:\n  objection:\n    verfy: 2\n", encoding="utf-8")
    reset_config()
    with pytest.raises(RightsConfigError, match="verfy"):
        get_config()
