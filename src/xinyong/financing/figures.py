"""Figures of 信易贷: needs, applications, grants, amounts, average rate and pure-credit share
by bank, product, industry and month; the small-firm credit-loan share (as far as the
platform knows: loans granted through it); the SVG chart and the XLSX export."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.core.db import as_utc
from xinyong.core.i18n import Language, t
from xinyong.financing import institutions
from xinyong.financing.config import get_config
from xinyong.financing.models import Application, Need, Product
from xinyong.portal import charts
from xinyong.subjects.models import Subject

BEIJING = ZoneInfo("Asia/Shanghai")
GROUPS = ("bank", "product", "industry", "month")


@dataclass
class Row:
    """One group's figures (amounts in yuan, the rate a granted-amount-weighted mean)."""

    key: str
    label: str
    needs: int = 0
    applications: int = 0
    grants: int = 0
    granted_amount: int = 0
    pure_credit_amount: int = 0
    _rate_weight: int = field(default=0, repr=False)

    @property
    def average_rate_bp(self) -> float | None:
        return self._rate_weight / self.granted_amount if self.granted_amount else None

    @property
    def pure_credit_share(self) -> float | None:
        return self.pure_credit_amount / self.granted_amount if self.granted_amount else None


@dataclass(frozen=True)
class Figures:
    group: str
    rows: list[Row]
    total: Row
    small_firm_credit_share: float | None


def _month(value: datetime) -> str:
    return (as_utc(value) or value).astimezone(BEIJING).strftime("%Y-%m")


def compute(session: Session, *, group: str, lang: Language = "zh") -> Figures:
    """The figures grouped one way (bank, product, industry or month)."""
    config = get_config()
    products = {p.id: p for p in session.scalars(select(Product))}
    subjects = {
        sid: industry for sid, industry in session.execute(select(Subject.id, Subject.industry))
    }
    bank_names = institutions.names(session, {p.bank_id for p in products.values()})
    keyer: dict[str, Callable[[Application], tuple[str, str]]] = {
        "bank": lambda a: (str(a.bank_id), bank_names.get(a.bank_id, str(a.bank_id))),
        "product": lambda a: (
            str(a.product_id),
            products[a.product_id].name if a.product_id in products else "—",
        ),
        "industry": lambda a: _industry(subjects.get(a.subject_id), lang),
        "month": lambda a: (_month(a.submitted_at), _month(a.submitted_at)),
    }
    rows: dict[str, Row] = {}
    total = Row("total", t("fin.fig.total", lang))
    for app in session.scalars(select(Application)):
        key, label = keyer[group](app)
        row = rows.setdefault(key, Row(key, label))
        pure = app.product_id in products and config.product_kinds.get(
            products[app.product_id].kind, None
        )
        for target in (row, total):
            target.applications += 1
            if app.state == "granted" and app.granted_amount and app.granted_rate_bp:
                target.grants += 1
                target.granted_amount += app.granted_amount
                target._rate_weight += app.granted_amount * app.granted_rate_bp
                if pure and pure.pure_credit:
                    target.pure_credit_amount += app.granted_amount
    _count_needs(session, group, rows, total, subjects, lang)
    ordered = sorted(rows.values(), key=lambda r: r.key)
    return Figures(group, ordered, total, total.pure_credit_share)


def _industry(code: str | None, lang: Language) -> tuple[str, str]:
    if not code:
        return "-", t("fin.fig.no_industry", lang)
    section = code[:1].upper()
    label = get_config().industries.get(section)
    return section, f"{section} {label(lang)}" if label else section


def _count_needs(
    session: Session,
    group: str,
    rows: dict[str, Row],
    total: Row,
    subjects: dict[int, str | None],
    lang: Language,
) -> None:
    """Needs have no bank or product: they count under industry and month, and in the total."""
    for need in session.scalars(select(Need)):
        total.needs += 1
        if group == "industry":
            key, label = _industry(subjects.get(need.subject_id), lang)
        elif group == "month":
            key = label = _month(need.created_at)
        else:
            continue
        rows.setdefault(key, Row(key, label)).needs += 1


def chart(figures: Figures, lang: Language) -> Markup:
    """Granted amounts per group (10k yuan), as an offline SVG."""
    bars = [
        charts.Bar(row.label[:8], row.granted_amount // 10_000, row.label) for row in figures.rows
    ]
    return charts.column_chart(
        bars,
        chart_id="financing-granted",
        title=t("fin.fig.chart_title", lang),
        description=t("fin.fig.chart_desc", lang),
        empty=t("fin.fig.empty", lang),
    )


def xlsx(figures: Figures, lang: Language = "zh") -> bytes:
    """The figures as a workbook (one sheet; the total last)."""
    book = Workbook()
    sheet = book.active
    sheet.title = figures.group
    keys = ("group", "needs", "applications", "grants", "amount", "rate", "pure_share")
    sheet.append([t(f"fin.fig.col.{key}", lang) for key in keys])
    for row in [*figures.rows, figures.total]:
        rate = row.average_rate_bp
        share = row.pure_credit_share
        label = row.label
        sheet.append(
            [
                "'" + label if label[:1] in ("=", "+", "-", "@") else label,
                row.needs,
                row.applications,
                row.grants,
                row.granted_amount,
                round(rate / 100, 3) if rate is not None else None,
                round(share, 4) if share is not None else None,
            ]
        )
    sheet.append([])
    share = figures.small_firm_credit_share
    sheet.append([t("fin.fig.small_share", lang), round(share, 4) if share is not None else None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
