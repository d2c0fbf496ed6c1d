"""Console of 信易+: the credit office's figures per scenario and partner, and its decisions
on partners' proposed scenarios (thin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.incentives import present, service
from xinyong.web import csrf
from xinyong.web.console import add_nav, require_staff
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.params import PathId
from xinyong.web.render import render

router = APIRouter(
    prefix="/console/incentives", include_in_schema=False, dependencies=[Depends(csrf.verify)]
)
add_nav("incentives.figures", "/console/incentives", "inc.console.title", group="services")


@router.get("", response_class=HTMLResponse)
def overview(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """Figures per scenario (with the eligible population) and the proposals to decide."""
    require_staff(principal, "incentives.figures")
    context = {
        "figures": service.figures(session, population=True, today=present.beijing_today()),
        "proposals": service.proposals(session),
        "can_decide": principal.role == "admin",
        "rule_lines": present.rule_lines,
    }
    return render(request, "console/incentives/overview.html", context)


@router.post("/proposals/{proposal_id}/decide")
def decide(
    proposal_id: PathId,
    session: DbSession,
    principal: CurrentPrincipal,
    outcome: Annotated[str, Form(pattern="^(publish|reject)$")],
    note: Annotated[str | None, Form(max_length=1000)] = None,
) -> Response:
    """Publish or reject a partner's proposed scenario."""
    require_staff(principal, "incentives.manage")
    service.decide(
        session,
        principal=principal,
        proposal_id=proposal_id,
        publish=outcome == "publish",
        note=note,
    )
    return RedirectResponse("/console/incentives", status_code=303)
