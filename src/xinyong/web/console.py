"""The console kit: the staff guard, the console page renderer, the step-route factory, the
console's navigation and the lookups every module's staff pages share (departments, people
behind actor strings).

Layout. Every template under ``console/`` is rendered in the console layout
(``console/base.html``: its own header, navigation by role, breadcrumbs and footer, the
portal's look): a console template keeps writing ``{% extends "base.html" %}`` and gets the
console layout (see ``web.render``). Nothing else is needed to join it.

Navigation. The menu is data: :data:`CONSOLE_NAV` lists ``NavEntry(action, href, text key,
group)`` rows, and a person sees the rows whose policy action they hold (and whose page the
application serves). A module adds its pages with one line in its ``console.py``::

    kit.add_nav("commitments.read", "/console/commitments", "cm.nav", group="work")

``action`` is a policy action (``auth.policy.ACTIONS``; ``None``: every staff member),
``text`` a key of the module's texts.yaml, ``group`` one of :data:`NAV_GROUPS` (the menu's
sections); ``wide=True`` keeps a page for the credit office's oversight (admins, auditors).
The breadcrumbs follow from the same rows (the longest ``href`` the page's path starts
with); a page may pass its own ``breadcrumbs`` [(text, href or None), …] instead.
"""

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

from xinyong.auth import policy, scope
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


# The menu's sections, in order (their names: texts ``desk.group.<group>``).
NAV_GROUPS = (
    "desk", "collect", "work", "lists", "checks", "reports", "grades", "services", "oversight",
)  # fmt: skip


@dataclass(frozen=True)
class NavEntry:
    """One link of the console menu: shown to staff who hold ``action`` (None: all staff)."""

    action: str | None
    href: str
    text: str
    group: str = "work"
    # Only for the credit office's oversight (admins and auditors: every department's work).
    wide: bool = False


CONSOLE_NAV: list[NavEntry] = [
    NavEntry(None, "/console/", "console.title", "desk"),
    NavEntry("records.submit", "/console/ingest", "ingest.upload", "collect"),
    NavEntry("ingest.read", "/console/ingest/ledger", "ingest.ledger", "collect"),
    NavEntry("records.submit", "/console/ingest/review", "ingest.review", "collect"),
    NavEntry("rights.read", "/console/rights", "rc.queue", "work"),
    NavEntry("rights.counter", "/console/rights/counter", "rc.counter", "work"),
    NavEntry("lists.read", "/console/lists", "lc.queue", "lists"),
    NavEntry("lists.decide", "/console/lists/new", "lc.new", "lists"),
    NavEntry("checks.read", "/console/checks", "ckc.desk", "checks"),
    NavEntry("checks.run", "/console/checks/batch", "ckc.batch", "checks"),
    NavEntry("checks.read", "/console/checks/feedback", "ckc.queue", "checks"),
    NavEntry("checks.read", "/console/checks/stats", "ckc.stats", "checks"),
    NavEntry("reports.register", "/console/reports", "desk.nav.reports", "reports"),
    NavEntry("reports.counter", "/console/reports/counter", "desk.nav.report_counter", "reports"),
    NavEntry("reports.batch", "/console/reports/batch", "desk.nav.report_batch", "reports"),
    NavEntry("evaluations.read", "/console/evaluation", "ev.runs", "grades"),
    NavEntry("evaluations.read", "/console/evaluation/subject", "ev.subject_lookup", "grades"),
    NavEntry("rights.read", "/console/evaluation/objections", "ev.obj.console_title", "grades"),
    NavEntry("evaluations.read", "/console/supervision/plans", "sv.plans", "grades"),
    NavEntry("reports.register", "/console/reports/figures", "desk.nav.report_figures", "reports"),
    NavEntry("rights.read", "/console/rights/stats", "desk.nav.rights_stats", "oversight", True),
    NavEntry("audit.read", "/console/audit", "audit.title", "oversight"),
    NavEntry("counter.issue_code", "/console/accounts/codes", "counter.console.title", "oversight"),
]


def add_nav(
    action: str | None, href: str, text: str, *, group: str = "work", wide: bool = False
) -> None:
    """Add a page to the console menu (once per ``href``; a later call replaces it)."""
    if group not in NAV_GROUPS:
        raise ValueError(f"unknown console menu group {group!r}; one of {', '.join(NAV_GROUPS)}")
    CONSOLE_NAV[:] = [e for e in CONSOLE_NAV if e.href != href]
    CONSOLE_NAV.append(NavEntry(action, href, text, group, wide))


def may_see(principal: Principal, entry: NavEntry) -> bool:
    """Whether a staff member's menu shows the entry."""
    if principal.kind != "staff":
        return False
    if entry.wide and not scope.platform_wide(principal):
        return False
    return entry.action is None or policy.can(principal, entry.action)


def nav_entries(principal: Principal, served: Callable[[str], bool]) -> list[NavEntry]:
    """The menu rows a staff member sees, of pages the application serves, by group."""
    order = {group: i for i, group in enumerate(NAV_GROUPS)}
    shown = [e for e in CONSOLE_NAV if may_see(principal, e) and served(e.href)]
    return sorted(shown, key=lambda e: order[e.group])


def nav_groups(entries: Iterable[NavEntry]) -> list[tuple[str, list[NavEntry]]]:
    """Menu rows grouped by section, sections in the menu's order."""
    groups: dict[str, list[NavEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.group, []).append(entry)
    return [(g, groups[g]) for g in NAV_GROUPS if g in groups]


def current_entry(path: str, entries: Iterable[NavEntry]) -> NavEntry | None:
    """The menu row a page belongs to: the longest ``href`` its path starts with."""
    home = "/console/"
    found = [
        e for e in entries if e.href != home and (path == e.href or path.startswith(e.href + "/"))
    ]
    return max(found, key=lambda e: len(e.href), default=None)


def departments_by_id(session: Session) -> dict[int, Department]:
    """Every department, by id."""
    return {d.id: d for d in session.scalars(select(Department))}


def department_name(department: Department | None, lang: Language) -> str:
    """A department's name in the page language ('' for none)."""
    if department is None:
        return ""
    return department.name_zh if lang == "zh" else department.name_en


def actor_names(session: Session, actors: Iterable[str], lang: Language = "zh") -> dict[str, str]:
    """Actor strings as people read them: ``account:7`` → the person and their department,
    ``apikey:2`` → the API client, anything else (jobs, imports) → the platform itself."""
    from xinyong.auth.models import ApiKey
    from xinyong.core.i18n import t

    wanted = set(actors)
    ids = {int(a.split(":", 1)[1]) for a in wanted if re.fullmatch(r"account:\d+", a)}
    keys = {int(a.split(":", 1)[1]) for a in wanted if re.fullmatch(r"apikey:\d+", a)}
    departments = departments_by_id(session) if ids or keys else {}
    names: dict[str, str] = {}
    for account in session.scalars(select(Account).where(Account.id.in_(ids))) if ids else []:
        where = department_name(departments.get(account.department_id or 0), lang)
        names[f"account:{account.id}"] = (
            f"{account.display_name}（{where}）" if where else account.display_name
        )
    for key in session.scalars(select(ApiKey).where(ApiKey.id.in_(keys))) if keys else []:
        owner = department_name(departments.get(key.department_id or 0), lang) or "—"
        names[f"apikey:{key.id}"] = t("auditv.actor.key", lang).format(name=key.name, owner=owner)
    platform = t("auditv.actor.platform", lang)
    return {actor: names.get(actor, platform) for actor in wanted}


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


def layout_context(request: Request, context: Mapping[str, Any]) -> dict[str, Any]:
    """What the console layout shows around a page: the menu the caller's role allows, the
    breadcrumbs, the caller and the language switch (``console/base.html`` reads these)."""
    from xinyong.core.i18n import pick_language, t
    from xinyong.web.present import served_paths, switch_href

    lang = pick_language(str(context.get("lang") or "zh"))
    principal = getattr(request.state, "principal", None)
    served = served_paths(request) if "app" in request.scope else set()
    entries = nav_entries(principal, served.__contains__) if principal is not None else []
    current = current_entry(request.url.path, entries)
    home = "/console/"
    crumbs: list[tuple[str, str | None]] = [(t("console.title", lang), home)]
    if current is not None:
        crumbs.append((t(current.text, lang), current.href))
    if crumbs[-1][1] == request.url.path:
        crumbs[-1] = (crumbs[-1][0], None)  # the page itself: no link
    staff_role = principal.role if principal is not None and principal.kind == "staff" else None
    return {
        "console_menu": nav_groups(entries),
        "console_current": current.href if current else home,
        "breadcrumbs": crumbs if request.url.path != home else [],
        "console_principal": principal,
        "console_role": f"desk.role.{staff_role}" if staff_role else None,
        "switch_href": switch_href(request, lang),
        "timezone_label": timezone_label(lang),
        "colon": colon(lang),
    }


def timezone_label(lang: Language) -> str:
    """The time zone pages show times in, as people name it."""
    from xinyong.core.config import get_settings
    from xinyong.core.i18n import t

    name = get_settings().timezone
    return t("desk.beijing_time", lang) if name in BEIJING_ZONES else name


BEIJING_ZONES = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "PRC"})
