"""The console's audit viewer for auditors (thin)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.accounts import audit_present as present
from xinyong.audit import service as audit_service
from xinyong.audit.schemas import AuditFilter
from xinyong.auth import policy
from xinyong.auth.models import Account
from xinyong.core.errors import Invalid
from xinyong.core.localtime import zone
from xinyong.subjects.models import Subject
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.params import MAX_ID, lang_of
from xinyong.web.present import href
from xinyong.web.render import render

router = APIRouter(include_in_schema=False)
PAGE = 50


def _start_of(day: date | None) -> datetime | None:
    """The start of a day as people count days (the configured time zone)."""
    return datetime.combine(day, time.min, tzinfo=zone()) if day else None


@router.get("/console/audit", response_class=HTMLResponse)
def audit_viewer(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    actor: Annotated[str | None, Query(max_length=128)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    subject: Annotated[str | None, Query(max_length=100)] = None,
    subject_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    since: date | None = None,
    until: date | None = None,
    before_seq: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Audit log entries, newest first, filtered by actor, action, subject (by code or
    name) and dates (Beijing days)."""
    policy.require(principal, "audit.read")
    lang = lang_of(request)
    choices = present.find_subjects(session, subject) if subject and not subject_id else []
    if len(choices) == 1:
        subject_id = choices[0].id
    chosen = session.get(Subject, subject_id) if subject_id else None
    unmatched = bool(subject and not subject_id and not choices)
    where = _filter(_actor(session, actor), action, subject_id, since, until, before_seq)
    entries = (
        []
        if unmatched or len(choices) > 1
        else audit_service.search(session, where=where, limit=PAGE)
    )
    older = entries[-1].seq if len(entries) == PAGE else None
    filters = {
        "actor": actor or "",
        "action": action or "",
        "subject": subject or (chosen.name if chosen else ""),
        "subject_id": subject_id or "",
        "since": since or "",
        "until": until or "",
    }
    context = {
        "rows": present.rows(session, entries, lang),
        "older": older,
        "filters": filters,
        "chosen": chosen,
        "choices": choices if len(choices) > 1 else [],
        "unmatched": unmatched,
        "areas": AREAS,
        "href": href,
    }
    return render(request, "console/audit/log.html", context)


# The action kinds the viewer offers to filter by (the first part of an action).
AREAS = ("account", "record", "ingest", "list", "rights", "measures", "query", "report", "subject")


def _filter(
    actor: str | None,
    action: str | None,
    subject_id: int | None,
    since: date | None,
    until: date | None,
    before_seq: int | None,
) -> AuditFilter:
    try:
        return AuditFilter(
            actor=actor,
            action_prefix=action or None,
            subject_id=subject_id,
            since=_start_of(since),
            until=_start_of(until + timedelta(days=1) if until else None),
            before_seq=before_seq,
        )
    except ValidationError as error:
        raise Invalid(str(error.errors()[0]["msg"])) from None


def _actor(session: Session, text: str | None) -> str | None:
    """An actor as typed: a username stands for its account; an actor string as it is."""
    text = (text or "").strip()
    if not text:
        return None
    account_id = session.scalar(select(Account.id).where(Account.username == text))
    return f"account:{account_id}" if account_id is not None else text
