"""THE SEAM the lists module (xinyong.lists, issue 7) replaces: which records are list entries.

Until that module exists, a list publication is the set of published records of one or
more list-type catalogue items. This file is the only place that knows the mapping
list_code → item(s); ``portal.service`` asks it and nothing else. When ``xinyong.lists``
arrives, ``PUBLIC_LISTS`` / ``get`` / ``lists_of_item`` become calls into it (entries with
their own listing decisions, notification and removal dates) and the service keeps its
signatures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import LegalBasis
from xinyong.core.errors import NotFound
from xinyong.portal.schemas import PublicListInfo
from xinyong.records.models import Record
from xinyong.records.states import RecordState


@dataclass(frozen=True)
class ListSpec:
    """A published list: its code (for now the catalogue item's code), kind and items."""

    code: str
    kind: str  # "red" | "black" | "warning"
    item_codes: tuple[str, ...]

    @property
    def name_zh(self) -> str:
        return catalog_service.get_catalog().item(self.item_codes[0]).name.zh

    @property
    def name_en(self) -> str:
        return catalog_service.get_catalog().item(self.item_codes[0]).name.en


# list_code -> catalogue items whose published records are the list's entries.
PUBLIC_LISTS: tuple[ListSpec, ...] = (
    ListSpec("serious_dishonesty_list", "black", ("serious_dishonesty_list",)),  # 严重失信主体名单
    ListSpec("dishonest_judgment_debtor", "black", ("dishonest_judgment_debtor",)),  # 失信被执行人
    ListSpec("abnormal_operation", "warning", ("abnormal_operation",)),  # 经营异常名录
    ListSpec("honour", "red", ("honour",)),  # 守信激励名单(红名单)与诚信荣誉
)


def get(list_code: str) -> ListSpec:
    """The list with this code, or NotFound naming the known codes."""
    for spec in PUBLIC_LISTS:
        if spec.code == list_code:
            return spec
    known = ", ".join(spec.code for spec in PUBLIC_LISTS)
    raise NotFound(f"no public list {list_code!r} (lists: {known})")


def lists_of_item(item_code: str) -> list[ListSpec]:
    """The lists whose entries are records of this item."""
    return [spec for spec in PUBLIC_LISTS if item_code in spec.item_codes]


# The field of a list item's payload naming the decisions an entry rests on.
BASIS_FIELD = "basis_numbers"
_SEPARATORS = re.compile(r"[;；,，、\s]+")
LIVE_STATES = (RecordState.active.value, RecordState.under_objection.value)


def is_list_item(item_code: str) -> bool:
    """Whether records of this item are entries of a list."""
    return bool(lists_of_item(item_code))


def entries_grounded_on(session: Session, record: Record) -> list[Record]:
    """Live list entries of the record's subject that rest on this record's decision.

    An entry names its basis decisions in ``basis_numbers``; a repaired or revoked basis
    takes the entry off the list (国办发〔2020〕49号: 信用修复后移出名单).
    """
    items = [code for spec in PUBLIC_LISTS for code in spec.item_codes]
    stmt = select(Record).where(
        Record.subject_id == record.subject_id,
        Record.item_code.in_(items),
        Record.is_current.is_(True),
        Record.state.in_(LIVE_STATES),
        Record.id != record.id,
    )
    return [
        entry
        for entry in session.scalars(stmt.order_by(Record.id))
        if record.source_record_id in _SEPARATORS.split(str(entry.payload.get(BASIS_FIELD) or ""))
    ]


def basis_text(basis: LegalBasis) -> str:
    """《…》〔文号〕条款, one line."""
    parts = [basis.title]
    if basis.document_number:
        parts.append(f"({basis.document_number})")
    if basis.article:
        parts.append(basis.article)
    return " ".join(parts)


def info(spec: ListSpec, entries: int, capped: bool) -> PublicListInfo:
    """What the portal says about a list, with its current number of published entries."""
    catalog = catalog_service.get_catalog()
    items = [catalog.item(code) for code in spec.item_codes]
    return PublicListInfo(
        list_code=spec.code,
        kind=spec.kind,
        name_zh=spec.name_zh,
        name_en=spec.name_en,
        description=items[0].description,
        item_codes=list(spec.item_codes),
        legal_basis=[basis_text(b) for item in items for b in item.legal_basis],
        entries=entries,
        entries_capped=capped,
    )
