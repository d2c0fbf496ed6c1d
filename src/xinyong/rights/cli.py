"""``xinyong rights remind|stats|show``: the rights procedures from the command line."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xinyong.core.db import session_scope
from xinyong.core.errors import XinyongError
from xinyong.rights import jobs, stats
from xinyong.rights.config import get_config
from xinyong.subjects import service as subjects_service

rights_app = typer.Typer(help="Objection and credit repair cases.", no_args_is_help=True)
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


@rights_app.command("remind")
def remind(today: TodayOption = None) -> None:
    """Remind departments of cases due by the next working day or overdue (run daily)."""
    as_of = _day(today)
    with session_scope() as session:
        report = jobs.remind(session, today=as_of)
    console.print(f"{as_of.isoformat()}: {report.due} due soon, {report.overdue} overdue reminded")


@rights_app.command("stats")
def show_stats(
    dept: Annotated[str | None, typer.Option("--dept", help="Department key or code.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    today: TodayOption = None,
) -> None:
    """Cases by kind and outcome, median handling time in working days, overdue rate."""
    with session_scope() as session:
        try:
            department_id = subjects_service.get_department(session, dept).id if dept else None
        except XinyongError as error:
            raise typer.BadParameter(error.message, param_hint="--dept") from None
        figures = stats.figures(session, department_id=department_id, today=_day(today))
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(figures), ensure_ascii=False))
        return
    table = Table("kind", "total", "open", "open overdue", "outcomes", "median workdays", "overdue")
    for kind in figures.kinds:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(kind.by_outcome.items())) or "-"
        median = "-" if kind.median_workdays is None else f"{kind.median_workdays:g}"
        rate = "-" if kind.overdue_rate is None else f"{kind.overdue_rate:.1%}"
        table.add_row(
            kind.kind,
            str(kind.total),
            str(kind.open),
            str(kind.open_overdue),
            outcomes,
            median,
            rate,
        )
    console.print(table)
    console.print(
        f"subjects repaired: {figures.subjects_repaired}; "
        f"records under objection: {figures.records_under_objection}"
    )


@rights_app.command("rules")
def show_rules() -> None:
    """The deadlines and repair rules in force (shipped file plus XINYONG_RIGHTS_FILE)."""
    typer.echo(json.dumps(get_config().model_dump(mode="json"), ensure_ascii=False, indent=2))
