"""The working-day calendar: real 2026 holidays, fallback years, city overrides, bad files."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.core import workdays
from xinyong.core.config import reset_settings
from xinyong.core.errors import Invalid
from xinyong.core.holidays import HolidayFileError, load_holiday_file
from xinyong.core.workdays import SHIPPED_HOLIDAYS, DayKind, WorkCalendar

CALENDAR = WorkCalendar.from_files([SHIPPED_HOLIDAYS])
PACKAGE_ONLY = WorkCalendar(use_package=True)
WEEKENDS_ONLY = WorkCalendar(use_package=False)
CITY_2027 = """\
version: "test-1"
years:
  2027:
    complete: true
    source: "hypothetical schedule, test data only"
    holidays:
      - {from: 2027-01-01, to: 2027-01-03, name: 元旦}
"""


@pytest.fixture(autouse=True)
def platform_calendar(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("XINYONG_HOLIDAYS_FILE", raising=False)
    reset_settings()
    workdays.reset_calendar()
    yield
    reset_settings()
    workdays.reset_calendar()


def use_city_file(monkeypatch: pytest.MonkeyPatch, path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("XINYONG_HOLIDAYS_FILE", str(path))
    reset_settings()
    workdays.reset_calendar()


def fallback_warnings(caplog: pytest.LogCaptureFixture, year: int) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and f"schedule for {year}" in r.getMessage()
    ]


# --- the real 2026 calendar ------------------------------------------------------------------


def test_shipped_2026_agrees_with_chinesecalendar() -> None:
    day = date(2026, 1, 1)
    while day.year == 2026:
        assert CALENDAR.is_workday(day) == chinese_calendar.is_workday(day), day
        assert CALENDAR.is_holiday(day) == (day in chinese_calendar.holidays), day
        day += timedelta(days=1)


@pytest.mark.parametrize("year", [2003, 2004, 2015, 2026, 2027])
def test_known_years_are_those_chinesecalendar_answers_for(year: int) -> None:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
        package_knows = True
    except NotImplementedError:
        package_knows = False
    assert PACKAGE_ONLY.is_known_year(year) == package_knows
    assert CALENDAR.is_known_year(year) == package_knows


def test_national_day_and_mid_autumn_2026() -> None:
    for day in range(1, 8):
        assert workdays.holiday_name(date(2026, 10, day)) == "国庆节"
    for day in (25, 26, 27):
        assert workdays.holiday_name(date(2026, 9, day)) == "中秋节"
    assert workdays.is_workday(date(2026, 10, 8))
    makeup = workdays.get_calendar().day_info(date(2026, 10, 10))  # a Saturday
    assert (makeup.kind, makeup.name, makeup.estimated) == (DayKind.MAKEUP_WORKDAY, "国庆节", False)
    assert workdays.is_workday(date(2026, 9, 20))  # a Sunday
    assert workdays.holiday_name(date(2026, 10, 10)) is None


def test_seven_working_days_from_a_decision_before_national_day() -> None:
    # 9-30 (1), 10-1..7 off, 10-8 (2), 10-9 (3), Saturday 10-10 make-up (4), 10-12..14 (5-7).
    assert workdays.add_workdays(date(2026, 9, 29), 7) == date(2026, 10, 14)
    assert workdays.workdays_between(date(2026, 9, 29), date(2026, 10, 14)) == 7
    assert WEEKENDS_ONLY.add_workdays(date(2026, 9, 29), 7) == date(2026, 10, 8)


def test_a_makeup_saturday_counts_and_an_ordinary_weekend_does_not() -> None:
    assert workdays.workdays_between(date(2026, 10, 9), date(2026, 10, 12)) == 2
    assert workdays.workdays_between(date(2026, 3, 6), date(2026, 3, 9)) == 1  # Friday → Monday
    assert not workdays.is_holiday(date(2026, 3, 7))  # an ordinary Saturday is no holiday
    assert workdays.get_calendar().day_info(date(2026, 3, 7)).kind is DayKind.WEEKEND


def test_spring_festival_2026() -> None:
    assert all(workdays.holiday_name(date(2026, 2, d)) == "春节" for d in range(15, 24))
    assert workdays.is_workday(date(2026, 2, 14)) and workdays.is_workday(date(2026, 2, 28))
    # Thursday 2-12: Friday 2-13 (1), make-up Saturday 2-14 (2), then off until Tuesday 2-24.
    assert workdays.add_workdays(date(2026, 2, 12), 2) == date(2026, 2, 14)
    assert workdays.add_workdays(date(2026, 2, 12), 3) == date(2026, 2, 24)
    assert workdays.next_workday(date(2026, 2, 15)) == date(2026, 2, 24)
    assert workdays.get_calendar().previous_workday(date(2026, 2, 24)) == date(2026, 2, 14)


def test_zero_negative_and_reversed_arguments() -> None:
    assert workdays.add_workdays(date(2026, 10, 8), 0) == date(2026, 10, 8)
    assert workdays.add_workdays(date(2026, 10, 1), 0) == date(2026, 10, 8)
    assert workdays.workdays_between(date(2026, 10, 14), date(2026, 9, 29)) == 0
    assert workdays.workdays_between(date(2026, 10, 14), date(2026, 10, 14)) == 0
    with pytest.raises(ValueError, match="n must be >= 0"):
        workdays.add_workdays(date(2026, 10, 8), -1)


def test_datetimes_count_by_their_date() -> None:
    decided = datetime(2026, 9, 29, 17, 30)
    assert workdays.add_workdays(decided, 7) == date(2026, 10, 14)
    assert workdays.workdays_between(decided, date(2026, 10, 14)) == 7
    assert type(workdays.add_workdays(decided, 0)) is date


def test_previous_workday_crosses_into_the_year_before() -> None:
    calendar = workdays.get_calendar()
    assert calendar.previous_workday(date(2026, 1, 5)) == date(2026, 1, 4)  # make-up Sunday
    assert calendar.previous_workday(date(2026, 1, 4)) == date(2025, 12, 31)


def test_years_outside_the_calendar_are_refused() -> None:
    with pytest.raises(Invalid, match="2206"):
        workdays.workdays_between(date(2026, 1, 1), date(2206, 1, 1))


# --- unknown years -----------------------------------------------------------------------------


def test_into_an_unknown_year_falls_back_to_weekends_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="xinyong.core.workdays")
    # 12-29, 12-30, 12-31 (1-3); 2027 unknown, so Friday 1-1 counts (4); 1-4..1-6 (5-7).
    assert workdays.add_workdays(date(2026, 12, 28), 7) == date(2027, 1, 6)
    assert workdays.workdays_between(date(2026, 12, 28), date(2027, 3, 1)) == 45
    assert workdays.is_workday(date(2027, 10, 1))
    assert WorkCalendar.from_files([SHIPPED_HOLIDAYS]).is_workday(date(2027, 1, 1))
    assert len(fallback_warnings(caplog, 2027)) == 1  # once per process, not per calendar
    calendar = workdays.get_calendar()
    assert not calendar.is_known_year(2027)
    assert calendar.is_estimated(date(2027, 1, 1)) and not calendar.is_estimated(date(2026, 1, 1))
    assert calendar.day_info(date(2027, 1, 1)).estimated


# --- a city's own file -------------------------------------------------------------------------


def test_a_local_holiday_shifts_a_deadline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    city = """\
version: "city-1"
years:
  2026:
    source: "市人民政府通知 (test data)"
    holidays:
      - {date: 2026-10-12, name: 本地节日}
"""
    use_city_file(monkeypatch, tmp_path / "city.yaml", city)
    assert workdays.holiday_name(date(2026, 10, 12)) == "本地节日"
    assert workdays.add_workdays(date(2026, 9, 29), 7) == date(2026, 10, 15)
    assert workdays.is_workday(date(2026, 10, 10))  # the national schedule still applies
    assert workdays.get_calendar().is_known_year(2026)


def test_a_city_can_undo_a_makeup_workday(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    city = """\
version: "city-1"
years:
  2026:
    holidays:
      - {date: 2026-10-10, name: 国庆节}
"""
    use_city_file(monkeypatch, tmp_path / "city.yaml", city)
    assert not workdays.is_workday(date(2026, 10, 10))
    assert workdays.add_workdays(date(2026, 9, 29), 7) == date(2026, 10, 15)


def test_a_published_2027_schedule_replaces_the_fallback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="xinyong.core.workdays")
    use_city_file(monkeypatch, tmp_path / "city.yaml", CITY_2027)
    assert workdays.add_workdays(date(2026, 12, 28), 7) == date(2027, 1, 7)
    assert workdays.holiday_name(date(2027, 1, 1)) == "元旦"
    assert workdays.get_calendar().is_known_year(2027)
    assert fallback_warnings(caplog, 2027) == []


def test_single_days_do_not_make_a_year_known(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="xinyong.core.workdays")
    use_city_file(monkeypatch, tmp_path / "city.yaml", CITY_2027.replace("complete: true", ""))
    assert workdays.add_workdays(date(2026, 12, 28), 7) == date(2027, 1, 7)
    assert not workdays.get_calendar().is_known_year(2027)
    assert len(fallback_warnings(caplog, 2027)) == 1


def test_the_calendar_follows_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shipped = workdays.get_calendar()
    assert workdays.get_calendar() is shipped
    use_city_file(monkeypatch, tmp_path / "city.yaml", CITY_2027)
    assert workdays.get_calendar() is not shipped
    assert str(tmp_path / "city.yaml") in workdays.get_calendar().sources[-1]


# --- malformed files ---------------------------------------------------------------------------

GOOD_ENTRY = "{date: 2027-01-01, name: 元旦}"


def file_with(holidays: str, workdays_: str = "[]", year: str = "2027") -> str:
    return f'version: "t"\nyears:\n  {year}:\n    holidays: {holidays}\n    workdays: {workdays_}\n'


@pytest.mark.parametrize(
    ("text", "entry", "problem"),
    [
        (
            file_with("[{date: 2027-02-30, name: 春节}]"),
            "years.2027.holidays[0] (春节)",
            "bad date",
        ),
        (file_with("[{date: 2027/01/01, name: 元旦}]"), "holidays[0] (元旦)", "bad date"),
        (
            file_with("[{from: 2027-02-10, to: 2027-02-05, name: 春节}]"),
            "years.2027.holidays[0] (春节)",
            "'from' 2027-02-10 is after 'to' 2027-02-05",
        ),
        (
            file_with(
                "[{from: 2027-02-01, to: 2027-02-07, name: 春节}]",
                f"[{GOOD_ENTRY.replace('01-01', '02-06')}]",
            ),
            "years.2027.workdays[0] (元旦)",
            "2027-02-06 is a workday and a holiday (also listed in years.2027.holidays[0] (春节))",
        ),
        (
            file_with("[{day: 2027-01-01, name: 元旦}]"),
            "years.2027.holidays[0]",
            "unknown key 'day'",
        ),
        (file_with(f"[{GOOD_ENTRY}, {GOOD_ENTRY}]"), "holidays[1] (元旦)", "listed twice"),
        (file_with("[{date: 2027-01-01}]"), "years.2027.holidays[0]", "missing key 'name'"),
        (file_with("[{name: 元旦}]"), "years.2027.holidays[0] (元旦)", "missing 'date'"),
        (file_with("[{date: 2028-01-01, name: 元旦}]"), "holidays[0] (元旦)", "outside the 2027"),
        (file_with(GOOD_ENTRY), "years.2027", "expected a list"),
        (file_with("[]", year="27"), "years.27", "expected a year"),
        (file_with("[]").replace("workdays", "workday"), "years.2027", "unknown key 'workday'"),
        (file_with("[]").replace("version", "versoin"), "(file)", "unknown key 'versoin'"),
        ('version: "t"\n', "(file)", "missing key 'years'"),
        (file_with("[]") + "  2027: {}\n", "line 6", "duplicate key '2027'"),
        ("- 2027-01-01\n", "(file)", "expected a mapping"),
        (CITY_2027.replace("    source:", "    # source:"), "years.2027", "must name its 'source'"),
    ],
)
def test_malformed_files_name_the_file_the_entry_and_the_problem(
    tmp_path: Path, text: str, entry: str, problem: str
) -> None:
    path = tmp_path / "city.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(HolidayFileError) as raised:
        load_holiday_file(path)
    message = raised.value.message
    assert message.startswith(f"holiday file {path}: ")
    assert entry in message and problem in message, message
    assert raised.value.details["file"] == str(path)


def test_a_missing_city_file_stops_the_calendar(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XINYONG_HOLIDAYS_FILE", str(tmp_path / "absent.yaml"))
    reset_settings()
    with pytest.raises(HolidayFileError, match=r"absent.yaml: \(file\): cannot be read"):
        workdays.get_calendar()


def test_a_bad_city_file_stops_the_calendar(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = file_with("[{from: 2027-02-10, to: 2027-02-05, name: 春节}]")
    with pytest.raises(HolidayFileError, match=r"city\.yaml: years\.2027\.holidays"):
        use_city_file(monkeypatch, tmp_path / "city.yaml", bad)
        workdays.get_calendar()


def test_the_shipped_file_is_valid_and_leaves_2027_out() -> None:
    shipped = load_holiday_file(SHIPPED_HOLIDAYS)
    assert shipped.years[2026].complete and shipped.years[2026].source
    assert all(day.year <= 2026 for s in shipped.years.values() for day in s.days)


# --- properties --------------------------------------------------------------------------------

dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
counts = st.integers(min_value=1, max_value=80)


@given(start=dates, n=counts)
def test_counting_undoes_adding(start: date, n: int) -> None:
    deadline = CALENDAR.add_workdays(start, n)
    assert deadline > start and CALENDAR.is_workday(deadline)
    assert CALENDAR.workdays_between(start, deadline) == n
    assert CALENDAR.workdays_between(start, deadline - timedelta(days=1)) == n - 1


@given(start=dates, span=st.integers(min_value=0, max_value=120))
def test_counting_matches_day_by_day(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    by_day = sum(CALENDAR.is_workday(start + timedelta(days=k)) for k in range(1, span + 1))
    assert CALENDAR.workdays_between(start, end) == by_day


@given(a=dates, b=dates, n=counts)
def test_adding_is_monotonic(a: date, b: date, n: int) -> None:
    early, late = min(a, b), max(a, b)
    assert CALENDAR.add_workdays(early, n) <= CALENDAR.add_workdays(late, n)
    assert CALENDAR.add_workdays(early, n) < CALENDAR.add_workdays(early, n + 1)


@given(a=dates, b=dates, c=dates)
def test_counting_is_monotonic_and_additive(a: date, b: date, c: date) -> None:
    first, middle, last = sorted((a, b, c))
    between = CALENDAR.workdays_between
    assert between(first, middle) <= between(first, last)
    assert between(first, middle) + between(middle, last) == between(first, last)


@given(day=dates)
def test_next_and_previous_workday_bracket_a_day(day: date) -> None:
    after, before = CALENDAR.next_workday(day), CALENDAR.previous_workday(day)
    assert before < day < after
    assert CALENDAR.workdays_between(before, after) == 1 + CALENDAR.is_workday(day)
