"""The rights procedures' configuration: deadlines in working days and repair rules, as data.

The shipped file (``rights/data/rights.yaml``) is the default; a city's file
(``XINYONG_RIGHTS_FILE``) is layered over it key by key and the result validated, so a
mistake names the file and the key.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt

from xinyong.catalog.schemas import I18nText, Period, Severity, parse_period
from xinyong.core import yamlio
from xinyong.core.config import get_settings
from xinyong.core.errors import XinyongError

SHIPPED = Path(__file__).parent / "data" / "rights.yaml"
EVIDENCE_TYPES = ("pdf", "jpeg", "png", "ofd")


class RightsConfigError(XinyongError):
    """The rights configuration is malformed: the message names the file and the key."""

    status_code = 500
    code = "rights_config_error"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ObjectionDeadlines(_Strict):
    registration: NonNegativeInt = 1
    verify: PositiveInt = 2
    verify_extension: NonNegativeInt = 3


class RepairDeadlines(_Strict):
    accept: NonNegativeInt = 1
    decide: PositiveInt = 3
    decide_extension: NonNegativeInt = 3


class Deadlines(_Strict):
    objection: ObjectionDeadlines = ObjectionDeadlines()
    repair: RepairDeadlines = RepairDeadlines()
    notify_partners: PositiveInt = 3


class TierPeriods(_Strict):
    minor: Period = "P0D"
    general: Period = "P3M"
    serious: Period = "P1Y"

    def after(self, tier: Severity, start: date) -> date:
        """``start`` plus this tier's period."""
        return start + parse_period(getattr(self, tier.value))


class RepairRules(_Strict):
    minimum_period: TierPeriods = TierPeriods()
    refusal_wait: TierPeriods = TierPeriods(serious="P3M")
    irreparable: dict[str, I18nText] = Field(default_factory=dict)
    legal_basis: str = Field(min_length=1)


class ObjectionRules(_Strict):
    legal_basis: str = Field(min_length=1)


class EvidenceRules(_Strict):
    max_files: PositiveInt = 10
    max_file_bytes: PositiveInt = 10 * 1024 * 1024
    types: list[str] = Field(default_factory=lambda: list(EVIDENCE_TYPES), min_length=1)

    def model_post_init(self, _context: Any) -> None:
        unknown = sorted(set(self.types) - set(EVIDENCE_TYPES))
        if unknown:
            raise ValueError(f"unknown evidence types {unknown} (known: {list(EVIDENCE_TYPES)})")


class RightsConfig(_Strict):
    version: str = Field(min_length=1)
    deadlines: Deadlines = Deadlines()
    repair: RepairRules
    objection: ObjectionRules
    evidence: EvidenceRules = EvidenceRules()


def load(files: list[Path]) -> RightsConfig:
    """The configuration of these files, each layered over the one before."""
    return yamlio.load_layered(files, RightsConfig, RightsConfigError)[0]


@lru_cache(maxsize=4)
def _config_for(city_file: Path | None) -> RightsConfig:
    return load([SHIPPED, *([city_file] if city_file is not None else [])])


def get_config() -> RightsConfig:
    """The platform's rights configuration for the current settings (cached)."""
    return _config_for(get_settings().rights_file)


def reset_config() -> None:
    """Forget the cached configuration (tests; after a city edits its file)."""
    _config_for.cache_clear()
