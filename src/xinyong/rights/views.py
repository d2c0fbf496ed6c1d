"""Portal pages of a subject's rights: its records, objection and repair forms, its cases.

Thin: the rules live in the rights services; a refused form comes back as it was sent,
with the message next to the field it concerns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.catalog import labels
from xinyong.core import localtime
from xinyong.core.config import get_settings
from xinyong.core.errors import Conflict, Forbidden, Invalid, NotFound, XinyongError
from xinyong.core.i18n import Language, t
from xinyong.portal import list_seam, present
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.records.states import RecordState
from xinyong.rights import cases, eligibility, evidence, objections, repairs, service
from xinyong.rights.config import get_config
from xinyong.rights.list_objections import entry_rows, list_name
from xinyong.rights.models import CaseEvent, CaseTarget, RightsCase
from xinyong.rights.objections import ObjectionApplication
from xinyong.rights.repairs import RepairApplication
from xinyong.rights.states import OPEN_STATES, CaseKind, CaseState, ObjectionGround
from xinyong.subjects.models import Department
from xinyong.web import present as web_present
from xinyong.web.console import departments_by_id
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.params import MAX_ID, lang_of
from xinyong.web.problems import invalid_choice

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
MAX_TEXT = 20_000  # the services refuse more than 5,000 characters, naming the field
RecordId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
FormRecordId = Annotated[int | None, Form(ge=1, le=MAX_ID)]
CaseIdText = Annotated[str, Path(max_length=20)]
Text = Annotated[str, Form(max_length=MAX_TEXT)]
Files = Annotated[list[UploadFile] | None, File()]
Version = Annotated[int | None, Form(ge=0, le=MAX_ID)]
STEP_TAKERS = {"registered": "system", "reminded": "system", "applied": "applicant"} | {
    step: "department"
    for step in ("accepted", "not_accepted", "material_requested", "extended", "decided")
}
# The service's field names, as the form fields a message is shown beside.
FORM_FIELDS = {"record_ids": "records", "record_id": "records", "list_entry_ids": "entries"} | {
    name: name
    for name in ("files", "statement", "ground", "commitment", "note", "reason", "version")
}


@dataclass(frozen=True)
class FormError:
    """A refused form: the field concerned, what to do (page language), the service's words."""

    field: str
    text: str
    detail: str


@dataclass(frozen=True)
class Filled:
    """A form as the applicant sent it, and why it was refused (no error: a fresh form)."""

    values: dict[str, Any]
    error: FormError | None = None
    status: int = 200


@dataclass(frozen=True)
class RecordRow:
    record: Record
    open_cases: list[RightsCase]
    can_object: bool
    can_repair: bool


def _subject_id(principal: Principal) -> int:
    """These pages are the subject's own: anyone else is sent to log in or refused."""
    policy.require(principal, "rights.apply")
    if principal.subject_id is None or principal.account_id is None:
        raise Forbidden(key="rights.err.own_pages")
    return principal.subject_id


def _applicant(principal: Principal) -> cases.Applicant:
    assert principal.subject_id is not None
    return cases.Applicant(principal.actor, principal.subject_id, "portal", principal.account_id)


def _page(
    request: Request, template: str, context: dict[str, Any], *, status: int = 200
) -> HTMLResponse:
    """Render a rights page (``portal/rights/<template>``) in the portal's layout."""
    helpers = {"item_name": labels.item_name, "list_name": list_name, "local_time": _local_time}
    full = {**helpers, **context}
    return present.portal_page(request, f"rights/{template}", full, section="me", status=status)


def _local_time(at: datetime) -> str:
    return localtime.local_time(at)


def _refused(
    request: Request, session: Session, error: XinyongError, values: dict[str, Any]
) -> Filled:
    """Undo the refused attempt; the form comes back as sent, the message by its field."""
    session.rollback()
    raw = str(error.details.get("field", "")).split("[")[0]
    field = FORM_FIELDS.get(raw, "form")
    text = t(f"rp.error.{field}", lang_of(request))
    detail = error.localized(lang_of(request))
    return Filled(values, FormError(field, text, detail), error.status_code)


def _record_page(
    request: Request, session: Session, record: Record, filled: Filled, page: dict[str, Any]
) -> HTMLResponse:
    """A form about one record: the record, the file limits and the form as it was left."""
    context = {
        "record": record,
        "department": session.get(Department, record.department_id),
        "limits": _file_limits(),
        "form": filled.values,
        "error": filled.error,
        "nav": "records",
        **page,
    }
    template = "objection.html" if "grounds" in page else "repair.html"
    return _page(request, template, context, status=filled.status)


def _file_limits() -> dict[str, str]:
    rules = get_config().evidence
    return {
        "mb": f"{rules.max_file_bytes / 1024 / 1024:g}",
        "n": str(rules.max_files),
        "total": f"{get_settings().max_request_bytes / 1024 / 1024:g}",
    }


def _own_record(session: Session, subject_id: int, record_id: int | None) -> Record:
    if record_id is None:
        raise Invalid(key="rights.err.choose_record", details={"field": "record_id"})
    record = session.get(Record, record_id)
    if record is None:
        raise NotFound(
            key="rights.err.no_record",
            params={"record_id": record_id},
            details={"field": "record_id"},
        )
    if record.subject_id != subject_id:
        raise Forbidden(key="rights.err.not_own_record", params={"record_id": record_id})
    return record


def _open_cases(session: Session, subject_id: int) -> dict[int, list[RightsCase]]:
    """The subject's open cases, by the record they are about."""
    stmt = (
        select(CaseTarget.record_id, RightsCase)
        .join(RightsCase, RightsCase.id == CaseTarget.case_id)
        .where(
            RightsCase.subject_id == subject_id,
            RightsCase.state.in_([s.value for s in OPEN_STATES]),
            CaseTarget.list_entry_id.is_(None),
        )
        .order_by(RightsCase.id)
    )
    found: dict[int, list[RightsCase]] = {}
    for record_id, case in session.execute(stmt).all():
        found.setdefault(record_id, []).append(case)
    return found


def _row(record: Record, open_cases: list[RightsCase]) -> RecordRow:
    kinds = {case.kind for case in open_cases}
    live = record.is_current
    active = record.state == RecordState.active.value
    can_object = live and active and CaseKind.objection.value not in kinds
    dishonesty = record.severity is not None and record.polarity != "positive"
    repairable = live and record.state in eligibility.REPAIRABLE_STATES
    can_repair = dishonesty and repairable and CaseKind.repair.value not in kinds
    return RecordRow(record, open_cases, can_object, can_repair)


@router.get("/rights/objection")
@router.get("/rights/repair")
def rights_entry() -> Response:
    """The public portal's rights buttons lead to the subject's own records."""
    return RedirectResponse("/portal/me/records", status_code=303)


@router.get("/portal/me/records", response_class=HTMLResponse)
def my_records(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """The subject's own current records and list entries, with what it may do about each."""
    subject_id = _subject_id(principal)
    open_cases = _open_cases(session, subject_id)
    rows = [
        _row(record, open_cases.get(record.id, []))
        for record in records_service.for_subject(session, subject_id)
    ]
    entries = entry_rows(session, subject_id, today=date.today())
    context = {"rows": rows, "entries": entries, "departments": departments_by_id(session)}
    return _page(request, "records.html", {**context, "nav": "records"})


def _objection_blocked(session: Session, record: Record, lang: Language) -> str | None:
    """Why this record cannot be objected to now (None: it can)."""
    open_cases = cases.open_cases_of_record(session, record.id, CaseKind.objection)
    if open_cases:
        return t("rp.objection.blocked_open", lang).format(number=open_cases[0].number)
    if not record.is_current:
        return t("rp.objection.blocked_version", lang)
    if record.state != RecordState.active.value:
        state = t(f"record.state.{record.state}", lang)
        return t("rp.objection.blocked_state", lang).format(state=state)
    return None


def _other_records(session: Session, record: Record) -> list[Record]:
    """Records the same objection may name as well: same department, active, undisputed."""
    disputed = _open_cases(session, record.subject_id)
    return [
        other
        for other in records_service.for_subject(session, record.subject_id)
        if other.id != record.id
        and other.department_id == record.department_id
        and other.state == RecordState.active.value
        and not any(c.kind == CaseKind.objection.value for c in disputed.get(other.id, []))
    ]


def _objection_page(
    request: Request, session: Session, record: Record, filled: Filled
) -> HTMLResponse:
    config = get_config()
    is_list = list_seam.is_list_item(record.item_code)
    page = {
        "blocked": _objection_blocked(session, record, lang_of(request)),
        "grounds": [g for g in ObjectionGround if is_list or g not in objections.LIST_GROUNDS],
        "others": _other_records(session, record),
        "deadlines": config.deadlines.objection,
        "legal_basis": config.objection.legal_basis,
    }
    return _record_page(request, session, record, filled, page)


def _ground(value: str) -> ObjectionGround:
    try:
        return ObjectionGround(value)
    except ValueError:
        raise invalid_choice("ground", (g.value for g in ObjectionGround)) from None


def _record_ids(first: int, also: list[int] | None) -> list[int]:
    extra = also or []
    if any(not 1 <= record_id <= MAX_ID for record_id in extra):
        raise Invalid(key="rights.err.unknown_record", details={"field": "record_ids"})
    return [first, *extra]


@router.get("/portal/rights/objection", response_class=HTMLResponse)
def objection_form(
    request: Request, session: DbSession, principal: CurrentPrincipal, record_id: RecordId = None
) -> Response:
    """The objection form for one of the subject's records, with the rules that apply."""
    record = _own_record(session, _subject_id(principal), record_id)
    filled = Filled({"ground": "", "statement": "", "also": []})
    return _objection_page(request, session, record, filled)


@router.post("/portal/rights/objection", response_class=HTMLResponse)
def objection_submit(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    record_id: FormRecordId = None,
    ground: Annotated[str, Form(max_length=40)] = "",
    statement: Text = "",
    also: Annotated[list[int] | None, Form()] = None,
    files: Files = None,
) -> Response:
    """File the objection; its records are marked 异议处理中 at once."""
    record = _own_record(session, _subject_id(principal), record_id)
    try:
        application = ObjectionApplication(
            record_ids=_record_ids(record.id, also),
            ground=_ground(ground),
            statement=statement,
            files=evidence.read_uploads(files, kind="evidence", field="files"),
        )
        case = objections.apply(session, applicant=_applicant(principal), application=application)
    except (Invalid, Conflict) as error:
        sent = {"ground": ground, "statement": statement, "also": also or []}
        return _objection_page(request, session, record, _refused(request, session, error, sent))
    return RedirectResponse(f"/portal/me/cases/{case.id}", status_code=303)


def _repair_page(
    request: Request, session: Session, record: Record, filled: Filled
) -> HTMLResponse:
    lang = lang_of(request)
    answer = eligibility.check(session, record, today=date.today())
    period = labels.period_text(answer.minimum_period, lang) if answer.minimum_period else None
    page = {
        "answer": answer,
        "minimum_period": t("rp.repair.minimum_none", lang) if period == "0" else period,
        "commitment": repairs.COMMITMENT_TEXT,
        "deadlines": get_config().deadlines.repair,
    }
    return _record_page(request, session, record, filled, page)


@router.get("/portal/rights/repair", response_class=HTMLResponse)
def repair_form(
    request: Request, session: DbSession, principal: CurrentPrincipal, record_id: RecordId = None
) -> Response:
    """Whether the record can be repaired now (and if not, why and from when), then the form."""
    record = _own_record(session, _subject_id(principal), record_id)
    return _repair_page(request, session, record, Filled({"statement": ""}))


@router.post("/portal/rights/repair", response_class=HTMLResponse)
def repair_submit(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    record_id: FormRecordId = None,
    statement: Text = "",
    commitment: Annotated[str, Form(max_length=10)] = "",
    proof: Files = None,
    evidence_files: Annotated[list[UploadFile] | None, File(alias="evidence")] = None,
) -> Response:
    """File the repair application with its proof and the subject's credit commitment."""
    record = _own_record(session, _subject_id(principal), record_id)
    try:
        application = RepairApplication(
            record_id=record.id,
            statement=statement,
            commitment_accepted=commitment == "yes",
            files=[
                *evidence.read_uploads(proof, kind="proof", field="files"),
                *evidence.read_uploads(evidence_files, kind="evidence", field="files"),
            ],
        )
        case = repairs.apply(session, applicant=_applicant(principal), application=application)
    except (Invalid, Conflict) as error:
        sent = {"statement": statement, "commitment": commitment == "yes"}
        return _repair_page(request, session, record, _refused(request, session, error, sent))
    return RedirectResponse(f"/portal/me/cases/{case.id}", status_code=303)


@router.get("/portal/me/cases", response_class=HTMLResponse)
def my_cases(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    page: Annotated[int, Query(ge=1, le=500)] = 1,
) -> Response:
    """The subject's objections and repair applications, the most urgent first."""
    where = cases.QueueFilter(subject_id=_subject_id(principal))
    today = date.today()
    found, total = cases.queue(
        session, where=where, today=today, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    context = {
        "rows": [(case, cases.is_open(case), cases.is_overdue(case, today)) for case in found],
        "pager": web_present.pager("/portal/me/cases", {}, total=total, page=page, limit=PAGE_SIZE),
        "nav": "cases",
    }
    return _page(request, "cases.html", context)


def _own_case(session: Session, principal: Principal, raw: str) -> RightsCase:
    """The subject's case named by the path (NotFound for anything but a case id)."""
    _subject_id(principal)
    if not re.fullmatch(r"[0-9]{1,10}", raw) or int(raw) > MAX_ID:
        raise NotFound(key="rights.err.no_case_raw", params={"raw": raw})
    return service.readable(session, principal, int(raw))


def _who(case: RightsCase, event: CaseEvent) -> str:
    """Who took a step, as the applicant sees it: by the step, else by the actor."""
    if event.action in STEP_TAKERS:
        return STEP_TAKERS[event.action]
    if event.actor == case.applicant:
        return "applicant"
    if event.actor.startswith("system") or event.actor == "anonymous":
        return "system"
    return "department"


def _case_page(
    request: Request, session: Session, case: RightsCase, filled: Filled | None = None
) -> HTMLResponse:
    detail = service.detail(session, case)
    targets = [
        (target, filed, records_service.current_of(session, filed))
        for target, filed in detail.targets
    ]
    context = {
        "case": case,
        "detail": detail,
        "targets": targets,
        "events": [(_who(case, event), event) for event in detail.timeline],
        "is_open": cases.is_open(case),
        "material_requested": case.state == CaseState.material_requested.value,
        "limits": _file_limits(),
        "error": filled.error if filled else None,
        "nav": "cases",
    }
    return _page(request, "case.html", context, status=filled.status if filled else 200)


@router.get("/portal/me/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, session: DbSession, principal: CurrentPrincipal, case_id: CaseIdText
) -> Response:
    """One of the subject's cases: where it stands, its limits, its timeline and outcome."""
    return _case_page(request, session, _own_case(session, principal, case_id))


def _check_version(case: RightsCase, version: int | None) -> None:
    """The page the applicant acted on must still show the case as it is."""
    if version is None:
        raise Invalid(key="rights.err.version", details={"field": "version"})
    if version != case.version:
        raise Conflict(
            key="rights.err.changed",
            params={"case_number": case.number, "version": version, "case_version": case.version},
            details={"field": "version", "case": case.number},
        )


@router.post("/portal/me/cases/{case_id}/withdraw", response_class=HTMLResponse)
def withdraw(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    case_id: CaseIdText,
    version: Version = None,
    reason: Text = "",
) -> Response:
    """Withdraw an open case; a withdrawn objection takes the mark off its records."""
    case = _own_case(session, principal, case_id)
    try:
        _check_version(case, version)
        subject_id, actor = principal.subject_id, principal.actor
        service.withdraw(
            session,
            case_id=case.id,
            subject_id=subject_id,
            actor=actor,
            reason=reason,
            expected_version=version,
        )
    except (Invalid, Conflict) as error:
        return _case_page(request, session, case, _refused(request, session, error, {}))
    return RedirectResponse(f"/portal/me/cases/{case.id}", status_code=303)


@router.post("/portal/me/cases/{case_id}/material", response_class=HTMLResponse)
def hand_in_material(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    case_id: CaseIdText,
    version: Version = None,
    note: Text = "",
    files: Files = None,
) -> Response:
    """Hand in the material the department asked for; the acceptance clock starts again."""
    case = _own_case(session, principal, case_id)
    try:
        _check_version(case, version)
        uploads, applicant = (
            evidence.read_uploads(files, kind="material", field="files"),
            _applicant(principal),
        )
        repairs.supplement(
            session,
            case_id=case.id,
            applicant=applicant,
            files=uploads,
            note=note,
            expected_version=version,
        )
    except (Invalid, Conflict) as error:
        return _case_page(request, session, case, _refused(request, session, error, {}))
    return RedirectResponse(f"/portal/me/cases/{case.id}", status_code=303)
