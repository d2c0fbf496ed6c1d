"""Sector classifications as data (``supervision/data/classifications.yaml``, layered with
``XINYONG_SUPERVISION_FILE``), validated on load; errors name the classification and key."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.catalog.schemas import DepartmentKind, I18nText, Identifier
from xinyong.core import yamlio
from xinyong.core.config import get_settings
from xinyong.core.errors import NotFound, XinyongError

SHIPPED = Path(__file__).parent / "data" / "classifications.yaml"


class SupervisionConfigError(XinyongError):
    """The classifications file is malformed: the message names the file and the key."""

    status_code = 500
    code = "supervision_config_error"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ModelGrade(_Strict):
    model: Identifier
    grades: list[str] = Field(alias="in", min_length=1)


class Rule(_Strict):
    """All given conditions must hold; the first rule that holds gives its class."""

    class_code: str = Field(alias="class")
    public_grade: list[str] = Field(default_factory=list)
    model_grade: ModelGrade | None = None
    lists: list[Identifier] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some(self) -> Rule:
        if not (self.public_grade or self.model_grade or self.lists):
            raise ValueError("a rule needs at least one condition")
        return self

    def holds(self, public: str | None, grades: dict[str, str], lists: set[str]) -> bool:
        """Whether the subject's public grade, model grades and lists meet every condition."""
        if self.public_grade and public not in self.public_grade:
            return False
        if self.model_grade and grades.get(self.model_grade.model) not in self.model_grade.grades:
            return False
        return not self.lists or bool(lists & set(self.lists))


class Classification(_Strict):
    code: Identifier
    department_kind: DepartmentKind
    name: I18nText
    classes: dict[str, I18nText] = Field(min_length=2)
    default: str
    rules: list[Rule] = Field(default_factory=list)
    # 双随机 sampling ratio per class (0..1), the default of a new inspection plan.
    sampling: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known(self) -> Classification:
        for class_code, ratio in self.sampling.items():
            if class_code not in self.classes:
                raise ValueError(f"sampling.{class_code}: unknown class {class_code!r}")
            if not 0 <= ratio <= 1:
                raise ValueError(f"sampling.{class_code}: a ratio lies between 0 and 1")
        for index, rule in enumerate([*self.rules]):
            if rule.class_code not in self.classes:
                raise ValueError(f"rules.{index}.class: unknown class {rule.class_code!r}")
        if self.default not in self.classes:
            raise ValueError(f"default: unknown class {self.default!r}")
        return self

    def classify(self, public: str | None, grades: dict[str, str], lists: set[str]) -> str:
        """The subject's class under this classification."""
        for rule in self.rules:
            if rule.holds(public, grades, lists):
                return rule.class_code
        return self.default


class SupervisionConfig(_Strict):
    version: str
    classifications: dict[Identifier, Classification]

    @model_validator(mode="before")
    @classmethod
    def _codes(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("classifications"), dict):
            data = {
                **data,
                "classifications": {
                    k: {**v, "code": k} if isinstance(v, dict) else v
                    for k, v in data["classifications"].items()
                },
            }
        return data

    def get(self, code: str) -> Classification:
        """The classification with this code, or NotFound naming the known codes."""
        found = self.classifications.get(code)
        if found is None:
            raise NotFound(
                f"没有分类 {code!r} · no classification {code!r} "
                f"(known: {', '.join(self.classifications)})"
            )
        return found


def load(files: list[Path]) -> SupervisionConfig:
    """The classifications of these files, each layered over the one before."""
    return yamlio.load_layered(files, SupervisionConfig, SupervisionConfigError)[0]


@lru_cache(maxsize=4)
def _config_for(city_file: Path | None) -> SupervisionConfig:
    return load([SHIPPED, *([city_file] if city_file else [])])


def get_config() -> SupervisionConfig:
    """The platform's classifications for the current settings (cached)."""
    return _config_for(get_settings().supervision_file)
