"""Feedback on many hits at once from the feedback queue (批量反馈): the same answer (applied
or not, the date, the reason) for every ticked hit, all recorded or none (thin)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from xinyong.checks import feedback
from xinyong.core.errors import Conflict, Invalid, NotFound
from xinyong.core.i18n import Language, t
from xinyong.web.console import require_staff
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.params import MAX_ID, lang_of

router = APIRouter(prefix="/console/checks", include_in_schema=False)
MAX_BULK = 200  # hits answered in one go


def _hits(raw: list[str], lang: Language) -> list[tuple[int, int]]:
    """(hit id, version seen) of the ticked boxes (``id:version``)."""
    out = []
    for value in raw[: MAX_BULK + 1]:
        hit, _, version = value.partition(":")
        if not (hit.isdigit() and version.isdigit() and 0 < int(hit) <= MAX_ID):
            raise Invalid(t("desk.bulk.none", lang), details={"field": "hit"})
        out.append((int(hit), int(version)))
    if not out:
        raise Invalid(t("desk.bulk.none", lang), details={"field": "hit"})
    if len(out) > MAX_BULK:
        raise Invalid(t("desk.bulk.many", lang).format(n=MAX_BULK), details={"field": "hit"})
    return out


def _answer(outcome: str, on: str, reason: str, lang: Language) -> feedback.Answer:
    try:
        chosen = feedback.Outcome(outcome.strip())
    except ValueError:
        raise Invalid(t("ckc.error.outcome", lang), details={"field": "outcome"}) from None
    try:
        day = date.fromisoformat(on.strip())
    except ValueError:
        raise Invalid(t("ckc.error.on", lang), details={"field": "on"}) from None
    if chosen is feedback.Outcome.not_applied and not reason.strip():
        raise Invalid(t("ckc.error.reason", lang), details={"field": "reason"})
    return feedback.Answer(chosen, day, reason)


# Why a bulk answer was refused, as the queue page names it (texts ``desk.bulk.err.<why>``).
PROBLEMS = ("hit", "outcome", "on", "reason", "conflict", "gone")


def _problem(error: Invalid | Conflict | NotFound) -> str:
    if isinstance(error, Conflict):
        return "conflict"
    if isinstance(error, NotFound):
        return "gone"
    field = str(error.details.get("field") or "")
    return field if field in PROBLEMS else "on"


@router.post("/feedback/bulk")
def bulk_feedback(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    hit: Annotated[list[str], Form(max_length=MAX_BULK + 1)] = [],  # noqa: B006
    outcome: Annotated[str, Form(max_length=20)] = "",
    on: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=2 * feedback.MAX_REASON)] = "",
    status: Annotated[str, Form(max_length=10)] = "pending",
) -> Response:
    """Record one answer on every ticked hit (all or none); back to the queue with a note."""
    require_staff(principal, "checks.run")
    lang = lang_of(request)
    shown = status if status in ("pending", "overdue", "all") else "pending"
    back = f"/console/checks/feedback?status={shown}"
    try:
        answer = _answer(outcome, on, reason, lang)
        ticked = _hits(hit, lang)
        for hit_id, version in ticked:
            feedback.answer(
                session, principal=principal, hit_id=hit_id, answer=answer,
                today=date.today(), expected_version=version,
            )  # fmt: skip
    except (Invalid, Conflict, NotFound) as error:
        session.rollback()  # all or none
        return RedirectResponse(f"{back}&bulk_error={_problem(error)}", status_code=303)
    session.commit()
    return RedirectResponse(f"{back}&bulk_done={len(ticked)}", status_code=303)
