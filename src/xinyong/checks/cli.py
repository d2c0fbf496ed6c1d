"""``xinyong checks batch FILE`` and ``xinyong checks run-queued``: batch credit checks (统查)
from the command line."""

from __future__ import annotations

import contextlib
import getpass
import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.checks import batch
from xinyong.checks import service as checks
from xinyong.checks.models import CheckRow, CreditCheck
from xinyong.core.config import get_settings
from xinyong.core.db import session_scope
from xinyong.core.errors import XinyongError
from xinyong.subjects import service as subjects_service

checks_app = typer.Typer(
    help="Credit checks (信用核查): batch checks (统查).", no_args_is_help=True
)
console = Console()
err_console = Console(stderr=True)


def _fail(message: str) -> None:
    err_console.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    raise typer.Exit(2)


def _submit(file: Path, *, matter: str, dept: str, purpose: str) -> tuple[int, int]:
    """Queue the file's batch check as the command line's user: (check id, rows)."""
    limit = get_settings().check_batch_max_bytes
    if file.stat().st_size > limit:
        _fail(f"{file} is {file.stat().st_size:,} bytes; the largest accepted is {limit:,} bytes")
    user = getpass.getuser()
    with session_scope() as session:
        department = subjects_service.get_department(session, dept)
        principal = batch.RecordedPrincipal(
            kind="staff",
            role="admin",
            department_id=department.id,
            label=f"命令行 {user}",
            recorded_actor=f"cli:{user}",
        )
        check = batch.submit(
            session,
            principal=principal,
            department_id=department.id,
            matter=matter,
            purpose=purpose,
            data=file.read_bytes(),
            file_name=file.name,
            today=date.today(),
        )
        return check.id, check.rows_total


def summary(session: Session, check: CreditCheck) -> dict[str, Any]:
    """The check's figures and how its rows were resolved."""
    counts = session.execute(
        select(CheckRow.resolution, func.count())
        .where(CheckRow.check_id == check.id)
        .group_by(CheckRow.resolution)
    )
    return {
        "check_id": check.id,
        "state": check.state,
        "file_name": check.file_name,
        "matter": check.matter_code,
        "rows_total": check.rows_total,
        "rows_done": check.rows_done,
        "resolutions": {str(kind): int(n) for kind, n in sorted(counts)},
        "subjects_found": check.subjects_found,
        "subjects_hit": check.subjects_hit,
        "hits": check.hits,
        "error": check.error,
    }


def _show(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, default=str))
        return
    table = Table("check", "state", "rows", "found", "subjects hit", "hits", "resolutions")
    resolutions = ", ".join(f"{k} {v:,}" for k, v in report["resolutions"].items()) or "-"
    table.add_row(
        str(report["check_id"]),
        report["state"],
        f"{report['rows_done']:,}/{report['rows_total']:,}",
        f"{report['subjects_found']:,}",
        f"{report['subjects_hit']:,}",
        f"{report['hits']:,}",
        resolutions,
    )
    console.print(table)
    if report["error"]:
        console.print(f"error: {report['error']}", markup=False, highlight=False)
    if report.get("report"):
        console.print(f"report written to {report['report']}", markup=False, highlight=False)


@checks_app.command("batch")
def batch_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    matter: Annotated[
        str, typer.Option("--matter", help="Matter code (xinyong: /api/v1/matters).")
    ],
    dept: Annotated[str, typer.Option("--dept", help="Checking department, key or code.")],
    purpose: Annotated[str, typer.Option("--purpose", help="Purpose (查询目的).")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write the hit report (XLSX) here.")
    ] = None,
) -> None:
    """Check a list (XLSX or CSV) now, with a progress bar, and print the summary."""
    try:
        check_id, rows = _submit(file, matter=matter, dept=dept, purpose=purpose)
    except XinyongError as error:
        _fail(error.message)
        return
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    show = not as_json and err_console.is_terminal
    with Progress(*columns, TimeElapsedColumn(), console=err_console, disable=not show) as bar:
        task = bar.add_task(f"check {check_id}", total=rows)
        with contextlib.suppress(Exception):  # a failure is recorded on the check: shown below
            batch.run(check_id, progress=lambda done, _: bar.update(task, completed=done))
    with session_scope() as session:
        check = checks.get(session, check_id)
        shown = summary(session, check)
        if report is not None and check.state == "done":
            report.write_bytes(batch.report_xlsx(session, check))
            shown["report"] = str(report)
    _show(shown, as_json)
    if shown["state"] != "done":
        raise typer.Exit(1)


@checks_app.command("run-queued")
def run_queued_command(
    limit: Annotated[int | None, typer.Option(min=1, help="Run at most this many.")] = None,
) -> None:
    """Run the queued batch checks, oldest first (for a worker or cron), and resume those
    whose worker was lost (running, silent for XINYONG_CHECK_BATCH_STALE_MINUTES)."""
    count = batch.run_queued(limit)
    console.print(f"{count} batch checks run")
