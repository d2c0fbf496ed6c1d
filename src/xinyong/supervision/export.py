"""The class list as XLSX for the department (formula-looking cells quoted)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from xinyong.subjects.models import Subject
from xinyong.supervision.config import Classification
from xinyong.supervision.models import SupervisionClass


def _cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def classes_xlsx(spec: Classification, rows: list[tuple[SupervisionClass, Subject]]) -> bytes:
    """统一社会信用代码, 名称, 类别, 类别名称, 起始日期, 公共信用等级 — one row per subject."""
    book = Workbook()
    sheet = book.active
    sheet.title = spec.code[:31]
    sheet.append(
        ["统一社会信用代码", "主体名称", "类别", "类别名称", "起始日期", "公共信用评价等级"]
    )
    for row, subject in rows:
        sheet.append(
            [
                _cell(subject.uscc or ""),
                _cell(subject.name),
                row.class_code,
                spec.classes[row.class_code].zh if row.class_code in spec.classes else "",
                row.since.isoformat(),
                (row.basis or {}).get("public_grade") or "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
