"""The console kit: the staff guard, the console page renderer, the step-route factory and
the lookups every module's staff pages share (departments, people behind actor strings)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth import policy
from xinyong.auth.models import Account
from xinyong.auth.principal import Principal
from xinyong.core.errors import Forbidden
from xinyong.core.i18n import Language
from xinyong.subjects.models import Department
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.params import RawId, colon, lang_of
from xinyong.web.render import render_page

# One step of a step route: (request, session, principal, raw id, step name, form) → page.
StepAction = Callable[[Request, Session, Principal, str, str, Any], Response]


def require_staff(principal: Principal, action: str) -> None:
    """Console pages are for people: staff allowed the action (systems use the API)."""
    policy.require(principal, action)
    if principal.kind != "staff":
        raise Forbidden(key="console.err.staff_only")


def staff(action: str) -> Callable[[Principal], Principal]:
    """A dependency giving the caller once it is staff allowed ``action``."""

    def guard(principal: CurrentPrincipal) -> Principal:
        require_staff(principal, action)
        return principal

    return guard


@dataclass(frozen=True)
class ConsolePages:
    """One module's console pages: their templates (``console/<module>/``), the helpers the
    templates call and the module's navigation as the caller may use it."""

    module: str
    helpers: Mapping[str, Any]
    nav: Callable[[Principal], dict[str, bool]]

    def page(
        self,
        request: Request,
        principal: Principal,
        name: str,
        context: dict[str, Any],
        *,
        status: int = 200,
    ) -> HTMLResponse:
        """Render ``console/<module>/<name>``; ``?lang=`` also sets the language cookie."""
        lang = lang_of(request)
        full = {**self.helpers, "nav": self.nav(principal), "colon": colon(lang), **context}
        return render_page(request, f"console/{self.module}/{name}", full, status_code=status)


def departments_by_id(session: Session) -> dict[int, Department]:
    """Every department, by id."""
    return {d.id: d for d in session.scalars(select(Department))}


def department_name(department: Department | None, lang: Language) -> str:
    """A department's name in the page language ('' for none)."""
    if department is None:
        return ""
    return department.name_zh if lang == "zh" else department.name_en


def actor_names(session: Session, actors: Iterable[str]) -> dict[str, str]:
    """Actor strings as people read them: ``account:7`` → the account's name (username)."""
    ids = {int(a.split(":", 1)[1]) for a in actors if re.fullmatch(r"account:\d+", a)}
    found = list(session.scalars(select(Account).where(Account.id.in_(ids)))) if ids else []
    names = {f"account:{a.id}": f"{a.display_name} ({a.username})" for a in found}
    return {actor: names.get(actor, actor) for actor in actors}


def _step_route(
    act: StepAction, step: str, id_name: str, form_model: type[BaseModel], doc: str
) -> Callable[..., Response]:
    """The POST handler of one step: it hands the raw id and the form to ``act``."""

    def handle(**values: Any) -> Response:
        raw_id, form = values[id_name], values["form"]
        return act(values["request"], values["session"], values["principal"], raw_id, step, form)

    keyword = inspect.Parameter.KEYWORD_ONLY
    handle.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("request", keyword, annotation=Request),
            inspect.Parameter(id_name, keyword, annotation=RawId),
            inspect.Parameter("principal", keyword, annotation=CurrentPrincipal),
            inspect.Parameter("session", keyword, annotation=DbSession),
            inspect.Parameter("form", keyword, annotation=Annotated[form_model, Form()]),
        ],
        return_annotation=Response,
    )
    handle.__doc__ = doc
    return handle


def add_step_routes(
    router: APIRouter,
    base: str,
    form_model: type[BaseModel],
    act: StepAction,
    *,
    docs: Mapping[str, str],
    name: str,
) -> None:
    """POST ``{base}/{step}`` for each step of ``docs`` (its docstring the value): ``act``
    runs the step on the id ``base`` names and answers with a redirect, or with the page
    showing why the step was refused. Routes are named ``{name}_{step}``."""
    id_name = re.findall(r"\{(\w+)\}", base)[-1]
    for step, doc in docs.items():
        router.add_api_route(
            f"{base}/{step}",
            _step_route(act, step, id_name, form_model, doc),
            methods=["POST"],
            response_class=HTMLResponse,
            name=f"{name}_{step}",
        )
