"""``xinyong commitments import FILE | overdue``: bulk import and the daily overdue scan."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from xinyong.commitments import bulk, jobs
from xinyong.core.db import session_scope
from xinyong.core.errors import XinyongError

commitments_app = typer.Typer(help="Credit commitments (信用承诺).", no_args_is_help=True)
console = Console()
TodayOption = Annotated[
    str | None, typer.Option("--today", help="Run as of this date (YYYY-MM-DD).")
]


def _day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD)", param_hint="--today"
        ) from None


@commitments_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    today: TodayOption = None,
) -> None:
    """Import commitments from a CSV (template, department, subject_code, signed_on[, number,
    external_ref]); every row is checked first and nothing is stored if one is wrong."""
    try:
        with session_scope() as session:
            rows = bulk.read_csv(file.read_bytes())
            count = bulk.import_rows(session, rows, actor="cli:commitments", today=_day(today))
    except XinyongError as error:
        console.print(f"[red]{error.localized('zh')}[/red]")
        for problem in error.details.get("problems", [])[:50]:
            console.print(f"  {problem}")
        raise typer.Exit(1) from None
    console.print(f"已导入 {count} 份信用承诺 · imported {count} commitments")


@commitments_app.command("overdue")
def overdue(today: TodayOption = None) -> None:
    """The daily scan: mark overdue conditions, tell departments, remind subjects."""
    as_of = _day(today)
    with session_scope() as session:
        report = jobs.daily(session, today=as_of)
    console.print(
        f"{as_of.isoformat()}: {report.overdue_conditions} conditions overdue, "
        f"{report.overdue_commitments} commitments overdue, {report.reminded} reminders, "
        f"{report.departments_told} departments told"
    )
