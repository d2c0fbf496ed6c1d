"""Real submission files for the reader tests: GBK bytes, openpyxl workbooks, edited archives.

Payloads come from the synthetic-city generator (the demo's field makers), so the files hold
what departments send: valid codes, Chinese names, penalties that agree with their fines.
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import CatalogItem
from xinyong.demo import fields
from xinyong.demo.fields import DepartmentInfo
from xinyong.demo.generator import CityGenerator, SubjectRow

ANCHOR = date(2026, 11, 1)


def item(code: str = "admin_penalty") -> CatalogItem:
    return catalog_service.get_catalog().item(code)


@cache
def city(seed: int = 5, size: int = 600) -> tuple[SubjectRow, ...]:
    generator = CityGenerator(seed=seed, region="320500", anchor=ANCHOR)
    return tuple(row for chunk in generator.chunks(size) for row in chunk.subjects)


@cache
def departments() -> dict[str, list[DepartmentInfo]]:
    out: dict[str, list[DepartmentInfo]] = {}
    for index, spec in enumerate(catalog_service.load_departments(), start=1):
        out.setdefault(spec.kind.value, []).append(
            DepartmentInfo(index, spec.kind.value, spec.name.zh, spec.code)
        )
    return out


def payloads(code: str, count: int, *, seed: int = 1) -> list[dict[str, Any]]:
    """``count`` canonical payloads of an item, decided within 1000 days before ANCHOR."""
    spec_item = item(code)
    makers = [(spec.name, fields.maker_for(spec_item, spec)) for spec in spec_item.fields]
    kinds = {kind.value for kind in spec_item.subject_kinds}
    pool = [s for s in city() if s.kind in kinds]
    offices = [d for kind in spec_item.source_departments for d in departments().get(kind, [])]
    rng = random.Random(f"ingest-tests:{code}:{seed}")
    out = []
    for serial in range(1, count + 1):
        subject = rng.choice(pool)
        decided = ANCHOR - timedelta(days=rng.randrange(1, 1000))
        if code == "registration" and subject.registration_date:
            decided = subject.registration_date  # approved when registered
        context = fields.FieldContext(rng, subject, rng.choice(offices), decided, serial)
        for name, make in makers:
            value = make(context)
            if value is not None:
                context.values[name] = value
        out.append({k: v for k, v in context.values.items() if not k.startswith("_")})
    return out


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    return ";".join(value) if isinstance(value, list) else str(value)


def table(code: str, rows: Iterable[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """(Chinese template headers, rows of text) for payloads of an item."""
    specs = item(code).fields
    headers = [spec.label.zh for spec in specs]
    return headers, [[cell_text(row.get(spec.name)) for spec in specs] for row in rows]


def csv_bytes(
    headers: list[str], rows: Iterable[list[Any]], *, encoding: str = "gbk", delimiter: str = ","
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def write_csv(path: Path, headers: list[str], rows: Iterable[list[Any]], **kw: Any) -> Path:
    path.write_bytes(csv_bytes(headers, rows, **kw))
    return path


def write_xlsx(
    path: Path,
    headers: list[str],
    rows: Iterable[list[Any]],
    *,
    title: str = "处罚信息",
    above: list[list[Any]] | None = None,
    extra_sheets: dict[str, list[list[Any]]] | None = None,
    first: str | None = None,
) -> Path:
    """A workbook written by openpyxl; ``above`` rows precede the header, ``first`` names a
    sheet placed before the data sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in above or []:
        sheet.append(row)
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for name, content in (extra_sheets or {}).items():
        other = workbook.create_sheet(name, 0 if name == first else None)
        for row in content:
            other.append(row)
    workbook.save(path)
    return path


def edit_zip(path: Path, changes: dict[str, Callable[[bytes], bytes]]) -> Path:
    """Rewrite members of an archive (hand-editing a workbook's XML)."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            change = changes.get(info.filename)
            archive.writestr(info, change(data) if change else data)
    return path


def sheet_part(path: Path, title: str) -> str:
    """The archive member holding a sheet (from workbook.xml and its relationships)."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    found = re.search(rf'<sheet[^>]*name="{re.escape(title)}"[^>]*r:id="([^"]+)"', workbook)
    assert found, workbook
    target = re.search(rf'Id="{found.group(1)}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'Target="([^"]+)"[^>]*Id="{found.group(1)}"', rels
    )
    assert target, rels
    return "xl/" + target.group(1).removeprefix("/xl/")


def add_merges(path: Path, title: str, *refs: str) -> Path:
    """Merge cell ranges of a sheet by adding ``<mergeCells>`` after its ``</sheetData>``."""
    tags = "".join(f'<mergeCell ref="{ref}"/>' for ref in refs)
    block = f'<mergeCells count="{len(refs)}">{tags}</mergeCells>'.encode()

    def merge(data: bytes) -> bytes:
        return data.replace(b"</sheetData>", b"</sheetData>" + block, 1)

    return edit_zip(path, {sheet_part(path, title): merge})


def hide_sheet(path: Path, title: str) -> Path:
    def hide(data: bytes) -> bytes:
        tag = re.compile(rf'<sheet [^>]*name="{re.escape(title)}"[^>]*>'.encode())

        def hidden(match: re.Match[bytes]) -> bytes:
            text = re.sub(rb'\sstate="[^"]*"', b"", match.group())
            return text.replace(b"<sheet ", b'<sheet state="hidden" ', 1)

        return tag.sub(hidden, data)

    return edit_zip(path, {"xl/workbook.xml": hide})


def zip_bomb(path: Path, *, inflated: int) -> Path:
    """A 'workbook' whose sheet inflates to ``inflated`` bytes of zeros from a few KiB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(inflated >> 20):
                member.write(block)
    return path


def truncate(path: Path, keep: float) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no disk space (a 1 GB upload, for the size limit)."""
    with path.open("wb") as handle:
        handle.truncate(size)
    return path
