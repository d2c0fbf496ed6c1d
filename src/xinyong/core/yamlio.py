"""Reading the platform's YAML data files strictly: a key repeated in one mapping is an error
(PyYAML silently keeps the last), and a failure says where, for the caller to report."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


class YamlProblem(Exception):
    """A file that cannot be read or parsed: ``where`` is "line L, column C" or empty."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}" if where else problem)
        self.where = where
        self.problem = problem


def _construct_unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Hashable] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, Hashable):
            continue  # construct_mapping reports unhashable keys
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"duplicate key '{key}'",
                key_node.start_mark,
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


class UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects a key repeated in one mapping."""


UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)


class TextDateLoader(UniqueKeyLoader):
    """UniqueKeyLoader that leaves dates as text (so a bad one can be reported precisely)."""


TextDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path, loader: type[yaml.SafeLoader] = UniqueKeyLoader) -> Any:
    """The parsed file, or YamlProblem naming where it went wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlProblem("", f"cannot be read: {exc}") from exc
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlProblem(where, f"invalid YAML: {problem}") from exc


def layer(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """``top`` over ``base`` key by key: nested mappings merge, anything else replaces."""
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = layer(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_layered(files: Sequence[Path]) -> dict[str, Any]:
    """The mappings of these files, each layered over the one before (a city's file over the
    shipped one); YamlProblem names the file that cannot be read or is not a mapping."""
    merged: dict[str, Any] = {}
    for path in files:
        try:
            data = read_yaml(path)
        except YamlProblem as problem:
            where = f"{path}: {problem.where}" if problem.where else str(path)
            raise YamlProblem(where, problem.problem) from problem
        if not isinstance(data, dict):
            raise YamlProblem(str(path), "expected a mapping at the top")
        merged = layer(merged, data)
    return merged


def load_layered(
    files: Sequence[Path], model: type[Model], error: type[Exception]
) -> tuple[Model, str]:
    """The files layered (a city's over the shipped one) and validated as ``model``, with the
    files' names for the caller's own checks; ``error`` names the files and where the first
    problem is (``rights.yaml + city.yaml: deadlines.objection.verify: …``)."""
    names = " + ".join(str(path) for path in files)
    try:
        merged = read_layered(files)
    except YamlProblem as problem:
        raise error(str(problem)) from problem
    try:
        return model.model_validate(merged), names
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise error(f"{names}: {where}: {first['msg']}") from exc
