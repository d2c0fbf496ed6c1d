"""Evaluation runs (full and incremental), current results and grades, recompute flags."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from xinyong.core.db import utcnow
from xinyong.core.errors import Invalid, NotFound
from xinyong.core.localtime import local_today
from xinyong.evaluation import engine, frames, store
from xinyong.evaluation.config import EvaluationModel, get_models, grade_models
from xinyong.evaluation.models import EvaluationResult, EvaluationRun, RecomputeFlag

ENGINES = ("polars", "dask")


def flag_for_recompute(session: Session, *, subject_id: int, reason: str) -> RecomputeFlag:
    """Mark a subject's evaluation stale (one flag per subject; the newest reason wins)."""
    flag = session.get(RecomputeFlag, subject_id)
    if flag is None:
        flag = RecomputeFlag(subject_id=subject_id, reason=reason[:200])
        session.add(flag)
    else:
        flag.reason, flag.flagged_at = reason[:200], utcnow()
    session.flush()
    return flag


def flagged(session: Session, *, limit: int = 10000) -> list[RecomputeFlag]:
    """Subjects waiting for re-evaluation, oldest flag first."""
    stmt = select(RecomputeFlag).order_by(RecomputeFlag.flagged_at).limit(limit)
    return list(session.scalars(stmt))


@dataclass
class RunOutcome:
    """What one ``evaluate`` call did: its runs and how long each phase took (ms)."""

    runs: list[EvaluationRun]
    read_ms: int
    compute_ms: int
    write_ms: int


def _models_to_run(code: str | None) -> list[EvaluationModel]:
    models = get_models()
    if code is None:
        return models.order()
    wanted = {code, *_dependencies(code)}
    return [m for m in models.order() if m.code in wanted]


def _dependencies(code: str) -> list[str]:
    models = get_models()
    found: list[str] = []
    for dep in grade_models(models.get(code)):
        found.extend([*_dependencies(dep), dep])
    return found


def compute(
    models: Sequence[EvaluationModel], inputs: frames.Inputs, as_of: date
) -> dict[str, pl.DataFrame]:
    """Every model's results on these inputs, models whose grades others read first (the
    values the models share computed once, see ``engine.score_all``)."""
    return engine.score_all(models, inputs, as_of)


def evaluate(
    session: Session,
    *,
    as_of: date,
    actor: str,
    model_code: str | None = None,
    incremental: bool = False,
    engine_name: str = "polars",
    scheduler: str | None = None,
    workers: int = 2,
    only: Sequence[int] | None = None,
) -> RunOutcome:
    """Score every subject (or the flagged ones, or ``only`` these) with one model or all,
    storing one run each (an incremental one unless every subject is scored). The flags
    answered are cleared: the flagged subjects of an incremental run, every flag set before
    a full run of every model on today's data."""
    if engine_name not in ENGINES:
        raise Invalid(f"未知的计算引擎 {engine_name!r} · unknown engine (polars, dask)")
    models = _models_to_run(model_code)
    started = time.perf_counter()
    cutoff = utcnow()
    subject_ids: list[int] | None = sorted(set(only)) if only is not None else None
    if only is not None:
        incremental = False
    elif incremental:
        subject_ids = list(
            session.scalars(
                select(RecomputeFlag.subject_id).where(RecomputeFlag.flagged_at <= cutoff)
            )
        )
        if not subject_ids:
            return RunOutcome([], 0, 0, 0)
    inputs = frames.read_inputs(session, models=models, as_of=as_of, subject_ids=subject_ids)
    read_done = time.perf_counter()
    if engine_name == "dask":
        from xinyong.evaluation import dask_engine

        results = dask_engine.compute(models, inputs, as_of, scheduler=scheduler, workers=workers)
    else:
        results = compute(models, inputs, as_of)
    compute_done = time.perf_counter()
    wanted = [m for m in models if model_code is None or m.code == model_code]
    runs = [
        _store_run(
            session,
            model,
            results[model.code],
            as_of=as_of,
            actor=actor,
            mode="incremental" if incremental or only is not None else "full",
            engine_name=engine_name,
        )
        for model in wanted
    ]
    # The flags a run answers: the flagged subjects it scored, or everyone's after a full run
    # of every model on today's data (a full run as of a past day answers none of them).
    whole = model_code is None and only is None and not incremental and as_of >= local_today()
    if (incremental and subject_ids) or whole:
        session.execute(delete(RecomputeFlag).where(RecomputeFlag.flagged_at <= cutoff))
    session.flush()
    done = time.perf_counter()
    outcome = RunOutcome(
        runs, _ms(read_done - started), _ms(compute_done - read_done), _ms(done - compute_done)
    )
    for run in runs:
        run.timings = {
            "read": outcome.read_ms,
            "compute": outcome.compute_ms,
            "write": outcome.write_ms,
        }
        run.duration_ms = _ms(done - started)
    session.flush()
    return outcome


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _store_run(
    session: Session,
    model: EvaluationModel,
    frame: pl.DataFrame,
    *,
    as_of: date,
    actor: str,
    mode: str,
    engine_name: str,
) -> EvaluationRun:
    counts = {b.grade: 0 for b in model.bands}
    for grade, n in frame.group_by("grade").len().iter_rows():
        counts[str(grade)] = int(n)
    run = EvaluationRun(
        model_code=model.code,
        model_version=model.version,
        as_of=as_of,
        mode=mode,
        engine=engine_name,
        subjects=frame.height,
        grade_counts=counts,
        score_mean=round(float(frame["score"].mean()), 4) if frame.height else None,  # type: ignore[arg-type]
        histograms=store.histograms(model, frame),
        actor=actor,
        timings={},
        drift={},
    )
    session.add(run)
    session.flush()
    store.write_results(session, store.result_table(model, run.id, frame))
    store.monitor(session, run)
    return run


# --- reading runs and results ---------------------------------------------------------------


def runs(
    session: Session, *, model_code: str | None = None, limit: int = 50
) -> list[EvaluationRun]:
    """Runs, newest first."""
    stmt = select(EvaluationRun).order_by(EvaluationRun.id.desc()).limit(limit)
    if model_code is not None:
        stmt = stmt.where(EvaluationRun.model_code == model_code)
    return list(session.scalars(stmt))


def get_run(session: Session, run_id: int) -> EvaluationRun:
    """One run, or NotFound."""
    run = session.get(EvaluationRun, run_id)
    if run is None:
        raise NotFound(f"没有评价批次 {run_id} · no evaluation run {run_id}")
    return run


def current_results(session: Session, *, subject_id: int) -> list[EvaluationResult]:
    """The subject's latest result of every model (the newest run that scored it)."""
    latest = (
        select(EvaluationResult.model_code, func.max(EvaluationResult.run_id).label("run_id"))
        .where(EvaluationResult.subject_id == subject_id)
        .group_by(EvaluationResult.model_code)
        .subquery()
    )
    stmt = (
        select(EvaluationResult)
        .join(
            latest,
            (latest.c.model_code == EvaluationResult.model_code)
            & (latest.c.run_id == EvaluationResult.run_id),
        )
        .where(EvaluationResult.subject_id == subject_id)
        .order_by(EvaluationResult.model_code)
    )
    return list(session.scalars(stmt))


def public_grades(session: Session, *, subject_ids: Sequence[int]) -> dict[int, str]:
    """Each subject's current public grade (the platform's own models), for measures and checks."""
    public = [m.code for m in get_models().models.values() if m.scope == "public"]
    found: dict[int, tuple[int, str]] = {}
    ids = sorted(set(subject_ids))
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        stmt = select(
            EvaluationResult.subject_id, EvaluationResult.run_id, EvaluationResult.grade
        ).where(EvaluationResult.subject_id.in_(chunk), EvaluationResult.model_code.in_(public))
        for subject_id, run_id, grade in session.execute(stmt):
            if subject_id not in found or run_id > found[subject_id][0]:
                found[subject_id] = (run_id, grade)
    return {subject_id: grade for subject_id, (_, grade) in found.items()}


def last_run_at(session: Session) -> datetime | None:
    """When the newest run started."""
    return session.scalar(select(func.max(EvaluationRun.started_at)))
