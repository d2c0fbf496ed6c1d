"""``xinyong evaluate`` and ``xinyong evaluation runs | show SUBJECT``."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from xinyong.core.db import session_scope
from xinyong.core.errors import XinyongError
from xinyong.core.i18n import Language
from xinyong.evaluation import explain, service

evaluation_app = typer.Typer(help="Credit evaluation runs and results.", no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)


def _day(text: str | None, option: str) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from None


def _echo(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, default=str))


def run_json(run: Any) -> dict[str, Any]:
    """A run as JSON."""
    return {
        "id": run.id,
        "model": run.model_code,
        "model_version": run.model_version,
        "as_of": run.as_of.isoformat(),
        "mode": run.mode,
        "engine": run.engine,
        "subjects": run.subjects,
        "grade_counts": run.grade_counts,
        "score_mean": run.score_mean,
        "duration_ms": run.duration_ms,
        "timings": run.timings,
        "psi": run.psi,
        "drift_flagged": run.drift_flagged,
        "previous_run_id": run.previous_run_id,
        "started_at": run.started_at.isoformat(),
    }


def evaluate(
    model: Annotated[str | None, typer.Option("--model", help="Model code (default: all).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Data cut-off (YYYY-MM-DD).")] = None,
    incremental: Annotated[
        bool, typer.Option("--incremental", help="Only the subjects flagged for re-evaluation.")
    ] = False,
    engine: Annotated[str, typer.Option("--engine", help="polars or dask.")] = "polars",
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address (default: local).")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64)] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per run.")] = False,
) -> None:
    """Score subjects with the evaluation models and store one run per model."""
    day = _day(as_of, "--as-of")
    try:
        with session_scope() as session:
            outcome = service.evaluate(
                session,
                as_of=day,
                actor="cli",
                model_code=model,
                incremental=incremental,
                engine_name=engine,
                scheduler=scheduler,
                workers=workers,
            )
            rows = [run_json(run) for run in outcome.runs]
    except XinyongError as error:
        err_console.print(f"[red]error:[/red] {error.message}")
        raise typer.Exit(2) from None
    if as_json:
        for row in rows:
            _echo(row)
        return
    if not rows:
        console.print("nothing to evaluate (no subject flagged)")
    for row in rows:
        grades = ", ".join(f"{g} {n}" for g, n in row["grade_counts"].items())
        psi = "" if row["psi"] is None else f", PSI {row['psi']:.4f}"
        console.print(
            f"run {row['id']} {row['model']} v{row['model_version']} as of {row['as_of']} "
            f"({row['mode']}, {row['engine']}): {row['subjects']} subjects — {grades}{psi}; "
            f"read {row['timings']['read']} ms, compute {row['timings']['compute']} ms, "
            f"write {row['timings']['write']} ms"
        )


@evaluation_app.command("runs")
def runs(
    model: Annotated[str | None, typer.Option("--model")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Evaluation runs, newest first."""
    with session_scope() as session:
        rows = [run_json(run) for run in service.runs(session, model_code=model, limit=limit)]
    if as_json:
        for row in rows:
            _echo(row)
        return
    table = Table("id", "model", "as of", "mode", "subjects", "grades", "PSI", "ms")
    for row in rows:
        grades = " ".join(f"{g}:{n}" for g, n in row["grade_counts"].items())
        psi = (
            ""
            if row["psi"] is None
            else f"{row['psi']:.4f}" + (" !" if row["drift_flagged"] else "")
        )
        table.add_row(
            str(row["id"]),
            row["model"],
            row["as_of"],
            row["mode"],
            str(row["subjects"]),
            grades,
            psi,
            str(row["duration_ms"]),
        )
    console.print(table)


@evaluation_app.command("show")
def show(
    subject: Annotated[str, typer.Argument(help="USCC of the subject.")],
    lang: Annotated[str, typer.Option("--lang")] = "zh",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """A subject's current results, explained."""
    from xinyong.subjects import service as subjects_service

    language: Language = "en" if lang == "en" else "zh"
    with session_scope() as session:
        try:
            found = subjects_service.find_by_code(session, subject)
        except XinyongError as error:
            err_console.print(f"[red]error:[/red] {error.message}")
            raise typer.Exit(2) from None
        if found is None:
            err_console.print(f"[red]error:[/red] 没有主体 {subject} · no subject {subject}")
            raise typer.Exit(2)
        explained = [
            explain.as_json(
                explain.explain(
                    session, result=r, run=service.get_run(session, r.run_id), lang=language
                )
            )
            for r in service.current_results(session, subject_id=found.id)
        ]
    if as_json:
        for item in explained:
            _echo(item)
        return
    if not explained:
        console.print("暂无评价结果 · no evaluation result yet")
    for item in explained:
        _print_explanation(item)


def _print_explanation(item: dict[str, Any]) -> None:
    console.print(f"[bold]{item['summary']}[/bold] (run {item['run_id']}, {item['as_of']})")
    if item["override"]:
        console.print(f"  ! {item['override']}")
    for entry in item["largest_negative"] + item["largest_positive"]:
        console.print(f"  · {entry['text']}")
    if item["next_band"]:
        console.print(f"  → {item['next_band']}")
    for change in item["changes"]:
        console.print(
            f"  ⏱ {change['item']} {change['source_record_id']}: "
            f"{change['stops_counting'] or '—'} (repair: {change['repair_eligible']})"
        )
