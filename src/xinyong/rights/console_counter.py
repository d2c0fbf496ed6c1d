"""Console counter (窗口代办): staff file an objection or a repair for a subject in person."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from xinyong.auth import queries
from xinyong.core.errors import Invalid, NotFound, XinyongError
from xinyong.records import service as records_service
from xinyong.rights import (
    cases,
    eligibility,
    evidence,
    list_objections,
    objections,
    repairs,
    service,
)
from xinyong.rights.console import (
    Uploads,
    _choice,
    _page,
    _subject_code,
)
from xinyong.rights.models import RightsCase
from xinyong.rights.states import CaseKind, ObjectionGround
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject
from xinyong.web.console import departments_by_id, require_staff
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.params import lang_of, parse_id

router = APIRouter(prefix="/console/rights", include_in_schema=False)
COUNTER_PURPOSE = "窗口代办异议或信用修复申请 (counter filing of an objection or repair)"
CASE_NUMBER = re.compile(r"^(YY|XF)\d{4}-\d{6}$")


def _counter_context(session: Session, subject: Subject | None, code: str) -> dict[str, Any]:
    today = date.today()
    rows = [
        (record, eligibility.check(session, record, today=today))
        for record in (records_service.for_subject(session, subject.id) if subject else [])
    ]
    return {
        "code": code,
        "subject": subject,
        "subject_code": _subject_code(subject),
        "records": rows,
        "entries": (
            list_objections.objectable_entries(session, subject.id, today=today) if subject else []
        ),
        "departments": departments_by_id(session),
        "grounds": list(ObjectionGround),
        "commitment_text": repairs.COMMITMENT_TEXT,
        "error": None,
        "filed": None,
        "form": None,
    }


@router.get("/counter", response_class=HTMLResponse)
def counter_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    code: Annotated[str, Query(max_length=40)] = "",
    filed: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Find a subject who came in person, list its records, and file for it."""
    require_staff(principal, "rights.counter")
    code = code.strip()
    if not code:
        context = _counter_context(session, None, "")
        context["filed"] = filed if CASE_NUMBER.match(filed) else None
        return _page(request, principal, "counter.html", context)
    try:
        subject = subjects_service.get_by_code(session, code)
    except (Invalid, NotFound) as error:
        context = {
            **_counter_context(session, None, code),
            "error": error.localized(lang_of(request)),
        }
        return _page(request, principal, "counter.html", context, status=error.status_code)
    context = _counter_context(session, subject, code)
    queries.register(
        session,
        principal=principal,
        subject_id=subject.id,
        what=sorted({record.item_code for record, _ in context["records"]}) or ["records"],
        purpose=COUNTER_PURPOSE,
        outcome="allowed",
    )
    return _page(request, principal, "counter.html", context)


class CounterForm(BaseModel):
    """The counter's filing form: the subject, the kind, the records and the statement."""

    code: str = Field("", max_length=40)
    kind: str = Field("", max_length=20)
    record_ids: list[str] = Field(default_factory=list, max_length=objections.MAX_TARGETS)
    list_entry_ids: list[str] = Field(default_factory=list, max_length=objections.MAX_TARGETS)
    record_id: str = Field("", max_length=12)
    ground: str = Field("", max_length=40)
    statement: str = Field("", max_length=objections.MAX_STATEMENT)
    contact: str = Field("", max_length=100)
    commitment: str = Field("", max_length=10)


def _file(
    session: Session, applicant: cases.Applicant, form: CounterForm, files: list[evidence.Upload]
) -> RightsCase:
    """File the objection or the repair application the counter form describes."""
    if form.kind == CaseKind.objection.value:
        objection = objections.ObjectionApplication(
            record_ids=[parse_id(r, "record_ids") for r in form.record_ids],
            list_entry_ids=[parse_id(e, "list_entry_ids") for e in form.list_entry_ids],
            ground=_choice(ObjectionGround, form.ground, "ground"),
            statement=form.statement,
            files=files,
        )
        return objections.apply(session, applicant=applicant, application=objection)
    if form.kind == CaseKind.repair.value:
        repair = repairs.RepairApplication(
            record_id=parse_id(form.record_id, "record_id"),
            statement=form.statement,
            commitment_accepted=bool(form.commitment),
            files=files,
        )
        return repairs.apply(session, applicant=applicant, application=repair)
    raise Invalid(key="rights.err.counter_kind", details={"field": "kind"})


@router.post("/counter", response_class=HTMLResponse)
def counter_file(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    form: Annotated[CounterForm, Form()],
    files: Uploads = None,
    proof: Uploads = None,
) -> Response:
    """File an objection or a repair application for the subject at the counter."""
    require_staff(principal, "rights.counter")
    code = form.code.strip()
    uploads = [
        *evidence.read_uploads(proof, kind="proof", field="files"),
        *evidence.read_uploads(files, kind="evidence", field="files"),
    ]
    try:
        if not code:
            raise Invalid(key="rights.err.counter_code", details={"field": "code"})
        subject = subjects_service.get_by_code(session, code)
        applicant = cases.Applicant(
            actor=principal.actor,
            subject_id=subject.id,
            channel="counter",
            contact=form.contact.strip() or None,
        )
        case = _file(session, applicant, form, uploads)
    except XinyongError as error:
        session.rollback()  # nothing of a refused application is kept
        found = subjects_service.find_by_code(session, code) if code else None
        context = {**_counter_context(session, found, code), "form": form}
        context["error"] = error.localized(lang_of(request))
        return _page(request, principal, "counter.html", context, status=error.status_code)
    if service.may_read(principal, case):
        return RedirectResponse(f"/console/rights/cases/{case.id}", status_code=303)
    # Filed for another department's record: the officer gets the number as the receipt.
    return RedirectResponse(f"/console/rights/counter?filed={case.number}", status_code=303)
