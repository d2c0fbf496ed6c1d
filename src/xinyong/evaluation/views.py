"""Pages: the subject's own grade (/portal/me/evaluation) and the console's runs, distributions
and a subject's result (/console/evaluation…)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.core.errors import Forbidden, XinyongError
from xinyong.core.i18n import Language, pick_language, t
from xinyong.evaluation import access, objections, service
from xinyong.evaluation.config import get_models
from xinyong.evaluation.store import PSI_ALERT
from xinyong.portal.charts import Bar, column_chart
from xinyong.rights import cases
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


def _own_subject(principal: Principal) -> int:
    policy.require(principal, "rights.apply")
    if principal.subject_id is None or principal.account_id is None:
        raise Forbidden(key="ev.err.own_page")
    return principal.subject_id


def _my_page(
    request: Request,
    session: DbSession,
    subject_id: int,
    *,
    filed: str | None = None,
    error: XinyongError | None = None,
) -> Response:
    found = access.explained(session, subject_id=subject_id, lang=_lang(request))
    pending = {
        r.model_code: open_case
        for r in found
        if (
            open_case := objections.open_objection(
                session, subject_id=subject_id, model_code=r.model_code
            )
        )
    }
    context = {
        "results": found,
        "own": True,
        "pending": pending,
        "filed": filed,
        "error": error.localized(_lang(request)) if error else None,
    }
    return render(
        request,
        "portal/evaluation_me.html",
        context,
        status_code=error.status_code if error else 200,
    )


@router.get("/portal/me/evaluation", response_class=HTMLResponse)
def my_evaluation(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    filed: Annotated[str | None, Query(max_length=20, pattern=r"^YY\d{4}-\d{6}$")] = None,
) -> Response:
    """The subject's own grades, each explained (never a bare number), and its objections."""
    return _my_page(request, session, _own_subject(principal), filed=filed)


@router.post("/portal/me/evaluation/objections", response_class=HTMLResponse)
def object_to_grade(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    model: Annotated[str, Form(max_length=64)] = "",
    statement: Annotated[str, Form(max_length=5000)] = "",
    run_id: Annotated[int | None, Form(ge=1, le=2_147_483_647)] = None,
) -> Response:
    """Object to one's own grade: a rights case for the credit office (异议)."""
    subject_id = _own_subject(principal)
    applicant = cases.Applicant(principal.actor, subject_id, "portal", principal.account_id)
    try:
        with session.begin_nested():
            found = objections.apply(
                session, applicant=applicant, model_code=model, statement=statement, run_id=run_id
            )
    except XinyongError as error:
        return _my_page(request, session, subject_id, error=error)
    return RedirectResponse(f"/portal/me/evaluation?filed={found.case.number}", status_code=303)


@router.get("/console/evaluation", response_class=HTMLResponse)
def runs_page(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """Evaluation runs, newest first, with their grade distributions."""
    _staff(principal)
    runs = service.runs(session, limit=100)
    context = {"runs": runs, "alert": PSI_ALERT, "models": get_models().models}
    return render(request, "console/evaluation/runs.html", context)


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
