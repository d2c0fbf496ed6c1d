"""``xinyong financing bank | deliver | overdue | reconcile`` (``sandbox`` is added by xinyong.cli:
it builds demo data, and the demo package sits beside this one)."""

from __future__ import annotations

from typing import Annotated

import typer

from xinyong.core.db import session_scope
from xinyong.core.errors import XinyongError
from xinyong.financing import applications, fund, institutions, jobs
from xinyong.reports.service import beijing_today

financing_app = typer.Typer(
    help="信易贷: webhooks, overdue feedback, the fund.", no_args_is_help=True
)


@financing_app.command("bank")
def bank(
    name: str,
    short_name: Annotated[str, typer.Option("--short", help="Short name shown in lists.")],
    parent: Annotated[int | None, typer.Option(help="The bank's id, for a branch.")] = None,
    uscc: Annotated[str | None, typer.Option(help="Unified social credit code.")] = None,
    region: Annotated[str | None, typer.Option(help="GB/T 2260 region code.")] = None,
) -> None:
    """Register a bank (or, with --parent, one of its branches); prints its organisation id.
    Its staff: ``xinyong users create … --kind organisation --organisation-id ID --role
    loan_officer|product_manager|branch_admin``."""
    try:
        with session_scope() as session:
            made = institutions.create_bank(
                session, name=name, short_name=short_name, uscc=uscc, region_code=region,
                parent_id=parent, actor="cli",
            )  # fmt: skip
            typer.echo(f"{made.id}\t{made.name}")
    except XinyongError as error:
        typer.echo(f"error: {error.localized('zh')} · {error.message}", err=True)
        raise typer.Exit(2) from error


@financing_app.command("deliver")
def deliver() -> None:
    """Push webhook deliveries that are due (retries with backoff)."""
    counts = jobs.deliver_webhooks()
    typer.echo(" ".join(f"{key}={value}" for key, value in counts.items()))


@financing_app.command("overdue")
def overdue() -> None:
    """List applications whose mandatory feedback is late."""
    with session_scope() as session:
        for app in applications.overdue(session, today=beijing_today()):
            typer.echo(f"{app.id}\tbranch={app.branch_id}\tdue={app.feedback_due.isoformat()}")


@financing_app.command("reconcile")
def reconcile() -> None:
    """Check the fund's ledger: exit 1 when it does not reconcile."""
    with session_scope() as session:
        result = fund.reconcile(session)
    typer.echo(
        f"contributions={result.contributions} compensations={result.compensations} "
        f"balance={result.balance} ok={result.ok}"
    )
    if not result.ok:
        raise typer.Exit(1)
