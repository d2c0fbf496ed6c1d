"""The measures catalogue as the public reads it: read models and readable triggers, shared by
the portal page and the open API."""

from __future__ import annotations

from pydantic import BaseModel

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import I18nText, LegalBasis, parse_period
from xinyong.core.i18n import Language, t
from xinyong.measures.catalog import Measure, MeasureCatalog, MeasureKind, RecordTrigger


class BasisRead(BaseModel):
    title: str
    document_number: str | None = None
    article: str | None = None
    url: str | None = None
    text: str  # 《…》(文号) 条款, ready to show


class RecordTriggerRead(BaseModel):
    item: str  # catalogue item code
    tiers: list[str]  # empty: any tier
    within: str | None  # ISO 8601 period counted back from the check; null: any time


class TriggersRead(BaseModel):
    lists: list[str]
    grades: list[str]
    records: list[RecordTriggerRead]
    text: list[str]  # each trigger as a sentence in the requested language


class MeasureRead(BaseModel):
    code: str
    name: I18nText
    label: str  # the name in the requested language
    kind: str  # incentive | constraint
    kind_label: str
    type: str  # public_restriction | public_management | market
    type_label: str
    triggers: TriggersRead
    matters: list[str]
    departments: list[str]  # department kinds that apply the measure
    subject_kinds: list[str]
    legal_basis: list[BasisRead]
    description: str | None = None


class MeasuresRead(BaseModel):
    version: str
    matter: str | None  # the matter filtered on, if any
    measures: list[MeasureRead]


class MatterRead(BaseModel):
    code: str
    name: I18nText
    label: str
    description: str | None = None
    measures: int  # how many measures apply in it


class MattersRead(BaseModel):
    version: str
    matters: list[MatterRead]


def basis_text(basis: LegalBasis) -> str:
    """《…》(文号) 条款, one line."""
    number = f"({basis.document_number})" if basis.document_number else ""
    return " ".join(part for part in (basis.title + number, basis.article) if part)


def period_text(period: str, lang: Language) -> str:
    """``P3Y`` → 3年 / 3 years; ``P1Y6M`` → 1年6个月 / 1 year 6 months."""
    delta = parse_period(period)
    parts = []
    for unit, n in (("year", delta.years), ("month", delta.months), ("day", delta.days)):
        if n:
            parts.append(t(f"ms.period.{unit}{'' if n == 1 else 's'}", lang).format(n=n))
    return ("" if lang == "zh" else " ").join(parts)


def _record_text(trigger: RecordTrigger, lang: Language) -> str:
    item = catalog_service.get_catalog().items.get(trigger.item)
    name = trigger.item if item is None else item.name.zh if lang == "zh" else item.name.en
    tiers = t("ms.or", lang).join(
        t(f"severity.{tier.value}", lang) if lang == "zh" else tier.value for tier in trigger.tiers
    )
    within = trigger.within and t("ms.trigger.within", lang).format(
        period=period_text(trigger.within, lang)
    )
    return t("ms.trigger.record", lang).format(
        within=within or "",
        tiers=t("ms.trigger.tiers", lang).format(tiers=tiers) if tiers else "",
        item=name,
    )


def trigger_texts(measure: Measure, lang: Language) -> list[str]:
    """Each trigger of the measure as a sentence."""
    triggers = measure.triggers
    texts: list[str] = []
    if triggers.lists:
        names = t("ms.or", lang).join(t(f"ms.list.{code}", lang) for code in triggers.lists)
        texts.append(t("ms.trigger.lists", lang).format(names=names))
    if triggers.grades:
        grades = t("ms.or", lang).join(triggers.grades)
        texts.append(t("ms.trigger.grades", lang).format(grades=grades))
    texts.extend(_record_text(trigger, lang) for trigger in triggers.records)
    return texts


def measure_read(measure: Measure, lang: Language) -> MeasureRead:
    """One measure as published, with labels in ``lang``."""
    triggers = measure.triggers
    return MeasureRead(
        code=measure.code,
        name=measure.name,
        label=measure.name.zh if lang == "zh" else measure.name.en,
        kind=measure.kind.value,
        kind_label=t(f"ms.kind.{measure.kind.value}", lang),
        type=measure.type.value,
        type_label=t(f"ms.type.{measure.type.value}", lang),
        triggers=TriggersRead(
            lists=list(triggers.lists),
            grades=list(triggers.grades),
            records=[
                RecordTriggerRead(item=r.item, tiers=[s.value for s in r.tiers], within=r.within)
                for r in triggers.records
            ],
            text=trigger_texts(measure, lang),
        ),
        matters=list(measure.matters),
        departments=[kind.value for kind in measure.departments],
        subject_kinds=[kind.value for kind in measure.subject_kinds],
        legal_basis=[
            BasisRead(**basis.model_dump(), text=basis_text(basis)) for basis in measure.legal_basis
        ],
        description=measure.description,
    )


def _order(measure: Measure) -> tuple[bool, str]:
    return measure.kind is not MeasureKind.constraint, measure.code


def measures_read(
    catalog: MeasureCatalog, lang: Language, *, matter: str | None = None
) -> MeasuresRead:
    """The catalogue's measures (those of ``matter`` only, when given), constraints first."""
    chosen = catalog.for_matter(matter) if matter else list(catalog.measures.values())
    return MeasuresRead(
        version=catalog.version,
        matter=matter,
        measures=[measure_read(m, lang) for m in sorted(chosen, key=_order)],
    )


def matters_read(catalog: MeasureCatalog, lang: Language) -> MattersRead:
    """The matters where measures apply, each with its number of measures."""
    return MattersRead(
        version=catalog.version,
        matters=[
            MatterRead(
                code=matter.code,
                name=matter.name,
                label=matter.name.zh if lang == "zh" else matter.name.en,
                description=matter.description,
                measures=len(catalog.for_matter(matter.code)),
            )
            for matter in catalog.matters.values()
        ],
    )
