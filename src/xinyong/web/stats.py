"""Live headline figures for the landing page and the statistics API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog_service
from xinyong.records.models import Record
from xinyong.records.states import PUBLISHABLE_STATES
from xinyong.subjects.models import Department, Subject


class ItemCount(BaseModel):
    code: str
    name_zh: str
    name_en: str
    count: int


class Headline(BaseModel):
    subjects: int
    subjects_by_kind: dict[str, int]
    records: int
    records_published: int
    departments: int
    catalog_items: int
    catalog_version: str
    records_by_item: list[ItemCount]


def ping(session: Session) -> None:
    session.execute(text("SELECT 1"))


def headline(session: Session, *, today: date | None = None) -> Headline:
    """Counts of subjects, current records, publicly published records and departments."""
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
    published = session.scalar(
        select(func.count())
        .select_from(Record)
        .where(
            Record.is_current.is_(True),
            Record.state.in_([s.value for s in PUBLISHABLE_STATES]),
            (Record.disclosure_end.is_(None)) | (Record.disclosure_end >= today),
        )
    )
    items = [
        ItemCount(code=code, name_zh=item.name.zh, name_en=item.name.en, count=by_item.get(code, 0))
        for code, item in catalog.items.items()
    ]
    return Headline(
        subjects=sum(by_kind.values()),
        subjects_by_kind={str(k): int(v) for k, v in by_kind.items()},
        records=sum(by_item.values()),
        records_published=int(published or 0),
        departments=int(session.scalar(select(func.count()).select_from(Department)) or 0),
        catalog_items=len(catalog.items),
        catalog_version=catalog.version,
        records_by_item=items,
    )
