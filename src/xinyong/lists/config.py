"""List types (红黑名单) and escalation rules, as data.

The shipped file (``lists/data/lists.yaml``) is the default; a city's file
(``XINYONG_LISTS_FILE``) is layered over it key by key (lists are keyed by their code, so a
city may change one attribute of one list) and the result validated, so a mistake names the
file and the key.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, model_validator

from xinyong.catalog import service as catalog_service
from xinyong.catalog.rules import period_end
from xinyong.catalog.schemas import (
    DepartmentKind,
    I18nText,
    Identifier,
    LegalBasis,
    Period,
    parse_period,
)
from xinyong.core import yamlio
from xinyong.core.config import get_settings
from xinyong.core.errors import NotFound, XinyongError
from xinyong.identity.kinds import SubjectKind
from xinyong.lists.states import SystemReason

SHIPPED = Path(__file__).parent / "data" / "lists.yaml"


class ListsConfigError(XinyongError):
    """The lists configuration is malformed: the message names the file and the key."""

    status_code = 500
    code = "lists_config_error"


class ListKind(StrEnum):
    red = "red"  # 守信激励 (red list)
    black = "black"  # 失信惩戒 (black list)
    warning = "warning"  # 警示 / 重点关注


class ListSource(StrEnum):
    platform = "platform"  # entries are proposed, notified and listed on the platform
    records = "records"  # entries only come from reported records (e.g. the courts')


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _nonzero(period: str | None, name: str) -> None:
    if period is not None and parse_period(period) == parse_period("P0D"):
        raise ValueError(f"{name} must be longer than zero (leave it out or null for no term)")


class RemovalCondition(_Strict):
    """A ground on which an entry leaves the list (移出条件), shown to the subject."""

    code: Identifier
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class RecordMatch(_Strict):
    """Only records whose payload field holds one of these values carry entries."""

    field: Identifier
    values: list[str] = Field(min_length=1)


class ListType(_Strict):
    """One list: who decides it, about whom, for how long, on what basis, how it ends."""

    code: Identifier
    name: I18nText
    kind: ListKind
    public: bool
    source: ListSource = ListSource.platform
    deciders: list[DepartmentKind] = Field(min_length=1)
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    term: Period | None = None  # None: until removed
    objection_window: NonNegativeInt  # working days after the notice
    removal_conditions: list[RemovalCondition] = Field(min_length=1)
    legal_basis: list[LegalBasis] = Field(min_length=1)
    item_code: Identifier | None = None
    record_match: RecordMatch | None = None
    # A subject on one of these lists may not be proposed for this one (a red list).
    incompatible_with: list[Identifier] = Field(default_factory=list)
    description: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ListType:
        _nonzero(self.term, "term")
        codes = [c.code for c in self.removal_conditions]
        doubled = sorted({c for c in codes if codes.count(c) > 1})
        if doubled:
            raise ValueError(f"removal condition(s) {doubled} given twice")
        missing = sorted(set(self.required_conditions()) - set(codes))
        if missing:
            raise ValueError(
                f"removal_conditions must include {missing}: the platform applies them itself"
            )
        if self.source is ListSource.records and self.item_code is None:
            raise ValueError("a list with 'source: records' needs the item_code of its records")
        if self.record_match is not None and self.item_code is None:
            raise ValueError("record_match needs an item_code")
        return self

    def required_conditions(self) -> list[str]:
        """Removal reasons the platform applies itself and the list must name (others it does
        not name, such as ``repaired`` on a court list, are recorded as ``basis_revoked``)."""
        required = [SystemReason.basis_revoked.value]
        if self.term is not None or self.item_code is not None:
            required.append(SystemReason.term_ended.value)
        if self.objection_window > 0:
            required.append(SystemReason.objection_upheld.value)
        return required

    def condition(self, code: str) -> RemovalCondition | None:
        """The removal condition with this code, if the list has it."""
        return next((c for c in self.removal_conditions if c.code == code), None)

    def term_end(self, listed_on: date) -> date | None:
        """Last day (inclusive) of an entry listed on ``listed_on``; None without a term."""
        return None if self.term is None else period_end(listed_on, self.term)

    def legal_basis_text(self) -> str:
        """The list's legal basis as one line: 《…》(文号) 条款；…"""
        return "；".join(basis_line(b) for b in self.legal_basis)

    def matches(self, payload: dict[str, Any]) -> bool:
        """Whether a record of the item with this payload carries an entry of this list."""
        match = self.record_match
        return match is None or str(payload.get(match.field, "")) in match.values


def basis_line(basis: LegalBasis) -> str:
    """《…》(文号)条款, one line."""
    number = f"({basis.document_number})" if basis.document_number else ""
    return f"{basis.title}{number}{basis.article or ''}"


class Escalation(_Strict):
    """An entry listed on ``from`` for ``after`` is proposed for ``to`` (never listed by itself)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_list: Identifier = Field(alias="from")
    after: Period
    to: Identifier
    legal_basis: str = Field(min_length=1)
    reasons: str = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> Escalation:
        _nonzero(self.after, "after")
        if self.from_list == self.to:
            raise ValueError("an escalation must lead to another list")
        return self


class ListsConfig(_Strict):
    version: str = Field(min_length=1)
    lists: dict[Identifier, ListType] = Field(min_length=1)
    escalations: list[Escalation] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _codes_from_keys(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("lists"), dict):
            lists = {
                key: {**value, "code": key} if isinstance(value, dict) else value
                for key, value in data["lists"].items()
            }
            return {**data, "lists": lists}
        return data

    @model_validator(mode="after")
    def _references(self) -> ListsConfig:
        for spec in self.lists.values():
            unknown = sorted(set(spec.incompatible_with) - set(self.lists))
            if unknown:
                raise ValueError(f"lists.{spec.code}.incompatible_with: unknown lists {unknown}")
        for index, rule in enumerate(self.escalations):
            for end in (rule.from_list, rule.to):
                if end not in self.lists:
                    raise ValueError(f"escalations.{index}: unknown list '{end}'")
            if self.lists[rule.to].source is ListSource.records:
                raise ValueError(f"escalations.{index}: '{rule.to}' only takes reported records")
        return self

    def get(self, code: str) -> ListType:
        """The list with this code, or NotFound naming the known codes."""
        spec = self.lists.get(code)
        if spec is None:
            raise NotFound(
                f"no list {code!r} (lists: {', '.join(self.lists)})",
                details={"field": "list_code"},
            )
        return spec

    def carrying(self) -> list[ListType]:
        """The lists whose entries also come from records of a catalogue item."""
        return [spec for spec in self.lists.values() if spec.item_code is not None]


def _check_items(config: ListsConfig, names: str) -> None:
    catalog = catalog_service.get_catalog()
    for spec in config.carrying():
        where = f"{names}: lists.{spec.code}"
        try:
            item = catalog.item(str(spec.item_code))
        except NotFound:
            raise ListsConfigError(
                f"{where}.item_code: no catalogue item {spec.item_code!r}"
            ) from None
        field = spec.record_match.field if spec.record_match else None
        if field is not None and field not in {f.name for f in item.fields}:
            raise ListsConfigError(f"{where}.record_match.field: item has no field {field!r}")


def load(files: list[Path]) -> ListsConfig:
    """The configuration of these files, each layered over the one before."""
    config, names = yamlio.load_layered(files, ListsConfig, ListsConfigError)
    _check_items(config, names)
    return config


@lru_cache(maxsize=4)
def _config_for(city_file: Path | None) -> ListsConfig:
    return load([SHIPPED, *([city_file] if city_file is not None else [])])


def get_config() -> ListsConfig:
    """The platform's list types for the current settings (cached)."""
    return _config_for(get_settings().lists_file)


def reset_config() -> None:
    """Forget the cached configuration (tests; after a city edits its file)."""
    _config_for.cache_clear()
