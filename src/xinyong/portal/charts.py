"""Charts drawn on the server as inline SVG: no script, no font or file from another host.

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that say what it
shows in words, a ``<title>`` per bar (the tooltip and what screen readers announce), and
its values written beside the bars. The pages also give the figures as a table. All text
comes through ``markupsafe.escape``; the result is ``Markup`` so templates need no ``|safe``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from xinyong.core.i18n import Language, t
from xinyong.portal.schemas import HomeFigures

COLUMN_WIDTH = 400
COLUMN_HEIGHT = 220
ROW_WIDTH = 400
ROW_HEIGHT = 46


@dataclass(frozen=True)
class Bar:
    """One bar: a short label drawn on the chart, its value, and a longer label for the tooltip."""

    label: str
    value: int
    detail: str | None = None

    @property
    def tooltip(self) -> str:
        return f"{self.detail or self.label}: {self.value:,}"


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^k at or above ``value`` (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _open(chart_id: str, width: int, height: int, title: str, description: str) -> str:
    return (
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
    )


def _axis(top: int, left: int, right: int, plot_height: int, maximum: int) -> list[str]:
    parts = []
    for step in range(5):
        value = maximum * step // 4
        y = top + plot_height - plot_height * step / 4
        parts.append(
            f'<line class="grid" x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value:,}</text>'
        )
    return parts


def column_chart(
    bars: Sequence[Bar], *, chart_id: str, title: str, description: str, empty: str
) -> Markup:
    """Vertical bars (e.g. records per month), labels under the bars, values above them."""
    parts = [_open(chart_id, COLUMN_WIDTH, COLUMN_HEIGHT, title, description)]
    if not bars or not any(bar.value for bar in bars):
        parts.append(_empty(COLUMN_WIDTH, COLUMN_HEIGHT, empty))
        return Markup("".join([*parts, "</svg>"]))
    top, bottom, left, right = 20, 28, 40, COLUMN_WIDTH - 4
    plot_height = COLUMN_HEIGHT - top - bottom
    maximum = nice_ceiling(max(bar.value for bar in bars))
    parts.extend(_axis(top, left, right, plot_height, maximum))
    slot = (right - left) / len(bars)
    width = max(slot * 0.7, 2)
    for index, bar in enumerate(bars):
        height = plot_height * bar.value / maximum
        x = left + slot * index + (slot - width) / 2
        y = top + plot_height - height
        centre = x + width / 2
        parts.append(
            f'<g class="bar"><title>{escape(bar.tooltip)}</title>'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" rx="2"/>'
            f'<text class="value" x="{centre:.1f}" y="{y - 4:.1f}" text-anchor="middle">'
            f"{_short(bar.value)}</text>"
            f'<text class="label" x="{centre:.1f}" y="{COLUMN_HEIGHT - 10}" '
            f'text-anchor="middle">{escape(bar.label)}</text></g>'
        )
    return Markup("".join([*parts, "</svg>"]))


def row_chart(
    bars: Sequence[Bar], *, chart_id: str, title: str, description: str, empty: str
) -> Markup:
    """Horizontal bars (e.g. records per category): the label and value above each bar, so
    long Chinese category names fit a phone's width."""
    height = max(ROW_HEIGHT * len(bars), ROW_HEIGHT) + 8
    parts = [_open(chart_id, ROW_WIDTH, height, title, description)]
    if not bars or not any(bar.value for bar in bars):
        parts.append(_empty(ROW_WIDTH, height, empty))
        return Markup("".join([*parts, "</svg>"]))
    maximum = max(bar.value for bar in bars)
    for index, bar in enumerate(bars):
        top = ROW_HEIGHT * index + 4
        width = (ROW_WIDTH - 4) * bar.value / maximum if maximum else 0
        parts.append(
            f'<g class="bar"><title>{escape(bar.tooltip)}</title>'
            f'<text class="label" x="2" y="{top + 16}">{escape(bar.label)}</text>'
            f'<text class="value" x="{ROW_WIDTH - 2}" y="{top + 16}" text-anchor="end">'
            f"{bar.value:,}</text>"
            f'<rect class="track" x="2" y="{top + 23}" width="{ROW_WIDTH - 4}" height="13" rx="3"/>'
            f'<rect x="2" y="{top + 23}" width="{max(width, 1):.1f}" height="13" rx="3"/></g>'
        )
    return Markup("".join([*parts, "</svg>"]))


def _empty(width: int, height: int, text: str) -> str:
    return (
        f'<text class="empty" x="{width / 2:.0f}" y="{height / 2:.0f}" '
        f'text-anchor="middle">{escape(text)}</text>'
    )


def _short(value: int) -> str:
    """Compact figure for the top of a narrow column: 950, 9.5k, 12k, 1.2M."""
    if value < 1000:
        return str(value)
    if value < 1_000_000:
        return f"{value / 1000:.1f}k" if value < 10_000 else f"{value // 1000}k"
    return f"{value / 1_000_000:.1f}M"


# --- the home page's two charts -------------------------------------------------------------

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Chart:
    """A drawn chart with its bars (for the table beside it) and the table's column head."""

    svg: Markup
    bars: list[Bar]
    title: str
    column: str


def month_label(month: str, lang: Language) -> str:
    """``2025-03`` → 3月 / Mar (the full month is in the tooltip and the table)."""
    number = int(month[5:7])
    return f"{number}月" if lang == "zh" else _MONTHS_EN[number - 1]


def category_label(category: str, label_zh: str, lang: Language) -> str:
    """A national category's name: the catalogue's Chinese, or the English of core.i18n."""
    return label_zh if lang == "zh" else t(f"category.{category}", lang)


def home_charts(figures: HomeFigures, lang: Language) -> dict[str, Chart]:
    """Records by month (columns) and by catalogue category (rows), for the home page."""
    months = [Bar(month_label(m.month, lang), m.count, m.month) for m in figures.by_month]
    title = t("home.by_month", lang)
    description = t("home.by_month_desc", lang).format(
        months=len(months), total=f"{sum(b.value for b in months):,}"
    )
    by_month = Chart(
        column_chart(months, chart_id="chart-month", title=title, description=description,
                     empty=t("home.no_data", lang)),
        months, title, t("home.month", lang),
    )  # fmt: skip
    ranked = sorted(figures.by_category, key=lambda c: (-c.count, c.category))
    categories = [
        Bar(category_label(c.category, c.label_zh, lang), c.count) for c in ranked if c.count
    ]
    title = t("home.by_category", lang)
    description = t("home.by_category_desc", lang).format(
        n=len(categories), total=f"{sum(b.value for b in categories):,}"
    )
    by_category = Chart(
        row_chart(categories, chart_id="chart-category", title=title, description=description,
                  empty=t("home.no_data", lang)),
        categories, title, t("home.category", lang),
    )  # fmt: skip
    return {"by_month": by_month, "by_category": by_category}
