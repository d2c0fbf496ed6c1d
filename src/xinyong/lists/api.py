"""JSON API of the lists (红黑名单), thin: list types, the entry queue, propose → notify →
list → remove. The service does not check who acts; these routes do (``lists.access``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from xinyong.auth.principal import Principal
from xinyong.core.errors import API_ERRORS, Invalid
from xinyong.lists import access, entries, queue, service
from xinyong.lists.config import get_config
from xinyong.lists.models import ListEntry
from xinyong.lists.schemas import (
    EntryPage,
    EntryRead,
    ListTypeRead,
    ProposeBody,
    RemoveBody,
    VersionBody,
    entry_read,
    fields_named,
    list_type_read,
    summary_read,
)
from xinyong.lists.states import EntryState
from xinyong.subjects import service as subjects_service
from xinyong.web.deps import DbSession, requires
from xinyong.web.params import PathId

router = APIRouter(
    prefix="/api/v1",
    tags=["lists · 红黑名单"],
    responses=API_ERRORS,
)

ZH_DEPARTMENT = "部门标识或代码 · department key or code (admins and auditors)"


Reader = Annotated[Principal, Depends(requires("lists.read"))]
Decider = Annotated[Principal, Depends(requires("lists.decide"))]


def _answer(session: Session, entry: ListEntry) -> EntryRead:
    return entry_read(queue.detail(session, entry))


@router.get("/list-types", response_model=list[ListTypeRead])
def list_types() -> list[ListTypeRead]:
    """Every list type: deciders, term, objection window, removal conditions, basis · 名单类型."""
    return [list_type_read(spec) for spec in get_config().lists.values()]


@router.get("/list-entries", response_model=EntryPage)
def list_entries(
    principal: Reader,
    session: DbSession,
    list_code: Annotated[str | None, Query(max_length=64)] = None,
    state: Annotated[EntryState | None, Query()] = None,
    department: Annotated[str | None, Query(max_length=64, description=ZH_DEPARTMENT)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> EntryPage:
    """The entries the caller may see, newest first: a department its own · 名单记录."""
    department_id = access.scope(session, principal, department)
    where = queue.QueueFilter(department_id, list_code, state.value if state else None)
    found, total = queue.queue(session, where=where, limit=limit, offset=(page - 1) * limit)
    subjects = queue.subjects_of(session, found)
    items = [summary_read(entry, subjects.get(entry.subject_id)) for entry in found]
    return EntryPage(total=total, page=page, limit=limit, items=items)


@router.get("/list-entries/{entry_id}", response_model=EntryRead)
def entry_detail(entry_id: PathId, principal: Reader, session: DbSession) -> EntryRead:
    """One entry: subject, grounds, basis records, timeline and open steps · 名单记录详情."""
    return _answer(session, access.readable(session, principal, entry_id))


@router.post("/list-entries", response_model=EntryRead, status_code=201)
def propose(body: ProposeBody, principal: Decider, session: DbSession) -> EntryRead:
    """Propose a subject for a list on records and a legal basis · 拟列入."""
    department_id = access.proposing_department(session, principal, body.department)
    queue.check_filter(body.list_code, None)  # an unknown list is a mistake in the body
    subject = subjects_service.find_by_code(session, body.subject_code.strip())
    if subject is None:
        raise Invalid(key="lc.err.no_subject_code", details={"field": "subject_code"})
    names = {
        "subject_id": "subject_code",
        "department_id": "department" if body.department else "list_code",
    }
    with fields_named(names):
        entry = service.propose(
            session,
            list_code=body.list_code,
            subject_id=subject.id,
            basis_record_ids=body.basis_record_ids,
            legal_basis=body.legal_basis,
            reasons=body.reasons,
            actor=principal.actor,
            department_id=department_id,
            today=date.today(),
        )
    return _answer(session, entry)


@router.post("/list-entries/{entry_id}/notify", response_model=EntryRead)
def notify(
    entry_id: PathId, body: VersionBody, principal: Decider, session: DbSession
) -> EntryRead:
    """Tell the subject; its objection window starts · 告知."""
    entry = access.actionable(session, principal, entry_id)
    entry = service.notify(
        session,
        entry_id=entry.id,
        actor=principal.actor,
        today=date.today(),
        expected_version=body.version,
    )
    return _answer(session, entry)


@router.post("/list-entries/{entry_id}/list", response_model=EntryRead)
def list_entry(
    entry_id: PathId, body: VersionBody, principal: Decider, session: DbSession
) -> EntryRead:
    """List a notified entry once its objection window has passed without a hold · 列入."""
    entry = access.actionable(session, principal, entry_id)
    entry = service.list_entry(
        session,
        entry_id=entry.id,
        actor=principal.actor,
        today=date.today(),
        expected_version=body.version,
    )
    return _answer(session, entry)


@router.post("/list-entries/{entry_id}/remove", response_model=EntryRead)
def remove(entry_id: PathId, body: RemoveBody, principal: Decider, session: DbSession) -> EntryRead:
    """Remove a listed entry, or withdraw a proposed or notified one, on a condition · 移出."""
    entry = access.actionable(session, principal, entry_id)
    access.check_officer_reason(entries.spec_of(entry), body.reason)
    entry = service.remove(
        session,
        entry_id=entry.id,
        reason=body.reason,
        note=body.note,
        actor=principal.actor,
        today=date.today(),
        expected_version=body.version,
    )
    return _answer(session, entry)
