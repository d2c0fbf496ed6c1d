"""``xinyong ingest FILE``, ``xinyong withdraw FILE``, ``xinyong ingest-report`` and
``xinyong ledger``: collection from the command line."""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from xinyong.core.db import session_scope
from xinyong.core.errors import XinyongError
from xinyong.ingest import ledger, service
from xinyong.ingest.models import IngestBatch

console = Console()
# Row outcomes as the batch report and the ledger name them, in the order they are shown.
COUNTS = ("rows", "accepted", "corrected", "unchanged", "rejected", "late")
ItemOption = Annotated[str, typer.Option("--item", help="Catalogue item code, e.g. admin_penalty.")]
DeptOption = Annotated[str, typer.Option("--dept", help="Department key or code.")]


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _fail(message: str) -> None:
    Console(stderr=True).print(f"[red]error:[/red] {message}")
    raise typer.Exit(2)


def _show(report: dict[str, object], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, default=str))
        return
    table = Table("batch", "status", *COUNTS)
    table.add_row(*(str(report[k]) for k in ("batch_id", "status", *COUNTS)))
    console.print(table)
    notes = report.get("notes") or []
    assert isinstance(notes, list)
    for note in notes:
        console.print(f"note: {note}")
    if report.get("error"):
        console.print(f"[red]{report['error']}[/red]")
    errors = report.get("errors") or []
    assert isinstance(errors, list)
    for error in errors[:50]:
        console.print(
            f"row {error['row']} [{error['column']}] {error['value']!r}: {error['reason']}"
        )
    if len(errors) > 50:
        console.print(f"… {len(errors) - 50} more (use --json or ingest-report)")


def _run(load: Callable[[Session], IngestBatch], as_json: bool) -> None:
    """Run one batch in its own transaction, print its report; exit 1 when it was refused."""
    try:
        with session_scope() as session:
            report = ledger.report(session, load(session)).model_dump(mode="json")
    except XinyongError as error:
        _fail(error.message)
        return
    _show(report, as_json)
    if report["status"] == "refused":
        raise typer.Exit(1)


def ingest(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    item: ItemOption,
    dept: DeptOption,
    mode: Annotated[
        str, typer.Option(help="strict: all rows or none; partial: valid rows load.")
    ] = "strict",
    encoding: Annotated[
        str | None, typer.Option(help="Override detection: utf-8, gbk, gb18030.")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet (default: first visible).")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the batch report as one JSON object.")
    ] = False,
) -> None:
    """Submit a CSV, XLSX or JSON Lines file of one catalogue item for one department."""
    if mode not in ("strict", "partial"):
        raise typer.BadParameter("strict or partial", param_hint="--mode")
    checked: Literal["strict", "partial"] = "strict" if mode == "strict" else "partial"
    sub = service.Submission(
        item_code=item, department_key=dept, mode=checked, channel="cli", actor=_actor()
    )
    _run(
        lambda session: service.submit_file(
            session, path=file, submission=sub, encoding=encoding, sheet=sheet
        ),
        as_json,
    )


def withdraw(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    item: ItemOption,
    dept: DeptOption,
    mode: Annotated[str, typer.Option(help="strict or partial.")] = "strict",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Revoke records listed in a file (columns 源记录编号, 撤销原因); nothing is deleted."""
    checked: Literal["strict", "partial"] = "partial" if mode == "partial" else "strict"
    sub = service.Submission(
        item_code=item, department_key=dept, mode=checked, channel="cli", actor=_actor()
    )
    _run(
        lambda session: ledger.withdraw(
            session, withdrawals=ledger.read_withdrawals(file), submission=sub
        ),
        as_json,
    )


def ingest_report(
    batch_id: str,
    out: Annotated[Path, typer.Option("--out", help="Where to write the XLSX report.")],
) -> None:
    """Write a batch's XLSX report: the original rows with outcome and error columns."""
    try:
        with session_scope() as session:
            ledger.write_batch_report(session, ledger.get_batch(session, batch_id), out)
    except XinyongError as error:
        _fail(error.message)
        return
    console.print(f"report written to {out}")


def show_ledger(
    dept: Annotated[str | None, typer.Option("--dept")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The collection ledger (归集台账): per department and item."""
    with session_scope() as session:
        department_id = service.department_for(session, dept).id if dept else None
        rows = [
            r.model_dump(mode="json") for r in ledger.ledger(session, department_id=department_id)
        ]
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    table = Table("department", "item", "batches", *COUNTS, "last")
    for r in rows:
        values = (r[k] for k in ("submissions", *COUNTS, "last_submission"))
        table.add_row(r["department_key"], r["item_code"], *map(str, values))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the collection commands to the main CLI."""
    app.command("ingest")(ingest)
    app.command("withdraw")(withdraw)
    app.command("ingest-report")(ingest_report)
    app.command("ledger")(show_ledger)
