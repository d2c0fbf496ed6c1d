"""The console's audit viewer for auditors (thin)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from xinyong.audit import service as audit_service
from xinyong.audit.schemas import AuditFilter
from xinyong.auth import policy
from xinyong.core.errors import Invalid
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.render import render

router = APIRouter(include_in_schema=False)
PAGE = 50


def _start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


@router.get("/console/audit", response_class=HTMLResponse)
def audit_viewer(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    actor: Annotated[str | None, Query(max_length=128)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    subject_id: Annotated[int | None, Query(ge=1)] = None,
    since: date | None = None,
    until: date | None = None,
    before_seq: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Audit log entries, newest first, filtered by actor, action, subject and dates."""
    policy.require(principal, "audit.read")
    try:
        where = AuditFilter(
            actor=actor or None,
            action_prefix=action or None,
            subject_id=subject_id,
            since=_start_of(since),
            until=_start_of(until + timedelta(days=1) if until else None),
            before_seq=before_seq,
        )
    except ValidationError as error:
        raise Invalid(str(error.errors()[0]["msg"])) from None
    entries = audit_service.search(session, where=where, limit=PAGE)
    older = entries[-1].seq if len(entries) == PAGE else None
    filters = {
        "actor": actor or "",
        "action": action or "",
        "subject_id": subject_id or "",
        "since": since or "",
        "until": until or "",
    }
    context = {"principal": principal, "entries": entries, "older": older, "filters": filters}
    return render(request, "console/audit/log.html", context)
