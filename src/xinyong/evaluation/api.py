"""``/api/v1/evaluations/…``: runs, a run's figures, a subject's explained grades, one's own,
and objections against grades (filed by the subject or at the counter, decided by the credit
office through the rights workflow)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.auth.scope import platform_wide
from xinyong.core.errors import API_ERRORS, Forbidden
from xinyong.core.i18n import Language
from xinyong.evaluation import access, explain, objections, service
from xinyong.evaluation.cli import run_json
from xinyong.rights import cases
from xinyong.rights import service as rights_service
from xinyong.rights.schemas import Contact, SubjectCode, Text, Version
from xinyong.subjects import service as subjects_service
from xinyong.web.deps import CurrentPrincipal, DbSession, requires

router = APIRouter(prefix="/api/v1", tags=["evaluations · 公共信用综合评价"], responses=API_ERRORS)
Lang = Annotated[str, Query(pattern="^(zh|en)$")]


@router.get("/evaluations/runs")
def list_runs(
    session: DbSession,
    principal: CurrentPrincipal,
    model: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    """评价批次 · Evaluation runs, newest first."""
    policy.require(principal, "evaluations.read")
    return [run_json(run) for run in service.runs(session, model_code=model, limit=limit)]


@router.get("/evaluations/runs/{run_id}")
def get_run(
    run_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    session: DbSession,
    principal: CurrentPrincipal,
) -> dict[str, Any]:
    """一次评价的分布与监测 · One run with its histograms, PSI and per-indicator drift."""
    policy.require(principal, "evaluations.read")
    run = service.get_run(session, run_id)
    return {**run_json(run), "histograms": run.histograms, "drift": run.drift}


@router.get("/evaluations/subjects/{code}")
def subject_results(
    code: Annotated[str, Path(max_length=40)],
    session: DbSession,
    principal: CurrentPrincipal,
    purpose: Annotated[str | None, Query(max_length=500)] = None,
    lang: Lang = "zh",
) -> dict[str, Any]:
    """主体的评价结果及说明 · A subject's grades, explained; needs a purpose (registered)."""
    subject, found = access.read_for_staff(
        session,
        principal=principal,
        code=code.strip().upper(),
        purpose=purpose,
        lang="en" if lang == "en" else "zh",
    )
    return access.subject_json(subject, found)


@router.get("/me/evaluation")
def my_results(
    session: DbSession, principal: CurrentPrincipal, lang: Lang = "zh"
) -> list[dict[str, Any]]:
    """我的信用评价 · The logged-in subject's own grades, explained."""
    policy.require(principal, "rights.apply")
    if principal.subject_id is None:
        raise Forbidden(key="ev.err.own_account")
    language: Language = "en" if lang == "en" else "zh"
    return [
        explain.as_json(e)
        for e in access.explained(session, subject_id=principal.subject_id, lang=language)
    ]


# --- objections against grades (评价结果异议) ------------------------------------------------

CaseId = Annotated[int, Path(ge=1, le=2_147_483_647)]
ModelCode = Annotated[str, Field(min_length=1, max_length=64)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OwnObjectionBody(_Body):
    """The subject's objection: the model whose current grade it disputes, and why."""

    model: ModelCode
    statement: Text
    run_id: int | None = Field(
        None, ge=1, le=2_147_483_647, description="the run of the grade you saw (optional)"
    )


class CounterObjectionBody(_Body):
    """Counter staff filing for a subject who came in person."""

    subject_code: SubjectCode
    model: ModelCode
    statement: Text
    contact: Contact | None = None


class GradeDecisionBody(_Body):
    """The credit office's decision: upheld (the subject is evaluated again) or rejected."""

    outcome: Literal["upheld", "rejected"]
    reason: Text
    version: Version


def _lang(lang: str) -> Language:
    return "en" if lang == "en" else "zh"


# Who may call is settled before the body is read (a dependency), so a caller without the
# right is refused as such, not told about the body's fields.


def _own_subject(principal: CurrentPrincipal) -> Principal:
    policy.require(principal, "rights.apply")
    if principal.subject_id is None:
        raise Forbidden(key="ev.err.own_account")
    return principal


def _staff_reader(principal: CurrentPrincipal) -> Principal:
    policy.require(principal, "rights.read")
    if principal.kind == "subject":
        raise Forbidden(key="ev.obj.err.staff_only")
    return principal


OwnSubject = Annotated[Principal, Depends(_own_subject)]
Counter = Annotated[Principal, Depends(requires("rights.counter"))]
CaseReader = Annotated[Principal, Depends(requires("rights.read"))]
StaffReader = Annotated[Principal, Depends(_staff_reader)]
Decider = Annotated[Principal, Depends(requires("rights.decide"))]


@router.post("/me/evaluation/objections", status_code=201)
def object_to_own_grade(
    principal: OwnSubject, body: OwnObjectionBody, session: DbSession, lang: Lang = "zh"
) -> dict[str, Any]:
    """对本主体的评价结果提出异议 · Object to one's own current grade of a model."""
    subject_id = principal.subject_id
    assert subject_id is not None
    applicant = cases.Applicant(principal.actor, subject_id, "api", principal.account_id)
    found = objections.apply(
        session,
        applicant=applicant,
        model_code=body.model,
        statement=body.statement,
        run_id=body.run_id,
    )
    return objections.as_json(session, found, lang=_lang(lang))


@router.get("/me/evaluation/objections")
def my_objections(
    principal: OwnSubject,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    lang: Lang = "zh",
) -> dict[str, Any]:
    """我的评价异议 · The subject's own objections against grades, open ones first."""
    rows, total = objections.listing(
        session, subject_id=principal.subject_id, limit=limit, offset=offset
    )
    items = [
        objections.as_json(session, found, subject=subject, lang=_lang(lang))
        for found, subject in rows
    ]
    return {"total": total, "limit": limit, "offset": offset, "items": items}


@router.post("/evaluations/objections", status_code=201)
def file_at_counter(
    principal: Counter, body: CounterObjectionBody, session: DbSession, lang: Lang = "zh"
) -> dict[str, Any]:
    """窗口代为提出评价异议 · Counter staff file an objection for a subject in person."""
    subject = subjects_service.get_by_code(session, body.subject_code.strip().upper())
    applicant = cases.Applicant(
        principal.actor, subject.id, "counter", principal.account_id, body.contact or None
    )
    found = objections.apply(
        session, applicant=applicant, model_code=body.model, statement=body.statement
    )
    return objections.as_json(session, found, lang=_lang(lang))


@router.get("/evaluations/objections")
def list_objections(
    principal: StaffReader,
    session: DbSession,
    open_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    lang: Lang = "zh",
) -> dict[str, Any]:
    """评价异议列表 · Objections against grades, open ones first by due date."""
    # the deciding department's cases; the credit office's admins and auditors read all
    department_id = None if platform_wide(principal) else (principal.department_id or -1)
    rows, total = objections.listing(
        session, department_id=department_id, open_only=open_only, limit=limit, offset=offset
    )
    items = [
        objections.as_json(session, found, subject=subject, lang=_lang(lang))
        for found, subject in rows
    ]
    return {"total": total, "limit": limit, "offset": offset, "items": items}


@router.get("/evaluations/objections/{case_id}")
def objection_detail(
    case_id: CaseId, principal: CaseReader, session: DbSession, lang: Lang = "zh"
) -> dict[str, Any]:
    """一件评价异议及其办理过程 · One objection against a grade with its timeline (the subject
    reads its own, the credit office and oversight any)."""
    rights_service.readable(session, principal, case_id)
    found = objections.get(session, case_id)
    return objections.as_json(session, found, lang=_lang(lang), timeline=True)


@router.post("/evaluations/objections/{case_id}/decision")
def decide_objection(
    case_id: CaseId,
    principal: Decider,
    body: GradeDecisionBody,
    session: DbSession,
    lang: Lang = "zh",
) -> dict[str, Any]:
    """决定评价异议 · Decide: upheld (the subject is evaluated again on the data as it stands
    and told its new grade) or rejected (the grade stays, with reasons)."""
    found = objections.decide(
        session,
        case_id=case_id,
        upheld=body.outcome == "upheld",
        reason=body.reason,
        actor=principal.actor,
        department_id=principal.department_id,
        expected_version=body.version,
    )
    return objections.as_json(session, found, lang=_lang(lang), timeline=True)
