"""Explanations of a result in plain Chinese and English: what moved the score most, and what
would change the grade (records that stop counting and when, repair eligibility, the next band)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog_service
from xinyong.core.i18n import Language, t
from xinyong.evaluation import engine, frames
from xinyong.evaluation.config import Direction, EvaluationModel, Indicator, SourceKind, get_models
from xinyong.evaluation.models import EvaluationResult, EvaluationRun
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

TOP = 3


@dataclass
class Contribution:
    code: str
    name: str
    dimension: str
    value: Any
    points: float
    sentence: str


@dataclass
class RecordChange:
    record_id: int
    item_name: str
    source_record_id: str
    decision_date: date | None
    stops_counting: date | None
    indicator: str
    repair_eligible: bool | None
    repair_earliest: date | None
    repair_obstacles: list[str]


@dataclass
class Explanation:
    model_code: str
    model_name: str
    run_id: int
    as_of: date
    score: float
    grade: str
    grade_label: str
    override_reason: str | None
    negatives: list[Contribution]
    positives: list[Contribution]
    contributions: list[Contribution]
    next_band: str | None
    changes: list[RecordChange] = field(default_factory=list)
    summary: str = ""
    public: bool = False  # published on the subject's public page (the model's publication)


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def sentence(indicator: Indicator, value: Any, points: float, lang: Language) -> str:
    """e.g. 近12个月一般行政处罚3次，扣12分 · 3 general penalties …: 12 points off; an indicator
    that stores its zero values and has none: nothing to measure yet (no record, no rating),
    never a false 0."""
    if value is None and engine.stores_zero(indicator):
        name = str(getattr(indicator.name, lang))
        if points == 0:
            return t("ev.no_data", lang).format(name=name)
        text = t("ev.no_value", lang).format(name=name)  # e.g. a default for no rating
    else:
        text = str(getattr(indicator.explain, lang)).format(value=_number(value))
    amount = _number(round(abs(points), 2))
    if points < 0:
        return text + t("ev.points.minus", lang).format(points=amount)
    if points > 0:
        return text + t("ev.points.plus", lang).format(points=amount)
    return text + t("ev.points.none", lang)


def contributions(
    model: EvaluationModel, result: EvaluationResult, lang: Language
) -> list[Contribution]:
    """Every indicator of the model with its value and points (zero where it did not move)."""
    stored = result.contributions or {}
    found = []
    for dim in model.dimensions.values():
        for indicator in dim.indicators.values():
            value, points = stored.get(indicator.code, [None, 0.0])
            points = float(points)
            shown = value if value is not None or engine.stores_zero(indicator) else 0
            found.append(
                Contribution(
                    indicator.code,
                    getattr(indicator.name, lang),
                    getattr(dim.name, lang),
                    value,
                    points,
                    sentence(indicator, shown, points, lang),
                )
            )
    return found


def explain(
    session: Session, *, result: EvaluationResult, run: EvaluationRun, lang: Language
) -> Explanation:
    """A result explained: largest negative and positive contributions, what would change it."""
    model = get_models().get(result.model_code)
    items = contributions(model, result, lang)
    negatives = sorted((c for c in items if c.points < 0), key=lambda c: (c.points, c.code))
    positives = sorted((c for c in items if c.points > 0), key=lambda c: (-c.points, c.code))
    override = model.overrides.get(result.override) if result.override else None
    band = model.band(result.grade)
    rank = model.grade_rank(result.band_grade)
    next_band = None
    if rank > 0:
        better = model.bands[rank - 1]
        needed = _number(round(better.min - result.score, 2))
        next_band = t("ev.next_band", lang).format(grade=better.grade, points=needed)
    found = Explanation(
        model.code,
        getattr(model.name, lang),
        run.id,
        run.as_of,
        result.score,
        result.grade,
        getattr(band.label, lang),
        getattr(override.reason, lang) if override else None,
        negatives[:TOP],
        positives[:TOP],
        items,
        next_band,
    )
    found.changes = record_changes(session, model=model, result=result, as_of=run.as_of, lang=lang)
    subject = session.get(Subject, result.subject_id)
    found.public = subject is not None and model.is_public(subject.kind, result.grade)
    found.summary = t("ev.summary", lang).format(
        model=found.model_name,
        grade=result.grade,
        label=found.grade_label,
        score=_number(result.score),
    )
    return found


def _stops(indicator: Indicator, decided: date | None, disclosure_end: date | None) -> date | None:
    ends = []
    months = indicator.window_months()
    if months is not None and decided is not None:
        ends.append(decided + relativedelta(months=months))
    if disclosure_end is not None:
        ends.append(disclosure_end + timedelta(days=1))
    return min(ends) if ends else None


def record_changes(
    session: Session,
    *,
    model: EvaluationModel,
    result: EvaluationResult,
    as_of: date,
    lang: Language,
) -> list[RecordChange]:
    """The records behind the negative points: when each stops counting, whether repairable."""
    from xinyong.rights import eligibility  # rights flags evaluation; read it lazily

    negative = [
        i
        for i in model.indicators()
        if i.direction == Direction.negative
        and i.source.kind == SourceKind.records
        and float((result.contributions or {}).get(i.code, [None, 0])[1]) < 0
    ]
    if not negative:
        return []
    inputs = frames.read_inputs(
        session, models=[model], as_of=as_of, subject_ids=[result.subject_id]
    )
    catalog = catalog_service.get_catalog()
    changes: dict[int, RecordChange] = {}
    for indicator in negative:
        condition = engine.record_condition(indicator, as_of, inputs.departments)
        for row in inputs.records.filter(condition).iter_rows(named=True):
            stops = _stops(indicator, row["decision_date"], row["disclosure_end"])
            known = changes.get(row["record_id"])
            if known is not None:
                if stops is not None and (known.stops_counting or date.min) < stops:
                    known.stops_counting = stops
                known.indicator += "、" + getattr(indicator.name, lang)
                continue
            record = session.get(Record, row["record_id"])
            if record is None:
                continue
            check = eligibility.check(session, record, today=as_of)
            item = catalog.items.get(record.item_code)
            changes[record.id] = RecordChange(
                record.id,
                getattr(item.name, lang) if item else record.item_code,
                record.source_record_id,
                record.decision_date,
                stops,
                getattr(indicator.name, lang),
                check.eligible,
                check.earliest,
                [getattr(o, lang) for o in check.obstacles],
            )
    return sorted(changes.values(), key=lambda c: (c.stops_counting or date.max, c.record_id))


def as_json(found: Explanation) -> dict[str, Any]:
    """An explanation as plain JSON."""

    def contribution(c: Contribution) -> dict[str, Any]:
        return {
            "indicator": c.code,
            "name": c.name,
            "dimension": c.dimension,
            "value": c.value,
            "points": c.points,
            "text": c.sentence,
        }

    return {
        "model": found.model_code,
        "model_name": found.model_name,
        "run_id": found.run_id,
        "as_of": found.as_of.isoformat(),
        "score": found.score,
        "grade": found.grade,
        "grade_label": found.grade_label,
        "summary": found.summary,
        "public": found.public,
        "override": found.override_reason,
        "largest_negative": [contribution(c) for c in found.negatives],
        "largest_positive": [contribution(c) for c in found.positives],
        "contributions": [contribution(c) for c in found.contributions],
        "next_band": found.next_band,
        "changes": [
            {
                "record_id": c.record_id,
                "item": c.item_name,
                "source_record_id": c.source_record_id,
                "decision_date": c.decision_date.isoformat() if c.decision_date else None,
                "stops_counting": c.stops_counting.isoformat() if c.stops_counting else None,
                "indicator": c.indicator,
                "repair_eligible": c.repair_eligible,
                "repair_earliest": c.repair_earliest.isoformat() if c.repair_earliest else None,
                "repair_obstacles": c.repair_obstacles,
            }
            for c in found.changes
        ],
    }
