"""Where commitments are used elsewhere, through the other modules' seams: the subject's
public portal page (public commitments only) and the commitments section of credit reports
(by the report's audience). The app assembly registers both (``register``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.commitments.config import Publicity
from xinyong.commitments.models import Commitment
from xinyong.core.i18n import t
from xinyong.portal import sections
from xinyong.reports import sources
from xinyong.subjects.models import Department

SHOWN = 20
# Which publicity levels each report audience reads (the subject reads all of its own).
AUDIENCE_LEVELS = {
    "public": (Publicity.public.value,),
    "authorised": (Publicity.public.value,),
    "government": (Publicity.public.value, Publicity.government.value),
    "subject": tuple(p.value for p in Publicity),
}


def _of_subject(session: Session, subject_id: int, levels: tuple[str, ...]) -> list[Commitment]:
    stmt = (
        select(Commitment)
        .where(Commitment.subject_id == subject_id, Commitment.publicity.in_(levels))
        .order_by(Commitment.signed_at.desc(), Commitment.id.desc())
        .limit(SHOWN)
    )
    return list(session.scalars(stmt))


def portal_section(session: Session, subject_id: int) -> sections.Section | None:
    """The subject's public commitments on its portal page (none: no section)."""
    rows = _of_subject(session, subject_id, (Publicity.public.value,))
    if not rows:
        return None
    departments = {d.id: d for d in session.scalars(select(Department))}
    return sections.Section(
        "portal/commitments/_subject_section.html",
        {"rows": rows, "departments": departments},
    )


def _both(key: str) -> dict[str, str]:
    return {"zh": t(key, "zh"), "en": t(key, "en")}


def report_rows(session: Session, request: sources.SourceRequest) -> list[dict[str, Any]]:
    """The commitments section of a report, as the audience may read it."""
    levels = AUDIENCE_LEVELS.get(request.audience, (Publicity.public.value,))
    rows = []
    for c in _of_subject(session, request.subject_id, levels):
        plain = {"number": c.number, "kind": c.kind, "matter": c.matter}
        fields = [
            {"name": name, "label": _both(f"commit.{name}"), "value": {"zh": v, "en": v}}
            for name, v in plain.items()
        ]
        fields.append(
            {
                "name": "status",
                "label": _both("commit.status"),
                "value": _both(f"commit.status.{c.status}"),
            }
        )
        rows.append(
            {
                "item": "commitment",
                "item_name": _both("commit.title"),
                "decision_date": c.signed_on.isoformat(),
                "under_objection": False,
                "fields": fields,
            }
        )
    return rows


def register() -> None:
    """Plug commitments into the portal's subject page and the reports (idempotent)."""
    sections.register("commitments", portal_section)
    sources.register_source("commitments", report_rows)
