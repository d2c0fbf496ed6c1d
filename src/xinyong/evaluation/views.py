"""Pages: the subject's own grade (/portal/me/evaluation) and the console's runs, distributions
and a subject's result (/console/evaluation…)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.core.errors import Forbidden
from xinyong.core.i18n import Language, pick_language, t
from xinyong.evaluation import access, service
from xinyong.evaluation.config import get_models
from xinyong.evaluation.store import PSI_ALERT
from xinyong.portal.charts import Bar, column_chart
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.render import language, render

router = APIRouter(include_in_schema=False)


def _lang(request: Request) -> Language:
    return pick_language(language(request))


def _staff(principal: Principal) -> None:
    policy.require(principal, "evaluations.read")
    if principal.kind != "staff":
        raise Forbidden(key="ev.err.staff_only")


@router.get("/evaluation-models", response_class=HTMLResponse)
def models_page(request: Request) -> Response:
    """The evaluation models published: dimensions, indicators and what each one measures."""
    models = list(get_models().models.values())
    return render(request, "portal/evaluation_models.html", {"models": models})


@router.get("/portal/me/evaluation", response_class=HTMLResponse)
def my_evaluation(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """The subject's own grades, each explained (never a bare number)."""
    policy.require(principal, "rights.apply")
    if principal.subject_id is None or principal.account_id is None:
        raise Forbidden(key="ev.err.own_page")
    found = access.explained(session, subject_id=principal.subject_id, lang=_lang(request))
    return render(request, "portal/evaluation_me.html", {"results": found, "own": True})


@router.get("/console/evaluation", response_class=HTMLResponse)
def runs_page(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """Evaluation runs, newest first, with their grade distributions."""
    _staff(principal)
    runs = service.runs(session, limit=100)
    return render(request, "console/evaluation/runs.html", {"runs": runs, "alert": PSI_ALERT})


@router.get("/console/evaluation/runs/{run_id}", response_class=HTMLResponse)
def run_page(
    request: Request,
    run_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    session: DbSession,
    principal: CurrentPrincipal,
) -> Response:
    """One run: grade distribution and score histogram (SVG), PSI and per-indicator drift."""
    _staff(principal)
    lang = _lang(request)
    run = service.get_run(session, run_id)
    model = get_models().models.get(run.model_code)
    grade_bars = [Bar(g, int(n)) for g, n in run.grade_counts.items()]
    scores = run.histograms.get("score", [])
    low = model.min_score if model else 0
    width = ((model.max_score - model.min_score) / len(scores)) if model and scores else 10
    score_bars = [Bar(f"{low + i * width:g}", int(n)) for i, n in enumerate(scores)]
    names = {i.code: i.name for i in model.indicators()} if model else {}
    drift = sorted(run.drift.items(), key=lambda kv: -kv[1])
    context = {
        "run": run,
        "model": model,
        "grade_chart": column_chart(
            grade_bars,
            chart_id="grades",
            title=t("ev.distribution", lang),
            description=t("ev.distribution", lang),
            empty=t("ev.none", lang),
        ),
        "grade_bars": grade_bars,
        "score_chart": column_chart(
            score_bars,
            chart_id="scores",
            title=t("ev.score_histogram", lang),
            description=t("ev.score_histogram", lang),
            empty=t("ev.none", lang),
        ),
        "score_bars": score_bars,
        "drift": [
            (code, getattr(names[code], lang) if code in names else code, v) for code, v in drift
        ],
        "alert": PSI_ALERT,
    }
    return render(request, "console/evaluation/run.html", context)


@router.get("/console/evaluation/subject", response_class=HTMLResponse)
def subject_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    code: Annotated[str | None, Query(max_length=18)] = None,
    purpose: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """A subject's result for staff: a purpose is required and the read is registered."""
    _staff(principal)
    if not code:
        return render(request, "console/evaluation/subject.html", {"subject": None, "results": []})
    subject, found = access.read_for_staff(
        session,
        principal=principal,
        code=code.strip().upper(),
        purpose=purpose,
        lang=_lang(request),
    )
    context = {"subject": subject, "results": found, "code": code, "purpose": purpose}
    return render(request, "console/evaluation/subject.html", context)
