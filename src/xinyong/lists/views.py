"""Console pages of the lists (红黑名单管理): the queue with its figures, the proposal form and
the entry page with the steps its state allows. Thin: ``lists.access`` decides who may see
and act, ``lists.service`` acts; a refused step shows its message and writes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth import policy
from xinyong.auth.models import Account
from xinyong.auth.principal import Principal
from xinyong.auth.scope import platform_wide
from xinyong.core.deps import CurrentPrincipal, DbSession
from xinyong.core.errors import Conflict, Forbidden, Invalid, NotFound, XinyongError
from xinyong.core.i18n import LANGUAGES, Language, pick_language, t
from xinyong.lists import access, entries, queue, service
from xinyong.lists.config import ListSource, ListType, get_config
from xinyong.lists.models import ListEntry
from xinyong.lists.schemas import fields_named, subject_code
from xinyong.lists.states import ENTRY_STATES
from xinyong.portal import present
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Department, Subject
from xinyong.web.render import language, render

router = APIRouter(prefix="/console/lists", include_in_schema=False)

PAGE_SIZE = 25
LANG_COOKIE_SECONDS = 365 * 24 * 3600
MAX_FORM_TEXT = 20_000  # the service refuses more than entries.MAX_TEXT, naming the field
# Ids arrive as text so that a malformed one is a 404 after the access checks, not a 422.
RawId = Annotated[str, Path(max_length=12)]
_SEPARATORS = re.compile(r"[,，;；、\s]+")


# --- shared helpers ---------------------------------------------------------------------------


def _staff(principal: Principal, action: str) -> None:
    """Console pages are for people: staff allowed the action (systems use the API)."""
    policy.require(principal, action)
    if principal.kind != "staff":
        raise Forbidden("the console is for staff accounts; systems use the API")


def _lang(request: Request) -> Language:
    return pick_language(language(request))


def _number(raw: str, field: str, *, error: type[XinyongError] = Invalid) -> int:
    """A positive id from a path or form value, or an error naming the field."""
    text = (raw or "").strip()
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**31:
        raise error(f"{field}: {raw!r} is not a valid number", details={"field": field})
    return int(text)


def _departments(session: Session) -> dict[int, Department]:
    return {d.id: d for d in session.scalars(select(Department))}


def _department_name(department: Department | None, lang: Language) -> str:
    if department is None:
        return ""
    return department.name_zh if lang == "zh" else department.name_en


def _list_name(code: str, lang: Language) -> str:
    spec = get_config().lists.get(code)
    if spec is None:
        return code
    return spec.name.zh if lang == "zh" else spec.name.en


def _actors(session: Session, actors: Iterable[str]) -> dict[str, str]:
    """Actor strings as people read them: ``account:7`` → the account's name (username)."""
    ids = {int(a.split(":", 1)[1]) for a in actors if re.fullmatch(r"account:\d+", a)}
    found = list(session.scalars(select(Account).where(Account.id.in_(ids)))) if ids else []
    names = {f"account:{a.id}": f"{a.display_name} ({a.username})" for a in found}
    return {actor: names.get(actor, actor) for actor in actors}


HELPERS: dict[str, Any] = {
    "department_name": _department_name,
    "list_name": _list_name,
    "subject_code": subject_code,
    "format_value": present.format_value,
    "period_text": present.period_text,
    "item_name": present.item_name,
}


def _page(
    request: Request,
    principal: Principal,
    name: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HTMLResponse:
    """Render a console page of this module; ``?lang=`` also sets the language cookie."""
    nav = {"propose": policy.can(principal, "lists.decide")}
    colon = "：" if _lang(request) == "zh" else ": "
    full = {**HELPERS, "nav": nav, "colon": colon, **context}
    response = render(request, f"console/lists/{name}", full, status_code=status)
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        response.set_cookie(
            "lang", chosen, max_age=LANG_COOKIE_SECONDS, samesite="lax", httponly=True
        )
    return response


def _refusal(request: Request, error: XinyongError) -> tuple[dict[str, str], str, int]:
    """A refused step as the page shows it: message per field, headline, HTTP status."""
    conflict = isinstance(error, Conflict)
    field = error.details.get("field")
    errors = {field: error.message} if isinstance(field, str) else {}
    headline = t("lc.error.conflict" if conflict else "lc.error.invalid", _lang(request))
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
    _staff(principal, "lists.read")
    oversight = platform_wide(principal)
    department_id = access.scope(session, principal, department if oversight else None)
    where = queue.QueueFilter(department_id, list_code or None, state or None)
    offset = (page - 1) * PAGE_SIZE
    found, total = queue.queue(session, where=where, limit=PAGE_SIZE, offset=offset)
    params: dict[str, present.QueryValue] = {"list_code": list_code, "state": state}
    params["department"] = department if oversight else None
    departments = _departments(session)
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
            "href": present.href,
            "oversight": oversight,
            "departments": departments,
            "department": departments.get(department_id) if department_id else None,
            "pager": present.pager(
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
                    f"basis_record_ids: {part!r} is not a record number",
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
        "departments": sorted(_departments(session).values(), key=lambda d: d.key),
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
    _staff(principal, "lists.decide")
    form = ProposeForm(department=department, list_code=list_code, subject_code=subject_code)
    errors = {}
    if (
        subject_code.strip()
        and subjects_service.find_by_code(session, subject_code.strip()) is None
    ):
        errors["subject_code"] = t("lc.err.subject_unknown", _lang(request))
    return _new_page(request, session, principal, form, errors=errors)


@router.post("/new", response_class=HTMLResponse)
def propose(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    form: Annotated[ProposeForm, Form()],
) -> Response:
    """Propose a subject for a list (拟列入); a refused proposal shows why, under the field."""
    _staff(principal, "lists.decide")
    errors, subject = _form_errors(session, form, _lang(request))
    headline = t("lc.error.invalid", _lang(request))
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
        errors = errors or {"": error.message}
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
        "departments": _departments(session),
        "actors": _actors(session, actors),
        "may_decide": policy.can(principal, "lists.decide")
        and (access.is_admin(principal) or principal.department_id == entry.department_id),
        "conditions": [
            c
            for c in detail.spec.removal_conditions
            if c.code in access.officer_reasons(detail.spec)
        ],
        "listable_from": queue.listable_from(entry),
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
            errors=errors, headline=headline, message=error.message, failed_step=step, form=form
        )
    return _page(request, principal, "entry.html", context, status=status)


@router.get("/{entry_id}", response_class=HTMLResponse)
def entry_page(
    request: Request, entry_id: RawId, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """One entry: subject, list, basis, reasons, records, deadlines, timeline and its steps."""
    _staff(principal, "lists.read")
    entry = access.readable(session, principal, _number(entry_id, "entry", error=NotFound))
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
    _staff(principal, "lists.decide")
    entry = access.actionable(session, principal, _number(raw_id, "entry", error=NotFound))
    try:
        seen = _number(form.version, "version")
        STEPS[path][0](session, entry, principal, form, seen)
    except (Invalid, Conflict) as error:
        session.rollback()  # nothing of a refused step is kept
        session.refresh(entry)
        return _entry_page(request, session, principal, entry, failed=(path, form, error))
    return RedirectResponse(f"/console/lists/{entry.id}", status_code=303)


def _step_route(path: str) -> Callable[..., Response]:
    def handle(
        request: Request,
        entry_id: RawId,
        principal: CurrentPrincipal,
        session: DbSession,
        form: Annotated[StepForm, Form()],
    ) -> Response:
        return _act(request, session, principal, entry_id, path, form)

    handle.__doc__ = STEPS[path][1]
    return handle


for _path in STEPS:
    router.add_api_route(
        f"/{{entry_id}}/{_path}",
        _step_route(_path),
        methods=["POST"],
        response_class=HTMLResponse,
        name=f"lists_console_{_path}",
    )
