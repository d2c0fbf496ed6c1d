"""Objections against a grade (评价结果异议) through the rights workflow.

A subject (portal) or counter staff objects to the subject's current result of one model: a
rights case (异议, ground ``wrong_grade``) is opened for the credit office with the working-day
limits of objections, and ``evaluation_objections`` links it to the result. The office decides:
upheld, the subject is scored again on the data as it stands (a new run of the model for the
subject alone, so a corrected record or an ended list entry counts at once) and told its new
grade; kept, the grade stays and the subject is told why. Every step is on the case's timeline
and in the audit log. Rights never imports this module (evaluation reads rights, not back):
the generic decision of record objections refuses a case without records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.core.errors import Conflict, Invalid, NotFound
from xinyong.core.workdays import add_workdays
from xinyong.evaluation import service
from xinyong.evaluation.config import get_models
from xinyong.evaluation.models import EvaluationResult, GradeObjection
from xinyong.notices import service as notices_service
from xinyong.rights import cases
from xinyong.rights.config import get_config as rights_config
from xinyong.rights.hooks import CaseOwner
from xinyong.rights.models import RightsCase
from xinyong.rights.objections import statement_text
from xinyong.rights.states import OPEN_STATES, CaseKind, CaseOutcome, CaseState
from xinyong.subjects.models import Department, Subject

GROUND = "wrong_grade"
# Rights sends staff and API callers deciding a grade case here (registered by effects).
CASE_OWNER = CaseOwner(
    console_href=lambda case_id: f"/console/evaluation/objections/{case_id}",
    api_decision=lambda case_id: f"/api/v1/evaluations/objections/{case_id}/decision",
)


@dataclass(frozen=True)
class GradeCase:
    """A grade objection: its rights case and the link to the result objected to."""

    case: RightsCase
    link: GradeObjection


def _office(session: Session) -> Department:
    office = session.scalar(select(Department).where(Department.is_credit_office.is_(True)))
    if office is None:
        raise Conflict(key="ev.obj.err.no_office")
    return office


def open_objection(session: Session, *, subject_id: int, model_code: str) -> GradeCase | None:
    """The open objection against the subject's grade of this model, if there is one."""
    stmt = (
        select(RightsCase, GradeObjection)
        .join(GradeObjection, GradeObjection.case_id == RightsCase.id)
        .where(
            GradeObjection.subject_id == subject_id,
            GradeObjection.model_code == model_code,
            RightsCase.state.in_([s.value for s in OPEN_STATES]),
        )
    )
    row = session.execute(stmt).first()
    return GradeCase(row[0], row[1]) if row else None


def _current_result(
    session: Session, subject_id: int, model_code: str, run_id: int | None
) -> EvaluationResult:
    """The subject's current result of the model (the one seen, when ``run_id`` names it)."""
    details = {"field": "model", "model": model_code}
    current = {r.model_code: r for r in service.current_results(session, subject_id=subject_id)}
    result = current.get(model_code)
    if result is None:
        raise NotFound(key="ev.obj.err.no_result", params={"model": model_code}, details=details)
    if run_id is not None and result.run_id != run_id:
        raise Invalid(key="ev.obj.err.not_current", params={"model": model_code}, details=details)
    return result


def apply(
    session: Session,
    *,
    applicant: cases.Applicant,
    model_code: str,
    statement: str,
    run_id: int | None = None,
    today: date | None = None,
) -> GradeCase:
    """Object to the subject's current grade of one model (of run ``run_id``, when the
    applicant saw that one): a case for the credit office, registered at once with the
    objection's working-day limit; both sides are told."""
    today = today or date.today()
    text = statement_text(statement)
    result = _current_result(session, applicant.subject_id, model_code, run_id)
    pending = open_objection(session, subject_id=applicant.subject_id, model_code=result.model_code)
    if pending is not None:
        raise Conflict(
            key="ev.obj.err.pending",
            params={"number": pending.case.number},
            details={"field": "result_id", "case": pending.case.number},
        )
    deadlines = rights_config().deadlines.objection
    case = cases.open_case(
        session,
        kind=CaseKind.objection,
        applicant=applicant,
        department_id=_office(session).id,
        state=CaseState.accepted,
        ground=GROUND,
        statement=text,
        today=today,
        due_on=add_workdays(today, deadlines.registration),
    )
    case.accepted_on = today
    case.decide_due_on = case.due_on = add_workdays(today, deadlines.verify)
    link = GradeObjection(
        case_id=case.id,
        subject_id=applicant.subject_id,
        model_code=result.model_code,
        result_id=result.id,
        grade_before=result.grade,
        score_before=result.score,
    )
    session.add(link)
    cases.log(
        session,
        case,
        actor=applicant.actor,
        action="registered",
        to_state=case.state,
        data={
            "evaluation_result": result.id,
            "model": result.model_code,
            "grade": result.grade,
            "decide_due_on": case.decide_due_on,
        },
    )
    due = case.due_on.isoformat() if case.due_on else ""
    _tell_subject(session, case, "grade_objection.received", due=due, grade=result.grade)
    notices_service.send(
        session,
        key="objection.new",
        params={"number": case.number, "due": due},
        department_id=case.department_id,
        ref=("rights_case", case.id),
    )
    session.flush()
    return GradeCase(case, link)


def _tell_subject(session: Session, case: RightsCase, key: str, **params: object) -> None:
    notices_service.send(
        session,
        key=key,
        params={"number": case.number, **params},
        subject_id=case.subject_id,
        ref=("rights_case", case.id),
    )


def get(session: Session, case_id: int) -> GradeCase:
    """The grade objection of this case, or NotFound (also for a case about records)."""
    link = session.scalar(select(GradeObjection).where(GradeObjection.case_id == case_id))
    if link is None:
        raise NotFound(key="ev.obj.err.no_case", params={"id": case_id})
    return GradeCase(cases.get(session, case_id), link)


def decide(
    session: Session,
    *,
    case_id: int,
    upheld: bool,
    reason: str,
    actor: str,
    department_id: int | None,
    expected_version: int | None = None,
    today: date | None = None,
) -> GradeCase:
    """Decide a grade objection: upheld, the subject is scored again on the data as it stands
    and its new grade stored as a new run; kept, the grade stays. The applicant is told."""
    today = today or date.today()
    found = get(session, case_id)
    case, link = found.case, found.link
    cases.check_department(case, department_id)
    text = statement_text(reason, field_name="reason")
    cases.move(
        session,
        case,
        to=CaseState.decided,
        actor=actor,
        action="decided",
        expected_version=expected_version,
    )
    if upheld:
        _regrade(session, case, link, actor=actor, today=today)
    outcome = CaseOutcome.upheld if upheld else CaseOutcome.rejected
    summary = (
        f"{link.model_code} {link.grade_before}→{link.grade_after or link.grade_before}: {text}"
    )
    cases.close(case, outcome=outcome.value, reason=summary, actor=actor, today=today)
    _tell_subject(
        session,
        case,
        f"grade_objection.decided.{outcome.value}",
        before=link.grade_before,
        after=link.grade_after or link.grade_before,
        reason=text,
    )
    session.flush()
    return found


def _regrade(
    session: Session, case: RightsCase, link: GradeObjection, *, actor: str, today: date
) -> None:
    """Score the subject again with the model on today's data; the case's timeline says so."""
    outcome = service.evaluate(
        session,
        as_of=today,
        actor=f"{actor} (case {case.number})",
        model_code=link.model_code,
        only=[link.subject_id],
    )
    run = next(r for r in outcome.runs if r.model_code == link.model_code)
    result = session.scalar(
        select(EvaluationResult).where(
            EvaluationResult.run_id == run.id, EvaluationResult.subject_id == link.subject_id
        )
    )
    if result is None:  # the subject left the model's population (kind, industry)
        raise Conflict(key="ev.obj.err.not_scored", params={"model": link.model_code})
    link.new_result_id, link.grade_after = result.id, result.grade
    cases.log(
        session,
        case,
        actor=actor,
        action="regraded",
        data={
            "model": link.model_code,
            "run": run.id,
            "grade_before": link.grade_before,
            "grade_after": result.grade,
            "score_before": link.score_before,
            "score_after": result.score,
        },
    )


def listing(
    session: Session,
    *,
    subject_id: int | None = None,
    department_id: int | None = None,
    open_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[tuple[GradeCase, Subject]], int]:
    """Grade objections, open ones first by due date, then the newest; and how many match."""
    where: list[Any] = []
    if subject_id is not None:
        where.append(GradeObjection.subject_id == subject_id)
    if department_id is not None:
        where.append(RightsCase.department_id == department_id)
    if open_only:
        where.append(RightsCase.state.in_([s.value for s in OPEN_STATES]))
    stmt = (
        select(RightsCase, GradeObjection, Subject)
        .join(GradeObjection, GradeObjection.case_id == RightsCase.id)
        .join(Subject, Subject.id == GradeObjection.subject_id)
        .where(*where)
        .order_by(RightsCase.closed_on.is_not(None), RightsCase.due_on, RightsCase.id.desc())
        .limit(limit)
        .offset(offset)
    )
    count = (
        select(func.count())
        .select_from(GradeObjection)
        .join(RightsCase, RightsCase.id == GradeObjection.case_id)
        .where(*where)
    )
    rows = [(GradeCase(case, link), subject) for case, link, subject in session.execute(stmt)]
    return rows, int(session.scalar(count) or 0)


def model_name(code: str, lang: str) -> str:
    """A model's name in the reader's language (its code if the model is gone)."""
    model = get_models().models.get(code)
    if model is None:
        return code
    return model.name.zh if lang == "zh" else model.name.en


def as_json(
    session: Session,
    found: GradeCase,
    *,
    subject: Subject | None = None,
    lang: str = "zh",
    timeline: bool = False,
) -> dict[str, Any]:
    """A grade objection for the API: the case, the grade objected to and what it became
    (``subject``: when the caller has it already, as ``listing`` gives it)."""
    case, link = found.case, found.link
    subject = subject or session.get(Subject, link.subject_id)
    body: dict[str, Any] = {
        "case_id": case.id,
        "number": case.number,
        "state": case.state,
        "outcome": case.outcome,
        "channel": case.channel,
        "subject_code": subject.uscc if subject else None,  # never a person's ID number
        "subject_name": subject.name if subject else None,
        "model": link.model_code,
        "model_name": model_name(link.model_code, lang),
        "result_id": link.result_id,
        "grade_before": link.grade_before,
        "score_before": link.score_before,
        "new_result_id": link.new_result_id,
        "grade_after": link.grade_after,
        "statement": case.statement,
        "received_on": case.received_on,
        "due_on": case.due_on,
        "decide_due_on": case.decide_due_on,
        "closed_on": case.closed_on,
        "outcome_reason": case.outcome_reason,
        "version": case.version,
    }
    if timeline:
        body["timeline"] = [
            {
                "at": event.at,
                "actor": event.actor,
                "action": event.action,
                "from_state": event.from_state,
                "to_state": event.to_state,
                "data": event.data,
            }
            for event in cases.timeline(session, case.id)
        ]
    return body
