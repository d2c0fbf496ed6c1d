"""``xinyong incentives eligible SUBJECT`` and ``xinyong incentives stats``."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from xinyong.core.db import session_scope
from xinyong.core.errors import XinyongError
from xinyong.core.i18n import Language
from xinyong.incentives import present, service

incentives_app = typer.Typer(
    help="信易+ benefit scenarios: eligibility and figures.", no_args_is_help=True
)
console = Console()
err_console = Console(stderr=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="One JSON object per line.")]


def _echo(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, default=str))


@incentives_app.command("eligible")
def eligible(
    subject: Annotated[str, typer.Argument(help="USCC or ID number of the subject.")],
    lang: Annotated[str, typer.Option("--lang")] = "zh",
    as_json: JsonFlag = False,
) -> None:
    """Which published scenarios the subject qualifies for today, and why not the others."""
    from xinyong.subjects import service as subjects_service

    language: Language = "en" if lang == "en" else "zh"
    today = present.beijing_today()
    with session_scope() as session:
        try:
            found = subjects_service.find_by_code(session, subject.strip().upper())
            if found is None:
                raise XinyongError(f"没有主体 {subject} · no subject {subject}")
            standings = service.standings(session, subject_id=found.id, today=today)
        except XinyongError as error:
            err_console.print(f"[red]error:[/red] {error.localized(language)}")
            raise typer.Exit(2) from None
        rows: list[dict[str, Any]] = [
            {
                "scenario": s.scenario.code,
                "name": s.scenario.spec.name.zh if language == "zh" else s.scenario.spec.name.en,
                "eligible": s.verdict.eligible,
                "why_not": present.why_not(s.scenario.spec, s.verdict, language)
                if not s.verdict.eligible
                else [],
            }
            for s in standings
        ]
    if as_json:
        for row in rows:
            _echo(row)
        return
    table = Table("scenario", "name", "eligible", "why not")
    for row in rows:
        table.add_row(
            row["scenario"],
            row["name"],
            "yes" if row["eligible"] else "no",
            "; ".join(row["why_not"]),
        )
    console.print(table)


@incentives_app.command("stats")
def stats(
    population: Annotated[
        bool, typer.Option("--population/--no-population", help="Count the eligible subjects too.")
    ] = True,
    as_json: JsonFlag = False,
) -> None:
    """Per scenario: verifications, eligible answers, redemptions, value, eligible population."""
    with session_scope() as session:
        rows = service.figures(session, population=population, today=present.beijing_today())
    if as_json:
        for row in rows:
            _echo({**row.__dict__, "value": str(row.value)})
        return
    table = Table(
        "scenario", "partner", "verifications", "eligible", "redemptions", "value", "population"
    )
    for row in rows:
        table.add_row(
            row.name,
            row.partner,
            str(row.verifications),
            str(row.eligible_answers),
            str(row.redemptions),
            str(row.value),
            "" if row.eligible_population is None else str(row.eligible_population),
        )
    console.print(table)
