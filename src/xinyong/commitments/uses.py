"""Where commitments are used elsewhere, through the other modules' seams: the subject's
public portal page (public commitments only), the commitments section of credit reports
(by the report's audience) and the repair procedure (its applicant's commitment becomes a
tracked 信用修复 commitment). ``registry.wire_effects`` registers all three (``register``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.commitments import service
from xinyong.commitments.config import Kind, Publicity, get_config
from xinyong.commitments.models import Commitment
from xinyong.commitments.views import kind_label
from xinyong.core.i18n import t
from xinyong.portal import sections
from xinyong.reports import sources
from xinyong.rights import hooks
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
        {"rows": rows, "departments": departments, "kind_label": kind_label},
    )


def _both(key: str) -> dict[str, str]:
    return {"zh": t(key, "zh"), "en": t(key, "en")}


def report_rows(session: Session, request: sources.SourceRequest) -> list[dict[str, Any]]:
    """The commitments section of a report, as the audience may read it."""
    levels = AUDIENCE_LEVELS.get(request.audience, (Publicity.public.value,))
    rows = []
    for c in _of_subject(session, request.subject_id, levels):
        plain = {"number": c.number, "matter": c.matter}
        fields = [
            {"name": name, "label": _both(f"commit.{name}"), "value": {"zh": v, "en": v}}
            for name, v in plain.items()
        ]
        kind = {"zh": kind_label(c.kind, "zh"), "en": kind_label(c.kind, "en")}
        fields.insert(1, {"name": "kind", "label": _both("commit.kind"), "value": kind})
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


CHANNELS = {"portal": "online", "counter": "counter", "api": "api"}


def repair_commitment(session: Session, committed: hooks.RepairCommitment) -> None:
    """A repair application's commitment kept as a signed, tracked 信用修复 commitment
    (the case number is its reference; the case keeps the catalogue record)."""
    template = next((t for t in get_config().templates.values() if t.kind is Kind.repair), None)
    if template is None:
        return
    c = service.create(
        session,
        signing_=service.Signing(
            template_code=template.code,
            subject_id=committed.subject_id,
            department_id=service.default_department(session, template).id,
            channel=CHANNELS.get(committed.channel, "online"),
            actor=committed.actor,
            signed_on=committed.today,
            external_ref=committed.case_number,
        ),
    )
    service.log(session, c, "repair_linked", committed.actor, case=committed.case_number,
                record=committed.record_id)  # fmt: skip


def register() -> None:
    """Plug commitments into the portal's subject page, the reports and the repair
    procedure (idempotent)."""
    sections.register("commitments", portal_section)
    sources.register_source("commitments", report_rows)
    hooks.on_repair_commitment("commitments", repair_commitment)
