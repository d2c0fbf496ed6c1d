"""Credit report types (信用报告), as data: ``reports/data/reports.yaml``, validated on load.

A city's file (``XINYONG_REPORTS_FILE``) is layered over the shipped one key by key and the
result validated, so a mistake names the file and the key (catalogue items, list codes and
fields are checked against the catalogue and the list types).
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, model_validator

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import DepartmentKind, I18nText, Identifier
from xinyong.core import yamlio
from xinyong.core.config import get_settings
from xinyong.core.errors import NotFound, XinyongError
from xinyong.identity.kinds import SubjectKind
from xinyong.lists import config as lists_config

SHIPPED = Path(__file__).parent / "data" / "reports.yaml"
ALL = "*"
BASIC_FIELDS = (
    "name",
    "code",
    "kind",
    "status",
    "region",
    "registration_date",
    "industry",
    "legal_representative",
)
LIST_FIELDS = ("list_name", "department", "listed_on", "term_end", "legal_basis", "reasons")


class ReportsConfigError(XinyongError):
    """The report types are malformed: the message names the file and the key."""

    status_code = 500
    code = "reports_config_error"


class Audience(StrEnum):
    """Who reads a report; decides the sections and fields it shows."""

    public = "public"
    subject = "subject"  # the subject itself (online, or at the counter in person)
    authorised = "authorised"  # an organisation with the subject's live authorisation
    government = "government"  # department staff


class SectionKind(StrEnum):
    basic = "basic"
    records = "records"
    lists = "lists"
    domains = "domains"
    notes = "notes"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Fields = Literal["*"] | list[str]


class Section(_Strict):
    """One section of a report: what it holds and which fields each audience sees."""

    key: Identifier
    kind: SectionKind
    title: I18nText
    empty: I18nText
    items: list[Identifier] = Field(default_factory=list)
    lists: list[Identifier] | None = None
    source: Literal["grades", "commitments"] | None = None
    show: dict[Audience, Fields] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Section:
        if self.kind in (SectionKind.records, SectionKind.domains) and not self.items:
            raise ValueError(f"a {self.kind.value} section needs items")
        if self.kind is SectionKind.lists and self.lists is None:
            raise ValueError("a lists section needs lists ([] = every list)")
        if self.kind is SectionKind.basic:
            for audience, fields in self.show.items():
                unknown = sorted(set(fields) - set(BASIC_FIELDS)) if fields != ALL else []
                if unknown:
                    raise ValueError(f"show.{audience.value}: unknown basic fields {unknown}")
        return self

    def fields_for(self, audience: Audience) -> Fields | None:
        """The fields this audience sees ("*" = all the policy allows; None = no section)."""
        return self.show.get(audience)


class Domain(_Strict):
    name: I18nText
    department_kinds: list[DepartmentKind] = Field(min_length=1)


class ReportType(_Strict):
    """One kind of report: whose, for whom, for how long, with which sections."""

    code: Identifier
    name: I18nText
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    requesters: list[Audience] = Field(min_length=1)
    validity_days: PositiveInt
    watermark: I18nText
    period_years: PositiveInt | None = None
    domains: list[Identifier] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> ReportType:
        keys = [s.key for s in self.sections]
        doubled = sorted({k for k in keys if keys.count(k) > 1})
        if doubled:
            raise ValueError(f"sections {doubled} given twice")
        for audience in self.requesters:
            if not any(s.fields_for(audience) is not None for s in self.sections):
                raise ValueError(f"requester {audience.value!r} would get an empty report")
        has_domains = any(s.kind is SectionKind.domains for s in self.sections)
        if has_domains and (not self.domains or self.period_years is None):
            raise ValueError("a domains section needs the type's domains and period_years")
        for text in (self.watermark.zh, self.watermark.en):
            try:
                text.format(requester="", purpose="")
            except (KeyError, IndexError, ValueError) as exc:
                raise ValueError(f"watermark: only {{requester}} and {{purpose}}: {exc}") from exc
        return self

    def section(self, key: str) -> Section:
        """The section with this key (KeyError when there is none)."""
        return next(s for s in self.sections if s.key == key)


class ReportsConfig(_Strict):
    version: str = Field(min_length=1)
    daily_limits: dict[str, PositiveInt] = Field(min_length=1)
    domains: dict[Identifier, Domain] = Field(default_factory=dict)
    types: dict[Identifier, ReportType] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _codes_from_keys(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("types"), dict):
            types = {
                key: {**value, "code": key} if isinstance(value, dict) else value
                for key, value in data["types"].items()
            }
            return {**data, "types": types}
        return data

    @model_validator(mode="after")
    def _references(self) -> ReportsConfig:
        for spec in self.types.values():
            unknown = sorted(set(spec.domains) - set(self.domains))
            if unknown:
                raise ValueError(f"types.{spec.code}.domains: unknown domains {unknown}")
        return self

    def get(self, code: str) -> ReportType:
        """The report type with this code, or NotFound naming the known codes."""
        spec = self.types.get(code)
        if spec is None:
            known = "、".join(self.types)
            raise NotFound(
                f"没有“{code}”这种报告类型（可选：{known}） · no report type {code!r}",
                details={"field": "type"},
            )
        return spec

    def limit_for(self, requester_kind: str) -> int:
        """Reports a requester of this kind may have issued per day."""
        return self.daily_limits.get(requester_kind, min(self.daily_limits.values()))


def _check_references(config: ReportsConfig, names: str) -> None:
    """Items, their fields and list codes named by sections exist."""
    catalog = catalog_service.get_catalog()
    list_codes = set(lists_config.get_config().lists)
    for spec in config.types.values():
        for index, section in enumerate(spec.sections):
            where = f"{names}: types.{spec.code}.sections.{index} ({section.key})"
            fields: set[str] = set(LIST_FIELDS) if section.kind is SectionKind.lists else set()
            for code in section.items:
                item = catalog.items.get(code)
                if item is None:
                    raise ReportsConfigError(f"{where}.items: no catalogue item {code!r}")
                fields |= {f.name for f in item.fields}
            unknown_lists = sorted(set(section.lists or []) - list_codes)
            if unknown_lists:
                raise ReportsConfigError(f"{where}.lists: unknown lists {unknown_lists}")
            if section.kind in (SectionKind.basic, SectionKind.notes):
                continue
            for audience, shown in section.show.items():
                unknown = sorted(set(shown) - fields) if shown != ALL else []
                if unknown:
                    raise ReportsConfigError(
                        f"{where}.show.{audience.value}: unknown fields {unknown}"
                    )


def load(files: list[Path]) -> ReportsConfig:
    """The report types of these files, each layered over the one before."""
    config, names = yamlio.load_layered(files, ReportsConfig, ReportsConfigError)
    _check_references(config, names)
    return config


@lru_cache(maxsize=4)
def _config_for(city_file: Path | None) -> ReportsConfig:
    return load([SHIPPED, *([city_file] if city_file is not None else [])])


def get_config() -> ReportsConfig:
    """The platform's report types for the current settings (cached)."""
    return _config_for(get_settings().reports_file)


def reset_config() -> None:
    """Forget the cached configuration (tests; after a city edits its file)."""
    _config_for.cache_clear()
