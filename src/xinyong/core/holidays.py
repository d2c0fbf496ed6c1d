"""Holiday override files (节假日安排): the YAML format, read and validated strictly.

A file has ``version`` and ``years``; each year has ``holidays`` and ``workdays`` (make-up
workdays, 调休上班日), each a list of ``{date: …, name: …}`` or ``{from: …, to: …, name: …}``,
plus optional ``complete`` (the year's whole published schedule, which then needs ``source``).
The format is documented for operators at the top of ``core/data/holidays.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from xinyong.core import yamlio
from xinyong.core.errors import XinyongError

# The calendar answers for these years only (a date outside is a data error, not a deadline).
MIN_YEAR = 1900
MAX_YEAR = 2199

_FILE_KEYS = frozenset({"version", "years"})
_YEAR_KEYS = frozenset({"complete", "source", "holidays", "workdays"})
_ENTRY_KEYS = frozenset({"date", "from", "to", "name"})
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class HolidayFileError(XinyongError):
    """A holiday file is malformed: the message names the file, the entry and the problem."""

    status_code = 500
    code = "holiday_file_error"


@dataclass(frozen=True, slots=True)
class DayRule:
    """What a file says about one date: a day off (holiday) or a working day, and why."""

    workday: bool
    name: str


@dataclass(frozen=True, slots=True)
class YearSchedule:
    """One year's entry; its dates fall in that year or (New Year periods) the one before."""

    year: int
    complete: bool
    source: str | None
    days: Mapping[date, DayRule]


@dataclass(frozen=True, slots=True)
class HolidayFile:
    """A validated holiday file."""

    path: Path
    version: str
    years: Mapping[int, YearSchedule]


# --- YAML: unique keys, dates left as text so that we can report bad ones precisely --------


def _fail(path: Path, entry: str, problem: str) -> HolidayFileError:
    return HolidayFileError(
        f"holiday file {path}: {entry}: {problem}",
        details={"file": str(path), "entry": entry, "problem": problem},
    )


def _read_yaml(path: Path) -> Any:
    try:
        return yamlio.read_yaml(path, yamlio.TextDateLoader)
    except yamlio.YamlProblem as exc:
        raise _fail(path, exc.where or "(file)", exc.problem) from exc


# --- validation ------------------------------------------------------------------------------


def load_holiday_file(path: Path) -> HolidayFile:
    """Read and validate a holiday file; raise ``HolidayFileError`` naming the bad entry."""
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise _fail(path, "(file)", "expected a mapping with 'version' and 'years'")
    _check_keys(path, "(file)", raw, _FILE_KEYS, required=_FILE_KEYS)
    version = raw["version"]
    if isinstance(version, bool) or not isinstance(version, str | int) or str(version) == "":
        raise _fail(path, "version", f"expected a non-empty text, got {version!r}")
    years_raw = raw["years"] if raw["years"] is not None else {}
    if not isinstance(years_raw, dict):
        raise _fail(path, "years", "expected a mapping of year -> schedule")
    seen: dict[date, tuple[str, DayRule]] = {}  # every date of the file, with its entry
    years = [_parse_year(path, key, value, seen) for key, value in years_raw.items()]
    return HolidayFile(path=path, version=str(version), years={y.year: y for y in years})


def _check_keys(
    path: Path, entry: str, raw: dict[Any, Any], allowed: frozenset[str], required: frozenset[str]
) -> None:
    unknown = sorted(str(key) for key in raw if key not in allowed)
    if unknown:
        expected = ", ".join(sorted(allowed))
        raise _fail(path, entry, f"unknown key '{unknown[0]}' (expected one of: {expected})")
    missing = sorted(required - raw.keys())
    if missing:
        raise _fail(path, entry, f"missing key '{missing[0]}'")


def _parse_year(
    path: Path, key: Any, raw: Any, seen: dict[date, tuple[str, DayRule]]
) -> YearSchedule:
    entry = f"years.{key}"
    text = str(key)
    if isinstance(key, bool) or not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise _fail(path, entry, f"expected a year between {MIN_YEAR} and {MAX_YEAR}")
    year = int(text)
    if not isinstance(raw, dict):
        raise _fail(path, entry, "expected a mapping with 'holidays' and/or 'workdays'")
    _check_keys(path, entry, raw, _YEAR_KEYS, required=frozenset())
    complete = raw.get("complete", False)
    if not isinstance(complete, bool):
        raise _fail(path, f"{entry}.complete", f"expected true or false, got {complete!r}")
    source = raw.get("source")
    if source is not None and (not isinstance(source, str) or not source.strip()):
        raise _fail(path, f"{entry}.source", "expected a non-empty text")
    if complete and source is None:
        raise _fail(path, entry, "a complete schedule must name its 'source' (the notice)")
    days = _year_days(path, entry, raw, year, seen)
    return YearSchedule(year=year, complete=complete, source=source, days=days)


def _year_days(
    path: Path, entry: str, raw: dict[str, Any], year: int, seen: dict[date, tuple[str, DayRule]]
) -> dict[date, DayRule]:
    days: dict[date, DayRule] = {}
    for kind in ("holidays", "workdays"):
        for index, item in enumerate(_list(path, f"{entry}.{kind}", raw.get(kind))):
            label = f"{entry}.{kind}[{index}]"
            rule = DayRule(workday=kind == "workdays", name=_name(path, label, item))
            label = f"{label} ({rule.name})"
            for day in _entry_dates(path, label, item, year):
                _add_day(path, label, seen, day, rule)
                days[day] = rule
    return days


def _list(path: Path, entry: str, raw: Any) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _fail(path, entry, "expected a list of {date, name} or {from, to, name} entries")
    return raw


def _name(path: Path, entry: str, item: Any) -> str:
    if not isinstance(item, dict):
        raise _fail(path, entry, "expected {date, name} or {from, to, name}")
    _check_keys(path, entry, item, _ENTRY_KEYS, required=frozenset({"name"}))
    name = item["name"]
    if not isinstance(name, str) or not name.strip():
        raise _fail(path, entry, "'name' must be a non-empty text")
    return name.strip()


def _entry_dates(path: Path, entry: str, item: dict[str, Any], year: int) -> list[date]:
    if "date" in item and ("from" in item or "to" in item):
        raise _fail(path, entry, "give either 'date' or 'from' and 'to', not both")
    if "date" in item:
        first = last = _date(path, entry, "date", item["date"])
    elif "from" in item and "to" in item:
        first = _date(path, entry, "from", item["from"])
        last = _date(path, entry, "to", item["to"])
        if first > last:
            raise _fail(path, entry, f"'from' {first} is after 'to' {last}")
    else:
        raise _fail(path, entry, "missing 'date' (or 'from' and 'to')")
    for day in (first, last):
        if day.year not in (year - 1, year):
            raise _fail(
                path, entry, f"{day} is outside the {year} schedule (dates in {year - 1} or {year})"
            )
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _date(path: Path, entry: str, key: str, value: Any) -> date:
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        with suppress(ValueError):
            return date.fromisoformat(value)
    raise _fail(path, entry, f"bad date in '{key}': {value!r} (expected YYYY-MM-DD)")


def _add_day(
    path: Path, entry: str, seen: dict[date, tuple[str, DayRule]], day: date, rule: DayRule
) -> None:
    if day not in seen:
        seen[day] = (entry, rule)
        return
    earlier, earlier_rule = seen[day]
    if earlier_rule.workday != rule.workday:
        raise _fail(path, entry, f"{day} is a workday and a holiday (also listed in {earlier})")
    raise _fail(path, entry, f"{day} is listed twice (also in {earlier})")
