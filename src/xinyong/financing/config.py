"""信易贷 rules as data (``financing/data/financing.yaml``), validated on load; a mistake
names the file and the key."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from xinyong.core import yamlio
from xinyong.core.errors import XinyongError

SHIPPED = Path(__file__).parent / "data" / "financing.yaml"


class FinancingConfigError(XinyongError):
    """The financing rules file is malformed: the message names the file and the key."""

    status_code = 500
    code = "financing_config_error"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def __call__(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class ProductKind(Label):
    pure_credit: bool = False
    needs_contract: bool = False


class AuthorisationDays(_Strict):
    default: int = Field(ge=1, le=366)
    max: int = Field(ge=1, le=366)


class FundRules(_Strict):
    share: float = Field(gt=0, le=1)
    cap_per_firm: int = Field(gt=0)
    cap_per_bank: int = Field(gt=0)


class FinancingConfig(_Strict):
    version: str
    feedback_workdays: int = Field(ge=1, le=60)
    authorisation_days: AuthorisationDays
    grade_order: list[str] = Field(min_length=2)
    serious_list: str
    contract_item: str
    contract_types: list[str] = Field(min_length=1)
    product_kinds: dict[str, ProductKind] = Field(min_length=1)
    data_items: list[str]
    decline_reasons: dict[str, Label] = Field(min_length=1)
    fund: FundRules
    webhook_backoff_seconds: list[int] = Field(min_length=1)
    webhook_timeout_seconds: float = Field(gt=0, le=60)
    industries: dict[str, Label] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _days(self) -> FinancingConfig:
        if self.authorisation_days.default > self.authorisation_days.max:
            raise ValueError("authorisation_days.default: longer than authorisation_days.max")
        return self

    def grade_rank(self, grade: str | None) -> int:
        """Position of a grade (0 = best); an unknown or missing grade ranks last."""
        if grade in self.grade_order:
            return self.grade_order.index(grade)
        return len(self.grade_order)


def load(path: Path) -> FinancingConfig:
    """The rules of one file, validated."""
    try:
        data = yamlio.read_yaml(path)
    except yamlio.YamlProblem as problem:
        raise FinancingConfigError(f"{path}: {problem}") from problem
    try:
        return FinancingConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise FinancingConfigError(f"{path}: {where}: {first['msg']}") from exc


@lru_cache(maxsize=1)
def get_config() -> FinancingConfig:
    """The shipped rules (cached)."""
    return load(SHIPPED)
