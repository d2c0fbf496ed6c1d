"""Console pages of the rights procedures: department queues, case pages, counter, figures."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from itertools import zip_longest
from typing import Annotated, Any, Literal, TypedDict, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.auth.scope import platform_wide
from xinyong.catalog import labels
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import CatalogItem
from xinyong.core.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.core.i18n import t
from xinyong.core.workdays import workdays_between
from xinyong.portal import list_seam
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.rights import cases, hooks, list_objections, objections, repairs, service, stats
from xinyong.rights.models import CaseFile, CaseTarget, RightsCase
from xinyong.rights.states import CaseKind, ObjectionGround, RepairOutcome, TargetOutcome
from xinyong.subjects.models import Subject
from xinyong.web import console as kit
from xinyong.web import present as web_present
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.params import RawId, lang_of, parse_id
from xinyong.web.problems import invalid_choice

router = APIRouter(prefix="/console/rights", include_in_schema=False)

PAGE_SIZE = 25
WITH_CHANGES = frozenset({TargetOutcome.correct, TargetOutcome.supplement})
Uploads = Annotated[list[UploadFile] | None, File()]
Choice = TypeVar("Choice", ObjectionGround, TargetOutcome, RepairOutcome)


# --- shared helpers ---------------------------------------------------------------------------


def _catalog_item(code: str) -> CatalogItem | None:
    return catalog_service.get_catalog().items.get(code)


def _choice(enum: type[Choice], raw: str, field: str) -> Choice:
    """The enum member a form value names, or Invalid listing the allowed values."""
    try:
        return enum(raw.strip())
    except ValueError:
        raise invalid_choice(field, (e.value for e in enum)) from None


def _subject_code(subject: Subject | None) -> str:
    """The code shown for a subject: its USCC, or a person's masked ID number."""
    if subject is None:
        return ""
    return subject.uscc or subject.id_number_masked or ""


def _late_days(case: RightsCase, today: date) -> int:
    """Working days past the limit: open cases up to today, closed ones up to closing."""
    if cases.is_open(case):
        return workdays_between(case.due_on, today) if case.due_on else 0
    if case.overdue_at_close and case.decide_due_on and case.closed_on:
        return workdays_between(case.decide_due_on, case.closed_on)
    return 0


HELPERS: dict[str, Any] = {
    "item_name": labels.item_name,
    "format_value": labels.format_value,
    "catalog_item": _catalog_item,
    "is_list_item": list_seam.is_list_item,
    "list_name": list_objections.list_name,
    "department_name": kit.department_name,
    "subject_code": _subject_code,
    "is_overdue": cases.is_overdue,
    "late_days": _late_days,
}


def _nav(principal: Principal) -> dict[str, bool]:
    return {"counter": policy.can(principal, "rights.counter"), "stats": platform_wide(principal)}


PAGES = kit.ConsolePages("rights", HELPERS, _nav)
_page = PAGES.page


# --- queue and figures ------------------------------------------------------------------------


def _scope(principal: Principal, requested: str) -> int | None:
    """The department whose cases a reader sees: its own, or any (admins and auditors)."""
    if platform_wide(principal):
        return parse_id(requested, "department") if requested.strip() else None
    if principal.department_id is None:
        raise Forbidden(key="rights.err.no_department", params={"principal_label": principal.label})
    return principal.department_id


def case_href(case: RightsCase) -> str:
    """A case's console page: its own, or the page of the module that decides its ground."""
    owner = hooks.owner_of(case.ground)
    return owner.console_href(case.id) if owner else f"/console/rights/cases/{case.id}"


def _subjects(session: Session, found: Iterable[RightsCase]) -> dict[int, Subject]:
    ids = {case.subject_id for case in found}
    return {s.id: s for s in session.scalars(select(Subject).where(Subject.id.in_(ids)))}


@router.get("", response_class=HTMLResponse)
def queue_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    kind: Annotated[Literal["", "objection", "repair"], Query()] = "",
    status: Annotated[Literal["open", "overdue", "all"], Query()] = "open",
    department: Annotated[str, Query(max_length=12)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """The department's cases, the most urgent first, with its figures above."""
    kit.require_staff(principal, "rights.read")
    department_id = _scope(principal, department)
    today = date.today()
    where = cases.QueueFilter(
        department_id=department_id,
        kind=CaseKind(kind) if kind else None,
        open_only=status == "open",
        overdue_only=status == "overdue",
    )
    offset = (page - 1) * PAGE_SIZE
    found, total = cases.queue(session, where=where, today=today, limit=PAGE_SIZE, offset=offset)
    oversight = platform_wide(principal)
    params: dict[str, web_present.QueryValue] = {"kind": kind, "status": status}
    params["department"] = department_id if oversight else None
    return _page(
        request,
        principal,
        "queue.html",
        {
            "found": found,
            "subjects": _subjects(session, found),
            "today": today,
            "total": total,
            "figures": stats.figures(session, department_id=department_id, today=today),
            "params": params,
            "href": web_present.href,
            "case_href": case_href,
            "oversight": oversight,
            "departments": kit.departments_by_id(session),
            "department_id": department_id,
            "pager": web_present.pager(
                "/console/rights", params, total=total, page=page, limit=PAGE_SIZE
            ),
            "can_counter": policy.can(principal, "rights.counter"),
        },
    )


@router.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request, principal: CurrentPrincipal, session: DbSession) -> Response:
    """Platform-wide figures and each deciding department's (admins and auditors)."""
    kit.require_staff(principal, "rights.read")
    if not platform_wide(principal):
        raise Forbidden(key="rights.err.platform_figures")
    today = date.today()
    departments = kit.departments_by_id(session)
    ids = sorted(session.scalars(select(RightsCase.department_id).distinct()).all())
    per_department = [
        (departments.get(i), stats.figures(session, department_id=i, today=today)) for i in ids
    ]
    context = {"total": stats.figures(session, today=today), "per_department": per_department}
    return _page(request, principal, "stats.html", context)


# --- case page --------------------------------------------------------------------------------


def _case_context(session: Session, principal: Principal, case: RightsCase) -> dict[str, Any]:
    today = date.today()
    detail = service.detail(session, case, today=today)
    subject = session.get(Subject, case.subject_id)
    targets: list[tuple[CaseTarget, Record, Record]] = [
        (target, filed, records_service.current_of(session, filed))
        for target, filed in detail.targets
    ]
    actors = {case.applicant, case.decided_by or "", *(e.actor for e in detail.timeline)}
    actors |= {f.uploaded_by for f in detail.files}
    return {
        "case": case,
        "detail": detail,
        "subject": subject,
        "subject_code": _subject_code(subject),
        "departments": kit.departments_by_id(session),
        "targets": targets,
        "actors": kit.actor_names(session, actors - {""}),
        "late_days": _late_days(case, today),
        "may_decide": policy.can(principal, "rights.decide")
        and principal.department_id == case.department_id,
        "target_outcomes": list(TargetOutcome),
        "repair_outcomes": list(RepairOutcome),
        "commitment_text": repairs.COMMITMENT_TEXT,
        "error": None,
        "failed_step": None,
        "form": None,
        "prefill": {},
    }


def _case_response(
    request: Request,
    session: Session,
    principal: Principal,
    case_id: int,
    *,
    error: tuple[str, str] | None = None,
    failed: tuple[str, StepForm] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The case page; after a refused step, with the message and the officer's entries."""
    case = service.readable(session, principal, case_id)
    context = {**_case_context(session, principal, case), "error": error}
    if failed is not None:
        step, form = failed
        rows = zip_longest(form.record_id, form.outcome, form.reason, form.changes, fillvalue="")
        prefill = {r: {"outcome": o, "reason": why, "changes": c} for r, o, why, c in rows}
        context.update(failed_step=step, form=form, prefill=prefill)
    return _page(request, principal, "case.html", context, status=status)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, case_id: RawId, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """One case: applicant, ground, records, files, timeline, limits and the forms to act."""
    kit.require_staff(principal, "rights.read")
    case = service.readable(session, principal, parse_id(case_id, "case", error=NotFound))
    if hooks.owner_of(case.ground) is not None:  # decided on its owner's page (a grade)
        return RedirectResponse(case_href(case), status_code=303)
    return _case_response(request, session, principal, case.id)


@router.get("/cases/{case_id}/files/{file_id}")
def case_file(
    case_id: RawId, file_id: RawId, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """An evidence file of a case, as a download (never shown inline)."""
    kit.require_staff(principal, "rights.read")
    case = service.readable(session, principal, parse_id(case_id, "case", error=NotFound))
    row = session.get(CaseFile, parse_id(file_id, "file", error=NotFound))
    if row is None or row.case_id != case.id:
        raise NotFound(
            key="rights.err.no_file", params={"case_number": case.number, "file_id": file_id}
        )
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(row.content, media_type=row.content_type, headers=headers)


# --- acting on a case -------------------------------------------------------------------------


class StepForm(BaseModel):
    """The fields of the case page's action forms (each form sends the ones it has)."""

    version: str = Field("", max_length=12)
    record_id: list[str] = Field(default_factory=list, max_length=50)
    outcome: list[str] = Field(default_factory=list, max_length=50)
    reason: list[str] = Field(default_factory=list, max_length=50)
    changes: list[str] = Field(default_factory=list, max_length=50)
    missing: str = Field("", max_length=5000)
    reapply_from: str = Field("", max_length=20)

    def first(self, name: Literal["outcome", "reason"]) -> str:
        values: list[str] = getattr(self, name)
        return values[0] if values else ""


class Officer(TypedDict):
    """Who takes a step, for which department, on which version of the case."""

    actor: str
    department_id: int | None
    expected_version: int


def _changes(text: str, record_id: int) -> dict[str, str]:
    """``field=value`` lines (blank lines ignored) as a dict, or Invalid naming the line."""
    changes: dict[str, str] = {}
    for number, line in enumerate(text.replace("＝", "=").splitlines(), 1):
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise Invalid(
                key="rights.err.changes_line",
                params={"record_id": record_id, "number": number},
                details={"field": f"changes[{record_id}]", "line": number},
            )
        changes[name.strip()] = value.strip()
    return changes


def _decisions(form: StepForm) -> list[objections.TargetDecision]:
    """One decision per record: the outcome, the reasons, and field=value changes if any."""
    rows = (form.record_id, form.outcome, form.reason, form.changes)
    if not form.record_id or len({len(row) for row in rows}) != 1:
        raise Invalid(key="rights.err.decide_every", details={"field": "outcome"})
    decisions = []
    for raw_id, raw_outcome, reason, change in zip(*rows, strict=True):
        record_id = parse_id(raw_id, "record_id")
        outcome = _choice(TargetOutcome, raw_outcome, f"outcome[{record_id}]")
        edits = _changes(change, record_id) if outcome in WITH_CHANGES else {}
        decisions.append(objections.TargetDecision(record_id, outcome, reason, edits))
    return decisions


def _reapply(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        raise Invalid(key="rights.err.reapply_from", details={"field": "reapply_from"}) from None


def _decide(session: Session, case: RightsCase, who: Officer, form: StepForm) -> object:
    if case.kind == CaseKind.objection.value:
        return objections.decide(session, case_id=case.id, decisions=_decisions(form), **who)
    outcome = _choice(RepairOutcome, form.first("outcome"), "outcome")
    reapply_from = _reapply(form.reapply_from)
    reason = form.first("reason")
    return repairs.decide(
        session, case_id=case.id, outcome=outcome, reason=reason, reapply_from=reapply_from, **who
    )


Step = Callable[[Session, RightsCase, Officer, StepForm], object]
# path -> (the step, the endpoint's description)
STEPS: dict[str, tuple[Step, str]] = {
    "decide": (_decide, "Decide an objection record by record, or a repair."),
    "extend": (
        lambda s, case, who, f: service.extend(s, case_id=case.id, reason=f.first("reason"), **who),
        "Extend the decision limit once, with the approved reason.",
    ),
    "accept": (
        lambda s, case, who, f: repairs.accept(s, case_id=case.id, **who),
        "Accept a repair application.",
    ),
    "request-material": (
        lambda s, case, who, f: repairs.request_material(
            s, case_id=case.id, missing=f.missing, **who
        ),
        "Ask the applicant once, completely, for the missing material.",
    ),
    "not-accept": (
        lambda s, case, who, f: repairs.not_accept(
            s, case_id=case.id, reason=f.first("reason"), **who
        ),
        "Refuse to accept a repair application (不予受理), with the reason.",
    ),
}


def _act(
    request: Request,
    session: Session,
    principal: Principal,
    raw_id: str,
    path: str,
    form: StepForm,
) -> Response:
    """Run one step on a readable case; a bad form or a stale version re-renders the page."""
    kit.require_staff(principal, "rights.decide")
    case_id = parse_id(raw_id, "case", error=NotFound)
    case = service.readable(session, principal, case_id)
    try:
        who = Officer(
            actor=principal.actor,
            department_id=principal.department_id,
            expected_version=parse_id(form.version, "version"),
        )
        STEPS[path][0](session, case, who, form)
    except (Invalid, Conflict, NotFound) as error:  # NotFound: e.g. a field the item lacks
        session.rollback()  # nothing of a refused step is kept
        conflict = isinstance(error, Conflict)
        message = t("rc.error.conflict" if conflict else "rc.error.invalid", lang_of(request))
        return _case_response(
            request,
            session,
            principal,
            case_id,
            error=(message, error.localized(lang_of(request))),
            failed=(path, form),
            status=409 if conflict else 422,
        )
    return RedirectResponse(f"/console/rights/cases/{case_id}", status_code=303)


STEP_DOCS = {path: doc for path, (_, doc) in STEPS.items()}
kit.add_step_routes(
    router, "/cases/{case_id}", StepForm, _act, docs=STEP_DOCS, name="rights_console"
)


# --- counter ----------------------------------------------------------------------------------
