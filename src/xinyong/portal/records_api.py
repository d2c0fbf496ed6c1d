"""JSON routes for reading a subject's records through the policy (thin)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from xinyong.auth import policy
from xinyong.core.errors import API_ERRORS, Invalid
from xinyong.records import access
from xinyong.subjects import service as subjects_service
from xinyong.web.deps import CurrentPrincipal, DbSession

router = APIRouter(prefix="/api/v1/subjects", tags=["records · 信用记录"], responses=API_ERRORS)


class RecordOut(BaseModel):
    id: int
    item_code: str
    state: str
    decision_date: date | None
    disclosure_end: date | None
    severity: str | None
    fields: dict[str, Any]


@router.get("/{code}/records", response_model=list[RecordOut])
def subject_records(
    code: str,
    principal: CurrentPrincipal,
    session: DbSession,
    purpose: Annotated[str | None, Query(max_length=500)] = None,
    matter: Annotated[str | None, Query(max_length=64)] = None,
) -> list[RecordOut]:
    """A subject's records as the caller may see them · 主体信用记录.

    Public fields need nothing; non-public fields need a purpose (or matter code) and
    every such read is registered (查询登记) and shown to the subject.
    """
    if principal.kind != "anonymous":
        policy.require(principal, "records.read")
    subject = subjects_service.get_by_code(session, code[:40])
    try:
        rows = access.read_subject_records(
            session, principal=principal, subject_id=subject.id, purpose=purpose, matter_code=matter
        )
    except Invalid:
        session.commit()  # the refused attempt stays in the query register
        raise
    return [RecordOut(**row.__dict__) for row in rows]
