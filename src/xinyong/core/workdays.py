"""The platform's working-day calendar (工作日历): public holidays and make-up workdays.

Layers, lowest first: the ``chinesecalendar`` package, the shipped ``data/holidays.yaml``,
the city's ``XINYONG_HOLIDAYS_FILE``. For a year, the highest layer that holds the year's
complete schedule is the base and every higher layer amends single dates. A year that no layer
knows completely falls back to Monday–Friday (logged once per year per process) and is
reported as estimated (``is_known_year``, ``DayInfo.estimated``).

Each year is precomputed once into a working-day flag per day and a cumulative count, so
``workdays_between`` is a few index look-ups and ``add_workdays`` a bisection. Datetimes are
counted by their date (convert to Asia/Shanghai first). Hot loops should hold the calendar
(``cal = get_calendar()``) and call its methods.
"""

from __future__ import annotations

import itertools
import logging
import threading
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import chinese_calendar

from xinyong.core.config import get_settings
from xinyong.core.errors import Invalid
from xinyong.core.holidays import MAX_YEAR, MIN_YEAR, DayRule, HolidayFile, load_holiday_file

logger = logging.getLogger(__name__)

SHIPPED_HOLIDAYS = Path(__file__).parent / "data" / "holidays.yaml"
# chinesecalendar's short names, as the State Council's notices write them.
_OFFICIAL_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}

_warned_years: set[int] = set()
_warn_lock = threading.Lock()


class DayKind(StrEnum):
    """What kind of day a date is."""

    WORKDAY = "workday"
    MAKEUP_WORKDAY = "makeup_workday"  # 调休上班: a weekend day that is a working day
    HOLIDAY = "holiday"  # a day off of a named holiday period, weekends inside it included
    WEEKEND = "weekend"


@dataclass(frozen=True, slots=True)
class DayInfo:
    """One date as the calendar sees it; ``estimated`` when its year fell back to weekends."""

    day: date
    kind: DayKind
    name: str | None
    estimated: bool

    @property
    def is_workday(self) -> bool:
        """True for ordinary and make-up working days."""
        return self.kind in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY)


@dataclass(frozen=True, slots=True)
class _Layer:
    """A source of dates: which years it knows completely and its rules by calendar year."""

    label: str
    complete_years: frozenset[int]
    rules_by_year: Mapping[int, Mapping[date, DayRule]]


@dataclass(frozen=True, slots=True)
class _Year:
    """A year precomputed: working-day flags, cumulative counts and names, by day of year."""

    year: int
    first: int  # ordinal of 1 January
    workday: bytes  # 1 for a working day
    cumulative: list[int]  # working days from 1 January up to and including the day
    names: Mapping[int, str]
    known: bool

    @property
    def total(self) -> int:
        return self.cumulative[-1]


def _group_by_year(rules: Iterable[tuple[date, DayRule]]) -> dict[int, dict[date, DayRule]]:
    grouped: dict[int, dict[date, DayRule]] = {}
    for day, rule in rules:
        grouped.setdefault(day.year, {})[day] = rule
    return grouped


@lru_cache(maxsize=1)
def _package_layer() -> _Layer:
    """The ``chinesecalendar`` data; it knows the years between its first and last holiday."""
    names = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}

    def rule(workday: bool, value: str) -> DayRule:
        name = names.get(value, value)
        return DayRule(workday=workday, name=_OFFICIAL_NAMES.get(name, name))

    rules = [(d, rule(False, v)) for d, v in chinese_calendar.holidays.items()]
    rules += [(d, rule(True, v)) for d, v in chinese_calendar.workdays.items()]
    first, last = min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year
    return _Layer(
        label=f"chinesecalendar {chinese_calendar.__version__} ({first}–{last})",
        complete_years=frozenset(range(first, last + 1)),
        rules_by_year=_group_by_year(rules),
    )


def _file_layer(holiday_file: HolidayFile) -> _Layer:
    schedules = holiday_file.years.values()
    return _Layer(
        label=f"{holiday_file.path} version {holiday_file.version}",
        complete_years=frozenset(s.year for s in schedules if s.complete),
        rules_by_year=_group_by_year(itertools.chain(*(s.days.items() for s in schedules))),
    )


class WorkCalendar:
    """Working days from layered holiday schedules; years are computed once, on first use."""

    def __init__(self, files: Sequence[HolidayFile] = (), *, use_package: bool = True) -> None:
        package = [_package_layer()] if use_package else []
        self._layers: tuple[_Layer, ...] = (*package, *map(_file_layer, files))
        self._years: dict[int, _Year] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_files(cls, paths: Iterable[Path], *, use_package: bool = True) -> WorkCalendar:
        """Load and validate the holiday files (lowest first) over the package's data."""
        return cls([load_holiday_file(path) for path in paths], use_package=use_package)

    # --- what the calendar knows -----------------------------------------------------------

    @property
    def sources(self) -> tuple[str, ...]:
        """The layers, lowest first (package version, files and their versions)."""
        return tuple(layer.label for layer in self._layers)

    @property
    def known_years(self) -> frozenset[int]:
        """Years with a complete schedule in some layer (the others are estimated)."""
        return frozenset().union(*(layer.complete_years for layer in self._layers))

    def is_known_year(self, year: int) -> bool:
        """Whether answers for ``year`` come from a published schedule, not the fallback."""
        return any(year in layer.complete_years for layer in self._layers)

    def is_estimated(self, day: date) -> bool:
        """Whether ``day``'s answer comes from the weekend-only fallback."""
        return not self.is_known_year(day.year)

    # --- single days -----------------------------------------------------------------------

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is a working day (make-up weekend workdays included)."""
        year = self._year(day.year)
        return year.workday[day.toordinal() - year.first] == 1

    def is_holiday(self, day: date) -> bool:
        """Whether ``day`` is a day off of a named holiday (an ordinary weekend is not)."""
        return self.holiday_name(day) is not None

    def holiday_name(self, day: date) -> str | None:
        """The holiday ``day`` belongs to if it is a day off of one (e.g. ``国庆节``), else None."""
        year = self._year(day.year)
        index = day.toordinal() - year.first
        return None if year.workday[index] else year.names.get(index)

    def day_info(self, day: date) -> DayInfo:
        """Kind, holiday name and whether estimated, for showing ``day`` on a page."""
        year = self._year(day.year)
        index = day.toordinal() - year.first
        weekend = day.weekday() >= 5
        name = year.names.get(index)
        if year.workday[index]:
            kind = DayKind.MAKEUP_WORKDAY if weekend else DayKind.WORKDAY
        else:
            kind = DayKind.HOLIDAY if name is not None else DayKind.WEEKEND
        plain = date.fromordinal(day.toordinal())
        return DayInfo(day=plain, kind=kind, name=name, estimated=not year.known)

    # --- counting --------------------------------------------------------------------------

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
        if end.toordinal() <= start.toordinal():
            return 0
        first, last = self._year(start.year), self._year(end.year)
        before = first.cumulative[start.toordinal() - first.first]
        if end.year == start.year:
            return first.cumulative[end.toordinal() - first.first] - before
        between = sum(self._year(year).total for year in range(start.year + 1, end.year))
        return first.total - before + between + last.cumulative[end.toordinal() - last.first]

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day strictly after ``start``; n == 0 gives ``start`` or the next one.

        n == 0 answers "the first working day on or after ``start``" (an event on a holiday is
        handled on the next working day), so ``add_workdays(d, 0) == d`` on working days.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        if n == 0:
            plain = date.fromordinal(start.toordinal())
            return plain if self.is_workday(plain) else self.add_workdays(plain, 1)
        year = self._year(start.year)
        target = year.cumulative[start.toordinal() - year.first] + n
        while target > year.total:
            target -= year.total
            year = self._year(year.year + 1)
        return date.fromordinal(year.first + bisect_left(year.cumulative, target))

    def next_workday(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return self.add_workdays(day, 1)

    def previous_workday(self, day: date) -> date:
        """The last working day strictly before ``day``."""
        year = self._year(day.year)
        index = day.toordinal() - year.first
        target = year.cumulative[index] - year.workday[index]
        while target == 0:
            year = self._year(year.year - 1)
            target = year.total
        return date.fromordinal(year.first + bisect_left(year.cumulative, target))

    # --- building years --------------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        found = self._years.get(year)
        return found if found is not None else self._build(year)

    def _build(self, year: int) -> _Year:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise Invalid(
                f"the working-day calendar covers {MIN_YEAR}–{MAX_YEAR}, not the year {year}"
            )
        with self._lock:
            if year in self._years:
                return self._years[year]
            built = self._compute(year)
            self._years[year] = built
        if not built.known:
            self._warn_fallback(year)
        return built

    def _rules(self, year: int) -> dict[date, DayRule]:
        """The base layer's rules for ``year`` amended by every higher layer's."""
        complete = [i for i, layer in enumerate(self._layers) if year in layer.complete_years]
        rules: dict[date, DayRule] = {}
        for layer in self._layers[complete[-1] if complete else 0 :]:
            rules.update(layer.rules_by_year.get(year, {}))
        return rules

    def _compute(self, year: int) -> _Year:
        rules = self._rules(year)
        first = date(year, 1, 1).toordinal()
        days = [date.fromordinal(o) for o in range(first, date(year, 12, 31).toordinal() + 1)]
        flags = bytes(rules[d].workday if d in rules else d.weekday() < 5 for d in days)
        names = {i: rules[d].name for i, d in enumerate(days) if d in rules}
        return _Year(
            year=year,
            first=first,
            workday=flags,
            cumulative=list(itertools.accumulate(flags)),
            names=names,
            known=self.is_known_year(year),
        )

    def _warn_fallback(self, year: int) -> None:
        with _warn_lock:
            if year in _warned_years:
                return
            _warned_years.add(year)
        logger.warning(
            "working-day calendar: no published holiday schedule for %d in %s; counting "
            "Monday to Friday as working days (estimated). Add the year with 'complete: true' "
            "to XINYONG_HOLIDAYS_FILE once the State Council publishes it.",
            year,
            "; ".join(self.sources),
        )


# --- the platform's calendar -----------------------------------------------------------------


def get_calendar() -> WorkCalendar:
    """The platform's calendar for the current settings (cached; ``reset_calendar`` in tests)."""
    return _calendar_for(get_settings().holidays_file)


@lru_cache(maxsize=4)
def _calendar_for(holidays_file: Path | None) -> WorkCalendar:
    city = [holidays_file] if holidays_file is not None else []
    return WorkCalendar.from_files([SHIPPED_HOLIDAYS, *city])


def reset_calendar() -> None:
    """Forget cached calendars and which fallback years were already warned about."""
    _calendar_for.cache_clear()
    with _warn_lock:
        _warned_years.clear()


def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day on the platform's calendar."""
    return get_calendar().is_workday(day)


def is_holiday(day: date) -> bool:
    """Whether ``day`` is a day off of a named holiday on the platform's calendar."""
    return get_calendar().is_holiday(day)


def holiday_name(day: date) -> str | None:
    """The holiday ``day`` belongs to on the platform's calendar, if it is a day off."""
    return get_calendar().holiday_name(day)


def add_workdays(start: date, n: int) -> date:
    """The deadline ``n`` working days after an event on ``start`` (platform calendar)."""
    return get_calendar().add_workdays(start, n)


def workdays_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (platform calendar)."""
    return get_calendar().workdays_between(start, end)


def next_workday(day: date) -> date:
    """The first working day strictly after ``day`` (platform calendar)."""
    return get_calendar().next_workday(day)
