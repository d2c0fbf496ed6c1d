"""Ingest templates (填报模板): one XLSX per catalogue item with the item's headers (labels,
``*`` before required ones, which the ingest header mapping ignores), an example row, and a
notes sheet giving each field's type, allowed values and format."""

from __future__ import annotations

import io
import random
from datetime import date

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import CatalogItem, FieldSpec, FieldType
from xinyong.core.config import get_settings
from xinyong.core.i18n import Language, t
from xinyong.identity import codes

EXAMPLE_DAY = date(2026, 3, 1)
OPEN_END = "2099-12-31"
END_WORDS = ("_to", "_end", "until", "expiry", "expires", "deadline", "valid_to")
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")


def header(spec: FieldSpec, lang: Language) -> str:
    """The column header of a field: its label, ``*`` first when required."""
    label = spec.label.zh if lang == "zh" else spec.label.en
    return f"*{label}" if spec.required else label


def _enum_example(spec: FieldSpec) -> str:
    """The first allowed value, as a department writes it: a coded value (legal_person) by
    the Chinese word the catalogue accepts for it (法人及非法人组织)."""
    value = spec.values[0] if spec.values else ""
    if value.isascii():
        words = [raw for raw, canonical in spec.value_aliases.items() if canonical == value]
        return words[0] if words else value
    return value


def example(item: CatalogItem, spec: FieldSpec) -> str:
    """A plausible value of the field for the example row (deterministic)."""
    rng = random.Random(f"{item.code}:{spec.name}")
    region = get_settings().city_region
    if spec.type in (FieldType.uscc, FieldType.subject_code):
        return codes.generate_uscc(rng, category="91", region=region)
    if spec.type is FieldType.id_number or spec.is_personal:
        return codes.generate_id_number(rng, region=region, birth_date=date(1985, 6, 15), sex="F")
    if spec.type is FieldType.date:
        return OPEN_END if any(w in spec.name for w in END_WORDS) else EXAMPLE_DAY.isoformat()
    if spec.type is FieldType.decimal:
        return str(spec.minimum if spec.minimum and spec.minimum > 1 else "1.5")
    if spec.type is FieldType.integer:
        return str(spec.minimum if spec.minimum and spec.minimum > 1 else 1)
    if spec.type is FieldType.enum:
        return _enum_example(spec)
    if spec.type is FieldType.boolean:
        return "是"
    if spec.type is FieldType.currency:
        return "CNY"
    if spec.name == item.subject_name_field:
        return "苏州市示例科技有限公司"
    text = f"示例{spec.label.zh}"
    return text[: spec.max_length] if spec.max_length else text


def _format_notes(spec: FieldSpec, lang: Language) -> str:
    notes = []
    if spec.type is FieldType.date:
        notes.append(t("tpl.format.date", lang))
    if spec.max_length:
        notes.append(t("tpl.format.max_length", lang).format(n=spec.max_length))
    if spec.unit:
        notes.append(t("tpl.format.unit", lang).format(unit=spec.unit))
    if spec.multiple:
        notes.append(t("tpl.format.multiple", lang))
    if spec.not_future:
        notes.append(t("tpl.format.not_future", lang))
    if spec.description:
        notes.append(spec.description)
    return "；".join(notes) if lang == "zh" else "; ".join(notes)


def _values(spec: FieldSpec) -> str:
    if not spec.values:
        return ""
    aliases: dict[str, list[str]] = {}
    for raw, canonical in spec.value_aliases.items():
        aliases.setdefault(canonical, []).append(raw)
    shown = []
    for value in spec.values:
        words = aliases.get(value, [])
        if value.isascii() and words:  # a coded value: the words people write for it
            shown.append("/".join(words))
        else:
            shown.append(f"{value}（{'/'.join(words)}）" if words else value)
    return "、".join(shown)


def workbook(item_code: str, lang: Language = "zh") -> bytes:
    """The template of one catalogue item as XLSX bytes (NotFound for unknown items)."""
    catalog = catalog_service.get_catalog()
    item = catalog.item(item_code)
    book = Workbook()
    data = book.active
    assert data is not None
    data.title = t("tpl.sheet.data", lang)
    data.append([header(spec, lang) for spec in item.fields])
    data.append([example(item, spec) for spec in item.fields])
    for column, spec in enumerate(item.fields, start=1):
        cell = data.cell(row=1, column=column)
        cell.fill = HEADER_FILL
        cell.font = REQUIRED_FONT if spec.required else Font(bold=True)
        cell.comment = Comment(_type_text(spec, lang), "xinyong")
        width = max(len(str(cell.value)) * 2 + 2, 12)
        data.column_dimensions[cell.column_letter].width = min(width, 40)
        data.cell(row=2, column=column).font = Font(italic=True, color="808080")
    data.freeze_panes = "A2"
    _notes_sheet(book, item, catalog.version, lang)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _type_text(spec: FieldSpec, lang: Language) -> str:
    return t(f"tpl.type.{spec.type.value}", lang)


def _notes_sheet(book: Workbook, item: CatalogItem, version: str, lang: Language) -> None:
    notes = book.create_sheet(t("tpl.sheet.notes", lang))
    name = item.name.zh if lang == "zh" else item.name.en
    notes.append([t("tpl.note.item", lang).format(name=name, code=item.code, version=version)])
    notes.append([t("tpl.note.rules", lang)])
    notes.append([t("tpl.note.example", lang)])
    notes.append([])
    columns = ("tpl.col.field", "tpl.col.required", "tpl.col.type", "tpl.col.values")
    notes.append(
        [
            *(t(c, lang) for c in columns),
            t("tpl.col.format", lang),
            t("tpl.col.other_headers", lang),
        ]
    )
    for spec in item.fields:
        notes.append([
            header(spec, lang),
            t("tpl.required" if spec.required else "tpl.optional", lang),
            _type_text(spec, lang),
            _values(spec),
            _format_notes(spec, lang),
            "、".join(spec.aliases),
        ])  # fmt: skip
    for letter, width in zip("ABCDEF", (28, 10, 24, 40, 50, 40), strict=True):
        notes.column_dimensions[letter].width = width
