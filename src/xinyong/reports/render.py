"""A report's HTML view, its PDF (Typst, from the same content) and its XLSX annex.

The PDF is laid out by Typst (the ``typst`` binding of the Rust typesetter) from
``portal/reports/document.typ``: that template is layout only, and the report comes in as
JSON (``print_data``), so no value of a report is ever parsed as markup.
"""

from __future__ import annotations

import atexit
import io
import multiprocessing
import os
import tempfile
import threading
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
import segno
from openpyxl import Workbook
from openpyxl.styles import Font

from xinyong.core.config import get_settings
from xinyong.core.i18n import Language, t
from xinyong.web.render import templates

TEMPLATE = "portal/reports/document.html"
PRINT_TEMPLATE = Path(__file__).resolve().parents[1] / "web/templates/portal/reports/document.typ"
# Noto Sans CJK (Debian fonts-noto-cjk): the only fonts Typst sees; no system or cache lookup.
FONT_DIRS = ("/usr/share/fonts/opentype/noto",)
# Labels of the print version (texts.yaml keys; ``.`` becomes ``_`` in the template).
PRINT_LABELS = (
    "rpt.number",
    "rpt.subject",
    "rpt.subject_code",
    "rpt.requester",
    "rpt.purpose",
    "rpt.issued_at",
    "rpt.as_of",
    "rpt.period",
    "rpt.valid_until",
    "rpt.verify_hint",
    "rpt.under_objection",
    "rpt.none",
    "rpt.special.statement",
    "rpt.domain.name",
    "rpt.domain.result",
    "rpt.list.department",
    "rpt.list.listed_on",
    "rpt.list.term_end",
    "rpt.list.legal_basis",
    "rpt.list.reasons",
    "rpt.disclaimer",
    "rpt.digest",
)


def verify_url(number: str) -> str:
    """The public verification address of a report (printed and in the QR code)."""
    return get_settings().public_url.rstrip("/") + f"/verify/{number}"


@lru_cache(maxsize=256)
def _qr(url: str) -> segno.QRCode:
    """The QR code of an address (made once: segno's mask choice is most of its cost)."""
    return segno.make(url, error="m")


def qr_data_uri(url: str) -> str:
    """A QR code of the address as an SVG data URI (the HTML view)."""
    return str(_qr(url).svg_data_uri(scale=4, border=1))


def qr_svg(url: str) -> str:
    """A QR code of the address as an SVG document (the print data)."""
    buffer = io.BytesIO()
    _qr(url).save(buffer, kind="svg", scale=4, border=1, xmldecl=False)
    return buffer.getvalue().decode("utf-8")


def html(
    content: dict[str, Any],
    *,
    lang: Language = "zh",
    links: list[tuple[str, str]] | None = None,
) -> str:
    """The report as an HTML page (the screen view; the PDF is ``pdf(print_data(...))``)."""
    url = verify_url(content["number"])
    context = {
        "c": content,
        "lang": lang,
        "t": t,
        "links": links or [],
        "qr": qr_data_uri(url),
        "verify_url": url,
        "c_digest": content.get("_digest", ""),
        "c_digest_algorithm": content.get("_digest_algorithm", ""),
    }
    return templates.env.get_template(TEMPLATE).render(context)


def print_data(content: dict[str, Any], *, lang: Language = "zh") -> bytes:
    """What the print template lays out, as JSON: the same content as the HTML view, the
    labels in the reader's language, the verification address and its QR code."""
    url = verify_url(content["number"])
    data = {
        "content": {k: v for k, v in content.items() if not k.startswith("_")},
        "lang": lang,
        "labels": {key[4:].replace(".", "_"): t(key, lang) for key in PRINT_LABELS},
        "verify_url": url,
        "qr": qr_svg(url),
        "digest": content.get("_digest", ""),
        "digest_algorithm": content.get("_digest_algorithm", ""),
    }
    return orjson.dumps(data)


class _Typst:
    """One compiler per process: the fonts are scanned once, the template parsed once, and
    Typst's caches stay warm between reports. Its root is an empty directory of its own.
    A compiler cannot be used by two threads at once (the binding raises "Already
    borrowed") and holds the GIL while it works, so threads take turns (the lock)."""

    def __init__(self) -> None:
        import typst

        self.root = tempfile.mkdtemp(prefix="xinyong-typst-")
        atexit.register(os.rmdir, self.root)
        dirs = [d for d in FONT_DIRS if Path(d).is_dir()]
        fonts = typst.Fonts(
            include_system_fonts=False, include_embedded_fonts=True, font_paths=dirs
        )
        self.source = PRINT_TEMPLATE.read_bytes()
        self.compiler = typst.Compiler(root=self.root, font_paths=fonts, ignore_system_fonts=True)
        self.lock = threading.Lock()

    def pdf(self, data: bytes) -> bytes:
        with self.lock:
            out = self.compiler.compile(
                self.source, format="pdf", sys_inputs={"data": data.decode("utf-8")}
            )
        assert isinstance(out, bytes)
        return out


@lru_cache(maxsize=1)
def _typst() -> _Typst:
    return _Typst()


def pdf(data: bytes) -> bytes:
    """The PDF of a report from its print data (``print_data``; fonts embedded, subset)."""
    return _typst().pdf(data)


def workers() -> int:
    """Processes laying out PDFs for batches (``XINYONG_REPORT_WORKERS``; cores up to 4)."""
    configured = get_settings().report_workers
    return min(os.cpu_count() or 1, 4) if configured is None else configured


@lru_cache(maxsize=2)
def _pool(size: int) -> ProcessPoolExecutor:
    # forkserver: workers start from a clean process, not a fork of a threaded server.
    context = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(max_workers=size, mp_context=context)


def pdf_many(pages: list[bytes]) -> list[bytes]:
    """PDFs of several reports' print data, laid out in parallel by worker processes when
    allowed."""
    size = workers()
    if size <= 1 or len(pages) <= 1:
        return [pdf(page) for page in pages]
    return list(_pool(size).map(pdf, pages))


def xlsx(content: dict[str, Any], *, lang: Language = "zh") -> bytes:
    """The data annex: one sheet for the report's particulars, one row per record shown."""
    book = Workbook()
    meta = book.active
    meta.title = t("rpt.title", lang)[:31]
    for label, value in _particulars(content, lang):
        meta.append([label, _cell(value)])
    meta.column_dimensions["A"].width = 24
    meta.column_dimensions["B"].width = 80
    rows = book.create_sheet("数据" if lang == "zh" else "Data")
    rows.append(
        [
            "章节" if lang == "zh" else "Section",
            "信息类别" if lang == "zh" else "Item",
            t("rpt.decision_date", lang),
            "字段" if lang == "zh" else "Field",
            "内容" if lang == "zh" else "Value",
        ]
    )
    for cell in rows[1]:
        cell.font = Font(bold=True)
    for line in _data_lines(content, lang):
        rows.append([_cell(v) for v in line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    """Text that looks like a formula is kept as text (a leading apostrophe)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _particulars(content: dict[str, Any], lang: Language) -> list[tuple[str, Any]]:
    return [
        (t("rpt.number", lang), content["number"]),
        (t("rpt.type", lang), content["type_name"][lang]),
        (t("rpt.subject", lang), content["subject"]["name"]),
        (t("rpt.subject_code", lang), content["subject"]["code"]),
        (t("rpt.requester", lang), content["requester"]),
        (t("rpt.purpose", lang), content["purpose"]),
        (t("rpt.issued_at", lang), content["issued_at_local"]),
        (t("rpt.as_of", lang), content["as_of"]),
        (t("rpt.valid_until", lang), content["valid_until"]),
        (t("rpt.digest", lang), content.get("_digest", "")),
    ]


def _data_lines(content: dict[str, Any], lang: Language) -> list[list[Any]]:
    lines: list[list[Any]] = []
    for section in content["sections"]:
        title = section["title"][lang]
        records = list(section.get("rows") or []) + list(section.get("source_rows") or [])
        for domain in section.get("domains") or []:
            lines.append([title, domain["name"][lang], "", "", domain["conclusion"][lang]])
            records += domain["records"]
        for entry in section.get("entries") or []:
            lines.append(
                [title, entry["list_name"][lang], entry["listed_on"], "", entry["reasons"]]
            )
        for row in records:
            if "fields" not in row:  # basic information
                lines.append([title, "", "", row["label"][lang], row["value"][lang]])
                continue
            for field in row["fields"]:
                item = row["item_name"][lang]
                lines.append(
                    [title, item, row["decision_date"], field["label"][lang], field["value"][lang]]
                )
        if section.get("is_empty"):
            lines.append([title, "", "", "", section["empty"][lang]])
    return lines
