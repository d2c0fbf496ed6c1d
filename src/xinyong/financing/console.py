"""The credit office's 信易贷 pages: overdue feedback, loss claims and the fund's ledger
(reconciled), figures with an offline SVG chart and the XLSX export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.core.db import as_utc
from xinyong.core.errors import NotFound
from xinyong.financing import applications, figures, fund, institutions
from xinyong.financing.models import Application, Product
from xinyong.reports.service import BEIJING, beijing_today
from xinyong.subjects.models import Subject
from xinyong.web.console import add_nav, require_staff
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.params import lang_of
from xinyong.web.render import render_page

router = APIRouter(prefix="/console/financing", include_in_schema=False)
add_nav("financing.oversee", "/console/financing", "fin.console", group="services")
add_nav("financing.oversee", "/console/financing/figures", "fin.figures", group="services")
Ident = Annotated[int, Path(ge=1, le=2_000_000_000)]
Group = Annotated[str, Query(pattern="^(bank|product|industry|month)$")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    helpers = {
        "yuan": lambda v: "—" if v is None else f"{v:,}",
        "rate": lambda bp: "—" if bp is None else f"{bp / 100:.2f}%",
        "local": lambda at: (as_utc(at) or at).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"),
        "share": lambda v: "—" if v is None else f"{v * 100:.1f}%",
    }
    return render_page(request, f"console/financing/{name}", {**helpers, **context})


def _names(session: Session, rows: list[Application]) -> dict[str, dict[int, str]]:
    ids = {a.subject_id for a in rows}
    subjects = session.execute(select(Subject.id, Subject.name).where(Subject.id.in_(ids)))
    return {
        "subjects": {sid: name for sid, name in subjects} if ids else {},
        "orgs": institutions.names(
            session, {a.branch_id for a in rows} | {a.bank_id for a in rows}
        ),
        "products": {pid: name for pid, name in session.execute(select(Product.id, Product.name))},
    }


@router.get("", response_class=HTMLResponse)
def overview(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """Overdue feedback by branch, loss claims to decide, the fund's balance and ledger."""
    require_staff(principal, "financing.oversee")
    late = applications.overdue(session, today=beijing_today())
    context = {
        "principal": principal,
        "overdue": late,
        "names": _names(session, late),
        "claims": fund.claims(session),
        "ledger": fund.ledger(session, limit=50),
        "reconciliation": fund.reconcile(session),
        "may_fund": principal.role == "admin",
    }
    return _page(request, "overview.html", context)


@router.post("/fund", response_class=HTMLResponse)
def contribute(
    session: DbSession,
    principal: CurrentPrincipal,
    amount: Annotated[int, Form(ge=1, le=10_000_000_000)],
    note: Annotated[str, Form(min_length=2, max_length=500)],
) -> Response:
    """The credit office pays money into the risk-compensation fund."""
    require_staff(principal, "financing.fund")
    fund.contribute(session, principal=principal, amount=amount, note=note)
    return RedirectResponse("/console/financing", status_code=303)


@router.post("/claims/{claim_id}/{step}", response_class=HTMLResponse)
def decide_claim(
    claim_id: Ident,
    step: Annotated[str, "approve or reject"],
    session: DbSession,
    principal: CurrentPrincipal,
) -> Response:
    """The credit office approves (pays out of the fund) or rejects a bank's loss claim."""
    require_staff(principal, "financing.fund")
    if step not in ("approve", "reject"):
        raise NotFound(key="fin.err.no_claim", params={"id": claim_id})
    fund.decide_claim(session, principal=principal, claim_id=claim_id, approve=step == "approve")
    return RedirectResponse("/console/financing", status_code=303)


@router.get("/figures", response_class=HTMLResponse)
def figures_page(
    request: Request, session: DbSession, principal: CurrentPrincipal, group: Group = "bank"
) -> Response:
    """Needs, applications, grants, amounts, average rate and pure-credit share, charted."""
    require_staff(principal, "financing.oversee")
    lang = lang_of(request)
    found = figures.compute(session, group=group, lang=lang)
    context = {"figures": found, "chart": figures.chart(found, lang), "group": group}
    return _page(request, "figures.html", context)


@router.get("/figures.xlsx", response_class=Response)
def figures_xlsx(
    request: Request, session: DbSession, principal: CurrentPrincipal, group: Group = "bank"
) -> Response:
    """The figures as a workbook."""
    require_staff(principal, "financing.oversee")
    lang = lang_of(request)
    body = figures.xlsx(figures.compute(session, group=group, lang=lang), lang)
    disposition = f'attachment; filename="financing-{group}.xlsx"'
    return Response(body, media_type=XLSX, headers={"Content-Disposition": disposition})
