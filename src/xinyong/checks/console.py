"""Console pages of credit checks (信用核查, 逢办必查): the department's check desk, a check's
result with a feedback form per hit, the hits awaiting feedback, and the figures.

Thin: ``checks``, ``feedback`` and ``stats`` decide and act. A refused form writes nothing
and comes back with what was typed and the message next to its field; an accepted one is
committed before its redirect (the request's session would commit only after the response
is sent, and the browser's next GET could overtake it). Check and hit ids
are integers in the path (``{check_id:int}``), so ``/console/checks/batch`` and the other
fixed pages are never taken for a check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from xinyong.auth import policy, queries
from xinyong.auth.principal import Principal
from xinyong.auth.scope import platform_wide
from xinyong.checks import bulk_console, feedback, labels, stats
from xinyong.checks import service as checks
from xinyong.checks.answers import hit_read, rows_read, summary
from xinyong.checks.api import department_id_of, scope_of
from xinyong.checks.models import CheckHit, CheckRow, CreditCheck
from xinyong.checks.resolve import SubjectQuery
from xinyong.checks.schemas import CheckSummary, HitRead
from xinyong.core.errors import Conflict, Invalid, NotFound
from xinyong.core.i18n import Language, t
from xinyong.identity.codes import normalize_code
from xinyong.measures.catalog import get_catalog
from xinyong.subjects.models import Department, Subject
from xinyong.web import present as web_present
from xinyong.web.console import ConsolePages, departments_by_id, require_staff
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.params import Offset, lang_of

router = APIRouter(prefix="/console/checks", include_in_schema=False)

PAGE_ROWS = 50  # rows of a batch check per page
RECENT = 20  # checks listed under the desk's form
QUEUE_PAGE = 50
MAX_CODE = 32  # what credit_check_rows.query_code holds
MAX_FORM_TEXT = 60_000
_SEPARATOR = re.compile(r"\s*[,，\t;；]\s*")
_BLANK = " \t,，;；"


# --- shared helpers ---------------------------------------------------------------------------


def _bounded(value: int, what: str) -> int:
    """An id from the path, or NotFound when no row can have it."""
    if not 0 < value < 2**31:
        raise NotFound(key="ckc.err.not_exist", params={"what": what, "value": value})
    return value


def _nav(principal: Principal) -> dict[str, bool]:
    return {"run": policy.can(principal, "checks.run")}


PAGES = ConsolePages("checks", labels.HELPERS, _nav)
_page = PAGES.page


# --- the desk: form and recent checks ----------------------------------------------------------


class CheckForm(BaseModel):
    """The desk's form: matter, purpose, subjects one per line (admins: a department)."""

    department: str = Field(default="", max_length=64)
    matter: str = Field(default="", max_length=64)
    purpose: str = Field(default="", max_length=2000)
    subjects: str = Field(default="", max_length=MAX_FORM_TEXT)


def _looks_like_code(text: str) -> bool:
    code = normalize_code(text)
    return code.isascii() and code.isalnum() and sum(ch.isdigit() for ch in code) >= 6


def _query(row_no: int, line: str, lang: Language) -> SubjectQuery:
    """``code``, ``name`` or ``code,name`` (either order) as one subject asked about."""
    parts = _SEPARATOR.split(line.strip(_BLANK), maxsplit=1)
    if len(parts) == 1:
        code, name = (parts[0], "") if _looks_like_code(parts[0]) else ("", parts[0])
    else:
        code, name = parts
        if not _looks_like_code(code) and _looks_like_code(name):
            code, name = name, code
    if len(code) > MAX_CODE:
        message = t("ckc.error.code_long", lang).format(n=row_no, max=MAX_CODE)
        raise Invalid(message, details={"field": "subjects", "line": row_no})
    return SubjectQuery(row_no=row_no, name=name or None, code=code or None)


def _subjects(text: str, lang: Language) -> list[SubjectQuery]:
    """The textarea's non-blank lines as subjects (1 to MAX_SUBJECTS), or Invalid."""
    lines = [line for line in text.splitlines() if line.strip(_BLANK)]
    if not lines:
        raise Invalid(t("ckc.error.subjects_empty", lang), details={"field": "subjects"})
    if len(lines) > checks.MAX_SUBJECTS:
        message = t("ckc.error.subjects_many", lang).format(n=len(lines), max=checks.MAX_SUBJECTS)
        raise Invalid(message, details={"field": "subjects"})
    return [_query(number, line, lang) for number, line in enumerate(lines, 1)]


def _form_errors(form: CheckForm, lang: Language) -> tuple[dict[str, str], list[SubjectQuery]]:
    """Every mistake of the form at once (by field), and the subjects when there is none."""
    errors: dict[str, str] = {}
    if form.matter.strip() not in get_catalog().matters:
        errors["matter"] = t("ckc.error.matter", lang)
    if not 2 <= len(form.purpose.strip()) <= queries.MAX_PURPOSE:
        errors["purpose"] = t("ckc.error.purpose", lang).format(max=queries.MAX_PURPOSE)
    rows: list[SubjectQuery] = []
    try:
        rows = _subjects(form.subjects, lang)
    except Invalid as error:
        errors["subjects"] = error.localized(lang)
    return errors, rows


def _field_errors(error: Invalid, lang: Language) -> dict[str, str]:
    """A service's refusal by field (``subjects[3]`` shows by the subjects box)."""
    field = str(error.details.get("field") or "")
    return {"subjects" if field.startswith("subjects") else field: error.localized(lang)}


def _recent(session: Session, principal: Principal, lang: Language) -> list[CheckSummary]:
    department_id = scope_of(session, principal, None)
    stmt = select(CreditCheck)
    if department_id is not None:
        stmt = stmt.where(CreditCheck.department_id == department_id)
    found = session.scalars(stmt.order_by(CreditCheck.id.desc()).limit(RECENT))
    return [summary(session, check, lang) for check in found]


def _desk(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    form: CheckForm | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    lang = lang_of(request)
    admin = principal.role == "admin"
    departments = session.scalars(select(Department).where(Department.active.is_(True)))
    context = {
        "form": form or CheckForm(),
        "errors": errors or {},
        "matters": [(code, labels.matter_name(code, lang)) for code in get_catalog().matters],
        "recent": _recent(session, principal, lang),
        "departments": sorted(departments, key=lambda d: d.key) if admin else [],
        "max_subjects": checks.MAX_SUBJECTS,
        "oversight": platform_wide(principal),
    }
    return _page(request, principal, "desk.html", context, status=status)


@router.get("", response_class=HTMLResponse)
def desk_page(request: Request, principal: CurrentPrincipal, session: DbSession) -> Response:
    """The check desk: the form to check subjects and the department's recent checks."""
    require_staff(principal, "checks.read")
    return _desk(request, session, principal)


@router.post("", response_class=HTMLResponse)
def run_check(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    form: Annotated[CheckForm, Form()],
) -> Response:
    """Run a check from the desk's form and show the result (the form again on a mistake)."""
    require_staff(principal, "checks.run")
    errors, rows = _form_errors(form, lang_of(request))
    if not errors:
        try:
            named = form.department.strip() if principal.role == "admin" else ""
            check = checks.run_single(
                session,
                principal=principal,
                department_id=department_id_of(session, named),
                matter=form.matter.strip(),
                purpose=form.purpose,
                subjects=rows,
                today=date.today(),
            )
        except Invalid as error:
            session.rollback()  # nothing of a refused check is kept
            errors = _field_errors(error, lang_of(request))
        else:
            session.commit()  # before the redirect, so the browser's next GET sees the check
            return RedirectResponse(f"/console/checks/{check.id}", status_code=303)
    return _desk(request, session, principal, form=form, errors=errors, status=422)


# --- a check's result and its feedback forms ---------------------------------------------------


class FeedbackForm(BaseModel):
    """One hit's feedback form: applied or not, the date, the reason, the version seen."""

    outcome: str = Field(default="", max_length=20)
    on: str = Field(default="", max_length=20)
    reason: str = Field(default="", max_length=2 * feedback.MAX_REASON)
    version: str = Field(default="", max_length=12)
    hits: str = Field(default="", max_length=1)  # the page showed rows with hits only


@dataclass(frozen=True)
class Refused:
    """A refused feedback form: its hit, the headline, messages by field, what was sent."""

    hit_id: int
    headline: str
    errors: dict[str, str]
    form: FeedbackForm
    status: int  # 422, or 409 when someone answered meanwhile


def _may_answer(principal: Principal, check: CreditCheck) -> bool:
    own = principal.role == "admin" or principal.department_id == check.department_id
    return own and policy.can(principal, "checks.run")


def _check_response(
    request: Request,
    session: Session,
    principal: Principal,
    check_id: int,
    *,
    offset: int = 0,
    with_hits: bool = False,
    refused: Refused | None = None,
) -> HTMLResponse:
    """The result page: the check's head, then a page of rows with their hits and forms."""
    lang, today = lang_of(request), date.today()
    check = checks.readable(session, principal, _bounded(check_id, "credit check"))
    limit = PAGE_ROWS if check.kind == "batch" else checks.MAX_SUBJECTS
    found = checks.rows_of(session, check.id, offset=offset, limit=limit + 1, with_hits=with_hits)
    path, params = f"/console/checks/{check.id}", {"hits": 1 if with_hits else None}
    back, more = max(offset - limit, 0), len(found) > limit
    context = {
        "check": check,
        "head": summary(session, check, lang),
        "rows": rows_read(session, found[:limit], lang, today, department_id=check.department_id),
        "with_hits": with_hits,
        "offset": offset,
        "prev_href": web_present.href(path, params, offset=back or None) if offset else None,
        "next_href": web_present.href(path, params, offset=offset + limit) if more else None,
        "may_answer": _may_answer(principal, check),
        "refused": refused,
        "today": today,
    }
    status = refused.status if refused else 200
    return _page(request, principal, "result.html", context, status=status)


@router.get("/{check_id:int}", response_class=HTMLResponse)
def check_page(
    request: Request,
    check_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    offset: Offset = 0,
    hits: bool = False,
) -> Response:
    """One check: who, what, why; per row the subject, its lists, measures and records."""
    require_staff(principal, "checks.read")
    return _check_response(request, session, principal, check_id, offset=offset, with_hits=hits)


def _record(
    session: Session, principal: Principal, ids: tuple[int, int], form: FeedbackForm, lang: Language
) -> None:
    """Record the form's answer on hit ``ids[1]`` of check ``ids[0]``; Invalid names the field,
    Conflict says someone answered meanwhile."""
    try:
        outcome = feedback.Outcome(form.outcome.strip())
    except ValueError:
        raise Invalid(t("ckc.error.outcome", lang), details={"field": "outcome"}) from None
    try:
        on = date.fromisoformat(form.on.strip())
    except ValueError:
        raise Invalid(t("ckc.error.on", lang), details={"field": "on"}) from None
    if outcome is feedback.Outcome.not_applied and not form.reason.strip():
        raise Invalid(t("ckc.error.reason", lang), details={"field": "reason"})
    version = form.version.strip()
    if version and not (version.isascii() and version.isdigit() and 0 < int(version) < 2**31):
        raise Invalid(
            key="ckc.err.version", params={"version": version}, details={"field": "version"}
        )
    feedback.answer(
        session,
        principal=principal,
        check_id=ids[0],
        hit_id=ids[1],
        answer=feedback.Answer(outcome, on, form.reason),
        today=date.today(),
        expected_version=int(version) if version else None,
    )


def _offset_of(session: Session, check: CreditCheck, row_no: int, *, with_hits: bool) -> int:
    """The offset of the page of a batch check that shows row ``row_no``."""
    if check.kind != "batch":
        return 0
    stmt = select(func.count(CheckRow.id)).where(
        CheckRow.check_id == check.id, CheckRow.row_no < row_no
    )
    if with_hits:
        stmt = stmt.where(CheckRow.hit_count > 0)
    before = session.scalar(stmt) or 0
    return before // PAGE_ROWS * PAGE_ROWS


def _refusal(hit_id: int, error: Invalid | Conflict, form: FeedbackForm, lang: Language) -> Refused:
    if isinstance(error, Conflict):
        return Refused(hit_id, t("ckc.feedback.conflict", lang), {}, form, 409)
    field = str(error.details.get("field") or "")
    return Refused(hit_id, t("ckc.feedback.error", lang), {field: error.localized(lang)}, form, 422)


def _hit_row(session: Session, check: CreditCheck, hit_id: int) -> tuple[int, int]:
    """The id and row number of a hit of this check (NotFound for any other hit)."""
    hit = session.get(CheckHit, _bounded(hit_id, "hit"))
    if hit is None or hit.check_id != check.id:
        raise NotFound(key="ckc.err.no_hit", params={"hit_id": hit_id})
    row_no = session.scalar(select(CheckRow.row_no).where(CheckRow.id == hit.row_id))
    return hit.id, row_no or 1


@router.post("/{check_id:int}/hits/{hit_id:int}/feedback", response_class=HTMLResponse)
def give_feedback(
    request: Request,
    check_id: int,
    hit_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    form: Annotated[FeedbackForm, Form()],
) -> Response:
    """Report whether a measure the check found was applied; back to the check at its row."""
    require_staff(principal, "checks.run")
    check = checks.readable(session, principal, _bounded(check_id, "credit check"))
    hit_id, row_no = _hit_row(session, check, hit_id)
    lang, check_id, with_hits = lang_of(request), check.id, form.hits == "1"
    offset = _offset_of(session, check, row_no, with_hits=with_hits)
    try:
        _record(session, principal, (check_id, hit_id), form, lang)
    except (Invalid, Conflict) as error:
        session.rollback()  # nothing of a refused answer is kept
        refused = _refusal(hit_id, error, form, lang)
        return _check_response(
            request,
            session,
            principal,
            check_id,
            offset=offset,
            with_hits=with_hits,
            refused=refused,
        )
    session.commit()  # before the redirect, so the browser's next GET sees the answer
    query = web_present.href("", {"offset": offset or None, "hits": 1 if with_hits else None})
    return RedirectResponse(f"/console/checks/{check_id}{query}#row-{row_no}", status_code=303)


# --- hits awaiting feedback --------------------------------------------------------------------


@dataclass(frozen=True)
class QueueLine:
    """One hit of the feedback queue with what the page shows beside it."""

    hit: HitRead
    subject: Subject | None
    check: CreditCheck
    href: str


def _queue(
    session: Session, department_id: int | None, status: str, today: date, offset: int
) -> tuple[int, list[CheckHit]]:
    """The total and a page of hits: pending ones past due first, then by due date."""
    late = (CheckHit.feedback == "pending") & (CheckHit.feedback_due < today)
    stmt = select(CheckHit)
    if department_id is not None:
        stmt = stmt.where(CheckHit.department_id == department_id)
    if status == "pending":
        stmt = stmt.where(CheckHit.feedback == "pending")
    elif status == "overdue":
        stmt = stmt.where(late)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    order = (case((late, 0), else_=1), CheckHit.feedback_due, CheckHit.id)
    page = stmt.order_by(*order).offset(offset).limit(QUEUE_PAGE)
    return total, list(session.scalars(page))


def _queue_lines(
    session: Session, found: list[CheckHit], lang: Language, today: date
) -> list[QueueLine]:
    """Each hit with its subject, its check and the link to its row on the check's page."""
    wanted = select(Subject).where(Subject.id.in_({hit.subject_id for hit in found}))
    subjects = {subject.id: subject for subject in session.scalars(wanted)}
    asked = select(CreditCheck).where(CreditCheck.id.in_({hit.check_id for hit in found}))
    made = {check.id: check for check in session.scalars(asked)}
    numbers = select(CheckRow.id, CheckRow.row_no).where(CheckRow.id.in_({h.row_id for h in found}))
    rows = {row_id: row_no for row_id, row_no in session.execute(numbers)}
    lines = []
    for hit in found:
        check, row_no = made[hit.check_id], rows.get(hit.row_id, 1)
        offset = (row_no - 1) // PAGE_ROWS * PAGE_ROWS if check.kind == "batch" else None
        link = web_present.href(f"/console/checks/{check.id}", {"offset": offset or None})
        lines.append(
            QueueLine(hit_read(hit, lang, today), subjects.get(hit.subject_id), check, link)
        )
    return lines


@router.get("/feedback", response_class=HTMLResponse)
def feedback_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    status: Literal["pending", "overdue", "all"] = "pending",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The department's hits awaiting feedback, overdue first (admins and auditors: all)."""
    require_staff(principal, "checks.read")
    lang, today = lang_of(request), date.today()
    department_id = scope_of(session, principal, None)
    total, found = _queue(session, department_id, status, today, (page - 1) * QUEUE_PAGE)
    params: dict[str, web_present.QueryValue] = {"status": status}
    context = {
        "lines": _queue_lines(session, found, lang, today),
        "total": total,
        "status": status,
        "today": today,
        "oversight": platform_wide(principal),
        "departments": departments_by_id(session),
        "feedback_days": get_catalog().feedback_working_days,
        **_bulk_context(request, principal, today),
        "pager": web_present.pager(
            "/console/checks/feedback", params, total=total, page=page, limit=QUEUE_PAGE
        ),
    }
    return _page(request, principal, "feedback.html", context)


def _bulk_context(request: Request, principal: Principal, today: date) -> dict[str, object]:
    """What the queue's bulk form needs: who may answer which hits, the last bulk outcome."""
    done = request.query_params.get("bulk_done", "")
    problem = request.query_params.get("bulk_error", "")
    return {
        "bulk": policy.can(principal, "checks.run"),
        "answers_all": principal.role == "admin",
        "own_department": principal.department_id,
        "bulk_done": int(done) if done.isdigit() and len(done) < 4 else None,
        "bulk_error": problem if problem in bulk_console.PROBLEMS else None,
    }


# --- figures ----------------------------------------------------------------------------------


@router.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request, principal: CurrentPrincipal, session: DbSession) -> Response:
    """Checks, hits and feedback by department, matter, measure and side (a department: its own)."""
    require_staff(principal, "checks.read")
    department_id = scope_of(session, principal, None)
    figures = stats.figures(session, today=date.today(), department_id=department_id)
    context = {
        "figures": figures,
        "sections": labels.sections(
            figures, departments_by_id(session), lang_of(request), platform=department_id is None
        ),
        "department": session.get(Department, department_id) if department_id else None,
    }
    return _page(request, principal, "stats.html", context)
