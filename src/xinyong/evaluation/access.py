"""Reading grades: the subject its own; staff and systems for a stated purpose, registered."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from xinyong.auth import policy, queries
from xinyong.auth.principal import Principal
from xinyong.core.errors import Invalid, NotFound
from xinyong.core.i18n import Language
from xinyong.evaluation import explain, service
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject


def explained(session: Session, *, subject_id: int, lang: Language) -> list[explain.Explanation]:
    """The subject's current result of every model, explained."""
    return [
        explain.explain(session, result=r, run=service.get_run(session, r.run_id), lang=lang)
        for r in service.current_results(session, subject_id=subject_id)
    ]


def read_for_staff(
    session: Session, *, principal: Principal, code: str, purpose: str | None, lang: Language
) -> tuple[Subject, list[explain.Explanation]]:
    """A subject's grades for authorised staff or systems: a purpose is required and the read
    is registered (查询登记), so the subject sees who looked and why."""
    policy.require(principal, "evaluations.read")
    subject = subjects_service.find_by_code(session, code)
    if subject is None:
        raise NotFound(f"没有主体 {code} · no subject {code}", details={"field": "code"})
    try:
        reason = queries.checked_purpose(purpose)
    except Invalid:
        queries.register(
            session,
            principal=principal,
            subject_id=subject.id,
            what=["evaluation"],
            purpose=(purpose or "")[:500],
            outcome="refused",
        )
        raise
    found = explained(session, subject_id=subject.id, lang=lang)
    queries.register(
        session,
        principal=principal,
        subject_id=subject.id,
        what=["evaluation"],
        purpose=reason,
        outcome="allowed",
        detail={"models": [e.model_code for e in found]},
    )
    return subject, found


def subject_json(subject: Subject, found: list[explain.Explanation]) -> dict[str, Any]:
    """A subject's explained results as JSON."""
    return {
        "subject": {"id": subject.id, "name": subject.name, "uscc": subject.uscc},
        "results": [explain.as_json(e) for e in found],
    }
