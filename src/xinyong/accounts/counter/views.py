"""Portal pages and API of counter codes: open a subject's account, reset its password (thin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from xinyong.accounts.counter import forms
from xinyong.accounts.counter.forms import OpenAccount, ResetPassword
from xinyong.auth import counter
from xinyong.core.errors import API_ERRORS, Invalid, XinyongError
from xinyong.web.deps import DbSession
from xinyong.web.params import lang_of
from xinyong.web.present import switch_href
from xinyong.web.render import render_page

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1/auth", tags=["accounts · 账户"], responses=API_ERRORS)
Field = Annotated[str, Form(max_length=256)]
OPEN_FIELDS = ("subject_code", "code", "username", "display_name", "password", "password2")
RESET_FIELDS = ("subject_code", "code", "password", "password2")


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    full = {"section": "", "switch_href": switch_href(request, lang_of(request)), **context}
    response = render_page(request, f"portal/auth/{name}", full, status_code=status)
    response.headers["cache-control"] = "no-store"
    return response


def _attempt(session: Session, request: Request, subject_code: str, work: Any) -> Any:
    """Run a redeeming step under the try limits; a refusal keeps its count of wrong tries
    (committed before the request's session rolls back)."""
    forms.throttle(request, subject_code)
    try:
        return work()
    except XinyongError:
        session.commit()
        raise


def _same_passwords(values: dict[str, str]) -> None:
    if values.pop("password2", None) != values["password"]:
        raise Invalid(key="counter.err.password_mismatch", details={"field": "password2"})


@router.get("/register", response_class=HTMLResponse)
def open_account_page(request: Request) -> Response:
    """The form a subject opens its own account with, using the counter code."""
    return _page(request, "register.html", {"values": {}, "error": None, "done": False})


@router.post("/register", response_class=HTMLResponse)
def open_account_form(
    request: Request,
    session: DbSession,
    subject_code: Field,
    code: Field,
    username: Field,
    display_name: Field,
    password: Field,
    password2: Field,
) -> Response:
    """Open the account; the form comes back with the reason when refused."""
    values = dict(
        zip(
            OPEN_FIELDS,
            (subject_code, code, username, display_name, password, password2),
            strict=True,
        )
    )
    shown = {k: v for k, v in values.items() if k in ("subject_code", "username", "display_name")}
    try:
        _same_passwords(values)
        data = forms.checked(OpenAccount, values)
        _attempt(
            session,
            request,
            data.subject_code,
            lambda: counter.open_account(session, **data.model_dump()),
        )
    except XinyongError as error:
        context = {"values": shown, "error": error, "done": False}
        return _page(request, "register.html", context, status=error.status_code)
    return _page(request, "register.html", {"values": shown, "error": None, "done": True}, 201)


@router.get("/login/reset", response_class=HTMLResponse)
def reset_page(request: Request) -> Response:
    """The form a subject sets a new password with, using a reset code from the counter."""
    return _page(request, "reset.html", {"values": {}, "error": None, "done": False})


@router.post("/login/reset", response_class=HTMLResponse)
def reset_form(
    request: Request,
    session: DbSession,
    subject_code: Field,
    code: Field,
    password: Field,
    password2: Field,
) -> Response:
    """Set the new password; the form comes back with the reason when refused."""
    values = dict(zip(RESET_FIELDS, (subject_code, code, password, password2), strict=True))
    shown = {"subject_code": subject_code}
    try:
        _same_passwords(values)
        data = forms.checked(ResetPassword, values)
        _attempt(
            session,
            request,
            data.subject_code,
            lambda: counter.reset_password(session, **data.model_dump()),
        )
    except XinyongError as error:
        context = {"values": shown, "error": error, "done": False}
        return _page(request, "reset.html", context, status=error.status_code)
    return _page(request, "reset.html", {"values": shown, "error": None, "done": True})


class AccountOpened(BaseModel):
    username: str
    kind: str


@api_router.post("/open-account", response_model=AccountOpened, status_code=201)
def open_account(data: OpenAccount, request: Request, session: DbSession) -> AccountOpened:
    """Open a subject's own account with its counter code · 凭窗口验证码开通主体账户.

    Tries are limited per address and per subject; wrong codes void the subject's codes after
    a few tries. Without an API key, send the session cookie and its ``X-CSRF-Token`` (from
    the ``/register`` page), as every unsafe request does."""
    account = _attempt(
        session,
        request,
        data.subject_code,
        lambda: counter.open_account(session, **data.model_dump()),
    )
    return AccountOpened(username=account.username, kind=account.kind)


@api_router.post("/reset-password", response_model=AccountOpened)
def reset_password(data: ResetPassword, request: Request, session: DbSession) -> AccountOpened:
    """Set a subject account's new password with a reset code · 凭窗口验证码重置密码."""
    account = _attempt(
        session,
        request,
        data.subject_code,
        lambda: counter.reset_password(session, **data.model_dump()),
    )
    return AccountOpened(username=account.username, kind=account.kind)
