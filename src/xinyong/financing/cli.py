"""``xinyong financing deliver | overdue | reconcile`` (``sandbox`` is added by xinyong.cli:
it builds demo data, and the demo package sits beside this one)."""

from __future__ import annotations

import typer

from xinyong.core.db import session_scope
from xinyong.financing import applications, fund, jobs
from xinyong.reports.service import beijing_today

financing_app = typer.Typer(
    help="信易贷: webhooks, overdue feedback, the fund.", no_args_is_help=True
)


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
