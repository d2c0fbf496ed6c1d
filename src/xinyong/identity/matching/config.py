"""Matching scores and thresholds, read from ``identity/data/matching.yaml`` and validated.

A local file can replace the shipped one (``load_config(path)``); it is validated the same
way, and a malformed file fails at load naming the file and the field.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from xinyong.core.errors import XinyongError

Score = Annotated[float, Field(ge=0.0, le=1.0)]
Decision = Literal["match", "possible", "no_match"]


class MatchingConfigError(XinyongError):
    """A matching configuration file is malformed: the message names the file and field."""

    status_code = 500
    code = "matching_config_error"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Thresholds(_Strict):
    match: Score
    possible: Score


class CodeScores(_Strict):
    same: Score
    differ: Score


class OrgScores(_Strict):
    same: Score
    region_absent: Score
    region_nested: Score
    form_absent: Score
    form_generic: Score
    form_differs: Score
    industry_absent: Score
    industry_overlaps: Score
    branch_level_omitted: Score
    region_ambiguous: Score
    region_differs: Score
    industry_differs: Score
    trade_name_differs: Score
    branch_and_head: Score
    branch_differs: Score
    no_trade_name: Score
    short_name_unique: Score
    short_name_unresolved: Score
    short_name_elsewhere: Score


class ScreeningScores(_Strict):
    ambiguous: Score


class PersonScores(_Strict):
    id_agrees: Score
    birth_date_agrees: Score
    name_only: Score
    id_differs: Score
    birth_date_differs: Score
    same_pinyin: Score
    name_differs: Score


# Scores that must stay below "possible", at least "match", or in between, whatever the
# thresholds (see the YAML); the others may fall either side of a threshold.
_NEGATIVE = (
    "codes.differ",
    "organisation.region_differs",
    "organisation.industry_differs",
    "organisation.trade_name_differs",
    "organisation.branch_and_head",
    "organisation.branch_differs",
    "organisation.short_name_elsewhere",
    "person.id_differs",
    "person.birth_date_differs",
    "person.same_pinyin",
    "person.name_differs",
)
_POSITIVE = ("codes.same", "person.id_agrees")  # codes decide
_WEAK = ("person.name_only", "screening.ambiguous")


class MatchingConfig(_Strict):
    """Thresholds and rule scores of name matching."""

    version: int
    thresholds: Thresholds
    codes: CodeScores
    organisation: OrgScores
    screening: ScreeningScores
    person: PersonScores

    def value(self, dotted: str) -> float:
        """A score by its dotted name, e.g. ``organisation.region_differs``."""
        section, name = dotted.split(".")
        return float(getattr(getattr(self, section), name))

    @model_validator(mode="after")
    def _rules_keep_their_meaning(self) -> MatchingConfig:
        match, possible = self.thresholds.match, self.thresholds.possible
        if not 0 < possible < match <= 1:
            raise ValueError("thresholds: need 0 < possible < match <= 1")
        for name in _NEGATIVE:
            if self.value(name) >= possible:
                raise ValueError(f"{name} must stay below thresholds.possible ({possible})")
        for name in _POSITIVE:
            if self.value(name) < match:
                raise ValueError(f"{name} must be at least thresholds.match ({match})")
        for name in _WEAK:
            if not possible <= self.value(name) < match:
                raise ValueError(f"{name} must lie in [thresholds.possible, thresholds.match)")
        return self

    def decide(self, score: float) -> Decision:
        """The decision for a score: ``match``, ``possible`` or ``no_match``."""
        if score >= self.thresholds.match:
            return "match"
        return "possible" if score >= self.thresholds.possible else "no_match"


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return f"{where}: {first['msg']}"


def parse_config(text: str, source: str) -> MatchingConfig:
    """Validate a matching configuration given as YAML text; errors name ``source``."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise MatchingConfigError(f"{source}: not valid YAML: {error}") from error
    try:
        return MatchingConfig.model_validate(data)
    except ValidationError as error:
        raise MatchingConfigError(f"{source}: {_describe(error)}") from error


def load_config(path: str | Path | None = None) -> MatchingConfig:
    """The matching configuration from ``path``, or the shipped one."""
    if path is None:
        return default_config()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise MatchingConfigError(f"{file}: cannot be read: {error.strerror}") from error
    return parse_config(text, str(file))


@lru_cache(maxsize=1)
def default_config() -> MatchingConfig:
    """The shipped configuration, ``identity/data/matching.yaml``."""
    resource = resources.files("xinyong.identity").joinpath("data", "matching.yaml")
    return parse_config(resource.read_text(encoding="utf-8"), "identity/data/matching.yaml")
