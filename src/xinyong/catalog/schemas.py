"""Schemas of the public credit information catalogue (公共信用信息目录) and department directory.

Every model forbids unknown keys so that a typo in a YAML file fails loudly. Checks spanning
several attributes raise ``CatalogDefect`` carrying the location of the offending attribute;
``service.py`` turns validation errors into ``CatalogError`` messages naming file, item, field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

from dateutil.relativedelta import relativedelta
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PositiveInt,
    ValidationInfo,
    field_validator,
    model_validator,
)

from xinyong.core.errors import NotFound
from xinyong.identity.codes import validate_uscc
from xinyong.identity.kinds import SubjectKind

Loc = tuple[str | int, ...]


class CatalogDefect(ValueError):
    """A cross-attribute defect; ``loc`` is relative to the model that raised it."""

    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


class I18nText(StrictModel):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


# --- enumerations -------------------------------------------------------------------------


class Severity(StrEnum):
    """Tier of dishonesty information (失信信息等级)."""

    minor = "minor"  # 轻微
    general = "general"  # 一般
    serious = "serious"  # 严重


class Polarity(StrEnum):
    positive = "positive"  # 守信/正面
    negative = "negative"  # 失信/负面
    neutral = "neutral"  # 中性


class DisclosureAttribute(StrEnum):
    """Openness of an item or field, from most to least open."""

    public = "public"  # 公开
    government = "government"  # 政务共享
    restricted = "restricted"  # 受限 (authorised, purpose-bound reads only)

    @property
    def openness(self) -> int:
        """0 for public, 1 for shared with government, 2 for restricted."""
        return list(DisclosureAttribute).index(self)


class NationalCategory(StrEnum):
    """The 13 categories of 全国公共信用信息基础目录(2024年版)."""

    registration = "registration"
    judicial = "judicial"
    administrative = "administrative"
    qualification = "qualification"
    abnormal_operation = "abnormal_operation"
    intellectual_property = "intellectual_property"
    serious_dishonesty = "serious_dishonesty"
    contract = "contract"
    commitment = "commitment"
    evaluation = "evaluation"
    compliance = "compliance"
    honours = "honours"
    self_declared = "self_declared"

    @property
    def label_zh(self) -> str:
        return _CATEGORY_ZH[self]


_CATEGORY_ZH = {
    NationalCategory.registration: "登记注册基本信息",
    NationalCategory.judicial: "司法裁判及执行信息",
    NationalCategory.administrative: "行政管理信息",
    NationalCategory.qualification: "职称和职业资格信息",
    NationalCategory.abnormal_operation: "经营(活动)异常名录(状态)信息",
    NationalCategory.intellectual_property: "知识产权信息",
    NationalCategory.serious_dishonesty: "严重失信主体名单信息",
    NationalCategory.contract: "合同履行信息",
    NationalCategory.commitment: "信用承诺及履行情况信息",
    NationalCategory.evaluation: "信用评价结果信息",
    NationalCategory.compliance: "遵守法律法规情况信息",
    NationalCategory.honours: "诚实守信相关荣誉信息",
    NationalCategory.self_declared: "经营主体自愿提供的信用信息",
}


class FieldType(StrEnum):
    string = "string"
    text = "text"
    date = "date"
    decimal = "decimal"
    integer = "integer"
    enum = "enum"
    uscc = "uscc"
    id_number = "id_number"
    subject_code = "subject_code"  # a USCC or a citizen ID number
    boolean = "boolean"
    currency = "currency"  # an ISO 4217 code (CNY, USD …), see data/conventions.yaml


class DepartmentKind(StrEnum):
    """Function of a source department; catalogue items name these in ``source_departments``."""

    development_reform = "development_reform"  # the credit office's own
    market_regulation = "market_regulation"
    tax = "tax"
    court = "court"
    ecology_environment = "ecology_environment"
    human_resources = "human_resources"
    housing_construction = "housing_construction"
    transport = "transport"
    emergency_management = "emergency_management"
    health = "health"
    education = "education"
    public_security = "public_security"
    natural_resources = "natural_resources"
    agriculture = "agriculture"
    culture_tourism = "culture_tourism"
    customs = "customs"
    medical_security = "medical_security"
    finance = "finance"
    statistics = "statistics"
    commerce = "commerce"


class UpdateFrequency(StrEnum):
    realtime = "realtime"
    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"
    quarterly = "quarterly"
    yearly = "yearly"


class LayerLevel(StrEnum):
    national = "national"
    provincial = "provincial"
    municipal = "municipal"
    district = "district"


# --- periods --------------------------------------------------------------------------------

_PERIOD = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?")

# Legal bounds of the disclosure period per tier, in months (inclusive).
TIER_BOUNDS_MONTHS: dict[Severity, tuple[int, int]] = {
    Severity.minor: (0, 3),
    Severity.general: (3, 12),
    Severity.serious: (12, 36),
}


@lru_cache(maxsize=256)
def parse_period(text: str) -> relativedelta:
    """Parse an ISO 8601 date period (``P3M``, ``P1Y``, ``P1Y6M``, ``P10D``; no time part)."""
    match = _PERIOD.fullmatch(text)
    if match is None or text == "P":
        raise ValueError(f"'{text}' is not an ISO 8601 period such as P3M, P1Y or P0D")
    years, months, weeks, days = (int(group or 0) for group in match.groups())
    return relativedelta(years=years, months=months, days=7 * weeks + days)


def period_months(text: str) -> int | None:
    """Length of a period in whole months, or None when it has weeks or days."""
    delta = parse_period(text)
    return None if delta.days else 12 * delta.years + delta.months


def _check_period(text: str) -> str:
    parse_period(text)
    return text


Period = Annotated[str, AfterValidator(_check_period)]


# --- fields ---------------------------------------------------------------------------------


def normalize_header(text: str) -> str:
    """Key used to match spreadsheet headers: NFKC (full-width → half-width), no spaces, lower."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


STRING_TYPES = {FieldType.string, FieldType.text}
NUMERIC_TYPES = {FieldType.decimal, FieldType.integer}
CODE_TYPES = {FieldType.uscc, FieldType.id_number, FieldType.subject_code}


class FieldSpec(StrictModel):
    """One field of an item's payload."""

    name: Identifier
    label: I18nText
    type: FieldType
    required: bool = False
    disclosure: DisclosureAttribute | None = None  # None: same as the item
    values: list[str] = Field(default_factory=list)  # canonical values of an enum
    value_aliases: dict[str, str] = Field(default_factory=dict)  # raw value -> canonical value
    multiple: bool = False  # enum holding several values (a list, or ';'/'、'-separated)
    # Holds a person's identity document number: stored encrypted, shown masked, never public.
    personal: bool = False
    # Free text written by a department (违法事实, 处罚内容 …): it may hold ID, mobile and
    # card numbers or persons' names, so the visibility policy redacts it for outside readers.
    free_text: bool = False
    aliases: list[str] = Field(default_factory=list)  # other spreadsheet headers for this field
    max_length: PositiveInt | None = None
    pattern: str | None = None
    unit: str | None = None
    # The field (of type currency) holding the currency of this amount: an amount written in
    # 美元 puts USD there; without one, amounts are in the home currency (人民币) only.
    currency_field: str | None = None
    # Bounds of a decimal or integer field (inclusive), e.g. ``minimum: 0`` for amounts.
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    # A date field whose value may not lie after the day it is submitted (decision dates).
    not_future: bool = False
    # Words standing for a date in a date field: ``{长期: 2099-12-31}``; null means "no date".
    date_aliases: dict[str, date | None] = Field(default_factory=dict)
    description: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        from xinyong.catalog.rules import field_defects  # rules.py imports this module

        for defect in field_defects(self):
            raise defect
        return self

    @model_validator(mode="after")
    def _bounds_and_date_words(self) -> FieldSpec:
        for defect in _bound_defects(self):
            raise defect
        return self

    def header_names(self) -> list[str]:
        """Every header a submission may use for this field."""
        return [self.label.zh, self.label.en, self.name, *self.aliases]

    @property
    def is_personal(self) -> bool:
        """Whether values are personal identity numbers (explicitly, or by type)."""
        return self.personal or self.type is FieldType.id_number

    def canonical_value(self, raw: str) -> str:
        """Map a raw enum value through ``value_aliases`` (after trimming); others unchanged."""
        text = raw.strip()
        return self.value_aliases.get(text, text)


def _bound_defects(spec: FieldSpec) -> list[CatalogDefect]:
    """Defects of the ingestion bounds of a field (minimum/maximum, not_future, date_aliases)."""
    defects: list[CatalogDefect] = []
    for attr in ("minimum", "maximum"):
        if getattr(spec, attr) is not None and spec.type not in NUMERIC_TYPES:
            defects.append(CatalogDefect((attr,), f"'{attr}' only applies to decimal and integer"))
    low, high = spec.minimum, spec.maximum
    if low is not None and high is not None and low > high:
        defects.append(CatalogDefect(("maximum",), f"maximum {high} is below minimum {low}"))
    for attr in ("not_future", "date_aliases"):
        if getattr(spec, attr) and spec.type is not FieldType.date:
            defects.append(CatalogDefect((attr,), f"'{attr}' only applies to date fields"))
    for word in spec.date_aliases:
        if not word.strip():
            defects.append(CatalogDefect(("date_aliases",), "an empty word cannot be a date"))
    return defects


class DateOrder(StrictModel):
    """Two date fields of an item: ``later`` is never before ``earlier`` when both are given."""

    earlier: str
    later: str


# --- severity and disclosure rules ----------------------------------------------------------


class ConditionOp(StrEnum):
    eq = "eq"
    in_ = "in"
    gte = "gte"
    lte = "lte"
    contains = "contains"


def _stringify(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | date):
        return value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(value, list):
        return [_stringify(entry) for entry in value]
    return value


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


class Condition(StrictModel):
    """``{field, op, value}``: numbers and dates compare by value, enums by canonical value."""

    field: str
    op: ConditionOp
    value: Annotated[str | list[str], BeforeValidator(_stringify)]

    @model_validator(mode="after")
    def _value_shape(self) -> Condition:
        if self.op is ConditionOp.in_ and not isinstance(self.value, list):
            raise CatalogDefect(("value",), "'in' needs a list of values")
        if self.op in {ConditionOp.eq, ConditionOp.gte, ConditionOp.lte} and isinstance(
            self.value, list
        ):
            raise CatalogDefect(("value",), f"'{self.op}' needs a single value")
        return self

    @property
    def values(self) -> list[str]:
        return self.value if isinstance(self.value, list) else [self.value]


class SeverityCase(StrictModel):
    """All conditions in ``when`` must hold for ``tier`` to apply."""

    when: Annotated[list[Condition], BeforeValidator(_as_list), Field(min_length=1)]
    tier: Severity


class SeverityRule(StrictModel):
    """Ordered cases (first match wins), else ``default`` (None: no tier)."""

    default: Severity | None = None
    rules: list[SeverityCase] = Field(default_factory=list)


class TierPeriods(StrictModel):
    """Disclosure period per tier, in whole years/months, within the legal bounds."""

    minor: Period = "P3M"
    general: Period = "P1Y"
    serious: Period = "P3Y"

    @field_validator("minor", "general", "serious")
    @classmethod
    def _within_bounds(cls, value: str, info: ValidationInfo) -> str:
        tier = Severity(str(info.field_name))
        low, high = TIER_BOUNDS_MONTHS[tier]
        months = period_months(value)
        if months is None:
            raise ValueError("tier periods are written in years and months, e.g. P6M or P1Y")
        if not low <= months <= high:
            raise ValueError(
                f"{tier} period {value} is outside the legal bounds of {low} to {high} months"
            )
        return value

    def for_tier(self, tier: Severity) -> str:
        return str(getattr(self, tier.value))


class DisclosureKind(StrEnum):
    tiered = "tiered"  # period by severity tier
    fixed = "fixed"  # one period
    until_field = "until_field"  # ends at a date field of the payload (inclusive)
    permanent = "permanent"  # while the record is active


_KIND_ATTRIBUTE = {
    DisclosureKind.tiered: "periods",
    DisclosureKind.fixed: "period",
    DisclosureKind.until_field: "end_field",
    DisclosureKind.permanent: None,
}


class DisclosureRule(StrictModel):
    kind: DisclosureKind
    periods: TierPeriods | None = None
    period: Period | None = None
    end_field: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_periods(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("kind") == "tiered" and data.get("periods") is None:
            return {**data, "periods": {}}
        return data

    @model_validator(mode="after")
    def _attributes_match_kind(self) -> DisclosureRule:
        wanted = _KIND_ATTRIBUTE[self.kind]
        for attr in ("periods", "period", "end_field"):
            present = getattr(self, attr) is not None
            if attr == wanted and not present:
                raise CatalogDefect((attr,), f"a {self.kind} disclosure rule needs '{attr}'")
            if attr != wanted and present:
                raise CatalogDefect((attr,), f"'{attr}' does not apply to a {self.kind} rule")
        return self


class LegalBasis(StrictModel):
    title: str = Field(min_length=1)  # e.g. 《中华人民共和国行政处罚法》
    document_number: str | None = None  # 文号, e.g. 国办发〔2019〕35号
    article: str | None = None  # None when the whole document is cited
    url: str | None = None


# --- items ----------------------------------------------------------------------------------


class CatalogItem(StrictModel):
    """One catalogue item (目录条目): what a record of this kind holds and how it is shown."""

    code: Identifier
    name: I18nText
    category: NationalCategory
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    fields: list[FieldSpec] = Field(min_length=1)
    disclosure_attribute: DisclosureAttribute
    polarity: Polarity
    severity: SeverityRule = Field(default_factory=SeverityRule)
    disclosure: DisclosureRule
    legal_basis: list[LegalBasis] = Field(min_length=1)
    source_departments: list[DepartmentKind] = Field(min_length=1)
    update_frequency: UpdateFrequency
    reporting_deadline_working_days: PositiveInt | None = None
    decision_date_field: str | None = None
    source_record_id_field: str | None = None
    # When no single field identifies the source record: fields whose values, joined by '/',
    # do (e.g. taxpayer code and evaluation year of a tax credit rating).
    source_record_key: list[str] = Field(default_factory=list)
    subject_name_field: str
    subject_code_field: str
    subject_type_field: str | None = None
    # Cross-field rules checked on submission: pairs of dates in order.
    date_order: list[DateOrder] = Field(default_factory=list)
    description: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CatalogItem:
        from xinyong.catalog.rules import item_defects  # rules.py imports this module

        for defect in item_defects(self):
            raise defect
        return self

    @model_validator(mode="after")
    def _date_order_names_dates(self) -> CatalogItem:
        for index, rule in enumerate(self.date_order):
            for attr in ("earlier", "later"):
                name = getattr(rule, attr)
                spec = self.find_field(name)
                if spec is None or spec.type is not FieldType.date:
                    message = f"'{name}' is not a date field"
                    raise CatalogDefect(("date_order", index, attr), message)
            if rule.earlier == rule.later:
                raise CatalogDefect(("date_order", index, "later"), "a date cannot precede itself")
        return self

    def field(self, name: str) -> FieldSpec:
        """The field called ``name``; NotFound when the item has none."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise NotFound(f"catalogue item '{self.code}' has no field '{name}'")

    def source_record_id(self, payload: Mapping[str, Any]) -> str | None:
        """The source record id of a payload (None when a key field is empty)."""
        names = [self.source_record_id_field] if self.source_record_id_field else []
        values = [str(payload.get(name) or "").strip() for name in names or self.source_record_key]
        return "/".join(values) if all(values) else None

    def find_field(self, name: str) -> FieldSpec | None:
        return next((spec for spec in self.fields if spec.name == name), None)

    def field_disclosure(self, spec: FieldSpec) -> DisclosureAttribute:
        return spec.disclosure or self.disclosure_attribute

    def visible_fields(self, audience: DisclosureAttribute) -> list[FieldSpec]:
        """Fields an audience may see: ``public`` sees public fields, ``government`` also
        shared ones, ``restricted`` (authorised, registered reads) everything."""
        return [s for s in self.fields if self.field_disclosure(s).openness <= audience.openness]

    @property
    def free_text_fields(self) -> tuple[str, ...]:
        """Names of the fields declared ``free_text`` (redacted for outside readers)."""
        return tuple(spec.name for spec in self.fields if spec.free_text)

    def header_map(self) -> dict[str, str]:
        """Normalised spreadsheet header -> field name (see ``normalize_header``)."""
        return {normalize_header(h): s.name for s in self.fields for h in s.header_names()}


class Catalog(StrictModel):
    """The merged catalogue: ``layers`` are the files loaded, lowest first."""

    version: str
    layers: list[str]
    items: dict[str, CatalogItem]

    def item(self, code: str) -> CatalogItem:
        """The item with ``code``; NotFound names the catalogue version and the known codes."""
        try:
            return self.items[code]
        except KeyError:
            known = ", ".join(sorted(self.items))
            raise NotFound(
                f"catalogue {self.version} has no item '{code}' (items: {known})",
                details={"item": code, "version": self.version},
            ) from None

    def by_category(self, category: NationalCategory) -> list[CatalogItem]:
        return [item for item in self.items.values() if item.category is category]

    def for_subject_kind(self, kind: SubjectKind) -> list[CatalogItem]:
        return [item for item in self.items.values() if kind in item.subject_kinds]


# --- departments ----------------------------------------------------------------------------


def _check_uscc(code: str) -> str:
    result = validate_uscc(code)
    if not result.valid:
        raise ValueError(f"'{code}' is not a valid unified social credit code: {result.reason}")
    return result.code


class DepartmentSpec(StrictModel):
    """A source department (信息提供单位) of the city's platform."""

    key: Identifier
    code: Annotated[str, AfterValidator(_check_uscc)]
    name: I18nText
    short_name: str | None = None
    kind: DepartmentKind
    level: LayerLevel
    region_code: str = Field(pattern=r"^\d{6}$")  # GB/T 2260
    parent: str | None = None  # key of the department this one reports to
    credit_office: bool = False  # the platform's operator (社会信用体系建设牵头单位)
    website: str | None = None
    active: bool = True
