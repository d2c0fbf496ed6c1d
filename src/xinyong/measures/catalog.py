"""The joint reward and punishment measures catalogue (联合奖惩措施清单): schema and loading.

The shipped file (``measures/data/measures.yaml``) is the national baseline; a city's file
(``XINYONG_MEASURES_FILE``) is layered over it: a measure or matter with an existing code
replaces it, new codes are added, and ``disabled: [codes]`` removes measures. The merged
result is checked against the matters, the known list codes and the information catalogue,
so a mistake names the file, the measure and the key.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import (
    CatalogDefect,
    CatalogItem,
    DepartmentKind,
    I18nText,
    Identifier,
    LegalBasis,
    Period,
    Polarity,
    Severity,
    StrictModel,
    parse_period,
)
from xinyong.catalog.service import format_loc
from xinyong.core import yamlio
from xinyong.core.config import get_settings
from xinyong.core.errors import Invalid, NotFound, XinyongError
from xinyong.identity.kinds import SubjectKind

SHIPPED = Path(__file__).parent / "data" / "measures.yaml"

# The lists a measure can be triggered by, and whether they reward ("red") or not.
LIST_CODES: dict[str, Literal["red", "black", "warning"]] = {
    "red_list": "red",  # 守信激励对象名单
    "serious_dishonesty_list": "black",  # 严重失信主体名单
    "dishonest_judgment_debtor": "black",  # 失信被执行人
    "key_attention_list": "warning",  # 重点关注名单
    "abnormal_operation": "warning",  # 经营异常名录
}
GRADES = ("A", "B", "C", "D")
GOOD_GRADES = frozenset({"A", "B"})
Grade = Literal["A", "B", "C", "D"]
DEFAULT_SUBJECT_KINDS = (
    SubjectKind.legal_person,
    SubjectKind.individual_business,
    SubjectKind.natural_person,
)


class MeasuresError(XinyongError):
    """The measures catalogue is malformed: the message names the file, the entry and the key."""

    status_code = 500
    code = "measures_error"


class MeasureKind(StrEnum):
    incentive = "incentive"  # 守信激励
    constraint = "constraint"  # 失信约束


class MeasureType(StrEnum):
    """The three classes of 《全国失信惩戒措施基础清单》 (国办发〔2020〕49号)."""

    public_restriction = "public_restriction"  # 公共管理机构依法依规实施的减损权益或增加义务的措施
    public_management = "public_management"  # 公共管理机构根据履职需要实施的相关管理措施
    market = "market"  # 公共管理机构以外的组织自主实施的措施


class Matter(StrictModel):
    """An administrative matter where measures apply (应用事项), e.g. government procurement."""

    code: Identifier
    name: I18nText
    description: str | None = None


class RecordTrigger(StrictModel):
    """A published record of ``item`` (of one of ``tiers``) decided within ``within``."""

    item: str = Field(min_length=1)
    tiers: list[Severity] = Field(default_factory=list)
    within: Period | None = None

    @field_validator("within")
    @classmethod
    def _not_empty(cls, value: str | None) -> str | None:
        if value is not None and _is_zero(value):
            raise ValueError("a period of zero length matches nothing; leave 'within' out")
        return value


def _is_zero(period: str) -> bool:
    delta = parse_period(period)
    return not (delta.years or delta.months or delta.days)


class Triggers(StrictModel):
    """Any one matching trigger makes the measure apply."""

    lists: list[str] = Field(default_factory=list)
    grades: list[Grade] = Field(default_factory=list)
    records: list[RecordTrigger] = Field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.lists or self.grades or self.records)


class Measure(StrictModel):
    """One measure of the catalogue: who applies it, where, on what trigger, on what basis."""

    code: str = Field(pattern=r"^[CI](-[A-Z0-9]+)+$", max_length=32)
    name: I18nText
    kind: MeasureKind
    type: MeasureType
    triggers: Triggers
    matters: list[Identifier]
    departments: list[DepartmentKind]
    subject_kinds: list[SubjectKind] = Field(
        default_factory=lambda: list(DEFAULT_SUBJECT_KINDS), min_length=1
    )
    legal_basis: list[LegalBasis]
    description: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Measure:
        for defect in _measure_defects(self):
            raise defect
        return self


# Lists a measure cannot leave empty, and what their entries are called.
_REQUIRED = {
    "matters": "matter",
    "departments": "implementing department",
    "legal_basis": "legal basis",
}


def _measure_defects(measure: Measure) -> list[CatalogDefect]:
    """Defects of a measure that need nothing outside it: code prefix, triggers, polarity."""
    defects: list[CatalogDefect] = []
    prefix = "I" if measure.kind is MeasureKind.incentive else "C"
    if not measure.code.startswith(prefix + "-"):
        message = f"the code of {measure.kind} measures starts with '{prefix}-'"
        defects.append(CatalogDefect(("code",), message))
    for key, what in _REQUIRED.items():
        if not getattr(measure, key):
            defects.append(CatalogDefect((key,), f"a measure needs at least one {what}"))
    if measure.triggers.empty:
        message = "a measure needs at least one trigger (lists, grades or records)"
        defects.append(CatalogDefect(("triggers",), message))
    incentive = measure.kind is MeasureKind.incentive
    for index, code in enumerate(measure.triggers.lists):
        defects.extend(_list_defect(code, index, incentive=incentive))
    for index, grade in enumerate(measure.triggers.grades):
        if (grade in GOOD_GRADES) != incentive:
            message = f"grade {grade} cannot trigger a{'n' if incentive else ''} {measure.kind}"
            defects.append(CatalogDefect(("triggers", "grades", index), message))
    return defects


def _list_defect(code: str, index: int, *, incentive: bool) -> list[CatalogDefect]:
    loc = ("triggers", "lists", index)
    kind = LIST_CODES.get(code)
    if kind is None:
        known = ", ".join(LIST_CODES)
        return [CatalogDefect(loc, f"unknown list code '{code}' (lists: {known})")]
    if incentive and kind != "red":
        return [CatalogDefect(loc, f"an incentive cannot be triggered by the {kind} list '{code}'")]
    if not incentive and kind == "red":
        return [CatalogDefect(loc, f"a constraint cannot be triggered by the red list '{code}'")]
    return []


class MeasureCatalog(StrictModel):
    """The merged catalogue: ``layers`` are the files loaded, lowest first."""

    version: str
    layers: list[str]
    # Working days a department has to report whether it applied a measure a check found.
    feedback_working_days: int = Field(default=5, ge=1, le=60)
    matters: dict[str, Matter]
    measures: dict[str, Measure]

    def matter(self, code: str) -> Matter:
        """The matter with ``code``; Invalid names the known matters."""
        try:
            return self.matters[code]
        except KeyError:
            known = ", ".join(self.matters)
            raise Invalid(
                key="ms.err.matter",
                params={"code": code, "known": known},
                details={"field": "matter", "matter": code, "known": list(self.matters)},
            ) from None

    def measure(self, code: str) -> Measure:
        """The measure with ``code``; NotFound otherwise."""
        try:
            return self.measures[code]
        except KeyError:
            raise NotFound(
                key="ms.err.no_measure", params={"code": code}, details={"measure": code}
            ) from None

    def for_matter(self, code: str) -> list[Measure]:
        """The measures applied in matter ``code`` (Invalid when there is no such matter)."""
        self.matter(code)
        return [m for m in self.measures.values() if code in m.matters]


# --- files ------------------------------------------------------------------------------------


class MeasuresFile(StrictModel):
    """One layer: new or replacing ``matters`` and ``measures``, and ``disabled`` measures."""

    version: str = Field(min_length=1)
    title: I18nText | None = None
    feedback_working_days: int | None = Field(default=None, ge=1, le=60)
    matters: list[dict[str, Any]] = Field(default_factory=list)
    measures: list[dict[str, Any]] = Field(default_factory=list)
    disabled: list[str] = Field(default_factory=list)


def _problems(exc: ValidationError) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, CatalogDefect):
            loc, message = (*loc, *cause.loc), cause.message
        problems.append((format_loc(loc), message))
    return problems


def _error(path: Path | str, entry: str | None, problems: list[tuple[str, str]]) -> MeasuresError:
    """``measures file <path>: <entry>, key '<key>': <message>``; every problem in details."""
    key, message = problems[0]
    entry_text = f"{entry}, " if entry else ""
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return MeasuresError(
        f"measures file {path}: {entry_text}key '{key}': {message}{more}",
        details={
            "file": str(path),
            "entry": entry,
            "key": key,
            "problems": [{"key": k, "message": m} for k, m in problems],
        },
    )


def _read(path: Path) -> MeasuresFile:
    try:
        raw = yamlio.read_yaml(path)
    except yamlio.YamlProblem as problem:
        message = f"measures file {path}: {problem}"
        raise MeasuresError(message, details={"file": str(path)}) from None
    if not isinstance(raw, dict):
        raise _error(path, None, [("(top)", "expected a mapping with version, matters, measures")])
    try:
        return MeasuresFile.model_validate(raw)
    except ValidationError as exc:
        raise _error(path, None, _problems(exc)) from exc


def _entries(path: Path, what: str, raw: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(entry label, mapping) of each entry; a code repeated within one file is an error."""
    seen: set[str] = set()
    entries: list[tuple[str, dict[str, Any]]] = []
    for index, entry in enumerate(raw):
        code = entry.get("code") if isinstance(entry, dict) else None
        label = f"{what} '{code}'" if isinstance(code, str) and code else f"{what} #{index + 1}"
        if isinstance(code, str) and code in seen:
            raise _error(path, label, [("code", f"duplicate {what} code '{code}' in this file")])
        seen.add(str(code))
        entries.append((label, entry))
    return entries


def _merge_matters(path: Path, layer: MeasuresFile, matters: dict[str, Matter]) -> None:
    for label, raw in _entries(path, "matter", layer.matters):
        try:
            matter = Matter.model_validate(raw)
        except ValidationError as exc:
            raise _error(path, label, _problems(exc)) from exc
        matters[matter.code] = matter


def _merge_measures(
    path: Path, layer: MeasuresFile, measures: dict[str, Measure], origins: dict[str, Path]
) -> None:
    for label, raw in _entries(path, "measure", layer.measures):
        try:
            measure = Measure.model_validate(raw)
        except ValidationError as exc:
            raise _error(path, label, _problems(exc)) from exc
        measures[measure.code] = measure
        origins[measure.code] = path


def _disable(path: Path, layer: MeasuresFile, measures: dict[str, Measure]) -> None:
    defined = {raw.get("code") for raw in layer.measures if isinstance(raw, dict)}
    for index, code in enumerate(layer.disabled):
        key = f"disabled[{index}]"
        if code in defined:
            raise _error(path, None, [(key, f"'{code}' is both defined and disabled here")])
        if measures.pop(code, None) is None:
            raise _error(path, None, [(key, f"no measure '{code}' in the lower layers")])


# --- references ---------------------------------------------------------------------------------


def _reference_problems(
    measure: Measure, matters: Collection[str], items: Mapping[str, CatalogItem]
) -> list[tuple[str, str]]:
    """What the measure names that does not exist or does not fit: matters, catalogue items."""
    problems: list[tuple[str, str]] = []
    for index, code in enumerate(measure.matters):
        if code not in matters:
            message = f"unknown matter '{code}' (matters: {', '.join(matters)})"
            problems.append((f"matters[{index}]", message))
    for index, trigger in enumerate(measure.triggers.records):
        key = f"triggers.records[{index}]"
        item = items.get(trigger.item)
        if item is None:
            message = f"unknown catalogue item '{trigger.item}' (items: {', '.join(items)})"
            problems.append((key + ".item", message))
            continue
        problems.extend(_record_fit(measure, item, key, trigger))
    return problems


def _record_fit(
    measure: Measure, item: CatalogItem, key: str, trigger: RecordTrigger
) -> list[tuple[str, str]]:
    wrong = Polarity.negative if measure.kind is MeasureKind.incentive else Polarity.positive
    if item.polarity is wrong:
        message = (
            f"{measure.kind} measures cannot be triggered by {item.polarity} item '{item.code}'"
        )
        return [(key + ".item", message)]
    tiered = item.severity.default is not None or bool(item.severity.rules)
    if trigger.tiers and not tiered:
        return [(key + ".tiers", f"records of '{item.code}' have no severity tier")]
    return []


def _check_references(
    measures: Mapping[str, Measure],
    origins: Mapping[str, Path],
    matters: Collection[str],
    items: Mapping[str, CatalogItem],
) -> None:
    for code, measure in measures.items():
        problems = _reference_problems(measure, matters, items)
        if problems:
            raise _error(origins[code], f"measure '{code}'", problems)


def load(
    files: Sequence[Path], *, items: Mapping[str, CatalogItem] | None = None
) -> MeasureCatalog:
    """The catalogue of these files, each layered over the one before, checked against the
    information catalogue's ``items`` (the platform's catalogue when not given)."""
    known_items = items if items is not None else catalog_service.get_catalog().items
    matters: dict[str, Matter] = {}
    measures: dict[str, Measure] = {}
    origins: dict[str, Path] = {}
    versions: list[str] = []
    feedback_days = 5
    for path in files:
        layer = _read(path)
        versions.append(layer.version)
        feedback_days = layer.feedback_working_days or feedback_days
        _merge_matters(path, layer, matters)
        _merge_measures(path, layer, measures, origins)
        _disable(path, layer, measures)
    _check_references(measures, origins, list(matters), known_items)
    return MeasureCatalog(
        version="+".join(versions),
        layers=[str(path) for path in files],
        feedback_working_days=feedback_days,
        matters=matters,
        measures=measures,
    )


@lru_cache(maxsize=4)
def _catalog_for(city_file: Path | None, catalog_extra: Path | None) -> MeasureCatalog:
    # ``catalog_extra`` is part of the key: record triggers are checked against its items.
    return load([SHIPPED, *([city_file] if city_file is not None else [])])


def get_catalog() -> MeasureCatalog:
    """The platform's measures catalogue for the current settings (cached)."""
    settings = get_settings()
    return _catalog_for(settings.measures_file, settings.catalog_extra)


def reset_catalog() -> None:
    """Forget the cached catalogue (tests; after a city edits its file)."""
    _catalog_for.cache_clear()
