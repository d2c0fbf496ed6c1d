"""Amounts as departments' exports write them (金额): units and currencies around a number.

``100(万元人民币)``, ``5,000万港元``, ``人民币5000元``, ``￥12,345``, ``800(万美元)``, ``200()``:
a number (thousands separators ``,``/``，``, full-width digits, spaces allowed) with words
before or after it, in brackets or not. The words are those of ``catalog/data/conventions.yaml``
(units such as 元, 万元, 亿; currencies such as 人民币, 美元, 港币 and their ISO 4217 codes).
A number without words (or with an empty bracket) is in the column's unit: the unit its
header names (``罚款金额(元)``) or else the field's. The amount is brought to the field's
unit; its currency is kept as written, never converted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xinyong.catalog import conventions
from xinyong.catalog.conventions import fold, split_words
from xinyong.catalog.schemas import FieldSpec
from xinyong.ingest.cells import MISSING, CellProblem, Converter, bounded, typed_text

_NUMBER = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?")
_WELL_FORMED = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
_SCIENTIFIC = re.compile(r"[-+]?[0-9]+(?:\.[0-9]+)?[eE][-+]?[0-9]+")
_ACCOUNTING_NEGATIVE = re.compile(r"\(([0-9][0-9,]*(?:\.[0-9]+)?)\)")
_BRACKETS = str.maketrans("", "", "()[]【】〔〕{}<>")
_HEADER_UNIT = re.compile(r"^(.*?)\(([^()]*(?:\([^()]*\))?[^()]*)\)$")


class AmountError(ValueError):
    """Why a text is not an amount, in words for the clerk: ``中文 · English``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ColumnUnit:
    """What a column's header says of its bare numbers: their scale (None: the field's unit)
    and their currency (None: not said)."""

    scale: Decimal | None = None
    currency: str | None = None


@dataclass(frozen=True)
class Written:
    """An amount as written: the number, the scale its words gave (None: no words), the
    currency they named (None: none), and the words themselves (for messages)."""

    number: Decimal
    scale: Decimal | None
    currency: str | None
    words: str


def _quoted(text: str) -> str:
    return f"“{repr(text)[1:-1]}”"


def not_understood(text: str) -> AmountError:
    """The refusal of an amount nobody could read, with the forms that are accepted."""
    hint = conventions.conventions().hint
    return AmountError(
        f"金额{_quoted(text)}无法识别：{hint.zh} · {text!r} is not an amount: {hint.en}"
    )


def read_amount(text: str) -> Written:
    """The number, unit words and currency of an amount cell (already trimmed, not empty)."""
    compact = "".join(unicodedata.normalize("NFKC", text).split())
    if _SCIENTIFIC.fullmatch(compact):
        raise AmountError(
            f"数值 {text} 是科学计数法，会丢失位数，请填写完整数字 · "
            f"{text} is in scientific notation, which loses digits: enter the number"
        )
    accounting = _ACCOUNTING_NEGATIVE.fullmatch(compact)
    if accounting is not None:  # (1,234.50): an accountant's negative number
        return Written(-_number(accounting.group(1), text), None, None, "")
    numbers = list(_NUMBER.finditer(compact))
    if len(numbers) != 1:
        raise not_understood(text)
    found = numbers[0]
    before, after = compact[: found.start()], compact[found.end() :]
    negative = before.endswith("-")
    before = before[:-1] if before.endswith(("-", "+")) else before
    number = _number(found.group(), text)
    words = (before + after).translate(_BRACKETS)
    scale, currency = _words(words, text)
    return Written(-number if negative else number, scale, currency, words)


def _number(digits: str, text: str) -> Decimal:
    if _WELL_FORMED.fullmatch(digits) is None:
        raise not_understood(text)
    return Decimal(digits.replace(",", ""))


def _words(words: str, text: str) -> tuple[Decimal | None, str | None]:
    """(scale, currency) of the words around a number: (None, None) when there are none."""
    if not words:
        return None, None
    parts = split_words(fold(words))
    if parts is None:
        raise not_understood(text)
    magnitudes = [value for kind, value in parts if kind == "magnitude"]
    named = {str(value) for kind, value in parts if kind == "currency"}
    if len(magnitudes) > 1:
        raise not_understood(text)
    if len(named) > 1:
        names = "、".join(sorted(conventions.currency_name(c) for c in named))
        raise AmountError(
            f"金额{_quoted(text)}写了两种币种（{names}） · "
            f"{text!r} names two currencies ({', '.join(sorted(named))})"
        )
    scale = Decimal(magnitudes[0]) if magnitudes else Decimal(1)
    return scale, (named.pop() if named else None)


def header_unit(header: str) -> tuple[str, ColumnUnit] | None:
    """(header without its unit, the unit) of a header ending in a bracketed money unit, such
    as 注册资本(万元) or 注册资本（万元人民币）; None when it has none."""
    text = unicodedata.normalize("NFKC", header).strip()
    match = _HEADER_UNIT.match(text)
    if match is None or not match.group(1).strip():
        return None
    inside = match.group(2).translate(_BRACKETS)
    parts = split_words(fold(inside)) if inside.strip() else None
    if not parts:
        return None
    magnitudes = [value for kind, value in parts if kind == "magnitude"]
    named = {str(value) for kind, value in parts if kind == "currency"}
    if len(magnitudes) > 1 or len(named) > 1:
        return None
    has_unit = any(kind in ("magnitude", "unit") for kind, _ in parts)
    scale = (Decimal(magnitudes[0]) if magnitudes else Decimal(1)) if has_unit else None
    return match.group(1).strip(), ColumnUnit(scale, named.pop() if named else None)


# --- converters (one per column; see ``values.converter_for``) ------------------------------

_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_CANONICAL_NUMBER = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?")  # as check_payload has it
_EXPECTED_NUMBER = "应为数字 · expected a number"
_CACHE_SIZE = 50_000
_EXPECTED_FINITE = "应为有限的数字 · expected a finite number"


@dataclass(frozen=True)
class Money:
    """An amount in its field's unit (canonical text) and the currency it is in (None: not
    said); the row parser puts the currency into the field's ``currency_field``."""

    amount: str
    currency: str | None


def decimal_converter(spec: FieldSpec, unit: ColumnUnit | None = None) -> Converter:
    """The converter of a decimal column: amounts in any written form, brought to the unit the
    catalogue declares; ``unit``: what the column's header says of bare numbers."""
    field_scale = conventions.unit_scale(spec.unit)
    column = unit or ColumnUnit()
    bare_scale = column.scale if column.scale is not None and field_scale else field_scale
    home = conventions.conventions().home
    linked = spec.currency_field is not None
    plain = (
        bare_scale == field_scale
        and spec.maximum is None
        and (spec.minimum is None or spec.minimum <= 0)
    )

    def value(raw: Any, number: Decimal, currency: str | None) -> Any:
        bounded(spec, number)
        text = "0" if not number else format(number.normalize(), "f")
        if linked:
            return Money(text, currency or column.currency)
        if (currency or column.currency or home) != home:
            raise _foreign(spec, str(raw).strip(), currency or column.currency or home)
        return text

    cache: dict[str, Any] = {}  # spellings repeat down a column (100(万元人民币) …)

    def convert(raw: Any) -> Any:
        if raw.__class__ is not str:
            return read(raw)
        if plain and not linked and _CANONICAL_NUMBER.fullmatch(raw):
            return raw  # already canonical, not negative, in the field's unit
        hit = cache.get(raw)
        if hit is None:
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            hit = cache[raw] = read(raw)
        return hit

    def read(raw: Any) -> Any:
        if raw is None:
            return MISSING
        if isinstance(raw, bool):
            raise CellProblem(_EXPECTED_NUMBER)
        if isinstance(raw, int | float):
            return value(raw, _rescaled(_from_number(raw), bare_scale, field_scale), None)
        text = typed_text(raw)
        if text is None:
            return MISSING
        if _PLAIN_NUMBER.fullmatch(text):
            return value(raw, _rescaled(Decimal(text), bare_scale, field_scale), None)
        written = _read(text)
        if written.scale is None:
            return value(raw, _rescaled(written.number, bare_scale, field_scale), written.currency)
        if field_scale is None:
            raise _no_unit(spec, text, written.words)
        return value(raw, _rescaled(written.number, written.scale, field_scale), written.currency)

    return convert


def _read(text: str) -> Written:
    try:
        return read_amount(text)
    except AmountError as error:
        raise CellProblem(error.reason) from None


def _from_number(raw: int | float) -> Decimal:
    if isinstance(raw, int):
        return Decimal(raw)
    if raw != raw or raw in (float("inf"), float("-inf")):
        raise CellProblem(_EXPECTED_FINITE)
    return Decimal(format(raw, ".15g"))  # the 15 digits Excel keeps


def _rescaled(number: Decimal, scale: Decimal | None, field_scale: Decimal | None) -> Decimal:
    if scale is None or field_scale is None or scale == field_scale:
        return number
    return number * scale / field_scale


def _no_unit(spec: FieldSpec, text: str, words: str) -> CellProblem:
    expected = f"in {spec.unit}" if spec.unit else "a plain number"
    expected_zh = f"以{spec.unit}为单位填写" if spec.unit else "填写不带单位的数字"
    return CellProblem(
        f"金额 {text} 的单位不对：本列应{expected_zh}，不能用{words} · "
        f"{text}: this column takes {expected}, not {words}"
    )


def _foreign(spec: FieldSpec, shown: str, currency: str) -> CellProblem:
    home = conventions.conventions().home
    name, home_name = conventions.currency_name(currency), conventions.currency_name(home)
    return CellProblem(
        f"金额{_quoted(shown)}为{name}（{currency}），本列只收{home_name}（{home}）金额，"
        f"不做币种换算 · {shown!r} is an amount in {currency}: {spec.label.zh} takes amounts "
        f"in {home} only (currencies are never converted)"
    )


def currency_converter(spec: FieldSpec) -> Converter:
    """The converter of a currency column: a name, symbol or code -> its ISO 4217 code."""
    known = conventions.conventions().currencies

    def convert(raw: Any) -> Any:
        if raw.__class__ is str and raw in known:
            return raw
        if raw is None:
            return MISSING
        text = typed_text(raw)
        if text is None:
            return MISSING
        code = conventions.currency_code(text)
        if code is None:
            listed = "、".join(spec.zh for spec in list(known.values())[:8])
            raise CellProblem(
                f"币种{_quoted(text)}无法识别（如 人民币、CNY、{listed}） · "
                f"{text!r} is not a currency: write its name or ISO 4217 code (CNY, USD, HKD …)"
            )
        return code

    return convert
