"""A subject whose records change is evaluated again (subscribed to ``records.effects``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from xinyong.commitments import hooks as commitments_hooks
from xinyong.commitments.models import Commitment
from xinyong.core.db import utcnow
from xinyong.evaluation import objections, reporting, service
from xinyong.evaluation.config import get_models
from xinyong.evaluation.models import RecomputeFlag
from xinyong.lists import hooks as lists_hooks
from xinyong.lists.models import ListEntry
from xinyong.portal import hooks as portal_hooks
from xinyong.portal.schemas import PublicGrade
from xinyong.records import effects
from xinyong.records.effects import Cause, Change, Changed
from xinyong.reports import sources as report_sources
from xinyong.rights import hooks as rights_hooks
from xinyong.subjects.models import Subject

CHUNK = 5_000


def flag_subjects(session: Session, change: Change, items: Sequence[Changed], cause: Cause) -> None:
    """Flag every subject of the changed records (one flag per subject, newest reason wins),
    in set-based statements: the expiry job may change thousands of records at once."""
    reason = f"{change.value}: {cause.ref or cause.reason}"[:200]
    subject_ids = sorted({item.subject_id for item in items})
    session.flush()
    now = utcnow()
    for start in range(0, len(subject_ids), CHUNK):
        chunk = subject_ids[start : start + CHUNK]
        flagged = set(
            session.scalars(
                select(RecomputeFlag.subject_id).where(RecomputeFlag.subject_id.in_(chunk))
            )
        )
        if flagged:
            session.execute(
                update(RecomputeFlag)
                .where(RecomputeFlag.subject_id.in_(sorted(flagged)))
                .values(reason=reason, flagged_at=now)
                .execution_options(synchronize_session=False)
            )
        fresh = [s for s in chunk if s not in flagged]
        if fresh:
            session.execute(
                insert(RecomputeFlag),
                [{"subject_id": s, "reason": reason, "flagged_at": now} for s in fresh],
            )
    for held in list(session.identity_map.values()):  # loaded flags read the new values
        if isinstance(held, RecomputeFlag) and held.subject_id in subject_ids:
            session.expire(held)


def flag_listed_subject(session: Session, entry: ListEntry, reason: str) -> None:
    """A list entry ended: its subject is evaluated again."""
    service.flag_for_recompute(
        session, subject_id=entry.subject_id, reason=f"list entry {entry.id} ended: {reason}"
    )


def flag_commitment_subject(session: Session, c: Commitment, reason: str) -> None:
    """A commitment was fulfilled or withdrawn (no record changes): its subject is evaluated
    again, its fulfilment rate may have moved."""
    service.flag_for_recompute(
        session, subject_id=c.subject_id, reason=f"commitment {c.number}: {reason}"
    )


def public_grades(session: Session, subject: Subject) -> list[PublicGrade]:
    """The subject's current grades its models publish (``disclosure`` and ``publication``)."""
    models = get_models().models
    found = []
    for result in service.current_results(session, subject_id=subject.id):
        model = models.get(result.model_code)
        if model is None or not model.is_public(subject.kind, result.grade):
            continue
        band = model.band(result.grade)
        run = service.get_run(session, result.run_id)
        found.append(
            PublicGrade(
                model_code=model.code,
                model_name_zh=model.name.zh,
                model_name_en=model.name.en,
                grade=result.grade,
                label_zh=band.label.zh,
                label_en=band.label.en,
                as_of=run.as_of,
            )
        )
    return found


def subscribe() -> None:
    """Subscribe the evaluation module to every record change, to list entries ending and to
    commitments fulfilled or withdrawn; give the public subject page the grades the models
    publish and credit reports their grades; decide the rights cases objecting to a grade."""
    effects.subscribe(Change, "evaluation.flag_subjects", flag_subjects)
    lists_hooks.on_entry_ended("evaluation.flag_listed_subject", flag_listed_subject)
    commitments_hooks.on_status_changed("evaluation.flag_commitment", flag_commitment_subject)
    portal_hooks.on_public_grades("evaluation.public_grades", public_grades)
    report_sources.register_source("grades", reporting.report_rows)
    rights_hooks.own_ground(objections.GROUND, objections.CASE_OWNER)
