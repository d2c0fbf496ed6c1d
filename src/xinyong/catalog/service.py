"""Loading the layered catalogue (national → provincial → local file) and the department directory.

A layer file has ``version``, ``level``, optional ``region_code``/``title``, ``items`` (complete new
items) and ``overrides`` (``code: {attribute: value}`` for items of lower layers). An override
merges mappings key by key and replaces lists and scalars; a mapping whose ``kind`` changes is
replaced whole. Fields are changed by name (``fields: {name: {attribute: value}}``) or added
(``add_fields: [...]``); a layer cannot drop or rename fields of a lower layer.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, model_validator

from xinyong.catalog import schemas
from xinyong.catalog.schemas import (
    Catalog,
    CatalogDefect,
    CatalogItem,
    DepartmentSpec,
    I18nText,
    LayerLevel,
    Loc,
    StrictModel,
)
from xinyong.core import yamlio
from xinyong.core.config import get_settings
from xinyong.core.errors import CatalogError

DATA_DIR = Path(__file__).parent / "data"
SHIPPED_LAYERS = (DATA_DIR / "national.yaml", DATA_DIR / "provincial.yaml")
DEPARTMENTS_FILE = DATA_DIR / "departments.yaml"


class CatalogLayer(StrictModel):
    """A catalogue file: new ``items`` (complete) and ``overrides`` of lower layers' items."""

    version: str = Field(min_length=1)
    level: LayerLevel
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    title: I18nText | None = None
    items: list[dict[str, Any]] = Field(default_factory=list)
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)


class DepartmentDirectory(StrictModel):
    """The departments file: the city's source departments, one of them the credit office."""

    version: str = Field(min_length=1)
    region_code: str = Field(pattern=r"^\d{6}$")
    departments: list[DepartmentSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> DepartmentDirectory:
        keys = {d.key for d in self.departments}
        seen: set[str] = set()
        for index, department in enumerate(self.departments):
            for attr in ("key", "code"):
                value = f"{attr}:{getattr(department, attr)}"
                if value in seen:
                    raise CatalogDefect(("departments", index, attr), f"duplicate {attr}")
                seen.add(value)
            if department.parent is not None and department.parent not in keys:
                raise CatalogDefect(("departments", index, "parent"), "unknown department key")
        if sum(d.credit_office for d in self.departments) != 1:
            raise CatalogDefect(("departments",), "exactly one department is the credit office")
        return self


# --- YAML -----------------------------------------------------------------------------------


def _read_yaml(path: Path, what: str) -> Any:
    try:
        return yamlio.read_yaml(path)
    except yamlio.YamlProblem as exc:
        if exc.problem.startswith("invalid YAML"):
            where = f" at {exc.where}" if exc.where else ""
            message = f"{what} file {path}: invalid YAML{where}{exc.problem[len('invalid YAML') :]}"
        else:
            message = f"{what} file {path}: {exc.problem}"
        raise CatalogError(message, details={"file": str(path)}) from exc


# --- error translation ----------------------------------------------------------------------


def format_loc(loc: Loc) -> str:
    """``('fields', 3, 'type')`` -> ``fields[3].type``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(whole entry)"


def _known_attributes() -> set[str]:
    models = [v for v in vars(schemas).values() if isinstance(v, type) and issubclass(v, BaseModel)]
    return {name for model in models for name in model.model_fields}


def _problem(error: Mapping[str, Any]) -> tuple[str, str]:
    loc: Loc = tuple(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, CatalogDefect):
        loc, message = (*loc, *cause.loc), cause.message
    if error["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str):
        close = difflib.get_close_matches(loc[-1], _known_attributes(), n=1)
        message += f" (did you mean '{close[0]}'?)" if close else ""
    return format_loc(loc), message


def _error(
    path: Path,
    problems: list[tuple[str, str]],
    *,
    entry: str | None = None,
    key: str | None = None,
    what: str = "catalog",
) -> CatalogError:
    """``<what> file <path>: <entry>, field '<field>': <message>``; all problems in details."""
    field, message = problems[0]
    entry_text = f"{entry}, " if entry else ""
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return CatalogError(
        f"{what} file {path}: {entry_text}field '{field}': {message}{more}",
        details={
            "file": str(path),
            "entry": entry,
            "item": key,
            "field": field,
            "problems": [{"field": f, "message": m} for f, m in problems],
        },
    )


def _validation_error(
    path: Path,
    exc: ValidationError,
    *,
    entry: str | None = None,
    key: str | None = None,
    what: str = "catalog",
) -> CatalogError:
    problems = [_problem(error) for error in exc.errors()]
    return _error(path, problems, entry=entry, key=key, what=what)


def _item_entry(code: Any, index: int) -> tuple[str, str | None]:
    if isinstance(code, str) and code:
        return f"item '{code}'", code
    return f"item #{index + 1} (no code)", None


# --- catalogue --------------------------------------------------------------------------------


def load_catalog(extra: Path | None = None) -> Catalog:
    """Load the shipped national and provincial layers, then the local file ``extra`` if given."""
    paths = [*SHIPPED_LAYERS, *([extra] if extra is not None else [])]
    items: dict[str, CatalogItem] = {}
    origins: dict[str, Path] = {}
    versions: list[str] = []
    for path in paths:
        layer = _read_layer(path)
        versions.append(layer.version)
        _add_items(path, layer, items, origins)
        for code, patch in layer.overrides.items():
            items[code] = _apply_override(path, code, patch, items)
    return Catalog(version="+".join(versions), layers=[str(p) for p in paths], items=items)


def _read_layer(path: Path) -> CatalogLayer:
    raw = _read_yaml(path, "catalog")
    try:
        return CatalogLayer.model_validate(raw)
    except ValidationError as exc:
        raise _validation_error(path, exc) from exc


def _add_items(
    path: Path, layer: CatalogLayer, items: dict[str, CatalogItem], origins: dict[str, Path]
) -> None:
    for index, raw in enumerate(layer.items):
        entry, key = _item_entry(raw.get("code"), index)
        try:
            item = CatalogItem.model_validate(raw)
        except ValidationError as exc:
            raise _validation_error(path, exc, entry=entry, key=key) from exc
        if item.code in items:
            message = f"duplicate item code, already defined in {origins[item.code]}"
            raise _error(path, [("code", message + " (use 'overrides')")], entry=entry, key=key)
        items[item.code] = item
        origins[item.code] = path


def _apply_override(
    path: Path, code: str, patch: dict[str, Any], items: dict[str, CatalogItem]
) -> CatalogItem:
    entry = f"item '{code}'"
    if code not in items:
        message = "no such item in the lower layers; new items go under 'items'"
        raise _error(path, [("code", message)], entry=entry, key=code)
    patch = dict(patch)
    base = items[code].model_dump(mode="json")
    try:
        fields = _patch_fields(base["fields"], patch.pop("fields", {}), patch.pop("add_fields", []))
        if patch.get("code", code) != code:
            raise CatalogDefect(("code",), "an override cannot change the item code")
        merged = _deep_merge(base, patch)
    except CatalogDefect as defect:
        problem = (format_loc(defect.loc), defect.message)
        raise _error(path, [problem], entry=entry, key=code) from None
    merged["fields"] = fields
    try:
        return CatalogItem.model_validate(merged)
    except ValidationError as exc:
        raise _validation_error(path, exc, entry=entry, key=code) from exc


def _patch_fields(base: list[dict[str, Any]], changes: Any, added: Any) -> list[dict[str, Any]]:
    if not isinstance(changes, dict):
        message = "an override changes fields by name ({name: {...}}) and adds with add_fields"
        raise CatalogDefect(("fields",), message)
    if not isinstance(added, list):
        raise CatalogDefect(("add_fields",), "add_fields is a list of complete fields")
    by_name = {spec["name"]: spec for spec in base}
    for name, change in changes.items():
        if name not in by_name:
            raise CatalogDefect(("fields", name), "no such field in the item")
        if not isinstance(change, dict):
            raise CatalogDefect(("fields", name), "expected a mapping of field attributes")
        if change.get("name", name) != name:
            raise CatalogDefect(("fields", name, "name"), "an override cannot rename a field")
        by_name[name] = _deep_merge(by_name[name], change)
    return [*by_name.values(), *added]


def _deep_merge(base: dict[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in patch.items():
        current = merged.get(key)
        same_kind = isinstance(value, dict) and value.get("kind", None) in (None, _kind(current))
        if isinstance(current, dict) and isinstance(value, dict) and same_kind:
            merged[key] = _deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def _kind(value: Any) -> Any:
    return value.get("kind") if isinstance(value, dict) else None


@lru_cache(maxsize=4)
def _cached_catalog(extra: Path | None) -> Catalog:
    return load_catalog(extra)


def get_catalog() -> Catalog:
    """The process-wide catalogue, with the local file named by ``XINYONG_CATALOG_EXTRA``."""
    return _cached_catalog(get_settings().catalog_extra)


def clear_catalog_cache() -> None:
    """Forget the cached catalogue and departments (tests, or after editing the local file)."""
    _cached_catalog.cache_clear()
    _cached_departments.cache_clear()


# --- departments ----------------------------------------------------------------------------


def load_departments(path: Path | None = None) -> list[DepartmentSpec]:
    """The source departments of the city (``data/departments.yaml`` unless ``path`` is given)."""
    source = path or DEPARTMENTS_FILE
    raw = _read_yaml(source, "departments")
    try:
        directory = DepartmentDirectory.model_validate(raw)
    except ValidationError as exc:
        raise _department_error(source, raw, exc) from exc
    return list(directory.departments)


def _department_error(path: Path, raw: Any, exc: ValidationError) -> CatalogError:
    first = exc.errors()[0]
    loc = [*first["loc"]]
    entry: str | None = None
    key: str | None = None
    if len(loc) >= 2 and loc[0] == "departments" and isinstance(loc[1], int):
        listed = raw.get("departments") if isinstance(raw, dict) else None
        entry_raw = listed[loc[1]] if isinstance(listed, list) else None
        found = entry_raw.get("key") if isinstance(entry_raw, dict) else None
        key = found if isinstance(found, str) else None
        entry = f"department '{key}'" if key else f"department #{loc[1] + 1}"
    return _validation_error(path, exc, entry=entry, key=key, what="departments")


@lru_cache(maxsize=1)
def _cached_departments() -> tuple[DepartmentSpec, ...]:
    return tuple(load_departments())


def get_departments() -> list[DepartmentSpec]:
    """The shipped department directory (cached)."""
    return list(_cached_departments())
