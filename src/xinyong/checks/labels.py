"""How values read on the credit-check console pages (信用核查工作台): names of matters and
measures, a hit's reasons, times, figures (the pages' texts are in checks/texts.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from xinyong.catalog import labels as catalog_labels
from xinyong.checks.stats import CheckStats, Figures
from xinyong.core import localtime
from xinyong.core.i18n import Language, t
from xinyong.core.workdays import workdays_between
from xinyong.measures.catalog import get_catalog
from xinyong.subjects.models import Department, Subject
from xinyong.web import present as web_present

# --- how values read ----------------------------------------------------------------------------


def local_time(at: datetime) -> str:
    """A stored (UTC) time as the city's local time, to the minute."""
    return localtime.local_time(at)


def department_name(department: Department | None, lang: Language) -> str:
    """The department's name in ``lang`` (empty when unknown)."""
    if department is None:
        return ""
    return department.name_zh if lang == "zh" else department.name_en


def matter_name(code: str, lang: Language) -> str:
    """The matter's catalogue name in ``lang`` (the code once it left the catalogue)."""
    matter = get_catalog().matters.get(code)
    if matter is None:
        return code
    return matter.name.zh if lang == "zh" else matter.name.en


def measure_label(code: str, lang: Language) -> tuple[str, str]:
    """A measure's name in ``lang`` and its kind (the code alone once it left the catalogue)."""
    measure = get_catalog().measures.get(code)
    if measure is None:
        return code, ""
    return (measure.name.zh if lang == "zh" else measure.name.en), measure.kind.value


def reason_text(reason: str, lang: Language) -> str:
    """A hit's reason as people read it: ``list:…``, ``grade:…``, ``record:item:tier:id``."""
    kind, _, rest = reason.partition(":")
    if kind == "list":
        return t("ckc.reason.list", lang).format(name=t(f"ms.list.{rest}", lang))
    if kind == "grade":
        return t("ckc.reason.grade", lang).format(grade=rest)
    parts = rest.split(":")
    if kind == "record" and len(parts) == 3:
        item, tier, record_id = parts
        text = t("ckc.reason.record", lang).format(
            item=catalog_labels.item_name(item, lang), id=record_id
        )
        return text if tier == "-" else f"{text} · {t(f'severity.{tier}', lang)}"
    return reason


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage with one decimal (— of nothing)."""
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def subject_code(subject: Subject | None) -> str:
    """The code shown for a subject: its USCC, or a person's masked ID number."""
    if subject is None:
        return ""
    return subject.uscc or subject.id_number_masked or ""


def late_days(due: date, today: date) -> int:
    """Working days past the due date."""
    return workdays_between(due, today)


HELPERS: dict[str, Any] = {
    "local_time": local_time,
    "reason_text": reason_text,
    "late_days": late_days,
    "matter_name": matter_name,
    "department_name": department_name,
    "percent": percent,
    "subject_code": subject_code,
    "item_name": catalog_labels.item_name,
    "href": web_present.href,
}


# --- figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureLine:
    """One line of a table of figures: its label, the measure kind if any, the figures."""

    label: str
    kind: str
    figures: Figures


@dataclass(frozen=True)
class Section:
    """A table of figures: its id, heading, first column, and which figure the bars show."""

    key: str
    title: str
    column: str
    bar_on: Literal["checks", "hits"]
    lines: list[FigureLine]


def sections(
    figures: CheckStats, departments: dict[int, Department], lang: Language, *, platform: bool
) -> list[Section]:
    """The tables of the figures page (by department only when platform-wide)."""
    kinds = [FigureLine(t(f"ms.kind.{f.key}", lang), f.key, f) for f in figures.by_kind]
    matters = [FigureLine(matter_name(f.key, lang), "", f) for f in figures.by_matter]
    measures = [FigureLine(*measure_label(f.key, lang), f) for f in figures.by_measure]
    found = [
        Section("by-kind", "ckc.by.kind", "ckc.col.kind", "hits", kinds),
        Section("by-matter", "ckc.by.matter", "ckc.col.matter", "checks", matters),
        Section("by-measure", "ckc.by.measure", "ckc.col.measure", "hits", measures),
    ]
    if platform:
        named = [
            FigureLine(department_name(departments.get(int(f.key)), lang) or f.key, "", f)
            for f in figures.by_department
        ]
        found.insert(
            1, Section("by-department", "ckc.by.department", "ckc.col.department", "checks", named)
        )
    return found
