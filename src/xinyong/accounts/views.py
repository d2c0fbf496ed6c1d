"""Login, logout and the account pages of the console and the portal (thin)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.auth import policy, queries
from xinyong.auth import service as auth_service
from xinyong.auth.principal import Principal
from xinyong.catalog.labels import item_name
from xinyong.core.errors import Forbidden, Unauthorized
from xinyong.core.i18n import Language, has_text, t
from xinyong.web import csrf
from xinyong.web.deps import CurrentPrincipal, DbSession, session_account
from xinyong.web.params import lang_of
from xinyong.web.render import render

router = APIRouter(include_in_schema=False)


def _landing(principal: Principal) -> str:
    return "/console/" if principal.kind == "staff" else "/portal/me"


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths may be redirected to after login."""
    if not target:
        return None
    parsed = urlparse(target)
    ok = not parsed.scheme and not parsed.netloc and target.startswith("/") and "//" not in target
    return target if ok else None


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    """The login form (staff, organisation users and subjects alike)."""
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    """Check the password; on success start a signed session and go on."""
    try:
        account = auth_service.authenticate(session, username=username.strip(), password=password)
    except Unauthorized as error:
        session.commit()  # keep the failure count even though the login failed
        context: dict[str, Any] = {
            "next": _safe_next(next),
            "error": error.localized(lang_of(request)),
        }
        return render(request, "login.html", context, status_code=error.status_code)
    request.session.clear()
    request.session.update({"account_id": account.id, "epoch": account.session_epoch})
    csrf.rotate(request)
    principal = auth_service.principal_for(session, account)
    return RedirectResponse(_safe_next(next) or _landing(principal), status_code=303)


@router.post("/logout")
def logout(request: Request, session: DbSession) -> Response:
    """End this session, on the server too: a copy of the cookie no longer logs in."""
    account = session_account(request, session)
    if account is not None:
        auth_service.logout(session, account_id=account.id)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/logout-everywhere")
def logout_everywhere(
    request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """End every session of this account, on every device."""
    if principal.account_id is None:
        raise Unauthorized(key="auth.err.log_in")
    auth_service.logout_everywhere(session, account_id=principal.account_id)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def _require_login(request: Request, principal: Principal) -> None:
    if principal.kind == "anonymous":
        raise Unauthorized(key="auth.err.log_in")


@router.get("/portal/me", response_class=HTMLResponse)
def portal_me(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """A subject's own page: who looked at its data and why, its notices and its rights."""
    from xinyong.notices import service as notices_service

    _require_login(request, principal)
    if principal.account_id is None:
        raise Forbidden(key="auth.err.people_only")
    entries = []
    if principal.subject_id is not None and policy.can(principal, "queries.read_own"):
        entries = queries.for_subject(session, subject_id=principal.subject_id)
    rights = principal.subject_id is not None and policy.can(principal, "rights.apply")
    notices = (
        notices_service.for_subject(session, subject_id=principal.subject_id)
        if rights and principal.subject_id is not None
        else []
    )
    context = {
        "principal": principal,
        "queries": entries,
        "rights_links": rights,
        "notices": notices,
        "notice_text": notices_service.text,
        "what_label": what_label,
        "who_label": who_label,
    }
    return render(request, "portal/auth/me.html", context)


def who_label(actor_label: str, lang: Language) -> str:
    """Who read: an account's name as kept, a system's key called so in the page language."""
    prefix = "API key "
    if actor_label.startswith(prefix):
        return t("me.api_key", lang).format(name=actor_label.removeprefix(prefix))
    return actor_label


def what_label(code: str, lang: Language) -> str:
    """What a registered query read, as people say it: 名单, 信用报告, an item's name."""
    if has_text(f"me.what.{code}"):
        return t(f"me.what.{code}", lang)
    if code.startswith("report:"):
        return t("me.what.report", lang)
    return item_name(code, lang)
