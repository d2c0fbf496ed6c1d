"""Converters of single cell values, one per field type (part of ``values``).

Each converter takes a raw value (text from CSV, typed values from XLSX or JSON) and returns
the canonical value ``records.payload.check_payload`` keeps, ``MISSING`` for no value, or
raises ``CellProblem`` with a specific reason. The common form is tried first (an ISO date,
a canonical number, an exact enum value, printable text); the many spellings after.
Amounts and currencies are read by ``amounts.py``; ``values.converter_for`` picks the converter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from xinyong.catalog.schemas import FieldSpec, FieldType, normalize_header
from xinyong.core import text as text_cleaning
from xinyong.identity import codes

EMPTY_MARKERS = frozenset(
    {"无", "/", "-", "—", "——", "空", "暂无", "N/A", "n/a", "NA", "null", "NULL"}
)
EXCEL_ERRORS = frozenset({"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!",
                          "#SPILL!", "#CALC!", "#GETTING_DATA"})  # fmt: skip
EARLIEST, LATEST = "1900-01-01", "2099-12-31"
_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_FORMS = (
    re.compile(r"(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_TIME = re.compile(r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_MULTI = re.compile(r"[;；,，、|/]")
MISSING: Any = object()  # a converter's answer for "no value"
_CACHE_SIZE = 50_000
_TRUE = frozenset({"true", "1", "是", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "否", "no", "n", "f"})


class CellProblem(Exception):
    """What is wrong with one cell value, in words for the clerk: ``中文 · English``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Converter = Callable[[Any], Any]

# Reasons a clerk reads: Chinese first, then the English text (``中文 · English``).
_FORMULA = (
    "这是公式而不是值，请填写值本身（粘贴为数值） · "
    "a formula, not a value: enter the value itself (paste as values)"
)
_EXPECTED_TEXT = "应为文本 · expected text"
_NOT_A_DATE = "不是有效日期 · not a date"
_EXPECTED_WHOLE = "应为整数 · expected a whole number"
_CODE_NAMES = {"uscc": ("统一社会信用代码", "a unified social credit code"),
               "id_number": ("居民身份证号码", "a citizen ID number"),
               "registration_number": ("注册号", "a registration number"),
               "organization_code": ("组织机构代码", "an organisation code")}  # fmt: skip
# What a validator's (English) reason is about, by its first words: the Chinese said first.
_CODE_FAULTS = (("length", "{what}位数不正确"), ("check", "{what}校验位错误"),
                ("embedded organisation code", "统一社会信用代码中的组织机构代码校验位错误"),
                ("character", "{what}含有不允许的字符"), ("region", "{what}的行政区划代码无效"),
                ("birth date", "身份证号码中的出生日期无效"), ("empty", "代码为空"),
                ("registering authority", "统一社会信用代码的登记管理部门代码无效"),
                ("organisation kind", "统一社会信用代码的机构类别代码无效"))  # fmt: skip


def quoted(text: str) -> str:
    """A value quoted for a Chinese reason (control characters escaped, as ``repr`` does)."""
    return f"“{repr(text)[1:-1]}”"


def _excel_error(text: str) -> CellProblem:
    return CellProblem(
        f"单元格为 Excel 错误值 {text}（公式计算出错），请填写值本身 · "
        f"Excel error value {text} (a formula that failed): enter the value itself"
    )


def typed_text(raw: Any) -> str | None:
    """The text of a raw value in a typed column: None when empty or a placeholder."""
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if not text or text in EMPTY_MARKERS:
        return None
    if text in EXCEL_ERRORS:
        raise _excel_error(text)
    if text.startswith("="):
        raise CellProblem(_FORMULA)
    return text


# --- text -----------------------------------------------------------------------------


def clean_text(raw: str, *, multiline: bool) -> str:
    """``core.text.clean_text`` for a cell: an unstorable character is the cell's problem."""
    try:
        return text_cleaning.clean_text(raw, multiline=multiline)
    except text_cleaning.TextProblem as problem:
        raise CellProblem(problem.reason) from problem


def _text_converter(spec: FieldSpec) -> Converter:
    multiline = spec.type is FieldType.text
    limit = spec.max_length
    pattern = re.compile(spec.pattern) if spec.pattern else None

    def convert(raw: Any) -> Any:
        if raw.__class__ is str:
            text = raw.strip() if raw.isprintable() else clean_text(raw, multiline=multiline)
        elif raw is None:
            return MISSING
        elif isinstance(raw, bool | list | dict):
            raise CellProblem(_EXPECTED_TEXT)
        else:
            text = _number_text(raw) if isinstance(raw, int | float) else _scalar_text(raw)
        if not text:
            return MISSING
        if text in EXCEL_ERRORS:
            raise _excel_error(text)
        if limit is not None and len(text) > limit:
            raise CellProblem(
                f"共 {len(text)} 个字符，超过 {limit} 个字符的上限 · "
                f"{len(text)} characters, more than the {limit} allowed"
            )
        if pattern is not None and pattern.fullmatch(text) is None:
            raise CellProblem(
                f"格式不符合要求（{spec.pattern}） · "
                f"does not have the required form ({spec.pattern})"
            )
        return text

    return convert


def _number_text(raw: int | float) -> str:
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 2**53:
        return str(int(raw))
    return str(raw)


def _scalar_text(raw: Any) -> str:
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat()
    return raw.isoformat() if isinstance(raw, date) else str(raw).strip()


# --- dates ----------------------------------------------------------------------------


def _date_converter(spec: FieldSpec, today: str) -> Converter:
    words = {
        normalize_header(w): (d.isoformat() if d else None) for w, d in spec.date_aliases.items()
    }
    not_future = spec.not_future

    def convert(raw: Any) -> Any:
        if raw.__class__ is str and len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
            try:
                value = date.fromisoformat(raw).isoformat()
            except ValueError:
                value = _date_text(raw, words)
        elif isinstance(raw, datetime):
            value = raw.date().isoformat()
        elif isinstance(raw, date):
            value = raw.isoformat()
        elif raw is None:
            return MISSING
        elif isinstance(raw, bool):
            raise CellProblem(_NOT_A_DATE)
        elif isinstance(raw, int | float):
            value = _serial_date(raw)
        else:
            value = _date_text(str(raw), words)
        if value is MISSING or value is None:
            return MISSING
        if not EARLIEST <= value <= LATEST:
            raise CellProblem(
                f"日期 {value} 不在 1900 年至 2099 年之间 · "
                f"{value} is outside the years 1900 to 2099"
            )
        if not_future and value > today:
            raise CellProblem(
                f"日期 {value} 晚于今天（今天是 {today}） · "
                f"{value} is in the future (today is {today})"
            )
        return value

    return convert


def _date_text(raw: str, words: dict[str, str | None]) -> Any:
    key = normalize_header(raw)
    if key in words:
        return words[key] or MISSING
    text = typed_text(raw)
    if text is None:
        return MISSING
    for form in _DATE_FORMS:
        match = form.match(text)
        if match and _TIME.fullmatch(text, match.end()):
            year, month, day = (int(g) for g in match.groups() if g.isdigit())
            return _real_date(text, year, month, day)
    if text.isdigit() and len(text) == 5:
        return _serial_date(int(text))
    if re.fullmatch(r"\d{5}\.\d+", text):
        return _serial_date(float(text))
    shown = raw.strip()
    raise CellProblem(
        f"日期{quoted(shown)}无法识别，请写作 2024-01-05 · "
        f"{shown!r} is not a date: write it as 2024-01-05"
    )


def _real_date(text: str, year: int, month: int, day: int) -> str:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        pass
    if not 1 <= month <= 12:
        raise CellProblem(
            f"日期 {text} 无效：没有 {month} 月 · {text} is not a date: there is no month {month}"
        )
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    days = (first_of_next - timedelta(days=1)).day
    raise CellProblem(
        f"日期 {text} 无效：{year} 年 {month} 月只有 {days} 天 · "
        f"{text} is not a date: {year}-{month:02d} has {days} days"
    )


def _serial_date(number: float) -> str:
    if float(number).is_integer() and 19000101 <= number <= 20991231:
        text = str(int(number))
        return _real_date(text, int(text[:4]), int(text[4:6]), int(text[6:]))
    if 10_000 <= number < 100_000:  # an Excel serial date (days since 1899-12-30)
        return (_EXCEL_EPOCH + timedelta(days=int(number))).isoformat()
    shown = _number_text(number)
    raise CellProblem(
        f"日期 {shown} 无法识别，请写作 2024-01-05 · {shown} is not a date: write it as 2024-01-05"
    )


# --- numbers --------------------------------------------------------------------------


def bounded(spec: FieldSpec, number: Decimal) -> Decimal:
    if spec.minimum is not None and number < spec.minimum:
        shown, least = format(number, "f"), spec.minimum
        why_zh = "为负数" if number < 0 else f"小于最小值 {least}"
        why = "negative" if number < 0 else f"below the minimum {least}"
        raise CellProblem(
            f"数值 {shown} {why_zh}（不得小于 {least}） · {shown} is {why} (at least {least})"
        )
    if spec.maximum is not None and number > spec.maximum:
        shown, most = format(number, "f"), spec.maximum
        raise CellProblem(f"数值 {shown} 超过最大值 {most} · {shown} is above the maximum {most}")
    return number


def _integer_converter(spec: FieldSpec) -> Converter:
    def convert(raw: Any) -> Any:
        if raw is None:
            return MISSING
        if isinstance(raw, bool):
            raise CellProblem(_EXPECTED_WHOLE)
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        text = raw if isinstance(raw, int) else typed_text(raw)
        if text is None:
            return MISSING
        try:
            number = int(text) if isinstance(text, int) else int(Decimal(text))
            if not isinstance(text, int) and Decimal(text) != number:
                raise ValueError(text)
        except (ValueError, InvalidOperation, OverflowError):
            raise CellProblem(
                f"数值{quoted(str(text))}不是整数 · {text!r} is not a whole number"
            ) from None
        bounded(spec, Decimal(number))
        return number

    return convert


def _boolean_converter(spec: FieldSpec) -> Converter:
    def convert(raw: Any) -> Any:
        if isinstance(raw, bool) or raw is None:
            return MISSING if raw is None else raw
        text = typed_text(raw)
        if text is None:
            return MISSING
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise CellProblem(
            f"应填写“是”或“否”，而不是{quoted(text)} · {text!r} is not yes or no (是/否)"
        )

    return convert


# --- enumerations ---------------------------------------------------------------------


def _enum_converter(spec: FieldSpec) -> Converter:
    exact = {value: value for value in spec.values} | dict(spec.value_aliases)
    folded: dict[str, str] = {}
    for raw, value in exact.items():
        folded.setdefault(normalize_header(raw), value)
    accepted = ", ".join(spec.values)
    aliases = ", ".join(spec.value_aliases)
    hint = f"one of {accepted}" + (f" (or {aliases})" if aliases else "")
    also = "、".join(spec.value_aliases)
    hint_zh = f"可选：{'、'.join(spec.values)}" + (f"；也可写作：{also}" if also else "")

    def one(raw: Any) -> str | None:
        value = exact.get(raw) if raw.__class__ is str else None
        if value is not None:
            return value
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        text = typed_text(raw) if raw is not None else None
        if text is None:
            return None
        value = exact.get(text) or folded.get(normalize_header(text))
        if value is None:
            raise CellProblem(f"选项{quoted(text)}无效（{hint_zh}） · {text!r} is not {hint}")
        return value

    def convert(raw: Any) -> Any:
        value = one(raw)
        return MISSING if value is None else value

    def convert_many(raw: Any) -> Any:
        if raw.__class__ is str and raw in exact:
            return [exact[raw]]
        parts = raw if isinstance(raw, list) else _MULTI.split(str(raw or ""))
        chosen: list[str] = []
        for part in parts:
            value = one(part.strip() if isinstance(part, str) else part)
            if value is not None and value not in chosen:
                chosen.append(value)
        return chosen or MISSING

    return convert_many if spec.multiple else convert


# --- codes ----------------------------------------------------------------------------


def _code_converter(spec: FieldSpec, kinds_seen: dict[str, str]) -> Converter:
    """Identifier columns; valid codes are remembered (authority codes repeat on every row).
    ``kinds_seen`` gets the kind of each code returned (the subject check reads it)."""
    wanted = {
        FieldType.uscc: ("uscc",),
        FieldType.id_number: ("id_number",),
        FieldType.subject_code: ("uscc", "id_number", "registration_number", "organization_code"),
    }[spec.type]
    cache: dict[Any, tuple[str, str]] = {}

    def convert(raw: Any) -> Any:
        hit = cache.get(raw) if raw.__class__ is str else None
        if hit is not None:
            kinds_seen[hit[0]] = hit[1]
            return hit[0]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return MISSING
        if isinstance(raw, float) or (isinstance(raw, int) and not isinstance(raw, bool)):
            raw = _numeric_code(raw)
        text = typed_text(raw)
        if text is None:
            return MISSING
        found = codes.valid_kind(text)
        if found is not None and found[0] not in wanted and codes.is_valid_uscc(found[1]):
            found = ("uscc", found[1])  # a valid ID number that is also a valid USCC
        if found is None or found[0] not in wanted:
            raise CellProblem(_code_reason(text, wanted, found))
        if len(cache) >= _CACHE_SIZE:
            cache.clear()
            kinds_seen.clear()
        if isinstance(raw, str):
            cache[raw] = (found[1], found[0])
        kinds_seen[found[1]] = found[0]
        return found[1]

    return convert


def _numeric_code(raw: float) -> str:
    if isinstance(raw, float) and not (raw.is_integer() and abs(raw) < 2**53):
        raise CellProblem(
            f"代码 {raw:.15g} 被存成了数字，会丢失位数：请把该列设为文本格式后重新填写代码 · "
            f"{raw:.15g} was stored as a number, which loses digits: format the column as "
            "text and enter the codes again"
        )
    return str(int(raw))


def _code_reason(text: str, wanted: tuple[str, ...], found: tuple[str, str] | None) -> str:
    if found is not None:
        zh, en = _CODE_NAMES[found[0]]
        expected_zh = "或".join(_CODE_NAMES[k][0] for k in wanted[:2])
        expected = " or ".join(_CODE_NAMES[k][1] for k in wanted[:2])
        return f"这是{zh}，应为{expected_zh} · {en}, expected {expected}"
    if wanted == ("uscc",):
        result = codes.validate_uscc(text)
    elif wanted == ("id_number",):
        result = codes.validate_id_number(text)
    else:
        result = codes.detect(text)
    what = _CODE_NAMES[result.kind][0] if result.kind in _CODE_NAMES else "代码"
    reason = result.reason or "not a valid code"
    fault = next((zh for start, zh in _CODE_FAULTS if reason.startswith(start)), None)
    return f"{(fault or '不是有效的{what}').format(what=what)} · {reason}"


# --- by type ----------------------------------------------------------------------


def converter_for(spec: FieldSpec, *, today: date, kinds_seen: dict[str, str]) -> Converter:
    """The converter of a text, date, integer, enum, boolean or code field."""
    kind = spec.type
    if kind in (FieldType.string, FieldType.text):
        return _text_converter(spec)
    if kind is FieldType.date:
        return _date_converter(spec, today.isoformat())
    if kind is FieldType.integer:
        return _integer_converter(spec)
    if kind is FieldType.enum:
        return _enum_converter(spec)
    if kind is FieldType.boolean:
        return _boolean_converter(spec)
    return _code_converter(spec, kinds_seen)
