"""Public and villager pages: a village's monthly board (公示) with its poster (PDF) and
image (PNG) and the objection form; a villager's own household (balance, history, declare)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.core.errors import Invalid, NotFound, XinyongError
from xinyong.points import ledger, months, objections, poster, service
from xinyong.points.models import PointsAccount
from xinyong.web import csrf
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.params import RawId, lang_of, parse_id
from xinyong.web.render import render_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.verify)])
Text = Annotated[str, Form(max_length=500)]


def _board(session: DbSession, raw: str, period: str) -> months.Board:
    village = service.village(session, parse_id(raw, "village_id", error=NotFound))
    chosen = months.check_period(period) if period else None
    return months.board(session, village=village, period=chosen)


@router.get("/points/villages/{village_id}/board", response_class=HTMLResponse)
def board_page(
    request: Request, village_id: RawId, session: DbSession, period: str = ""
) -> Response:
    """A village's published board: ranking, the month's changes, masked names."""
    board = _board(session, village_id, period[:7])
    context = {
        "b": board,
        "open": objections.is_open(board.month),
        "filed": request.query_params.get("filed"),
    }
    return render_page(request, "portal/points/board.html", context)


@router.get("/points/villages/{village_id}/board.pdf")
def board_pdf(
    request: Request, village_id: RawId, session: DbSession, period: str = ""
) -> Response:
    """The board as a poster for the notice wall (PDF)."""
    board = _board(session, village_id, period[:7])
    name = f"points-board-{board.village.code}-{board.month.period}.pdf"
    return Response(
        poster.pdf(board, lang=lang_of(request)), media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )  # fmt: skip


@router.get("/points/villages/{village_id}/board.png")
def board_png(
    request: Request, village_id: RawId, session: DbSession, period: str = ""
) -> Response:
    """The board as an image for the village WeChat group (PNG)."""
    board = _board(session, village_id, period[:7])
    return Response(poster.png(board, lang=lang_of(request)), media_type="image/png")


@router.post("/points/villages/{village_id}/objections", response_class=HTMLResponse)
def object_to_board(
    request: Request,
    village_id: RawId,
    session: DbSession,
    text: Annotated[str, Form(min_length=5, max_length=1000)],
    contact: Annotated[str, Form(min_length=2, max_length=64)],
    rank: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    """An objection to the published board, within the objection period."""
    board = _board(session, village_id, "")
    objections.file(
        session, month=board.month, text=text, contact=contact,
        rank=int(rank) if rank.isdigit() else None,
    )  # fmt: skip
    return RedirectResponse(f"/points/villages/{board.village.id}/board?filed=1", 303)


def _villager(principal: CurrentPrincipal) -> Principal:
    """The caller, once a subject's own account (checked before any form is read)."""
    policy.require(principal, "points.own")
    return principal


Villager = Annotated[Principal, Depends(_villager)]


def _own(session: DbSession, principal: Principal) -> PointsAccount:
    assert principal.subject_id is not None
    household = service.household_of_person(session, principal.subject_id)
    if household is None:
        raise NotFound(key="pts.err.not_member")
    return household


def _me_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    error: XinyongError | None = None,
) -> Response:
    household = _own(session, principal)
    village = service.village(session, household.village_id)
    context = {
        "household": household, "village": village,
        "scheme": ledger.scheme_for(session, household),
        "balance": ledger.balance(session, household),
        "entries": ledger.history(session, household.id, limit=50),
        "today": service.beijing_today(), "error": error,
        "done": request.query_params.get("done"),
    }  # fmt: skip
    return render_page(
        request, "portal/points/me.html", context, status_code=error.status_code if error else 200
    )


@router.get("/portal/me/points", response_class=HTMLResponse)
def my_points(request: Request, session: DbSession, principal: Villager) -> Response:
    """A villager's own household: balance, star level and the ledger's history."""
    return _me_page(request, session, principal)


@router.post("/portal/me/points/declare", response_class=HTMLResponse)
def declare_my_deed(
    request: Request,
    session: DbSession,
    principal: Villager,
    item: Annotated[str, Form(max_length=16)],
    deed_date: Annotated[str, Form(max_length=10)],
    evidence: Text = "",
) -> Response:
    """A villager declares a good deed of the household (the clerk's review follows)."""
    household = _own(session, principal)
    try:
        try:
            day = date.fromisoformat(deed_date)
        except ValueError:
            raise Invalid(key="pts.err.deed_date", details={"field": "deed_date"}) from None
        if ledger.scheme_for(session, household).item(item).points < 0:
            raise Invalid(key="pts.err.own_negative", details={"field": "item"})
        with session.begin_nested():
            ledger.declare(
                session, account=household, item_code=item, deed_date=day,
                declared_by=principal.actor, channel="app", recorded_by=principal.actor,
                evidence=evidence,
            )  # fmt: skip
    except XinyongError as error:
        return _me_page(request, session, principal, error=error)
    return RedirectResponse("/portal/me/points?done=1", 303)
