"""Evaluation models (评价模型) as data: dimensions, indicators, scoring, bands and overrides.

The shipped models are ``evaluation/data/models/*.yaml`` (one model per file); a city's
file (``XINYONG_EVALUATION_FILE``) holds ``models: {code: {...}}`` layered over them key by
key (dimensions and indicators are mappings keyed by code, so a city may change one weight
of one indicator) or adding new models. Everything is validated on load and a mistake names
the model, the indicator and the key.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import DepartmentKind, I18nText, Identifier, Period, parse_period
from xinyong.core import yamlio
from xinyong.core.config import get_settings
from xinyong.core.errors import NotFound, XinyongError
from xinyong.identity.kinds import SubjectKind

SHIPPED_DIR = Path(__file__).parent / "data" / "models"
SEVERITY_RANK = {"minor": 1, "general": 2, "serious": 3}


class EvaluationConfigError(XinyongError):
    """An evaluation model is malformed: the message names the model, indicator and key."""

    status_code = 500
    code = "evaluation_config_error"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceKind(StrEnum):
    records = "records"  # records of a catalogue item in force (filters on fields etc.)
    list = "list"  # membership of a list today
    registration_age = "registration_age"  # months since registration
    field = "field"  # a field of the latest record of an item (e.g. tax credit rating)
    grade = "grade"  # the public grade of another model (sector models)
    commitments = "commitments"  # performance of the commitments tracked (xinyong.commitments)


class Aggregation(StrEnum):
    count = "count"  # type: ignore[assignment]  # (shadows str.count)
    exists = "exists"
    sum = "sum"
    max_severity = "max_severity"
    months_since_latest = "months_since_latest"
    latest = "latest"  # the latest record's field value (source: field)
    value = "value"  # the source's own value (registration_age, list, grade)


class Direction(StrEnum):
    negative = "negative"  # more of it never raises a score; points <= 0
    positive = "positive"  # more of it never lowers a score; points >= 0
    neutral = "neutral"  # a lookup of a rating (points of either sign)


_ALLOWED: dict[SourceKind, set[Aggregation]] = {
    SourceKind.records: {
        Aggregation.count,
        Aggregation.exists,
        Aggregation.sum,
        Aggregation.max_severity,
        Aggregation.months_since_latest,
    },
    SourceKind.list: {Aggregation.exists},
    SourceKind.registration_age: {Aggregation.value},
    SourceKind.field: {Aggregation.latest},
    SourceKind.grade: {Aggregation.value},
    SourceKind.commitments: {Aggregation.value},
}
# What a commitments source measures: fulfilled / (fulfilled + breached) in per cent (none
# decided: no value), the number of breaches, the number kept (fulfilled).
CommitmentMeasure = Literal["fulfilment_rate", "breaches", "kept"]


class Filter(_Strict):
    """A condition on a payload field: eq, in, contains (a multi-valued field), gte, lte."""

    field: Identifier
    op: Literal["eq", "in", "contains", "gte", "lte"]
    value: str | float | list[str]


class Source(_Strict):
    """Where an indicator's value comes from."""

    kind: SourceKind
    item: Identifier | None = None
    where: list[Filter] = Field(default_factory=list)
    severity: list[Literal["minor", "general", "serious"]] = Field(default_factory=list)
    departments: list[DepartmentKind] = Field(default_factory=list)
    list_code: Identifier | None = Field(default=None, alias="list")
    field: Identifier | None = None
    models: list[Identifier] = Field(default_factory=list)
    measure: CommitmentMeasure | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _complete(self) -> Source:
        if (self.measure is not None) != (self.kind == SourceKind.commitments):
            raise ValueError("'measure' goes with (and only with) a 'commitments' source")
        needs = {
            SourceKind.records: ("item",),
            SourceKind.field: ("item", "field"),
            SourceKind.list: ("list_code",),
            SourceKind.grade: ("models",),
        }.get(self.kind, ())
        missing = [name for name in needs if not getattr(self, name)]
        if missing:
            raise ValueError(f"a '{self.kind}' source needs {', '.join(missing)}")
        return self


class Interval(_Strict):
    upto: float | None = None  # inclusive upper bound; None: everything above
    points: float


class Scoring(_Strict):
    """intervals (a table), linear (points per unit, capped) or lookup (value -> points)."""

    kind: Literal["intervals", "linear", "lookup"]
    table: list[Interval] = Field(default_factory=list)
    per: float | None = None
    cap: float | None = None
    map: dict[str, float] = Field(default_factory=dict)
    default: float = 0.0

    @model_validator(mode="after")
    def _complete(self) -> Scoring:
        if self.kind == "intervals":
            if not self.table or self.table[-1].upto is not None:
                raise ValueError("an intervals table must end with an entry without 'upto'")
            bounds = [i.upto for i in self.table[:-1]]
            if any(b is None for b in bounds) or bounds != sorted(bounds):  # type: ignore[type-var]
                raise ValueError("interval bounds ('upto') must rise")
        if self.kind == "linear" and (self.per is None or self.cap is None or self.cap < 0):
            raise ValueError("a linear scoring needs 'per' and a non-negative 'cap'")
        if self.kind == "lookup" and not self.map:
            raise ValueError("a lookup scoring needs a 'map'")
        return self

    def points(self, value: float | str | None) -> float:
        """Points for one value (the engine applies the same rule column-wise)."""
        if value is None:
            return 0.0 if self.kind != "lookup" else self.default
        if self.kind == "lookup":
            return self.map.get(str(value), self.default)
        number = float(value)
        if self.kind == "linear":
            raw = number * float(self.per or 0)
            cap = float(self.cap or 0)
            return max(-cap, min(cap, raw))
        for interval in self.table:
            if interval.upto is None or number <= interval.upto:
                return interval.points
        raise AssertionError("unreachable: the table ends without a bound")

    def sample_points(self) -> list[float]:
        """Points along the scale (to check monotonicity and signs)."""
        if self.kind == "lookup":
            return [*self.map.values(), self.default]
        if self.kind == "linear":
            return [self.points(x) for x in (0, 1, 10, 1e6)]
        return [i.points for i in self.table]


class Indicator(_Strict):
    """One indicator: source, aggregation over a window, scoring, weight, explanations."""

    code: Identifier
    name: I18nText
    about: I18nText  # what it measures (published on the rules pages)
    explain: I18nText  # a result sentence: {value}, the points are appended
    source: Source
    aggregation: Aggregation
    sum_field: Identifier | None = None
    window: Period | None = None
    scoring: Scoring
    direction: Direction
    weight: float = Field(default=1.0, gt=0, le=10)

    @model_validator(mode="after")
    def _consistent(self) -> Indicator:
        if self.aggregation not in _ALLOWED[self.source.kind]:
            raise ValueError(
                f"aggregation '{self.aggregation}' does not fit a '{self.source.kind}' source"
            )
        if (self.aggregation == Aggregation.sum) != (self.sum_field is not None):
            raise ValueError("'sum_field' goes with (and only with) aggregation 'sum'")
        windowed = (SourceKind.records, SourceKind.commitments)
        if self.window is not None and self.source.kind not in windowed:
            raise ValueError("'window' applies to records and commitments sources only")
        _check_direction(self)
        return self

    def window_months(self) -> int | None:
        """The window in whole months (None: no window)."""
        if self.window is None:
            return None
        delta = parse_period(self.window)
        return delta.years * 12 + delta.months + (1 if delta.days else 0)


def _check_direction(indicator: Indicator) -> None:
    """Negative indicators never add points and grow no better with more records; positive
    ones the other way round: what the property tests rely on."""
    scoring, direction = indicator.scoring, indicator.direction
    if direction == Direction.neutral:
        if scoring.kind != "lookup":
            raise ValueError("a neutral indicator must use a lookup scoring")
        return
    points = scoring.sample_points()
    if scoring.kind == "lookup":
        raise ValueError(f"a {direction} indicator cannot use a lookup scoring")
    if direction == Direction.negative and any(p > 0 for p in points):
        raise ValueError("a negative indicator's points must be <= 0")
    if direction == Direction.positive and any(p < 0 for p in points):
        raise ValueError("a positive indicator's points must be >= 0")
    rising = indicator.aggregation == Aggregation.months_since_latest
    if rising and direction == Direction.positive:
        raise ValueError("months_since_latest suits negative indicators only")
    # Along a rising value: positive counts and recency of negatives climb, negatives fall.
    climbing = direction == Direction.positive or rising
    if points != sorted(points, reverse=not climbing):
        raise ValueError("the points must move one way along the scale (monotonic)")


class Dimension(_Strict):
    code: Identifier
    name: I18nText
    indicators: dict[Identifier, Indicator] = Field(min_length=1)


class Band(_Strict):
    """A grade: from ``min`` score (inclusive) upwards; bands are listed best first."""

    grade: str = Field(min_length=1, max_length=8)
    min: float
    label: I18nText


class OverrideWhen(_Strict):
    list_code: Identifier | None = Field(default=None, alias="list")
    indicator: Identifier | None = None
    at_least: float = 1

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Override(_Strict):
    """A condition forcing the grade (``grade``) or capping it (``cap``: at most this one)."""

    code: Identifier
    when: OverrideWhen
    grade: str | None = None
    cap: str | None = None
    reason: I18nText

    @model_validator(mode="after")
    def _one(self) -> Override:
        if (self.grade is None) == (self.cap is None):
            raise ValueError("an override sets exactly one of 'grade' and 'cap'")
        if (self.when.list_code is None) == (self.when.indicator is None):
            raise ValueError("an override's 'when' names exactly one of 'list' and 'indicator'")
        return self


class Population(_Strict):
    industries: list[str] = Field(default_factory=list)  # GB/T 4754 sections


class Publication(_Strict):
    """Which grades of a public model are published: for these subject kinds (e.g. legal
    persons, not the persons behind individual businesses) and these grades (none: all)."""

    subject_kinds: list[SubjectKind] = Field(min_length=1)
    grades: list[str] = Field(default_factory=list)


class EvaluationModel(_Strict):
    code: Identifier
    version: str = Field(min_length=1)
    effective_from: date
    name: I18nText
    description: I18nText
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    population: Population = Population()
    # government: shared with government bodies only (the default); public: published on the
    # subject's public page and the open API as ``publication`` says (default: every kind and
    # every grade of the model).
    disclosure: Literal["government", "public"] = "government"
    publication: Publication | None = None
    # public: the platform's own grade (measures and checks read it); sector: a department's.
    scope: Literal["public", "sector"] = "public"
    base_score: float
    min_score: float
    max_score: float
    bands: list[Band] = Field(min_length=2)
    overrides: dict[Identifier, Override] = Field(default_factory=dict)
    dimensions: dict[Identifier, Dimension] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _codes_from_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key in ("dimensions", "overrides"):
            if isinstance(data.get(key), dict):
                data[key] = {k: _keyed(k, v) for k, v in data[key].items()}
        for dim in (data.get("dimensions") or {}).values():
            if isinstance(dim, dict) and isinstance(dim.get("indicators"), dict):
                dim["indicators"] = {k: _keyed(k, v) for k, v in dim["indicators"].items()}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> EvaluationModel:
        if not self.min_score <= self.base_score <= self.max_score:
            raise ValueError("base_score must lie between min_score and max_score")
        mins = [b.min for b in self.bands]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise ValueError("bands: list them best first with falling 'min' scores")
        if self.bands[-1].min > self.min_score:
            raise ValueError("bands: the last band must start at or below min_score")
        grades = [b.grade for b in self.bands]
        if len(set(grades)) != len(grades):
            raise ValueError("bands: a grade is given twice")
        codes = [i.code for d in self.dimensions.values() for i in d.indicators.values()]
        doubled = sorted({c for c in codes if codes.count(c) > 1})
        if doubled:
            raise ValueError(f"indicator code(s) {doubled} used in two dimensions")
        self._check_publication(grades)
        for override in self.overrides.values():
            for grade in (override.grade, override.cap):
                if grade is not None and grade not in grades:
                    raise ValueError(f"overrides.{override.code}: unknown grade {grade!r}")
            if override.when.indicator and override.when.indicator not in codes:
                raise ValueError(
                    f"overrides.{override.code}.when.indicator: unknown {override.when.indicator!r}"
                )
        return self

    def _check_publication(self, grades: list[str]) -> None:
        if self.publication is None:
            return
        if self.disclosure != "public":
            raise ValueError("publication: only a model with disclosure: public is published")
        strangers = sorted(set(self.publication.subject_kinds) - set(self.subject_kinds))
        if strangers:
            raise ValueError(f"publication.subject_kinds: {strangers} are not kinds of the model")
        unknown = sorted(set(self.publication.grades) - set(grades))
        if unknown:
            raise ValueError(f"publication.grades: unknown grade(s) {unknown}")

    def is_public(self, subject_kind: str, grade: str) -> bool:
        """Whether this grade of a subject of this kind is published (else: government only)."""
        if self.disclosure != "public":
            return False
        if self.publication is None:
            return True
        kinds = {k.value for k in self.publication.subject_kinds}
        return subject_kind in kinds and (
            not self.publication.grades or grade in self.publication.grades
        )

    def indicators(self) -> list[Indicator]:
        """All indicators, dimension by dimension, in file order."""
        return [i for d in self.dimensions.values() for i in d.indicators.values()]

    def dimension_of(self, indicator_code: str) -> Dimension:
        """The dimension holding this indicator."""
        return next(d for d in self.dimensions.values() if indicator_code in d.indicators)

    def band(self, grade: str) -> Band:
        """The band of this grade."""
        return next(b for b in self.bands if b.grade == grade)

    def grade_rank(self, grade: str) -> int:
        """0 for the best grade, rising to the worst."""
        return [b.grade for b in self.bands].index(grade)


def _keyed(key: str, value: Any) -> Any:
    return {**value, "code": key} if isinstance(value, dict) else value


class EvaluationModels(_Strict):
    models: dict[str, EvaluationModel]

    def get(self, code: str) -> EvaluationModel:
        """The model with this code, or NotFound naming the known codes."""
        model = self.models.get(code)
        if model is None:
            raise NotFound(
                f"没有评价模型 {code!r} · no evaluation model {code!r} "
                f"(models: {', '.join(self.models)})",
                details={"field": "model"},
            )
        return model

    def order(self) -> list[EvaluationModel]:
        """Models with those whose grades others use first."""
        done: list[str] = []
        while len(done) < len(self.models):
            for code, model in self.models.items():
                if code not in done and set(grade_models(model)) <= set(done):
                    done.append(code)
        return [self.models[c] for c in done]


def grade_models(model: EvaluationModel) -> list[str]:
    """The models whose grade this model reads as an indicator."""
    found: list[str] = []
    for indicator in model.indicators():
        if indicator.source.kind == SourceKind.grade:
            found.extend(m for m in indicator.source.models if m not in found)
    return found


# --- loading ----------------------------------------------------------------------------------


def _validate(code: str, data: Any, names: str) -> EvaluationModel:
    try:
        return EvaluationModel.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise EvaluationConfigError(f"{names}: model {code}: {where}: {first['msg']}") from exc


def _check_references(model: EvaluationModel, known: set[str], names: str) -> None:
    from xinyong.lists.config import get_config as lists_config  # lists sit beside evaluation

    catalog = catalog_service.get_catalog()
    lists = lists_config().lists
    for dim in model.dimensions.values():
        for indicator in dim.indicators.values():
            where = (
                f"{names}: model {model.code}: dimensions.{dim.code}.indicators.{indicator.code}"
            )
            _check_source(indicator, catalog, lists, known | {model.code}, where, model.code)
    for override in model.overrides.values():
        code = override.when.list_code
        if code is not None and code not in lists:
            raise EvaluationConfigError(
                f"{names}: model {model.code}: overrides.{override.code}.when.list: "
                f"unknown list {code!r}"
            )


def _check_source(
    indicator: Indicator, catalog: Any, lists: Any, known: set[str], where: str, own: str
) -> None:
    source = indicator.source
    if source.item is not None:
        if source.item not in catalog.items:
            raise EvaluationConfigError(f"{where}.source.item: no catalogue item {source.item!r}")
        fields = {f.name for f in catalog.items[source.item].fields}
        named = [("where", f.field) for f in source.where] + [("field", source.field)]
        named.append(("sum_field", indicator.sum_field))
        for key, name in named:
            if name is not None and name not in fields:
                raise EvaluationConfigError(f"{where}.source.{key}: item has no field {name!r}")
    if source.list_code is not None and source.list_code not in lists:
        raise EvaluationConfigError(f"{where}.source.list: unknown list {source.list_code!r}")
    for code in source.models:
        if code == own or code not in known:
            raise EvaluationConfigError(f"{where}.source.models: unknown or own model {code!r}")


def load(files: list[Path]) -> EvaluationModels:
    """The models of the shipped files and a city's file (``models:`` layered by code)."""
    raw: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for path in files:
        try:
            data = yamlio.read_layered([path])
        except yamlio.YamlProblem as problem:
            raise EvaluationConfigError(str(problem)) from problem
        entries = data.get("models") if "models" in data else {data.get("code"): data}
        if not isinstance(entries, dict):
            raise EvaluationConfigError(f"{path}: 'models' must map codes to models")
        for code, body in entries.items():
            if not isinstance(body, dict) or not isinstance(code, str):
                raise EvaluationConfigError(f"{path}: model {code}: expected a mapping")
            raw[code] = yamlio.layer(raw.get(code, {}), {**body, "code": code})
            origin[code] = " + ".join(filter(None, [origin.get(code), str(path)]))
    models = {code: _validate(code, body, origin[code]) for code, body in raw.items()}
    for code, model in models.items():
        _check_references(model, set(models), origin[code])
    result = EvaluationModels(models=models)
    _check_cycles(result)
    return result


def _check_cycles(models: EvaluationModels) -> None:
    seen: set[str] = set()
    frontier = [c for c, m in models.models.items() if not grade_models(m)]
    while frontier:
        seen.add(frontier.pop())
        frontier = [
            c for c, m in models.models.items() if c not in seen and set(grade_models(m)) <= seen
        ]
    stuck = sorted(set(models.models) - seen)
    if stuck:
        raise EvaluationConfigError(f"models {stuck} read each other's grades in a cycle")


def shipped_files() -> list[Path]:
    """The shipped model files, in name order."""
    return sorted(SHIPPED_DIR.glob("*.yaml"))


@lru_cache(maxsize=4)
def _models_for(city_file: Path | None) -> EvaluationModels:
    return load([*shipped_files(), *([city_file] if city_file is not None else [])])


def get_models() -> EvaluationModels:
    """The platform's evaluation models for the current settings (cached)."""
    return _models_for(get_settings().evaluation_file)


def reset_models() -> None:
    """Forget the cached models (tests; after a city edits its file)."""
    _models_for.cache_clear()
