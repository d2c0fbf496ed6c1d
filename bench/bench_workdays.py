"""Working-day calendar throughput: the loader's per-row ``workdays_between`` and deadlines.

Reference: a day-by-day count with chinesecalendar's own ``is_workday`` over the same rows.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import date, timedelta

import chinese_calendar

from xinyong.core import workdays

Row = tuple[date, date]


def _rate(label: str, func: Callable[[date, date], object], rows: list[Row]) -> float:
    started = time.perf_counter()
    for start, end in rows:
        func(start, end)
    seconds = time.perf_counter() - started
    rate = len(rows) / seconds
    print(f"{label:<48} {rate:>12,.0f} /s  ({len(rows):,} in {seconds:.2f} s)")
    return rate


def _day_by_day(start: date, end: date) -> int:
    days = (start + timedelta(days=k) for k in range(1, (end - start).days + 1))
    return sum(chinese_calendar.is_workday(day) for day in days)


def main() -> None:
    logging.getLogger("xinyong.core.workdays").setLevel(logging.ERROR)
    rng = random.Random(1)
    starts = [date(2024, 1, 1) + timedelta(days=rng.randrange(1000)) for _ in range(200_000)]
    rows = [(start, start + timedelta(days=rng.randrange(60))) for start in starts]
    calendar = workdays.get_calendar()
    _rate("workdays_between (held calendar)", calendar.workdays_between, rows)
    _rate("workdays.workdays_between (module function)", workdays.workdays_between, rows)
    _rate("add_workdays(start, 7)", lambda start, _: calendar.add_workdays(start, 7), rows)
    known = [(s, e) for s, e in rows if e.year <= 2026][:2_000]
    _rate("reference: chinesecalendar day by day", _day_by_day, known)


if __name__ == "__main__":
    main()
