"""信易+ scenarios as data: the schema, the shipped file and its validation.

A scenario names the partner organisation that grants a benefit (a hospital, a scenic spot,
a bank), its outlets, the benefit, its validity, its quotas, the subject kinds it serves
and the eligibility rule over facts the platform holds, with the rule's legal basis. The
shipped examples (``incentives/data/scenarios.yaml``) are published as they are; partners
propose further scenarios through their accounts and the credit office publishes them
(``incentives.service``); both pass the same validation. A mistake in a file names the file,
the scenario and the key.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from xinyong.catalog.schemas import I18nText, Identifier, LegalBasis, StrictModel
from xinyong.catalog.service import format_loc
from xinyong.core import yamlio
from xinyong.core.errors import XinyongError
from xinyong.identity.kinds import SubjectKind
from xinyong.measures.catalog import GRADES, LIST_CODES

SHIPPED = Path(__file__).parent / "data" / "scenarios.yaml"

Grade = Literal["A", "B", "C", "D"]
QuotaPeriod = Literal["day", "month", "year", "validity"]
# The families of 信易+ (labels in texts.yaml under inc.category.*).
CATEGORIES = ("xinyiyi", "xinyiyou", "xinyixing", "xinyipi", "xinyizu", "xinyidai", "xinyiyue")
Category = Literal["xinyiyi", "xinyiyou", "xinyixing", "xinyipi", "xinyizu", "xinyidai", "xinyiyue"]
# Items whose serious, negative records count as "serious penalties".
PENALTY_ITEMS = ("admin_penalty",)


class ScenarioError(XinyongError):
    """The scenarios file is malformed: the message names the file, the scenario and the key."""

    status_code = 500
    code = "scenarios_error"


class RecordCondition(StrictModel):
    """A record of ``item`` decided within the last ``months`` months (e.g. an honour)."""

    item: Identifier
    months: int = Field(ge=1, le=120)


class Condition(StrictModel):
    """Exactly one fact about the holder, e.g. ``{grade_at_least: B}``."""

    grade_at_least: Grade | None = None
    on_list: str | None = None
    not_on_list: str | None = None
    no_serious_penalty_months: int | None = Field(default=None, ge=1, le=120)
    has_record: RecordCondition | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        given = [k for k, v in self.model_dump().items() if v is not None]
        if len(given) != 1:
            raise ValueError(
                "a condition states exactly one of grade_at_least, on_list, not_on_list, "
                "no_serious_penalty_months, has_record"
            )
        for code in (self.on_list, self.not_on_list):
            if code is not None and code not in LIST_CODES:
                raise ValueError(f"unknown list {code!r}; known: {', '.join(LIST_CODES)}")
        return self

    @property
    def kind(self) -> str:
        """Which fact the condition is about (the key given)."""
        return next(k for k, v in self.model_dump().items() if v is not None)


class Rule(StrictModel):
    """Eligible when every ``all`` condition holds and, if ``any`` is given, one of those."""

    all: list[Condition] = Field(default_factory=list)
    any: list[Condition] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> Rule:
        if not self.all and not self.any:
            raise ValueError("a rule needs at least one condition under 'all' or 'any'")
        return self


class Partner(StrictModel):
    """The organisation granting the benefit (its platform account by name) and its outlets."""

    name: str = Field(min_length=2, max_length=200)
    outlets: list[str] = Field(min_length=1)


class Validity(StrictModel):
    start: date
    end: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Validity:
        if self.end is not None and self.end < self.start:
            raise ValueError("the validity ends before it starts")
        return self


class Quota(StrictModel):
    """How often one holder may redeem in a period, and how often in all (None: no limit)."""

    per_holder: int | None = Field(default=None, ge=1)
    period: QuotaPeriod = "year"
    total: int | None = Field(default=None, ge=1)


class ScenarioSpec(StrictModel):
    """One benefit scenario (信易+ 场景)."""

    code: Identifier
    category: Category
    name: I18nText
    partner: Partner
    benefit: I18nText
    value_yuan: float = Field(default=0, ge=0)
    validity: Validity
    quota: Quota = Field(default_factory=Quota)
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    rule: Rule
    legal_basis: list[LegalBasis] = Field(min_length=1)

    def in_force(self, today: date) -> bool:
        """Whether the scenario is valid on ``today``."""
        end = self.validity.end
        return self.validity.start <= today and (end is None or today <= end)


def _problem(path: Path | str, where: str, error: ValidationError) -> ScenarioError:
    first = error.errors()[0]
    key = format_loc(tuple(first["loc"]))
    return ScenarioError(f"{path}: scenario {where}, key {key}: {first['msg']}")


def parse(raw: Any, *, path: Path | str = "<scenario>") -> dict[str, ScenarioSpec]:
    """Scenarios from parsed YAML (``scenarios: {code: {...}}``), checked one by one."""
    if not isinstance(raw, dict) or not isinstance(raw.get("scenarios"), dict):
        raise ScenarioError(f"{path}: expected a mapping 'scenarios' of scenario codes")
    specs: dict[str, ScenarioSpec] = {}
    for code, body in raw["scenarios"].items():
        if not isinstance(body, dict):
            raise ScenarioError(f"{path}: scenario {code}: expected a mapping")
        try:
            specs[str(code)] = ScenarioSpec.model_validate({"code": code, **body})
        except ValidationError as error:
            raise _problem(path, str(code), error) from error
    return specs


def validate_one(body: dict[str, Any], *, where: str) -> ScenarioSpec:
    """One scenario (a partner's proposal), or ScenarioError naming the key."""
    try:
        return ScenarioSpec.model_validate(body)
    except ValidationError as error:
        raise _problem("proposal", where, error) from error


def load(path: Path) -> dict[str, ScenarioSpec]:
    """The scenarios of one file, or ScenarioError naming the file, scenario and key."""
    try:
        raw = yamlio.read_yaml(path)
    except yamlio.YamlProblem as problem:
        raise ScenarioError(f"{path}: {problem}") from problem
    return parse(raw, path=path)


@lru_cache(maxsize=1)
def shipped() -> dict[str, ScenarioSpec]:
    """The shipped scenarios, read and checked once."""
    return load(SHIPPED)


def grade_rank(grade: str) -> int:
    """0 for the best grade (A), larger for worse ones; unknown grades rank last."""
    return GRADES.index(grade) if grade in GRADES else len(GRADES)
