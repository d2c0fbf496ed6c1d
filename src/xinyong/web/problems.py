"""Validation problems in sentences: a pydantic/FastAPI error becomes the field's label and a
reason in the reader's language, from the catalogue of texts (``problem.<type>`` for the
reason, ``field.<name>`` for the label, an option's label from any ``….<field>.<value>`` key).

The API keeps its shape: ``code`` stays machine-readable, ``details.problems`` lists each
``field`` (its name, as the client sent it) with ``reason`` (a sentence) and ``type``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi import Request

from xinyong.core import i18n
from xinyong.core.errors import Invalid, XinyongError
from xinyong.core.i18n import Language, has_text, one_language, pick_language, t

# Problem types read as one sentence; any other type reads as ``problem.other``.
_ALIASES = {
    "int_type": "int_parsing",
    "int_from_float": "int_parsing",
    "float_type": "float_parsing",
    "decimal_type": "float_parsing",
    "decimal_parsing": "float_parsing",
    "finite_number": "float_parsing",
    "bool_type": "bool_parsing",
    "date_type": "date_parsing",
    "date_from_datetime_parsing": "date_parsing",
    "date_from_datetime_inexact": "date_parsing",
    "datetime_type": "datetime_parsing",
    "datetime_from_date_parsing": "datetime_parsing",
    "string_sub_type": "string_type",
    "string_unicode": "string_type",
    "enum": "choice",
    "literal_error": "choice",
    "dict_type": "object_type",
    "model_type": "object_type",
    "model_attributes_type": "object_type",
    "list_type": "list_type",
    "tuple_type": "list_type",
    "set_type": "list_type",
    "json_type": "json_invalid",
    "uuid_type": "uuid_parsing",
    "assertion_error": "value_error",
    "too_long": "too_many",
    "too_short": "too_few",
}
_KNOWN = {
    "missing",
    "choice",
    "string_too_long",
    "string_too_short",
    "string_pattern_mismatch",
    "string_type",
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "int_parsing",
    "float_parsing",
    "bool_parsing",
    "date_parsing",
    "date_future",
    "date_past",
    "datetime_parsing",
    "object_type",
    "list_type",
    "json_invalid",
    "uuid_parsing",
    "url_parsing",
    "extra_forbidden",
    "too_many",
    "too_few",
    "value_error",
}
_QUOTED = re.compile(r"'([^']*)'")
_CJK = re.compile(r"[\u3400-\u9fff]")
_CONTAINERS = {"body", "query", "path", "header", "cookie", "form"}


class KeyedValueError(ValueError):
    """A validator's refusal from the catalogue of texts: raise it in a pydantic validator
    (``raise KeyedValueError("rights.err.…", value=…)``) and the reader sees the keyed
    sentence in their language."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(t(key, "en").format_map(params))


@dataclass(frozen=True)
class Problem:
    """One field's problem: the field as sent, the type, the sentence in zh and in en."""

    field: str
    type: str
    zh: str
    en: str

    def reason(self, lang: Language) -> str:
        return self.zh if lang == "zh" else self.en


@cache
def _option_keys() -> dict[tuple[str, str], str]:
    """(field, value) -> the first text key ending ``.<field>.<value>``: the option's label."""
    found: dict[tuple[str, str], str] = {}
    for key in sorted(i18n._module_texts()):
        parts = key.split(".")
        if len(parts) >= 3:
            found.setdefault((parts[-2], parts[-1]), key)
    return found


def field_name(loc: Sequence[Any]) -> str:
    """The field as the client sent it: ``ground``, ``decisions.0.outcome``."""
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in _CONTAINERS:
        parts = parts[1:]
    return ".".join(parts)


def _leaf(loc: Sequence[Any]) -> str:
    """The last named part of a location (``outcome`` of ``body.decisions.0.outcome``, of
    ``outcome[12]``)."""
    names = [str(p) for p in loc if not isinstance(p, int) and str(p) not in _CONTAINERS]
    names = [name.split("[")[0] for name in names if not name.isdigit()]
    return names[-1] if names else ""


def field_label(name: str, lang: Language) -> str:
    """The label people read for a field (``ground`` -> 异议理由); the name when none."""
    key = f"field.{name}"
    return t(key, lang) if has_text(key) else name


def option_label(field: str, value: str, lang: Language) -> str:
    """The label of one of a field's options, else the value in quotes."""
    key = f"option.{field}.{value}"
    if not has_text(key):
        key = _option_keys().get((field, value), "")
    return t(key, lang) if key else f"“{value}”" if lang == "zh" else f"'{value}'"


def _options(field: str, expected: str, lang: Language) -> str:
    values = _QUOTED.findall(expected) or [expected]
    labels = [option_label(field, value, lang) for value in values]
    return "、".join(labels) if lang == "zh" else ", ".join(labels)


def _reason(error: Mapping[str, Any], field: str, lang: Language) -> str:
    kind = str(error.get("type", ""))
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    cause = ctx.get("error")
    if isinstance(cause, KeyedValueError):
        return t(cause.key, lang).format_map(cause.params)
    if isinstance(cause, XinyongError):
        return cause.localized(lang)
    kind = _ALIASES.get(kind, kind)
    if kind not in _KNOWN:
        kind = "other"
    params = {str(k): v for k, v in ctx.items() if k != "error"}
    if kind == "choice":
        params["options"] = _options(field, str(ctx.get("expected", "")), lang)
    if kind == "value_error":
        detail = str(cause or error.get("msg", "")).removeprefix("Value error, ")
        params["detail"] = one_language(detail, lang)
        if lang == "zh" and not _CJK.search(params["detail"]):
            kind = "other"  # an untranslated detail is not shown on a Chinese page
    return t(f"problem.{kind}", lang).format_map(params)


def problems_of(errors: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """Each validation error as a field and a sentence in both languages."""
    found = []
    for error in errors:
        loc = tuple(error.get("loc") or ())
        leaf = _leaf(loc)
        found.append(
            Problem(
                field=field_name(loc),
                type=str(error.get("type", "")),
                zh=_reason(error, leaf, "zh"),
                en=_reason(error, leaf, "en"),
            )
        )
    return found


def sentence(problem: Problem, lang: Language) -> str:
    """``异议理由：请从……中选择`` — the field's label, then the reason."""
    label = field_label(_leaf(problem.field.split(".")), lang)
    joiner = "：" if lang == "zh" else ": "
    return f"{label}{joiner}{problem.reason(lang)}" if label else problem.reason(lang)


class InvalidInput(Invalid):
    """A request that failed validation: its first problem in the reader's language, and
    every problem in ``details.problems`` (field, reason, type)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0] if problems else None
        super().__init__(
            sentence(first, "en") if first else t("problem.request", "en"),
            details={"field": first.field if first else ""},
        )

    def localized(self, lang: Language) -> str:
        if not self.problems:
            return t("problem.request", lang)
        return sentence(self.problems[0], lang)

    def sentences(self, lang: Language) -> list[str]:
        """Every problem as a sentence, its field's label first."""
        return [sentence(p, lang) for p in self.problems]

    def body(self, lang: Language) -> dict[str, Any]:
        """The API's JSON: the code, the message and the problems in ``lang``."""
        problems = [
            {"field": p.field, "reason": p.reason(lang), "type": p.type} for p in self.problems
        ]
        return {
            "code": self.code,
            "message": self.localized(lang),
            "details": {**self.details, "problems": problems},
        }


def invalid(field: str, kind: str, **ctx: Any) -> InvalidInput:
    """A refusal of one field in the words of the validation catalogue: ``kind`` is a
    pydantic error type (``missing``, ``string_too_long`` with ``max_length``…)."""
    return InvalidInput(problems_of([{"loc": (field,), "type": kind, "ctx": ctx}]))


def invalid_choice(field: str, values: Iterable[str]) -> InvalidInput:
    """A value outside the field's options: ``请从以下选项中选择：…`` with the options' labels."""
    expected = ", ".join(f"'{value}'" for value in values)
    return invalid(field, "literal_error", expected=expected)


def api_language(request: Request) -> Language:
    """The language of an API answer: ``?lang=``, then Accept-Language, else Chinese."""
    chosen = request.query_params.get("lang")
    if chosen:
        return pick_language(chosen)
    header = request.headers.get("accept-language", "")
    best = ""
    best_q = -1.0
    for part in header.split(","):
        tag, _, rest = part.strip().partition(";")
        q = 1.0
        if rest.strip().startswith("q="):
            try:
                q = float(rest.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in ("zh", "en") and q > best_q:
            best, best_q = primary, q
    return pick_language(best or None)
