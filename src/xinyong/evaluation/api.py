"""``/api/v1/evaluations/…``: runs, a run's figures, a subject's explained grades, one's own."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from xinyong.auth import policy
from xinyong.core.errors import API_ERRORS, Forbidden
from xinyong.core.i18n import Language
from xinyong.evaluation import access, explain, service
from xinyong.evaluation.cli import run_json
from xinyong.web.deps import CurrentPrincipal, DbSession

router = APIRouter(prefix="/api/v1", tags=["evaluations · 公共信用综合评价"], responses=API_ERRORS)
Lang = Annotated[str, Query(pattern="^(zh|en)$")]


@router.get("/evaluations/runs")
def list_runs(
    session: DbSession,
    principal: CurrentPrincipal,
    model: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    """评价批次 · Evaluation runs, newest first."""
    policy.require(principal, "evaluations.read")
    return [run_json(run) for run in service.runs(session, model_code=model, limit=limit)]


@router.get("/evaluations/runs/{run_id}")
def get_run(
    run_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    session: DbSession,
    principal: CurrentPrincipal,
) -> dict[str, Any]:
    """一次评价的分布与监测 · One run with its histograms, PSI and per-indicator drift."""
    policy.require(principal, "evaluations.read")
    run = service.get_run(session, run_id)
    return {**run_json(run), "histograms": run.histograms, "drift": run.drift}


@router.get("/evaluations/subjects/{code}")
def subject_results(
    code: Annotated[str, Path(max_length=40)],
    session: DbSession,
    principal: CurrentPrincipal,
    purpose: Annotated[str | None, Query(max_length=500)] = None,
    lang: Lang = "zh",
) -> dict[str, Any]:
    """主体的评价结果及说明 · A subject's grades, explained; needs a purpose (registered)."""
    subject, found = access.read_for_staff(
        session,
        principal=principal,
        code=code.strip().upper(),
        purpose=purpose,
        lang="en" if lang == "en" else "zh",
    )
    return access.subject_json(subject, found)


@router.get("/me/evaluation")
def my_results(
    session: DbSession, principal: CurrentPrincipal, lang: Lang = "zh"
) -> list[dict[str, Any]]:
    """我的信用评价 · The logged-in subject's own grades, explained."""
    policy.require(principal, "rights.apply")
    if principal.subject_id is None:
        raise Forbidden(key="ev.err.own_account")
    language: Language = "en" if lang == "en" else "zh"
    return [
        explain.as_json(e)
        for e in access.explained(session, subject_id=principal.subject_id, lang=language)
    ]
