"""Portal pages of an objection against one of the subject's own list entries (名单异议).

Thin, like ``rights.views``: the rules live in ``rights.list_objections``; a refused form
comes back as it was sent, with the message next to the field it concerns.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong.core.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.core.i18n import Language, t
from xinyong.lists import service as lists_service
from xinyong.lists.models import ListEntry
from xinyong.lists.states import EntryState
from xinyong.rights import evidence, list_objections, objections
from xinyong.rights.config import get_config
from xinyong.rights.objections import ObjectionApplication
from xinyong.rights.states import ObjectionGround
from xinyong.rights.views import (
    Files,
    Filled,
    Text,
    _applicant,
    _file_limits,
    _ground,
    _page,
    _refused,
    _subject_id,
)
from xinyong.subjects.models import Department
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.params import MAX_ID, lang_of

router = APIRouter(include_in_schema=False)

PATH = "/portal/rights/list-objection"
EntryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
FormEntryId = Annotated[int | None, Form(ge=1, le=MAX_ID)]


def _own_entry(session: Session, subject_id: int, entry_id: int | None) -> ListEntry:
    """The subject's entry named by the page; a proposed one the subject was not told of."""
    field = {"field": "list_entry_ids"}
    if entry_id is None:
        raise Invalid(key="rights.err.choose_entry", details=field)
    entry = session.get(ListEntry, entry_id)
    if entry is None:
        raise NotFound(key="rights.err.no_entry", params={"entry_id": entry_id}, details=field)
    if entry.subject_id != subject_id:
        raise Forbidden(key="rights.err.not_own_entry", params={"entry_id": entry_id})
    if entry.state == EntryState.proposed.value:
        raise Invalid(
            key="rights.err.entry_not_notified",
            params={"entry_id": entry_id},
            details=field,
        )
    return entry


def _blocked(session: Session, entry: ListEntry, lang: Language, today: date) -> str | None:
    """Why this entry cannot be objected to now (None: it can)."""
    open_cases = list_objections.open_cases_of_entry(session, entry.id)
    if open_cases or entry.held_by_objection:
        number = open_cases[0].number if open_cases else entry.objection_ref or ""
        return t("rp.list.blocked_open", lang).format(number=number)
    if entry.state not in list_objections.OBJECTABLE_STATES:
        state = t(f"list.state.{entry.state}", lang)
        return t("rp.list.blocked_state", lang).format(state=state)
    if list_objections.why_not(entry, None, today) is not None:
        until = entry.objection_until.isoformat() if entry.objection_until else ""
        return t("rp.list.blocked_window", lang).format(until=until)
    return None


def _grounds(entry: ListEntry) -> list[ObjectionGround]:
    """A notified entry is not listed yet: it can only be wrongly proposed."""
    if entry.state == EntryState.notified.value:
        return [ObjectionGround.wrongly_listed]
    return sorted(objections.LIST_GROUNDS)


def _form_page(
    request: Request, session: Session, entry: ListEntry, filled: Filled
) -> HTMLResponse:
    today = date.today()
    lang = lang_of(request)
    others = [
        other
        for other in list_objections.objectable_entries(session, entry.subject_id, today=today)
        if other.id != entry.id and other.department_id == entry.department_id
    ]
    config = get_config()
    context = {
        "entry": entry,
        "department": session.get(Department, entry.department_id),
        "basis": lists_service.basis_records(session, entry.id),
        "blocked": _blocked(session, entry, lang, today),
        "grounds": _grounds(entry),
        "others": others,
        "deadlines": config.deadlines.objection,
        "legal_basis": config.objection.legal_basis,
        "limits": _file_limits(),
        "form": filled.values,
        "error": filled.error,
        "nav": "records",
    }
    return _page(request, "list_objection.html", context, status=filled.status)


def _entry_ids(first: int, also: list[int] | None) -> list[int]:
    extra = also or []
    if any(not 1 <= entry_id <= MAX_ID for entry_id in extra):
        raise Invalid(key="rights.err.unknown_entry", details={"field": "list_entry_ids"})
    return [first, *extra]


@router.get(PATH, response_class=HTMLResponse)
def list_objection_form(
    request: Request, session: DbSession, principal: CurrentPrincipal, entry_id: EntryId = None
) -> Response:
    """The objection form for one of the subject's list entries, with the rules that apply."""
    entry = _own_entry(session, _subject_id(principal), entry_id)
    filled = Filled({"ground": "", "statement": "", "also": []})
    return _form_page(request, session, entry, filled)


@router.post(PATH, response_class=HTMLResponse)
def list_objection_submit(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    entry_id: FormEntryId = None,
    ground: Annotated[str, Form(max_length=40)] = "",
    statement: Text = "",
    also: Annotated[list[int] | None, Form()] = None,
    files: Files = None,
) -> Response:
    """File the objection; the entry is held (not listed, or marked disputed) at once."""
    entry = _own_entry(session, _subject_id(principal), entry_id)
    try:
        application = ObjectionApplication(
            record_ids=[],
            list_entry_ids=_entry_ids(entry.id, also),
            ground=_ground(ground),
            statement=statement,
            files=evidence.read_uploads(files, kind="evidence", field="files"),
        )
        case = objections.apply(session, applicant=_applicant(principal), application=application)
    except (Invalid, Conflict) as error:
        sent = {"ground": ground, "statement": statement, "also": also or []}
        return _form_page(request, session, entry, _refused(request, session, error, sent))
    return RedirectResponse(f"/portal/me/cases/{case.id}", status_code=303)
