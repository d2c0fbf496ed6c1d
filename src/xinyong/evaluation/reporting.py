"""Grades in credit reports: the provider of the reports' ``grades`` source.

The subject and government read every current grade; an authorised organisation and the
public version only the grades the model publishes (``disclosure`` and ``publication``).
A grade under objection says so. Rows take the reports' record-row shape."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from xinyong.core.i18n import t
from xinyong.evaluation import objections, service
from xinyong.evaluation.config import get_models
from xinyong.reports.sources import SourceRequest
from xinyong.subjects.models import Subject

OPEN_TO_ALL = ("subject", "government")


def _both(key: str, **params: Any) -> dict[str, str]:
    return {lang: t(key, lang).format(**params) for lang in ("zh", "en")}


def _field(name: str, value: dict[str, str]) -> dict[str, Any]:
    return {"name": name, "label": _both(f"ev.report.{name}"), "value": value}


def report_rows(session: Session, request: SourceRequest) -> list[dict[str, Any]]:
    """The subject's current grades as report rows, as far as this audience may read them."""
    subject = session.get(Subject, request.subject_id)
    if subject is None:
        return []
    models = get_models().models
    rows = []
    for result in service.current_results(session, subject_id=subject.id):
        model = models.get(result.model_code)
        run = service.get_run(session, result.run_id)
        if model is None or run.as_of > request.as_of:
            continue
        if request.audience not in OPEN_TO_ALL and not model.is_public(subject.kind, result.grade):
            continue
        band = model.band(result.grade)
        grade = {
            "zh": f"{result.grade}级（{band.label.zh}）",
            "en": f"{result.grade} ({band.label.en})",
        }
        pending = objections.open_objection(session, subject_id=subject.id, model_code=model.code)
        rows.append(
            {
                "item": f"evaluation:{model.code}",
                "item_name": {"zh": model.name.zh, "en": model.name.en},
                "decision_date": run.as_of.isoformat(),
                "under_objection": pending is not None,
                "fields": [
                    _field("grade", grade),
                    _field("score", {"zh": f"{result.score:g}", "en": f"{result.score:g}"}),
                    _field("as_of", {"zh": run.as_of.isoformat(), "en": run.as_of.isoformat()}),
                ],
            }
        )
    return rows
