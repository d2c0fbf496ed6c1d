"""JSON routes for reading a subject's records through the policy (thin).

Codes of natural persons (ID numbers) never travel in a URL, where access logs keep them:
``POST /api/v1/subjects/records`` takes the code in its body; the older
``GET /api/v1/subjects/{code}/records`` serves organisations only and answers an ID number,
known or not, as it answers an unknown code.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.core.errors import API_ERRORS, Invalid, NotFound
from xinyong.core.text import StorableStr
from xinyong.identity import codes
from xinyong.identity.kinds import SubjectKind
from xinyong.records import access
from xinyong.subjects import service as subjects_service
from xinyong.web import csrf
from xinyong.web.deps import CurrentPrincipal, DbSession

router = APIRouter(prefix="/api/v1/subjects", tags=["records · 信用记录"], responses=API_ERRORS)

# The answer of the URL route for an ID number, a person, or an unknown or invalid code.
NOT_IN_URL = (
    "没有使用此代码的组织；自然人的记录请以 POST /api/v1/subjects/records 查询"
    "（代码放在请求体中） · "
    "no organisation has this code; natural persons' records are read with "
    "POST /api/v1/subjects/records (code in the body)"
)


class RecordOut(BaseModel):
    id: int
    item_code: str
    state: str
    decision_date: date | None
    disclosure_end: date | None
    severity: str | None
    fields: dict[str, Any]


class RecordsQuery(BaseModel):
    """Whose records, and why: the code (USCC or ID number) stays out of the URL."""

    model_config = ConfigDict(extra="forbid")

    code: StorableStr = Field(min_length=1, max_length=40)
    purpose: StorableStr | None = Field(default=None, max_length=500)
    matter: StorableStr | None = Field(default=None, max_length=64)


def _read(
    session: DbSession,
    principal: Principal,
    code: str,
    purpose: str | None,
    matter: str | None,
) -> list[RecordOut]:
    try:
        rows = access.read_records_by_code(
            session, principal=principal, code=code, purpose=purpose, matter_code=matter
        )
    except Invalid:
        session.commit()  # the refused attempt stays in the query register
        raise
    return [RecordOut(**row.__dict__) for row in rows]


@router.post("/records", response_model=list[RecordOut], dependencies=[Depends(csrf.verify)])
def query_subject_records(
    body: RecordsQuery, principal: CurrentPrincipal, session: DbSession
) -> list[RecordOut]:
    """A subject's records as the caller may see them, the code in the body · 主体信用记录查询.

    A natural person's records open only to the person, government readers with a purpose
    (registered, 查询登记) and organisations the person authorised; for anyone else the
    answer is that for an unknown code. Non-public fields need a purpose (or matter code).
    """
    policy.require(principal, "records.read")
    return _read(session, principal, body.code, body.purpose, body.matter)


@router.get("/{code}/records", response_model=list[RecordOut])
def subject_records(
    code: str,
    principal: CurrentPrincipal,
    session: DbSession,
    purpose: Annotated[str | None, Query(max_length=500)] = None,
    matter: Annotated[str | None, Query(max_length=64)] = None,
) -> list[RecordOut]:
    """An organisation's records as the caller may see them · 组织信用记录.

    Public fields need nothing; non-public fields need a purpose (or matter code) and
    every such read is registered (查询登记) and shown to the subject. An ID number is
    answered as an unknown code: persons' records are read with ``POST …/records``.
    """
    if principal.kind != "anonymous":
        policy.require(principal, "records.read")
    code = code.strip()[:40]
    if codes.detect(code).kind == "id_number":
        raise NotFound(NOT_IN_URL)
    subject = subjects_service.find_by_code(session, code)
    if subject is None or subject.kind == SubjectKind.natural_person:
        raise NotFound(NOT_IN_URL)
    return _read(session, principal, code, purpose, matter)
