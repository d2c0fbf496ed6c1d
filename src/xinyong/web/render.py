"""Template rendering shared by the portal and console pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import BaseLoader, Environment

from xinyong.catalog.labels import field_type_label, industry_label, item_name, unit_label
from xinyong.core.i18n import LANGUAGES, one_language, pick_language, t
from xinyong.core.localtime import local_time
from xinyong.identity.matching.result import evidence_sentence, score_percent

LANG_COOKIE_SECONDS = 365 * 24 * 3600
CONSOLE_BASE = "console/base.html"
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
# Times people read: ``{{ at | local_time }}`` on every page (portal and console) and export.
templates.env.filters["local_time"] = local_time
templates.env.globals["local_time"] = local_time


class _ConsoleLoader(BaseLoader):
    """The portal's templates, except that ``base.html`` is the console layout: a console
    template extending "base.html" is laid out as a console page."""

    def __init__(self, inner: BaseLoader) -> None:
        self.inner = inner

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        name = CONSOLE_BASE if template == "base.html" else template
        return self.inner.get_source(environment, name)


assert templates.env.loader is not None
# Shares the filters and globals above (an overlay links to its environment's tables).
console_templates = Jinja2Templates(
    env=templates.env.overlay(loader=_ConsoleLoader(templates.env.loader))
)


def is_console(request: Request, name: str) -> bool:
    """Console templates, and error pages of console paths, use the console layout."""
    return name.startswith("console/") or request.url.path.startswith("/console")


# Helpers every template may call: sentences and labels instead of codes.
templates.env.globals.update(
    evidence_sentence=evidence_sentence,
    score_percent=score_percent,
    one_language=one_language,
    field_type_label=field_type_label,
    unit_label=unit_label,
    industry_label=industry_label,
    item_name=item_name,
)


def language(request: Request) -> str:
    """The page language: ?lang=, then the cookie, else Chinese."""
    return pick_language(request.query_params.get("lang") or request.cookies.get("lang"))


def render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render a page with the language, the text function and the CSRF token."""
    from xinyong.web import csrf
    from xinyong.web.present import switch_href

    lang = language(request)
    full = {
        "lang": lang,
        "t": t,
        "csrf_token": csrf.token(request),
        "switch_href": switch_href(request, pick_language(lang)),
        **context,
    }
    if is_console(request, name):
        from xinyong.web.console import layout_context

        full = {**layout_context(request, full), **full}
        return console_templates.TemplateResponse(request, name, full, status_code=status_code)
    return templates.TemplateResponse(request, name, full, status_code=status_code)


def render_page(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render a page; a ``?lang=`` choice is also kept in the language cookie."""
    response = render(request, name, context, status_code=status_code)
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        response.set_cookie(
            "lang", chosen, max_age=LANG_COOKIE_SECONDS, samesite="lax", httponly=True
        )
    return response


@lru_cache(maxsize=1)
def _fonts() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def html_pdf(page: str) -> bytes:
    """The PDF of an HTML print page laid out by WeasyPrint (the points poster; credit
    reports are laid out by Typst in ``reports.render``)."""
    from weasyprint import HTML

    document = HTML(string=page).render(font_config=_fonts())
    return bytes(document.write_pdf())
