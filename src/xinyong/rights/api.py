"""JSON API of the rights procedures (thin): objections, repairs, cases, figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.auth import policy, scope
from xinyong.auth.principal import Principal
from xinyong.core.errors import API_ERRORS, Forbidden, Invalid, NotFound, Unauthorized, label
from xinyong.core.text import clean_text
from xinyong.notices import service as notices_service
from xinyong.records.models import Record
from xinyong.rights import cases, eligibility, evidence, objections, repairs, service, stats
from xinyong.rights.config import get_config
from xinyong.rights.models import CaseFile, RightsCase
from xinyong.rights.objections import MAX_TARGETS, ObjectionApplication, TargetDecision
from xinyong.rights.repairs import RepairApplication
from xinyong.rights.schemas import (
    CasePage,
    CaseRead,
    CaseSummaryRead,
    Contact,
    DecisionBody,
    EligibilityRead,
    MaterialRequestBody,
    NoticeRead,
    ReasonBody,
    RightsFiguresRead,
    RowId,
    SubjectCode,
    Text,
    VersionBody,
    WithdrawBody,
    case_read,
)
from xinyong.rights.states import CaseKind, ObjectionGround
from xinyong.subjects import service as subjects_service
from xinyong.web.deps import CurrentPrincipal, DbSession, requires
from xinyong.web.params import PathId

router = APIRouter(
    prefix="/api/v1",
    tags=["rights · 异议与信用修复"],
    responses=API_ERRORS,
)

ZH_DEPARTMENT = "部门标识或代码 · department key or code (admins and auditors)"


# --- who may call ---------------------------------------------------------------------------


def _refuse(principal: Principal, what: dict[str, str]) -> None:
    if principal.kind == "anonymous":
        raise Unauthorized(key="rights.err.login")
    raise Forbidden(
        key="rights.err.may_not", params={"principal_label": principal.label, "what": what}
    )


def _filer(principal: CurrentPrincipal) -> Principal:
    """A subject filing for itself, or counter staff filing for a subject (no API keys)."""
    if not (policy.can(principal, "rights.apply") or policy.can(principal, "rights.counter")):
        _refuse(principal, label("auth.action.rights.apply"))
    return principal


def _eligibility_reader(principal: CurrentPrincipal) -> Principal:
    """The subject (its own records) or staff at the counter or reading cases."""
    staff_reader = principal.kind == "staff" and policy.can(principal, "rights.read")
    if not (policy.can(principal, "rights.apply") or staff_reader):
        _refuse(principal, label("rights.what.eligibility"))
    return principal


def _applicant_subject(principal: CurrentPrincipal) -> Principal:
    policy.require(principal, "rights.apply")
    if principal.subject_id is None:
        raise Forbidden(key="rights.err.own_account")
    return principal


Filer = Annotated[Principal, Depends(_filer)]
EligibilityReader = Annotated[Principal, Depends(_eligibility_reader)]
Reader = Annotated[Principal, Depends(requires("rights.read"))]
Decider = Annotated[Principal, Depends(requires("rights.decide"))]
SubjectCaller = Annotated[Principal, Depends(_applicant_subject)]


def _department_scope(session: Session, principal: Principal, department: str | None) -> int | None:
    """The department a staff caller looks at: any (admins, auditors) or its own."""
    return scope.department_scope(session, principal, department, what="cases")


# --- what the calls carry -------------------------------------------------------------------


def _applicant(
    session: Session, principal: Principal, subject_code: str | None, contact: str | None
) -> cases.Applicant:
    """Who files: the subject itself (portal) or counter staff for the named subject."""
    contact_text = clean_text(contact or "", multiline=False) or None
    if principal.kind == "subject" and principal.subject_id is not None:
        if subject_code:
            own = subjects_service.get(session, principal.subject_id)
            if not subjects_service.has_code(own, subject_code):
                raise Forbidden(
                    key="rights.err.files_for_itself", details={"field": "subject_code"}
                )
        return cases.Applicant(
            principal.actor, principal.subject_id, "portal", principal.account_id, contact_text
        )
    if not subject_code:
        raise Invalid(
            key="rights.err.name_subject",
            details={"field": "subject_code"},
        )
    subject = subjects_service.find_by_code(session, subject_code)
    if subject is None:
        raise Invalid(
            key="rights.err.no_subject",
            params={"subject_code": subject_code},
            details={"field": "subject_code"},
        )
    return cases.Applicant(
        principal.actor, subject.id, "counter", principal.account_id, contact_text
    )


def _check_count(count: int, *, field: str, already: int = 0) -> None:
    limit = get_config().evidence.max_files
    if already + count > limit:
        raise Invalid(
            key="rights.err.max_files",
            params={"limit": limit},
            details={"field": field, "limit": limit},
        )


def _case_read(session: Session, case: RightsCase) -> CaseRead:
    return case_read(service.detail(session, case))


def _as_staff(principal: Principal, version: int) -> dict[str, Any]:
    """Who takes a department step, for which department, on which version of the case."""
    return {
        "actor": principal.actor,
        "department_id": principal.department_id,
        "expected_version": version,
    }


# --- filing ---------------------------------------------------------------------------------

Files = Annotated[
    list[UploadFile] | None, File(description="证据文件 · evidence (PDF, JPEG, PNG, OFD)")
]


RecordIds = Annotated[
    list[RowId] | None,
    Form(max_length=MAX_TARGETS, description="异议的信用记录 · the records objected to"),
]
ListEntryIds = Annotated[
    list[RowId] | None,
    Form(
        max_length=MAX_TARGETS,
        description="异议的名单记录 · the list entries objected to (notified or listed; "
        "grounds wrongly_listed or not_removed); instead of record_ids",
    ),
]


@router.post("/objections", response_model=CaseRead, status_code=201)
def file_objection(
    principal: Filer,
    session: DbSession,
    ground: Annotated[ObjectionGround, Form()],
    statement: Annotated[Text, Form()],
    record_ids: RecordIds = None,
    list_entry_ids: ListEntryIds = None,
    files: Files = None,
    contact: Annotated[Contact | None, Form()] = None,
    subject_code: Annotated[SubjectCode | None, Form()] = None,
) -> CaseRead:
    """File an objection to records (marked 异议处理中 at once) or to list entries, one of the
    two (held at once: a notified entry is not listed until decided, a listed one is marked
    disputed) · 提出异议 / 名单异议."""
    _check_count(len(files or []), field="files")
    applicant = _applicant(session, principal, subject_code, contact)
    application = ObjectionApplication(
        record_ids=record_ids or [],
        list_entry_ids=list_entry_ids or [],
        ground=ground,
        statement=statement,
        files=evidence.read_uploads(files, kind="evidence", field="files"),
    )
    case = objections.apply(session, applicant=applicant, application=application)
    return _case_read(session, case)


@router.get("/records/{record_id}/repair-eligibility", response_model=EligibilityRead)
def repair_eligibility(
    record_id: PathId, principal: EligibilityReader, session: DbSession
) -> EligibilityRead:
    """Whether a record can be repaired now, why not, and from when · 修复条件."""
    record = session.get(Record, record_id)
    if record is None:
        raise NotFound(key="rights.err.no_record", params={"record_id": record_id})
    if principal.kind == "subject" and record.subject_id != principal.subject_id:
        raise Forbidden(key="rights.err.not_own_record", params={"record_id": record_id})
    answer = eligibility.check(session, record, today=date.today())
    return EligibilityRead.model_validate(answer)


@router.post("/repairs", response_model=CaseRead, status_code=201)
def file_repair(
    principal: Filer,
    session: DbSession,
    record_id: Annotated[RowId, Form()],
    statement: Annotated[Text, Form()],
    commitment: Annotated[bool, Form(description="信用承诺 · the commitment (must be true)")],
    proof: Annotated[list[UploadFile], File(description="履行义务的证明 · proof (at least one)")],
    files: Files = None,
    contact: Annotated[Contact | None, Form()] = None,
    subject_code: Annotated[SubjectCode | None, Form()] = None,
) -> CaseRead:
    """Apply for credit repair of an eligible record, with proof and a commitment · 申请修复."""
    _check_count(len(proof) + len(files or []), field="files")
    applicant = _applicant(session, principal, subject_code, contact)
    uploads = evidence.read_uploads(proof, kind="proof", field="proof")
    uploads += evidence.read_uploads(files, kind="evidence", field="files")
    application = RepairApplication(
        record_id=record_id, statement=statement, commitment_accepted=commitment, files=uploads
    )
    case = repairs.apply(session, applicant=applicant, application=application)
    return _case_read(session, case)


# --- reading --------------------------------------------------------------------------------


@router.get("/cases", response_model=CasePage)
def list_cases(
    principal: Reader,
    session: DbSession,
    kind: CaseKind | None = None,
    open_only: bool = False,
    overdue_only: bool = False,
    department: Annotated[str | None, Query(max_length=64, description=ZH_DEPARTMENT)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CasePage:
    """Cases the caller may see, the most urgent first · 案件列表."""
    subject_id = principal.subject_id if principal.kind == "subject" else None
    department_id = None if subject_id else _department_scope(session, principal, department)
    where = cases.QueueFilter(department_id, subject_id, kind, open_only, overdue_only)
    today = date.today()
    found, total = cases.queue(session, where=where, today=today, limit=limit, offset=offset)
    items = [
        CaseSummaryRead.model_validate(
            {**_summary_fields(case), "overdue": cases.is_overdue(case, today)}
        )
        for case in found
    ]
    return CasePage(total=total, limit=limit, offset=offset, items=items)


def _summary_fields(case: RightsCase) -> dict[str, object]:
    return {name: getattr(case, name) for name in CaseSummaryRead.model_fields if name != "overdue"}


@router.get("/cases/{case_id}", response_model=CaseRead)
def case_detail(case_id: PathId, principal: Reader, session: DbSession) -> CaseRead:
    """One case: its records (no contents), timeline, files and deadlines · 案件详情."""
    return _case_read(session, service.readable(session, principal, case_id))


def _attachment(filename: str) -> str:
    """Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987)."""
    fallback = "".join(ch if " " <= ch <= "~" and ch not in '"\\;%' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get(
    "/cases/{case_id}/files/{file_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the file"}},
)
def download_file(
    case_id: PathId, file_id: PathId, principal: Reader, session: DbSession
) -> Response:
    """Download one of a case's files · 下载案件材料."""
    case = service.readable(session, principal, case_id)
    row = session.get(CaseFile, file_id)
    if row is None or row.case_id != case.id:
        raise NotFound(
            key="rights.err.no_file", params={"case_number": case.number, "file_id": file_id}
        )
    headers = {
        "Content-Disposition": _attachment(row.filename),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    return Response(row.content, media_type=row.content_type, headers=headers)


# --- the department's steps -----------------------------------------------------------------


@router.post("/cases/{case_id}/decision", response_model=CaseRead)
def decide(case_id: PathId, body: DecisionBody, principal: Decider, session: DbSession) -> CaseRead:
    """Decide a case: per record for an objection, repaired or refused for a repair · 决定."""
    case = cases.get(session, case_id)
    staff = _as_staff(principal, body.version)
    objections.refuse_if_decided_elsewhere(case)
    if case.kind == CaseKind.objection.value:
        if body.decisions is None:
            raise Invalid(key="rights.err.by_record", details={"field": "decisions"})
        decisions = [
            TargetDecision(d.record_id, d.outcome, d.reason, dict(d.changes))
            for d in body.decisions
        ]
        case = objections.decide(session, case_id=case.id, decisions=decisions, **staff)
    else:
        if body.outcome is None:
            raise Invalid(key="rights.err.repair_outcome", details={"field": "outcome"})
        case = repairs.decide(
            session,
            case_id=case.id,
            outcome=body.outcome,
            reason=body.reason or "",
            reapply_from=body.reapply_from,
            **staff,
        )
    return _case_read(session, case)


@router.post("/cases/{case_id}/accept", response_model=CaseRead)
def accept(case_id: PathId, body: VersionBody, principal: Decider, session: DbSession) -> CaseRead:
    """Accept a repair application; the decision limit starts · 受理."""
    case = repairs.accept(
        session,
        case_id=case_id,
        **_as_staff(principal, body.version),
    )
    return _case_read(session, case)


@router.post("/cases/{case_id}/request-material", response_model=CaseRead)
def request_material(
    case_id: PathId, body: MaterialRequestBody, principal: Decider, session: DbSession
) -> CaseRead:
    """Tell the applicant once and completely what is missing · 一次性告知补正."""
    case = repairs.request_material(
        session,
        case_id=case_id,
        missing=body.missing,
        **_as_staff(principal, body.version),
    )
    return _case_read(session, case)


@router.post("/cases/{case_id}/not-accept", response_model=CaseRead)
def not_accept(
    case_id: PathId, body: ReasonBody, principal: Decider, session: DbSession
) -> CaseRead:
    """Refuse to accept a repair application, with the reason · 不予受理."""
    case = repairs.not_accept(
        session,
        case_id=case_id,
        reason=body.reason,
        **_as_staff(principal, body.version),
    )
    return _case_read(session, case)


@router.post("/cases/{case_id}/extend", response_model=CaseRead)
def extend(case_id: PathId, body: ReasonBody, principal: Decider, session: DbSession) -> CaseRead:
    """Extend the decision limit once, with the approval's reason · 延长办理期限."""
    case = service.extend(
        session,
        case_id=case_id,
        reason=body.reason,
        **_as_staff(principal, body.version),
    )
    return _case_read(session, case)


# --- the applicant's steps ------------------------------------------------------------------


@router.post("/cases/{case_id}/withdraw", response_model=CaseRead)
def withdraw(
    case_id: PathId, principal: SubjectCaller, session: DbSession, body: WithdrawBody | None = None
) -> CaseRead:
    """Withdraw one's own open case; disputed records lose their mark · 撤回申请."""
    case = service.withdraw(
        session,
        case_id=case_id,
        subject_id=principal.subject_id,
        actor=principal.actor,
        reason=body.reason if body else "",
        expected_version=body.version if body else None,
    )
    return _case_read(session, case)


@router.post("/cases/{case_id}/material", response_model=CaseRead)
def hand_in_material(
    case_id: PathId,
    principal: SubjectCaller,
    session: DbSession,
    files: Files = None,
    note: Annotated[Text, Form()] = "",
    version: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
) -> CaseRead:
    """Hand in the material that was asked for; acceptance starts again · 补正材料."""
    assert principal.subject_id is not None
    case = cases.get(session, case_id)
    if case.subject_id != principal.subject_id:
        raise Forbidden(key="rights.err.not_own_case", params={"case_number": case.number})
    already = session.scalar(select(func.count()).where(CaseFile.case_id == case.id)) or 0
    _check_count(len(files or []), field="files", already=already)
    applicant = cases.Applicant(
        principal.actor, principal.subject_id, "portal", principal.account_id
    )
    case = repairs.supplement(
        session,
        case_id=case.id,
        applicant=applicant,
        files=evidence.read_uploads(files, kind="material", field="files"),
        note=note,
        expected_version=version,
    )
    return _case_read(session, case)


# --- figures and notices --------------------------------------------------------------------


@router.get("/rights/stats", response_model=RightsFiguresRead)
def rights_stats(
    principal: Reader,
    session: DbSession,
    department: Annotated[str | None, Query(max_length=64, description=ZH_DEPARTMENT)] = None,
) -> RightsFiguresRead:
    """Cases by kind and outcome, handling time and overdue rate · 异议修复统计."""
    if principal.kind == "subject":
        raise Forbidden(key="rights.err.figures")
    department_id = _department_scope(session, principal, department)
    figures = stats.figures(session, department_id=department_id)
    return RightsFiguresRead.model_validate(
        {**figures.__dict__, "department_id": department_id}, from_attributes=True
    )


@router.get("/me/notices", response_model=list[NoticeRead])
def my_notices(
    principal: SubjectCaller,
    session: DbSession,
    lang: Literal["zh", "en"] = "zh",
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> list[NoticeRead]:
    """My notices (cases received, decided …) in Chinese or English · 我的通知."""
    assert principal.subject_id is not None
    notices = notices_service.for_subject(session, subject_id=principal.subject_id, limit=limit)
    return [
        NoticeRead(
            id=n.id,
            key=n.key,
            text=notices_service.text(n, lang),
            ref_type=n.ref_type,
            ref_id=n.ref_id,
            created_at=n.created_at,
            read_at=n.read_at,
        )
        for n in notices
    ]
