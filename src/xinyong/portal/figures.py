"""Headline figures and chart series of the portal's home page."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import NationalCategory
from xinyong.portal import list_seam
from xinyong.portal.schemas import CategoryCount, Headline, HomeFigures, ItemCount, MonthCount
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.records.states import RecordState
from xinyong.subjects.models import Department, Subject

MONTHS = 12
CACHE_SECONDS = 300.0
_cache: dict[tuple[str, date], tuple[float, HomeFigures]] = {}


def _count(session: Session, *conditions: object) -> int:
    stmt = select(func.count()).select_from(Record).where(*conditions)  # type: ignore[arg-type]
    return int(session.scalar(stmt) or 0)


def _months(today: date) -> list[str]:
    """The last ``MONTHS`` months as YYYY-MM, oldest first, this month last."""
    index = today.year * 12 + today.month - 1
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(index - MONTHS + 1, index + 1)]


def _by_month(session: Session, today: date) -> list[MonthCount]:
    months = _months(today)
    start = date.fromisoformat(months[0] + "-01")
    rows = session.execute(
        select(Record.decision_date, func.count())
        .where(
            Record.is_current.is_(True),
            Record.decision_date >= start,
            Record.decision_date <= today,
        )
        .group_by(Record.decision_date)
    ).all()
    counts: Counter[str] = Counter()
    for day, count in rows:
        if day is not None:
            counts[day.isoformat()[:7]] += int(count)
    return [MonthCount(month=month, count=counts[month]) for month in months]


def _by_category(by_item: dict[str, int]) -> list[CategoryCount]:
    catalog = catalog_service.get_catalog()
    totals: Counter[str] = Counter()
    for code, count in by_item.items():
        if code in catalog.items:
            totals[catalog.items[code].category.value] += count
    return [
        CategoryCount(
            category=category.value,
            label_zh=category.label_zh,
            label_en=category.value.replace("_", " "),
            count=totals[category.value],
        )
        for category in NationalCategory
        if catalog.by_category(category)
    ]


def _subjects_repaired(session: Session) -> int:
    """Subjects with at least one record repaired (a repair case decided 予以修复 moves its
    records to ``repaired``, so this is the subjects rights.stats counts)."""
    stmt = select(func.count(func.distinct(Record.subject_id))).where(
        Record.state == RecordState.repaired.value
    )
    return int(session.scalar(stmt) or 0)


def home_figures(session: Session, *, today: date | None = None) -> HomeFigures:
    """Subjects, records, published list entries, repairs, reporting departments, series.

    Each figure is one aggregate query; on a large city cache the result for a few
    minutes in the caller (the figures move slowly).
    """
    today = today or date.today()
    current = Record.is_current.is_(True)
    by_item = {
        str(code): int(count)
        for code, count in session.execute(
            select(Record.item_code, func.count()).where(current).group_by(Record.item_code)
        ).all()
    }
    reporting = select(func.count()).where(exists().where(Record.department_id == Department.id))
    return HomeFigures(
        today=today,
        subjects=int(session.scalar(select(func.count()).select_from(Subject)) or 0),
        records=sum(by_item.values()),
        records_published=records_service.count_published(session, today=today),
        list_entries=list_seam.published_count(session, today=today),
        repairs_completed=_count(session, current, Record.state == RecordState.repaired.value),
        departments_reporting=int(session.scalar(reporting.select_from(Department)) or 0),
        subjects_repaired=_subjects_repaired(session),
        by_month=_by_month(session, today),
        by_category=_by_category(by_item),
        by_item=by_item,
    )


def cached_home_figures(
    session: Session, *, today: date | None = None, seconds: float = CACHE_SECONDS
) -> HomeFigures:
    """``home_figures`` at most ``seconds`` old (per database and day).

    On a city of millions of records the figures are several full-table aggregates
    (seconds of work); the home page should call this, not ``home_figures``.
    """
    today = today or date.today()
    key = (str(session.get_bind().engine.url), today)
    held = _cache.get(key)
    now = time.monotonic()
    if held is not None and now - held[0] < seconds:
        return held[1]
    figures = home_figures(session, today=today)
    _cache[key] = (now, figures)
    return figures


def headline(session: Session, *, today: date | None = None) -> Headline:
    """Counts of subjects, current records, published records (as the portal home counts
    them) and departments, with the current records of each catalogue item."""
    today = today or date.today()
    catalog = catalog_service.get_catalog()
    by_kind = dict(session.execute(select(Subject.kind, func.count()).group_by(Subject.kind)).all())
    by_item = dict(
        session.execute(
            select(Record.item_code, func.count())
            .where(Record.is_current.is_(True))
            .group_by(Record.item_code)
        ).all()
    )
    items = [
        ItemCount(code=code, name_zh=item.name.zh, name_en=item.name.en, count=by_item.get(code, 0))
        for code, item in catalog.items.items()
    ]
    return Headline(
        subjects=sum(by_kind.values()),
        subjects_by_kind={str(k): int(v) for k, v in by_kind.items()},
        records=sum(by_item.values()),
        records_published=records_service.count_published(session, today=today),
        departments=int(session.scalar(select(func.count()).select_from(Department)) or 0),
        catalog_items=len(catalog.items),
        catalog_version=catalog.version,
        records_by_item=items,
    )
