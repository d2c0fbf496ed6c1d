"""The village board as a poster: a PDF (WeasyPrint, the reports' CJK font setup) for the
notice wall and a PNG for the village WeChat group (Pillow, Noto Sans CJK)."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from xinyong.core.i18n import Language, t
from xinyong.points.months import Board
from xinyong.web.render import html_pdf, templates

FONT_FILES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
)


def html(board: Board, *, lang: Language = "zh", for_pdf: bool = True) -> str:
    """The poster page (what the PDF lays out)."""
    template = templates.env.get_template("portal/points/poster.html")
    return template.render({"b": board, "lang": lang, "t": t, "for_pdf": for_pdf})


def pdf(board: Board, *, lang: Language = "zh") -> bytes:
    """The poster as a PDF (fonts embedded)."""
    return html_pdf(html(board, lang=lang))


@lru_cache(maxsize=8)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = FONT_FILES[1] if bold and FONT_FILES[1].exists() else FONT_FILES[0]
    if not path.exists():
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(path), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: object, width: int) -> list[str]:
    """The text cut into lines no wider than ``width`` pixels (at most two)."""
    lines, current = [], ""
    for char in text:
        if draw.textlength(current + char, font=font) > width:  # type: ignore[arg-type]
            lines.append(current)
            current = char
        else:
            current += char
    return [*lines, current][:2]


def png(board: Board, *, lang: Language = "zh") -> bytes:
    """The board as an image for a phone screen (1080 pixels wide)."""
    width, row_height, top = 1080, 64, 260
    height = top + row_height * (len(board.rows) + 1) + 150
    image = Image.new("RGB", (width, height), "#fffaf0")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 200), fill="#a61b1b")
    title = f"{board.village.name} · {t('pts.board.title', lang)}"
    draw.text((width // 2, 70), title, font=_font(56, True), fill="white", anchor="mm")
    scheme = board.scheme_name if lang == "zh" else board.scheme_name_en
    period = f"{board.month.period} · {scheme}"
    draw.text((width // 2, 150), period, font=_font(32), fill="#ffe9c7", anchor="mm")
    columns = (
        (50, t("pts.rank", lang)), (170, t("pts.household", lang)),
        (470, t("pts.balance", lang)), (630, t("pts.change", lang)), (870, t("pts.stars", lang)),
    )  # fmt: skip
    for x, label in columns:
        draw.text((x, top), label, font=_font(32, True), fill="#222")
    for index, row in enumerate(board.rows, start=1):
        y = top + row_height * index
        if index % 2:
            draw.rectangle((30, y - 10, width - 30, y + row_height - 14), fill="#f6eee0")
        change = f"{row.change:+d}"
        stars = "★" * row.stars
        cells = (str(row.rank), row.name, str(row.balance), change, stars)
        for (x, _), value in zip(columns, cells, strict=True):
            draw.text((x, y), value, font=_font(32), fill="#8a1f11" if value == stars else "#111")
    note = t("pts.board.objection_until", lang).format(day=board.month.objection_until.isoformat())
    for index, line in enumerate(_wrap(draw, note, _font(28), width - 120)):
        draw.text((60, height - 110 + 38 * index), line, font=_font(28), fill="#444")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
