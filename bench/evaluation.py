"""Public credit evaluation (公共信用综合评价) on PostgreSQL: full run, incremental run, memory.

A synthetic city of ``--subjects`` subjects (``--records`` per subject, the demo loader) is
loaded into a scratch PostgreSQL database, then:

1. A full run of every model (``evaluation.service.evaluate``), end to end: read (COPY out
   of the store into Polars), compute (features, points, scores, grades of the three
   models), write (COPY of the per-subject results and the run rows). Printed per phase.
2. The reference: a bare Polars group-by over the same records frame in the same process
   (count and latest decision per subject), timed beside the compute step (cold, then warm),
   and a floor no compute step can go below: the points columns alone, computed from each
   model's values already in place.
3. ``--flagged`` (1,000) legal persons flagged for re-evaluation (the flags the load's expiry
   job left are cleared first: the full run met them), then an incremental run.
4. Peak resident memory of the process (ru_maxrss), and the machine's load average (the
   figures are wall-clock times: a busy machine slows them).

Targets (issue 17, 1,000,000 subjects ≈ 4.4M records): full run ≤ 60 s; compute ≤ 2× the
bare group-by; 1,000 flagged subjects ≤ 2 s; peak memory ≤ 6 GiB.

    .venv/bin/python bench/evaluation.py                         # 20,000 subjects
    .venv/bin/python bench/evaluation.py --subjects 1000000 --records 4.4
    .venv/bin/python bench/evaluation.py --url postgresql+psycopg://…/loaded_db

PostgreSQL runs when XINYONG_BENCH_PG_URL (or XINYONG_TEST_PG_URL) names a server; the
benchmark creates a scratch database there and drops it afterwards (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import polars as pl
from sqlalchemy import delete, select, text

from xinyong import registry
from xinyong.core import db as core_db
from xinyong.core import migrate
from xinyong.core.config import reset_settings
from xinyong.core.db import session_scope
from xinyong.demo import loader
from xinyong.evaluation import engine, frames, service
from xinyong.evaluation.config import EvaluationModel, get_models
from xinyong.evaluation.models import RecomputeFlag
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject

ANCHOR = date(2026, 11, 1)


def _use(url: str) -> None:
    os.environ["XINYONG_DATABASE_URL"] = url
    reset_settings()
    core_db.dispose_engine()


def _load(url: str, args: argparse.Namespace) -> None:
    _use(url)
    migrate.upgrade(url)
    with session_scope() as session:
        subjects_service.sync_departments(session)
    started = time.perf_counter()
    report = loader.load_demo(
        subjects=args.subjects,
        seed=args.seed,
        records_per_subject=args.records,
        anchor=ANCHOR,
        progress=args.progress,
        rights_cases=0,
        evaluate=False,
    )
    print(f"[load] {report.summary()} ({time.perf_counter() - started:.1f} s)", flush=True)
    engine = core_db.make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _bare_group_by(records: pl.DataFrame) -> float:
    """The best of three (the machine may be busy)."""
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        records.group_by("subject_id").agg(pl.len(), pl.col("decision_date").max())
        timings.append(time.perf_counter() - started)
    return min(timings)


def _measure(url: str, args: argparse.Namespace) -> None:
    _use(url)
    with session_scope() as session:
        started = time.perf_counter()
        outcome = service.evaluate(session, as_of=ANCHOR, actor="bench")
        total = time.perf_counter() - started
    with session_scope() as session:
        commit_total = time.perf_counter() - started
        inputs = frames.read_inputs(
            session, models=list(get_models().models.values()), as_of=ANCHOR
        )
    bare = _bare_group_by(inputs.records)
    subjects = sum(run.subjects for run in outcome.runs)
    print(
        f"[full] {subjects:,} results over {len(outcome.runs)} models, "
        f"{inputs.records.height:,} records in force: {commit_total:.2f} s end to end "
        f"(read {outcome.read_ms / 1000:.2f} s, compute {outcome.compute_ms / 1000:.2f} s, "
        f"write {outcome.write_ms / 1000:.2f} s; service {total:.2f} s)",
        flush=True,
    )
    ratio = (outcome.compute_ms / 1000) / bare if bare else float("inf")
    indicators = sum(len(model.indicators()) for model in get_models().order())
    print(
        f"[compute] {outcome.compute_ms / 1000:.3f} s beside a bare Polars group-by over the "
        f"same {inputs.records.height:,}-row frame: {bare:.3f} s (ratio {ratio:.1f}x; the "
        f"compute step runs {len(outcome.runs)} models, {indicators} indicators)",
        flush=True,
    )
    models = list(get_models().order())
    timings = []
    for _ in range(3):
        warm_started = time.perf_counter()
        service.compute(models, inputs, ANCHOR)
        timings.append(time.perf_counter() - warm_started)
    warm = min(timings)
    print(
        f"[compute] again on the same frames (warm, best of 3): {warm:.3f} s, "
        f"ratio {warm / bare if bare else float('inf'):.1f}x the bare group-by",
        flush=True,
    )
    floor = _floor(models, inputs)
    print(
        f"[compute] floor, only the points of the {len(models)} models from their values already "
        f"in place (no records read; best of 3): {floor:.3f} s, "
        f"{floor / bare if bare else float('inf'):.1f}x the bare group-by",
        flush=True,
    )
    for run in outcome.runs:
        print(f"[run] {run.model_code}: {run.subjects:,} subjects {run.grade_counts}")
    _incremental(args)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"[memory] peak resident {peak:,.0f} MiB", flush=True)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"[machine] {os.cpu_count()} cores, load average {load} (1, 5, 15 min)", flush=True)


def _floor(models: list[EvaluationModel], inputs: frames.Inputs) -> float:
    """A lower bound of any compute step with these results: the points columns alone, each
    model's indicator values already aligned with its population (``engine.features``, not
    timed), collected in one query. Score, grades and reading the records come on top."""
    results = service.compute(models, inputs, ANCHOR)
    grades = {code: result.select("subject_id", "grade") for code, result in results.items()}
    ready = [(model, engine.features(model, inputs, ANCHOR, grades)) for model in models]
    plans = [
        frame.lazy().with_columns(
            (engine.scoring_expr(i.scoring, pl.col(engine.value_column(i.code))) * i.weight)
            .round(4)
            .alias(engine.points_column(i.code))
            for i in model.indicators()
        )
        for model, frame in ready
    ]
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        pl.collect_all(plans)
        timings.append(time.perf_counter() - started)
    return min(timings)


def _incremental(args: argparse.Namespace) -> None:
    with session_scope() as session:
        # The flags left by the load (its expiry job flags every subject of an expired record)
        # are met by the full run above: cleared, so that the incremental run scores only the
        # subjects flagged here.
        stale = session.execute(delete(RecomputeFlag)).rowcount  # type: ignore[attr-defined]
        ids = list(session.scalars(select(Subject.id).where(Subject.kind == "legal_person")))
        chosen = random.Random(args.seed).sample(ids, min(args.flagged, len(ids)))
        for subject_id in chosen:
            service.flag_for_recompute(session, subject_id=subject_id, reason="bench")
    with session_scope() as session:
        started = time.perf_counter()
        outcome = service.evaluate(session, as_of=ANCHOR, actor="bench", incremental=True)
    elapsed = time.perf_counter() - started
    scored = max((run.subjects for run in outcome.runs), default=0)
    print(
        f"[incremental] {len(chosen):,} flagged subjects ({stale:,} earlier flags cleared; "
        f"{scored:,} scored by the largest model): {elapsed:.2f} s "
        f"(read {outcome.read_ms} ms, compute {outcome.compute_ms} ms, "
        f"write {outcome.write_ms} ms)",
        flush=True,
    )


@contextmanager
def _database(args: argparse.Namespace) -> Iterator[str | None]:
    if args.url:
        yield args.url
        return
    server = os.environ.get("XINYONG_BENCH_PG_URL") or os.environ.get("XINYONG_TEST_PG_URL")
    if not server:
        yield None
        return
    with core_db.scratch_postgresql(server, prefix="xinyong_bench_ev_", keep=args.keep) as url:
        _load(url, args)
        if args.keep:
            print(f"[load] kept: --url {url}", flush=True)
        yield url


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--subjects", type=int, default=20_000)
    parser.add_argument("--records", type=float, default=4.4, help="records per subject")
    parser.add_argument("--flagged", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--progress", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the loaded database")
    parser.add_argument("--url", help="measure an already loaded database (no load, no drop)")
    return parser.parse_known_args()[0]  # run_all passes its own arguments


def main() -> None:
    args = _arguments()
    registry.wire_effects()  # the demo loader expires records through records.effects
    with _database(args) as url:
        if url is None:
            print("[evaluation] skipped: set XINYONG_BENCH_PG_URL to a PostgreSQL server URL")
            return
        _measure(url, args)


if __name__ == "__main__":
    main()
