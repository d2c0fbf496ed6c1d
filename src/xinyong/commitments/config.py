"""Commitment templates as data (``commitments/data/commitments.yaml``), validated on load:
a malformed file is an error naming the file, the template and the key."""

from __future__ import annotations

import string
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import DepartmentKind, I18nText, Identifier, LegalBasis
from xinyong.core import yamlio
from xinyong.core.errors import Invalid, XinyongError
from xinyong.core.workdays import add_workdays

SHIPPED = Path(__file__).parent / "data" / "commitments.yaml"
BASE_PLACEHOLDERS = frozenset({"subject_name", "subject_code", "matter", "department", "signed_on"})


class CommitmentConfigError(XinyongError):
    """The templates file is malformed: the message names the file, template and key."""

    status_code = 500
    code = "commitments_config_error"


class Kind(StrEnum):
    """The six kinds of commitment."""

    approval = "审批替代型"
    certificate = "证明事项告知承诺"
    deficiency = "容缺受理"
    repair = "信用修复"
    self_discipline = "行业自律"
    voluntary = "主动承诺"


# The catalogue item's commitment_type for each kind (credit_commitment records).
CATALOG_TYPES = {
    Kind.approval: "审批替代型",
    Kind.certificate: "审批替代型",
    Kind.deficiency: "容缺受理型",
    Kind.repair: "信用修复型",
    Kind.self_discipline: "行业自律型",
    Kind.voluntary: "主动型",
}


class Publicity(StrEnum):
    """Who may see a commitment: everyone, government only, or nobody beyond the parties."""

    public = "社会公开"
    government = "特定范围"
    none = "不公开"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Deadline(_Strict):
    days: int = Field(ge=1, le=3650)
    unit: Literal["workdays", "calendar"]

    def due(self, start: date) -> date:
        """The last day to fulfil, counted from ``start`` (a calendar deadline that ends on a
        day off moves to the next working day)."""
        if self.unit == "workdays":
            return add_workdays(start, self.days)
        return add_workdays(start + timedelta(days=self.days), 0)


class Condition(_Strict):
    code: Identifier
    text: I18nText
    deadline: Deadline


class Breach(_Strict):
    item_code: Identifier
    severity: Literal["minor", "general", "serious"]
    lists: list[Identifier] = Field(default_factory=list)
    measures: I18nText
    legal_basis: list[LegalBasis] = Field(min_length=1)


class Template(_Strict):
    code: Identifier
    kind: Kind
    name: I18nText
    matter: str = Field(min_length=2, max_length=200)
    department: DepartmentKind
    text: str = Field(min_length=10, max_length=5000)
    conditions: list[Condition] = Field(min_length=1, max_length=20)
    verification: I18nText
    publicity: Publicity
    remind_before: int = Field(ge=0, le=60)
    breach: Breach

    @model_validator(mode="after")
    def _placeholders(self) -> Template:
        codes = [c.code for c in self.conditions]
        if len(set(codes)) != len(codes):
            raise ValueError("conditions: condition codes must be unique")
        allowed = BASE_PLACEHOLDERS | {f"deadline_{c}" for c in codes}
        used = {name for _, name, _, _ in string.Formatter().parse(self.text) if name is not None}
        unknown = sorted(used - allowed)
        if unknown:
            raise ValueError(f"text: unknown placeholders {unknown} (allowed: {sorted(allowed)})")
        return self

    def condition(self, code: str) -> Condition:
        """The condition with this code, or Invalid."""
        for found in self.conditions:
            if found.code == code:
                return found
        raise Invalid(
            key="commit.err.unknown_condition",
            params={"code": code},
            details={"field": "condition"},
        )

    def render(self, values: dict[str, str]) -> str:
        """The commitment's full text with the subject, matter and deadlines filled in."""
        flowing = "".join(line.strip() for line in self.text.splitlines())
        return flowing.format_map(values)


class CommitmentsConfig(_Strict):
    version: str
    templates: dict[Identifier, Template]

    @model_validator(mode="before")
    @classmethod
    def _codes(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("templates"), dict):
            templates = {
                k: {**v, "code": k} if isinstance(v, dict) else v
                for k, v in data["templates"].items()
            }
            data = {**data, "templates": templates}
        return data

    def get(self, code: str) -> Template:
        """The template with this code, or Invalid naming it (nothing is stored)."""
        found = self.templates.get(code)
        if found is None:
            raise Invalid(
                key="commit.err.unknown_template",
                params={"code": code[:64]},
                details={"field": "template"},
            )
        return found


def _check_references(path: Path, config: CommitmentsConfig) -> None:
    """Breach items exist in the catalogue and take the department; lists take it as decider."""
    from xinyong.lists.config import get_config as lists_config

    catalog = catalog_service.get_catalog()
    lists = lists_config()
    for code, template in config.templates.items():
        where = f"{path}: templates.{code}.breach"
        try:
            item = catalog.item(template.breach.item_code)
        except XinyongError:
            raise CommitmentConfigError(
                f"{where}.item_code: unknown catalogue item {template.breach.item_code!r}"
            ) from None
        if template.department not in item.source_departments:
            raise CommitmentConfigError(
                f"{where}.item_code: {item.code} is not reported by {template.department.value}"
            )
        for list_code in template.breach.lists:
            spec = lists.lists.get(list_code)
            if spec is None or template.department.value not in spec.deciders:
                raise CommitmentConfigError(
                    f"{where}.lists: {list_code!r} is unknown or not decided by "
                    f"{template.department.value}"
                )


def load(path: Path) -> CommitmentsConfig:
    """The templates of this file, validated; errors name the file, template and key."""
    try:
        raw = yamlio.read_yaml(path)
    except yamlio.YamlProblem as problem:
        raise CommitmentConfigError(f"{path}: {problem}") from problem
    try:
        config = CommitmentsConfig.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise CommitmentConfigError(f"{path}: {where}: {first['msg']}") from exc
    _check_references(path, config)
    return config


@lru_cache(maxsize=1)
def get_config() -> CommitmentsConfig:
    """The platform's commitment templates (cached)."""
    return load(SHIPPED)
