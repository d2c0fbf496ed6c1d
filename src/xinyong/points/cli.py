"""``xinyong points close-month | import | board``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from xinyong.core.db import session_scope
from xinyong.core.errors import XinyongError
from xinyong.points import imports, months, service

points_app = typer.Typer(help="Village credit points (村民积分制).", no_args_is_help=True)


def _fail(error: XinyongError) -> None:
    typer.echo(f"error: {error.localized('zh')}", err=True)
    for line in error.details.get("errors", []):
        typer.echo(f"  {line}", err=True)
    raise typer.Exit(2)


@points_app.command("close-month")
def close_month(
    village: Annotated[
        str | None, typer.Option("--village", help="Village code or id (default: every village).")
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="YYYY-MM (default: this month).")
    ] = None,
    actor: Annotated[str, typer.Option("--actor")] = "cli",
) -> None:
    """Close a month: a frozen snapshot per household, then the board can be published."""
    month = period or service.period_of(service.beijing_today())
    try:
        with session_scope() as session:
            chosen = (
                [service.village(session, village)]
                if village
                else months.villages_under(session, None)
            )
            closed, refused = months.close_months(
                session, villages=chosen, period=month, actor=actor
            )
            summary = {
                "period": month,
                "closed": [{"village_id": m.village_id, "accounts": m.accounts} for m in closed],
                "refused": {code: error.localized("zh") for code, error in refused.items()},
            }
    except XinyongError as error:
        _fail(error)
    typer.echo(json.dumps(summary, ensure_ascii=False))
    if village and refused:
        raise typer.Exit(1)


@points_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    actor: Annotated[str, typer.Option("--actor", help="Who records the entries.")] = "cli",
) -> None:
    """Bulk entries (CSV or XLSX) as pending declarations; nothing is stored on any error."""
    try:
        with session_scope() as session:
            count = imports.import_entries(
                session, name=file.name, content=file.read_bytes(), actor=actor
            )
    except XinyongError as error:
        _fail(error)
    typer.echo(json.dumps({"imported": count}))
