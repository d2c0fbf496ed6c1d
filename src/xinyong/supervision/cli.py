"""``xinyong supervision classify | classes | plan | draw``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from xinyong.core.db import session_scope
from xinyong.core.errors import XinyongError
from xinyong.supervision import export, service
from xinyong.supervision.config import get_config

supervision_app = typer.Typer(
    help="Graded supervision and 双随机 inspections.", no_args_is_help=True
)


def _day(text: str | None) -> date:
    try:
        return date.fromisoformat(text) if text else date.today()
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _fail(error: XinyongError) -> None:
    typer.echo(f"error: {error.message}", err=True)
    raise typer.Exit(2)


@supervision_app.command("classify")
def classify(code: str, as_of: Annotated[str | None, typer.Option("--as-of")] = None) -> None:
    """Class every organisation under a classification (history kept)."""
    try:
        with session_scope() as session:
            counts = service.classify(session, code=code, as_of=_day(as_of))
    except XinyongError as error:
        _fail(error)
    typer.echo(json.dumps({"classification": code, "counts": dict(sorted(counts.items()))}))


@supervision_app.command("classes")
def classes(
    code: str,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Write the list here.")] = None,
) -> None:
    """Current class counts (and the full list as XLSX with --xlsx)."""
    try:
        with session_scope() as session:
            counts = service.class_counts(session, code=code)
            if xlsx is not None:
                rows = service.current_classes(session, code=code, limit=10_000_000)
                xlsx.write_bytes(export.classes_xlsx(get_config().get(code), rows))
    except XinyongError as error:
        _fail(error)
    typer.echo(json.dumps({"classification": code, "counts": counts}, ensure_ascii=False))


@supervision_app.command("draw")
def draw(
    dept: Annotated[str, typer.Option("--dept")],
    code: Annotated[str, typer.Option("--classification")],
    matter: Annotated[str, typer.Option("--matter")],
    seed: Annotated[str, typer.Option("--seed", help="The published random seed.")],
    ratio: Annotated[list[str], typer.Option("--ratio", help="CLASS=RATIO, e.g. D=0.2")],
    today: Annotated[str | None, typer.Option("--today")] = None,
) -> None:
    """Create a 双随机 plan and draw it: subjects per class at the ratios, two inspectors each."""
    from xinyong.subjects import service as subjects_service

    try:
        ratios = {k: float(v) for k, v in (item.split("=", 1) for item in ratio)}
    except ValueError:
        raise typer.BadParameter("--ratio takes CLASS=RATIO, e.g. D=0.2") from None
    try:
        with session_scope() as session:
            department = subjects_service.get_department(session, dept)
            plan = service.create_plan(
                session,
                department_id=department.id,
                classification=code,
                matter=matter,
                ratios=ratios,
                seed=seed,
                actor="cli",
            )
            rows = service.draw(session, plan_id=plan.id, today=_day(today))
            result = {"plan": plan.id, "seed": seed, "drawn": len(rows),
                      "must_inspect": sum(r.must_inspect for r in rows)}  # fmt: skip
    except XinyongError as error:
        _fail(error)
    typer.echo(json.dumps(result))
