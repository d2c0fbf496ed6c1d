"""Clerk pages (phone-sized): a village's work page (declare, review queue, close month),
redemption at the village shop, household cards, and the town/district dashboard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong.auth.principal import Principal
from xinyong.core.errors import Invalid, NotFound, XinyongError
from xinyong.points import dashboard, ledger, months, objections, service, shop
from xinyong.points.config import GROUPS
from xinyong.points.models import PointsMonth, PointsObjection, PointsUnit
from xinyong.web import console as kit
from xinyong.web import csrf
from xinyong.web.deps import DbSession
from xinyong.web.params import RawId, parse_id

router = APIRouter(
    prefix="/console/points", include_in_schema=False, dependencies=[Depends(csrf.verify)]
)
kit.add_nav("points.read", "/console/points", "pts.title", group="services")
kit.add_nav("points.read", "/console/points/dashboard", "pts.console.dashboard", group="services")
Text = Annotated[str, Form(max_length=500)]
Short = Annotated[str, Form(max_length=64)]


def _nav(principal: Principal) -> dict[str, bool]:
    return {"review": principal.role in ("admin", "department_user")}


PAGES = kit.ConsolePages("points", {"groups": GROUPS}, _nav)
# The staff guard runs before the form is read: a caller not allowed is refused first.
Reader = Annotated[Principal, Depends(kit.staff("points.read"))]
Recorder = Annotated[Principal, Depends(kit.staff("points.record"))]
Reviewer = Annotated[Principal, Depends(kit.staff("points.review"))]


def _village(session: Session, principal: Principal, raw: str) -> PointsUnit:
    """The village named in the path, once the caller may handle it (malformed: 404)."""
    village = service.village(session, parse_id(raw, "village_id", error=NotFound))
    service.check_unit(session, principal, village)
    return village


@router.get("", response_class=HTMLResponse)
def home(request: Request, session: DbSession, principal: Reader) -> Response:
    """The villages the caller works for, with their open month and pending count."""
    assigned = service.staff_units(session, principal)
    roots: list[PointsUnit | None] = [None] if assigned is None else list(assigned)
    villages: dict[int, PointsUnit] = {}
    for root in roots:
        for village in months.villages_under(session, root):
            villages[village.id] = village
    rows = [
        (v, ledger.open_period(session, v.id), len(ledger.pending(session, v.id)))
        for v in villages.values()
    ]
    return PAGES.page(request, principal, "home.html", {"rows": rows})


def village_context(session: Session, principal: Principal, village: PointsUnit) -> dict[str, Any]:
    """What the village page shows: the scheme's items, households, the review queue."""
    scheme = service.scheme_of(session, village)
    households = dashboard.households(session, village)
    names = {h.account.id: h.name for h in households}
    queue = ledger.pending(session, village.id)
    return {
        "village": village,
        "scheme": scheme,
        "households": households,
        "queue": [(e, names.get(e.account_id, str(e.account_id))) for e in queue],
        "open_period": ledger.open_period(session, village.id),
        "last_closed": ledger.last_closed(session, village.id),
        "today": service.beijing_today(),
        "actor": principal.actor,
        "objections": objections.open_for_village(session, village.id),
    }


def _village_page(
    request: Request,
    session: Session,
    principal: Principal,
    village: PointsUnit,
    *,
    error: XinyongError | None = None,
    notice: str | None = None,
) -> Response:
    context = {**village_context(session, principal, village), "error": error, "notice": notice}
    status = error.status_code if error else 200
    return PAGES.page(request, principal, "village.html", context, status=status)


def _village_step(
    request: Request,
    session: Session,
    principal: Principal,
    village: PointsUnit,
    *,
    done: str,
    step: Callable[[], object],
) -> Response:
    """Run one clerk or committee step in its own savepoint: refused, the village page comes
    back with the refusal (nothing of the step kept); done, back to the page with a notice."""
    try:
        with session.begin_nested():
            step()
    except XinyongError as error:
        return _village_page(request, session, principal, village, error=error)
    return RedirectResponse(f"/console/points/villages/{village.id}?done={done}", 303)


@router.get("/villages/{village_id}", response_class=HTMLResponse)
def village_page(
    request: Request, village_id: RawId, session: DbSession, principal: Reader
) -> Response:
    """A village's work page: declare a deed, the monthly review queue, close the month."""
    village = _village(session, principal, village_id)
    notice = request.query_params.get("done")
    return _village_page(request, session, principal, village, notice=notice)


@router.post("/villages/{village_id}/declare", response_class=HTMLResponse)
def declare(
    request: Request,
    village_id: RawId,
    session: DbSession,
    principal: Recorder,
    account_id: Annotated[str, Form(max_length=12)],
    item: Short,
    deed_date: Annotated[str, Form(max_length=10)],
    declared_by: Short,
    channel: Short = "in_person",
    evidence: Text = "",
) -> Response:
    """Record a deed a villager reported (it waits for the review)."""
    village = _village(session, principal, village_id)

    def step() -> None:
        account = service.account(session, parse_id(account_id, "account_id"))
        if account.village_id != village.id:
            raise NotFound(key="pts.err.no_account", params={"id": account_id})
        try:
            day = date.fromisoformat(deed_date)
        except ValueError:
            raise Invalid(key="pts.err.deed_date", details={"field": "deed_date"}) from None
        ledger.declare(
            session, account=account, item_code=item, deed_date=day,
            declared_by=declared_by.strip() or "本人", channel=channel,
            recorded_by=principal.actor, evidence=evidence,
        )  # fmt: skip

    return _village_step(request, session, principal, village, done="declared", step=step)


@router.post("/entries/{entry_id}/decide", response_class=HTMLResponse)
def decide(
    request: Request,
    entry_id: RawId,
    session: DbSession,
    principal: Reviewer,
    decision: Annotated[str, Form(pattern="^(approve|reject)$")],
    reason: Text = "",
) -> Response:
    """The review committee's decision on one entry (not by whoever recorded it)."""
    row = ledger.entry(session, parse_id(entry_id, "entry_id", error=NotFound))
    village = service.village(session, row.village_id)
    service.check_unit(session, principal, village)

    def step() -> None:
        ledger.decide(
            session, entry_id=row.id, approve=decision == "approve", actor=principal.actor,
            reason=reason,
        )  # fmt: skip

    return _village_step(request, session, principal, village, done="reviewed", step=step)


@router.post("/villages/{village_id}/close", response_class=HTMLResponse)
def close(
    request: Request,
    village_id: RawId,
    session: DbSession,
    principal: Reviewer,
    period: Annotated[str, Form(max_length=7)],
) -> Response:
    """Close the month: the snapshot is frozen and the board is published."""
    village = _village(session, principal, village_id)

    def step() -> None:
        months.close_month(session, village=village, period=period, actor=principal.actor)

    return _village_step(request, session, principal, village, done="closed", step=step)


@router.post("/objections/{objection_id}/answer", response_class=HTMLResponse)
def answer_objection(
    request: Request,
    objection_id: RawId,
    session: DbSession,
    principal: Reviewer,
    answer: Annotated[str, Form(min_length=2, max_length=1000)],
) -> Response:
    """The review committee answers an objection to the village's board."""
    found = session.get(PointsObjection, parse_id(objection_id, "objection_id", error=NotFound))
    if found is None:
        raise NotFound(key="pts.err.no_objection")
    month = session.get(PointsMonth, found.month_id)
    assert month is not None
    village = service.village(session, month.village_id)
    service.check_unit(session, principal, village)

    def step() -> None:
        objections.answer(session, objection_id=found.id, text=answer, actor=principal.actor)

    return _village_step(request, session, principal, village, done="answered", step=step)


@router.post("/villages/{village_id}/households", response_class=HTMLResponse)
def add_household(
    request: Request,
    village_id: RawId,
    session: DbSession,
    principal: Recorder,
    head_name: Annotated[str, Form(min_length=1, max_length=50)],
    head_id_number: Annotated[str, Form(min_length=15, max_length=20)],
) -> Response:
    """Register a household with its head (the ID number is sealed, shown masked)."""
    village = _village(session, principal, village_id)

    def step() -> None:
        service.create_household(
            session, village_row=village, head_name=head_name,
            head_id_number=head_id_number, actor=principal.actor,
        )  # fmt: skip

    return _village_step(request, session, principal, village, done="household", step=step)


@router.post("/accounts/{account_id}/members", response_class=HTMLResponse)
def add_member(
    request: Request,
    account_id: RawId,
    session: DbSession,
    principal: Recorder,
    name: Annotated[str, Form(min_length=1, max_length=50)],
    id_number: Annotated[str, Form(min_length=15, max_length=20)],
) -> Response:
    """Add a member to a household (a member of another household moves, history kept)."""
    account = service.account(session, parse_id(account_id, "account_id", error=NotFound))
    village = service.village(session, account.village_id)
    service.check_unit(session, principal, village)

    def step() -> None:
        service.add_member(
            session, household=account, name=name, id_number=id_number, actor=principal.actor
        )

    return _village_step(request, session, principal, village, done="member", step=step)


@router.post("/accounts/{account_id}/move", response_class=HTMLResponse)
def move(
    request: Request,
    account_id: RawId,
    session: DbSession,
    principal: Recorder,
    village_code: Annotated[str, Form(min_length=6, max_length=12)],
) -> Response:
    """Move a household to another village (its ledger and pupils go with it)."""
    account = service.account(session, parse_id(account_id, "account_id", error=NotFound))
    village = service.village(session, account.village_id)
    service.check_unit(session, principal, village)

    def step() -> None:
        target = service.village(session, village_code.strip())
        service.move_household(session, household=account, to_village=target, actor=principal.actor)

    return _village_step(request, session, principal, village, done="moved", step=step)


@router.get("/villages/{village_id}/redeem", response_class=HTMLResponse)
def redeem_page(
    request: Request,
    village_id: RawId,
    session: DbSession,
    principal: Recorder,
    card: str = "",
) -> Response:
    """The shop counter: scan or type the household's card code, see balance and goods."""
    village = _village(session, principal, village_id)
    return _redeem_page(request, session, principal, village, card=card[:20])


def _redeem_page(
    request: Request,
    session: Session,
    principal: Principal,
    village: PointsUnit,
    *,
    card: str,
    error: XinyongError | None = None,
    receipt: Any = None,
) -> Response:
    holder = None
    if card and error is None:
        try:
            account = service.account_by_card(session, card)
            if account.village_id != village.id:
                raise NotFound(key="pts.err.no_card", params={"code": card})
            holder = (
                account,
                service.head_name(session, account),
                ledger.balance(session, account),
            )
        except XinyongError as found_error:
            error = found_error
    context = {
        "village": village, "card": card, "holder": holder, "error": error,
        "goods": shop.goods(session, village.id), "receipt": receipt,
    }  # fmt: skip
    status = error.status_code if error else 200
    return PAGES.page(request, principal, "redeem.html", context, status=status)


@router.post("/villages/{village_id}/redeem", response_class=HTMLResponse)
def redeem(
    request: Request,
    village_id: RawId,
    session: DbSession,
    principal: Recorder,
    card: Annotated[str, Form(max_length=20)],
    good_id: Annotated[str, Form(max_length=12)],
    quantity: Annotated[int, Form(ge=1, le=99)] = 1,
) -> Response:
    """Redeem goods for the household: balance and stock checked, a receipt shown."""
    village = _village(session, principal, village_id)
    try:
        with session.begin_nested():
            account = service.account_by_card(session, card)
            if account.village_id != village.id:
                raise NotFound(key="pts.err.no_card", params={"code": card})
            done = shop.redeem(
                session, card_code=card, good_id=parse_id(good_id, "good_id"),
                quantity=quantity, clerk=principal.actor,
            )  # fmt: skip
    except XinyongError as error:
        return _redeem_page(request, session, principal, village, card=card, error=error)
    good = next(g for g in shop.goods(session, village.id) if g.id == done.good_id)
    return _redeem_page(request, session, principal, village, card=card, receipt=(done, good.name))


@router.get("/accounts/{account_id}/card", response_class=HTMLResponse)
def card(request: Request, account_id: RawId, session: DbSession, principal: Recorder) -> Response:
    """A household's points card to print: its QR code carries the card code only."""
    account = service.account(session, parse_id(account_id, "account_id", error=NotFound))
    village = service.village(session, account.village_id)
    service.check_unit(session, principal, village)
    context = {
        "village": village, "account": account, "name": service.head_name(session, account),
        "qr": dashboard.card_qr(account.card_code),
    }  # fmt: skip
    return PAGES.page(request, principal, "card.html", context)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request, session: DbSession, principal: Reader, unit: str = ""
) -> Response:
    """Figures per unit: a town sees its villages, the district sees its towns (charts)."""
    target = dashboard.dashboard_unit(session, principal, unit)
    figures = dashboard.figures(session, target)
    context = {"unit": target, "figures": figures, "chart": dashboard.bar_chart(figures)}
    return PAGES.page(request, principal, "dashboard.html", context)
