"""Portal pages of 信易+: the public 守信激励 page, the holder's credit code, the printable
shop code, and the partner's scan and proposal pages (thin)."""

from __future__ import annotations

from typing import Annotated, Any

import segno
import yaml
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.core.config import get_settings
from xinyong.core.errors import Forbidden, Invalid, Unauthorized, XinyongError
from xinyong.core.i18n import pick_language
from xinyong.incentives import present, service
from xinyong.incentives import verify as verification
from xinyong.subjects import service as subjects_service
from xinyong.web import csrf
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.render import language, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.verify)])
HELPERS = {
    "rule_lines": present.rule_lines,
    "quota_text": present.quota_text,
    "validity_text": present.validity_text,
    "why_not": present.why_not,
    "local_time": present.local_time,
}


def _login(principal: Principal) -> None:
    if principal.kind == "anonymous":
        raise Unauthorized("请先登录 · log in first")
    if principal.account_id is None:
        raise Forbidden("本页面供登录用户使用 · this page is for people who log in")


def qr_data_uri(text: str) -> str:
    """A QR code of the text as an SVG data URI (segno)."""
    return str(segno.make(text, error="m").svg_data_uri(scale=5, border=2))


@router.get("/incentives", response_class=HTMLResponse)
def public_page(request: Request, session: DbSession) -> Response:
    """守信激励: the published scenarios and how to qualify (public)."""
    scenarios = [s for _, s in sorted(service.catalogue(session).items())]
    context = {"scenarios": scenarios, "section": "incentives", **HELPERS}
    return render(request, "portal/incentives/public.html", context)


@router.get("/portal/me/code", response_class=HTMLResponse)
def my_code(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """The holder's credit code, what it qualifies for now and why not the others."""
    _login(principal)
    policy.require(principal, "incentives.code")
    if principal.subject_id is None:
        raise Forbidden(key="inc.err.holders_only")
    subject = subjects_service.get(session, principal.subject_id)
    today = present.beijing_today()
    standings = service.standings(session, subject_id=subject.id, today=today)
    issued = verification.issue_code(session, principal=principal)
    context = {
        "subject": subject,
        "token": issued.token,
        "qr": qr_data_uri(issued.token),
        "expires_local": present.local_time(issued.expires_at),
        "eligible": [s for s in standings if s.verdict.eligible],
        "ineligible": [s for s in standings if not s.verdict.eligible],
        "redemptions": service.redemptions_of(session, subject_id=subject.id),
        "names": {code: s.spec.name for code, s in service.catalogue(session).items()},
        **HELPERS,
    }
    return render(request, "portal/incentives/code.html", context)


@router.post("/portal/me/code/refresh")
def refresh_code(session: DbSession, principal: CurrentPrincipal) -> Response:
    """A fresh signed token and its QR code (the page calls this every few minutes)."""
    _login(principal)
    issued = verification.issue_code(session, principal=principal)
    return JSONResponse(
        {
            "token": issued.token,
            "qr": qr_data_uri(issued.token),
            "expires_at": issued.expires_at.isoformat(),
            "expires_local": present.local_time(issued.expires_at),
        },
        headers={"cache-control": "no-store"},
    )


@router.get("/portal/me/code/print", response_class=HTMLResponse)
def shop_code(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """A printable static code for an individual business's shop window: its public page."""
    _login(principal)
    policy.require(principal, "incentives.code")
    if principal.subject_id is None:
        raise Forbidden(key="inc.err.holders_only")
    subject = subjects_service.get(session, principal.subject_id)
    if subject.kind != "individual_business" or not subject.uscc:
        raise Forbidden(key="inc.err.business_only")
    url = f"{get_settings().public_url.rstrip('/')}/subjects/{subject.uscc}"
    context = {"subject": subject, "url": url, "qr": qr_data_uri(url)}
    return render(request, "portal/incentives/static_code.html", context)


def _partner_scenarios(session: Any, principal: Principal) -> list[service.Scenario]:
    _login(principal)
    policy.require(principal, "incentives.verify")
    return [
        s
        for _, s in sorted(service.catalogue(session).items())
        if s.organisation_id == principal.organisation_id
    ]


@router.get("/partner/scan", response_class=HTMLResponse)
def scan_page(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """The outlet's page: choose the scenario, scan or paste the code, see the answer."""
    scenarios = _partner_scenarios(session, principal)
    return render(request, "portal/incentives/scan.html", {"scenarios": scenarios, "answer": None})


@router.post("/partner/scan", response_class=HTMLResponse)
def scan(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    scenario: Annotated[str, Form(max_length=64)],
    token: Annotated[str, Form(max_length=400)],
    outlet: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """Verify a scanned or pasted code (eligible means redeemed)."""
    scenarios = _partner_scenarios(session, principal)
    answer = verification.verify(
        session, principal=principal, scenario_code=scenario, token=token, outlet=outlet or None
    )
    session.commit()  # release the audit chain's lock now (see incentives.api.verify)
    context = {
        "scenarios": scenarios,
        "answer": answer.as_json(),
        "chosen": scenario,
        "chosen_outlet": outlet,
    }
    return render(request, "portal/incentives/scan.html", context)


def _partner_home(request: Request, session: Any, principal: Principal, **extra: Any) -> Response:
    policy.require(principal, "incentives.propose")
    context = {
        "proposals": service.proposals(session, organisation_id=principal.organisation_id),
        "figures": service.figures(session, organisation_id=principal.organisation_id),
        "error": None,
        "done": False,
        "draft": "",
        **extra,
    }
    status = 422 if context["error"] else 200
    return render(request, "portal/incentives/partner.html", context, status_code=status)


@router.get("/partner/scenarios", response_class=HTMLResponse)
def partner_page(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """A partner's scenarios (proposed and published), its own figures, the proposal form."""
    _login(principal)
    return _partner_home(request, session, principal)


@router.post("/partner/scenarios", response_class=HTMLResponse)
def partner_propose(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    definition: Annotated[str, Form(max_length=20000)],
) -> Response:
    """Propose a scenario written in YAML (the fields of incentives/data/scenarios.yaml)."""
    _login(principal)
    policy.require(principal, "incentives.propose")
    lang = pick_language(language(request))
    try:
        body = yaml.safe_load(definition)
        if not isinstance(body, dict):
            raise Invalid(key="inc.err.bad_yaml", params={"problem": "not a mapping"})
        with session.begin_nested():
            service.propose(session, principal=principal, definition=body)
    except yaml.YAMLError as problem:
        error = Invalid(key="inc.err.bad_yaml", params={"problem": str(problem)[:300]})
        return _partner_home(
            request, session, principal, error=error.localized(lang), draft=definition
        )
    except XinyongError as error:
        if isinstance(error, Unauthorized | Forbidden):
            raise
        return _partner_home(
            request, session, principal, error=error.localized(lang), draft=definition
        )
    return _partner_home(request, session, principal, done=True)
