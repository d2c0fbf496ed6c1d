"""Console pages of the lists (红黑名单管理): the queue with its figures, the proposal form and
the entry page with the steps its state allows. Thin: ``lists.access`` decides who may see
and act, ``lists.service`` acts; a refused step shows its message and writes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.auth.scope import platform_wide
from xinyong.catalog import labels
from xinyong.core.errors import Conflict, Invalid, NotFound, XinyongError
from xinyong.core.i18n import Language, t
from xinyong.lists import access, entries, queue, service
from xinyong.lists.config import ListSource, ListType, get_config
from xinyong.lists.models import ListEntry
from xinyong.lists.schemas import fields_named, subject_code
from xinyong.lists.states import ENTRY_STATES
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Department, Subject
from xinyong.web import console as kit
from xinyong.web import present as web_present
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.params import RawId, lang_of, parse_id

router = APIRouter(prefix="/console/lists", include_in_schema=False)

PAGE_SIZE = 25
MAX_FORM_TEXT = 20_000  # the service refuses more than entries.MAX_TEXT, naming the field
_SEPARATORS = re.compile(r"[,，;；、\s]+")


# --- shared helpers ---------------------------------------------------------------------------


def _list_name(code: str, lang: Language) -> str:
    spec = get_config().lists.get(code)
    if spec is None:
        return code
    return spec.name.zh if lang == "zh" else spec.name.en


HELPERS: dict[str, Any] = {
    "department_name": kit.department_name,
    "list_name": _list_name,
    "subject_code": subject_code,
    "format_value": labels.format_value,
    "period_text": labels.period_text,
    "item_name": labels.item_name,
}


def _nav(principal: Principal) -> dict[str, bool]:
    return {"propose": policy.can(principal, "lists.decide")}


PAGES = kit.ConsolePages("lists", HELPERS, _nav)
_page = PAGES.page


def _refusal(request: Request, error: XinyongError) -> tuple[dict[str, str], str, int]:
    """A refused step as the page shows it: message per field, headline, HTTP status."""
    conflict = isinstance(error, Conflict)
    field = error.details.get("field")
    errors = {field: error.localized(lang_of(request))} if isinstance(field, str) else {}
    headline = t("lc.error.conflict" if conflict else "lc.error.invalid", lang_of(request))
    return errors, headline, 409 if conflict else 422


# --- queue ------------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def queue_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    list_code: Annotated[str, Query(max_length=64)] = "",
    state: Annotated[str, Query(max_length=20)] = "",
    department: Annotated[str, Query(max_length=64)] = "",
    page: Annotated[int, Query(ge=1, le=4000)] = 1,
) -> Response:
    """The department's list entries, newest first, with its figures per list and state."""
    kit.require_staff(principal, "lists.read")
    oversight = platform_wide(principal)
    department_id = access.scope(session, principal, department if oversight else None)
    where = queue.QueueFilter(department_id, list_code or None, state or None)
    offset = (page - 1) * PAGE_SIZE
    found, total = queue.queue(session, where=where, limit=PAGE_SIZE, offset=offset)
    params: dict[str, web_present.QueryValue] = {"list_code": list_code, "state": state}
    params["department"] = department if oversight else None
    departments = kit.departments_by_id(session)
    return _page(
        request,
        principal,
        "queue.html",
        {
            "found": found,
            "subjects": queue.subjects_of(session, found),
            "total": total,
            "figures": queue.figures(session, department_id=department_id),
            "specs": list(get_config().lists.values()),
            "states": ENTRY_STATES,
            "params": params,
            "href": web_present.href,
            "oversight": oversight,
            "departments": departments,
            "department": departments.get(department_id) if department_id else None,
            "pager": web_present.pager(
                "/console/lists", params, total=total, page=page, limit=PAGE_SIZE
            ),
        },
    )


# --- proposing --------------------------------------------------------------------------------


class ProposeForm(BaseModel):
    """The fields of the proposal form (拟列入)."""

    department: str = Field(default="", max_length=64)
    list_code: str = Field(default="", max_length=64)
    subject_code: str = Field(default="", max_length=40)
    basis_record_ids: list[str] = Field(default_factory=list, max_length=200)
    legal_basis: str = Field(default="", max_length=MAX_FORM_TEXT)
    reasons: str = Field(default="", max_length=MAX_FORM_TEXT)


def _proposable(session: Session, principal: Principal, department: str) -> list[ListType]:
    """The lists the caller may propose for: platform lists its department decides."""
    platform = [s for s in get_config().lists.values() if s.source is ListSource.platform]
    chosen = department.strip() if access.is_admin(principal) else ""
    if chosen:
        found = session.scalar(
            select(Department).where((Department.key == chosen) | (Department.code == chosen))
        )
        return [s for s in platform if found is not None and found.kind in s.deciders]
    if access.is_admin(principal):
        return platform
    own = session.get(Department, principal.department_id) if principal.department_id else None
    return [s for s in platform if own is not None and own.kind in s.deciders]


def _basis_ids(raw: list[str]) -> list[int]:
    """Record ids from ticked boxes and typed numbers, or Invalid naming the field."""
    ids: list[int] = []
    for value in raw:
        for part in _SEPARATORS.split(value.strip()):
            if part and not (part.isascii() and part.isdigit() and 0 < int(part) < 2**31):
                raise Invalid(
                    key="lc.err.basis_number",
                    params={"value": part},
                    details={"field": "basis_record_ids", "value": part},
                )
            if part:
                ids.append(int(part))
    return ids


def _form_errors(
    session: Session, form: ProposeForm, lang: Language
) -> tuple[dict[str, str], Subject | None]:
    """The plain mistakes of a proposal, all at once, and the subject its code names."""
    errors: dict[str, str] = {}
    subject = None
    if not form.list_code.strip():
        errors["list_code"] = t("lc.err.choose_list", lang)
    if not form.subject_code.strip():
        errors["subject_code"] = t("lc.err.subject_missing", lang)
    else:
        subject = subjects_service.find_by_code(session, form.subject_code.strip())
        if subject is None:
            errors["subject_code"] = t("lc.err.subject_unknown", lang)
    try:
        if not _basis_ids(form.basis_record_ids):
            errors["basis_record_ids"] = t("lc.err.basis_missing", lang)
    except Invalid as error:
        value = error.details.get("value", "")
        errors["basis_record_ids"] = t("lc.err.basis_number", lang).format(value=value)
    for field in ("legal_basis", "reasons"):
        if not getattr(form, field).strip():
            errors[field] = t("lc.err.required", lang)
    return errors, subject


def _new_page(
    request: Request,
    session: Session,
    principal: Principal,
    form: ProposeForm,
    *,
    errors: dict[str, str] | None = None,
    headline: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    subject = None
    if form.subject_code.strip():
        subject = subjects_service.find_by_code(session, form.subject_code.strip())
    candidates = []
    if subject is not None:
        candidates = queue.candidate_basis(
            session, subject_id=subject.id, principal=principal, today=date.today()
        )
    try:
        ticked = set(_basis_ids(form.basis_record_ids))
        typed = ", ".join(str(i) for i in sorted(ticked - {r.id for r in candidates}))
    except Invalid:
        ticked, typed = set(), ", ".join(v for v in form.basis_record_ids if v.strip())
    context = {
        "form": form,
        "ticked": ticked,
        "typed": typed,
        "candidates": candidates,
        "lists": _proposable(session, principal, form.department),
        "admin": access.is_admin(principal),
        "departments": sorted(kit.departments_by_id(session).values(), key=lambda d: d.key),
        "subject": subject,
        "errors": errors or {},
        "headline": headline,
    }
    return _page(request, principal, "new.html", context, status=status)


@router.get("/new", response_class=HTMLResponse)
def new_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    department: Annotated[str, Query(max_length=64)] = "",
    list_code: Annotated[str, Query(max_length=64)] = "",
    subject_code: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The proposal form; with a subject code, the subject's records to tick as its basis."""
    kit.require_staff(principal, "lists.decide")
    form = ProposeForm(department=department, list_code=list_code, subject_code=subject_code)
    errors = {}
    if (
        subject_code.strip()
        and subjects_service.find_by_code(session, subject_code.strip()) is None
    ):
        errors["subject_code"] = t("lc.err.subject_unknown", lang_of(request))
    return _new_page(request, session, principal, form, errors=errors)


@router.post("/new", response_class=HTMLResponse)
def propose(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    form: Annotated[ProposeForm, Form()],
) -> Response:
    """Propose a subject for a list (拟列入); a refused proposal shows why, under the field."""
    kit.require_staff(principal, "lists.decide")
    errors, subject = _form_errors(session, form, lang_of(request))
    headline = t("lc.error.invalid", lang_of(request))
    if errors or subject is None:
        return _new_page(
            request, session, principal, form, errors=errors, headline=headline, status=422
        )
    chosen = access.is_admin(principal) and bool(form.department)
    names = {"subject_id": "subject_code", "department_id": "department" if chosen else "list_code"}
    try:
        department_id = access.proposing_department(session, principal, form.department or None)
        queue.check_filter(form.list_code.strip(), None)
        with fields_named(names):
            entry = service.propose(
                session,
                list_code=form.list_code.strip(),
                subject_id=subject.id,
                basis_record_ids=_basis_ids(form.basis_record_ids),
                legal_basis=form.legal_basis,
                reasons=form.reasons,
                actor=principal.actor,
                department_id=department_id,
                today=date.today(),
            )
    except (Invalid, Conflict, NotFound) as error:
        session.rollback()  # nothing of a refused proposal is kept
        errors, headline, status = _refusal(request, error)
        errors = errors or {"": error.localized(lang_of(request))}
        return _new_page(
            request, session, principal, form, errors=errors, headline=headline, status=status
        )
    return RedirectResponse(f"/console/lists/{entry.id}", status_code=303)


# --- the entry page and its steps -------------------------------------------------------------


class StepForm(BaseModel):
    """The fields of the entry page's step forms (each form sends the ones it has)."""

    version: str = Field(default="", max_length=12)
    reason: str = Field(default="", max_length=64)
    note: str = Field(default="", max_length=MAX_FORM_TEXT)


def _entry_page(
    request: Request,
    session: Session,
    principal: Principal,
    entry: ListEntry,
    *,
    failed: tuple[str, StepForm, XinyongError] | None = None,
) -> HTMLResponse:
    """The entry page; after a refused step, with its message and the officer's entries."""
    detail = queue.detail(session, entry)
    actors = {entry.proposed_by, *(event.actor for event in detail.timeline)}
    context: dict[str, Any] = {
        "d": detail,
        "entry": entry,
        "spec": detail.spec,
        "departments": kit.departments_by_id(session),
        "actors": kit.actor_names(session, actors, lang_of(request)),
        "may_decide": policy.can(principal, "lists.decide")
        and (access.is_admin(principal) or principal.department_id == entry.department_id),
        "conditions": [
            c
            for c in detail.spec.removal_conditions
            if c.code in access.officer_reasons(detail.spec)
        ],
        "listable_from": queue.listable_from(entry),
        "today": date.today(),
        "errors": {},
        "headline": None,
        "message": None,
        "failed_step": None,
        "form": StepForm(),
    }
    status = 200
    if failed is not None:
        step, form, error = failed
        errors, headline, status = _refusal(request, error)
        context.update(
            errors=errors,
            headline=headline,
            message=error.localized(lang_of(request)),
            failed_step=step,
            form=form,
        )
    return _page(request, principal, "entry.html", context, status=status)


@router.get("/{entry_id}", response_class=HTMLResponse)
def entry_page(
    request: Request, entry_id: RawId, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """One entry: subject, list, basis, reasons, records, deadlines, timeline and its steps."""
    kit.require_staff(principal, "lists.read")
    entry = access.readable(
        session, principal, parse_id(entry_id, "entry", error=NotFound, noun="number")
    )
    return _entry_page(request, session, principal, entry)


Step = Callable[[Session, ListEntry, Principal, StepForm, int], object]


def _remove(session: Session, entry: ListEntry, who: Principal, form: StepForm, seen: int) -> None:
    access.check_officer_reason(entries.spec_of(entry), form.reason.strip())
    service.remove(
        session,
        entry_id=entry.id,
        reason=form.reason.strip(),
        note=form.note,
        actor=who.actor,
        today=date.today(),
        expected_version=seen,
    )


# path -> (the step, the endpoint's description)
STEPS: dict[str, tuple[Step, str]] = {
    "notify": (
        lambda s, entry, who, f, seen: service.notify(
            s, entry_id=entry.id, actor=who.actor, today=date.today(), expected_version=seen
        ),
        "Tell the subject; its objection window starts (告知).",
    ),
    "list": (
        lambda s, entry, who, f, seen: service.list_entry(
            s, entry_id=entry.id, actor=who.actor, today=date.today(), expected_version=seen
        ),
        "List a notified entry once its objection window has passed (列入).",
    ),
    "remove": (
        _remove,
        "Remove a listed entry or withdraw a proposed or notified one (移出 / 撤回).",
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
    """Run one step on an entry the caller decides; a refused step re-renders the page."""
    kit.require_staff(principal, "lists.decide")
    entry = access.actionable(
        session, principal, parse_id(raw_id, "entry", error=NotFound, noun="number")
    )
    try:
        seen = parse_id(form.version, "version", noun="number")
        STEPS[path][0](session, entry, principal, form, seen)
    except (Invalid, Conflict) as error:
        session.rollback()  # nothing of a refused step is kept
        session.refresh(entry)
        return _entry_page(request, session, principal, entry, failed=(path, form, error))
    return RedirectResponse(f"/console/lists/{entry.id}", status_code=303)


STEP_DOCS = {path: doc for path, (_, doc) in STEPS.items()}
kit.add_step_routes(router, "/{entry_id}", StepForm, _act, docs=STEP_DOCS, name="lists_console")
