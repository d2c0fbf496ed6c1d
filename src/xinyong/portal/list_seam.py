"""THE SEAM the lists module (xinyong.lists, issue 7) replaces: which records are list entries.

Until that module exists, a list publication is the set of published records of one or
more list-type catalogue items. This file is the only place that knows the mapping
list_code → item(s); ``portal.service`` asks it and nothing else. When ``xinyong.lists``
arrives, ``PUBLIC_LISTS`` / ``get`` / ``lists_of_item`` become calls into it (entries with
their own listing decisions, notification and removal dates) and the service keeps its
signatures.
"""

from __future__ import annotations

from dataclasses import dataclass

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import LegalBasis
from xinyong.core.errors import NotFound
from xinyong.portal.schemas import PublicListInfo


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
