"""The ``xinyong`` command line."""

from __future__ import annotations

import dataclasses
import json
import secrets
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.table import Table

from xinyong import registry
from xinyong.auth.cli import keys_app, users_app
from xinyong.checks.cli import checks_app
from xinyong.commitments.cli import commitments_app
from xinyong.core.db import session_scope
from xinyong.core.errors import XinyongError
from xinyong.evaluation import cli as evaluation_cli
from xinyong.financing import cli as financing_cli
from xinyong.incentives.cli import incentives_app
from xinyong.ingest import cli as ingest_cli
from xinyong.points.cli import points_app
from xinyong.reports.cli import reports_app
from xinyong.rights.cli import rights_app
from xinyong.supervision import cli as supervision_cli

app = typer.Typer(help="xinyong — public credit information sharing platform", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
code_app = typer.Typer(help="Identity codes: USCC, ID numbers, registration numbers, org codes.")
names_app = typer.Typer(help="Organisation and person names.", no_args_is_help=True)
catalog_app = typer.Typer(help="The public credit information catalogue.", no_args_is_help=True)
departments_app = typer.Typer(help="Source departments.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(code_app, name="code")
app.add_typer(names_app, name="names")
app.add_typer(catalog_app, name="catalog")
app.add_typer(departments_app, name="departments")
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="apikeys")
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(rights_app, name="rights")
app.add_typer(checks_app, name="checks")
app.add_typer(commitments_app, name="commitments")
app.add_typer(reports_app, name="reports")
app.add_typer(evaluation_cli.evaluation_app, name="evaluation")
app.command("evaluate")(evaluation_cli.evaluate)
app.add_typer(supervision_cli.supervision_app, name="supervision")
app.add_typer(points_app, name="points")
app.add_typer(financing_cli.financing_app, name="financing")
app.add_typer(incentives_app, name="incentives")

console = Console()
err_console = Console(stderr=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="One JSON object per line.")]


def _print_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, default=str))


def _as_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from None


def _fail(error: Exception) -> None:
    err_console.print(f"[red]error:[/red] {error}")
    raise typer.Exit(2)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the configured database to the newest schema."""
    from xinyong.core import migrate

    migrate.upgrade(revision=revision)
    console.print(f"database at revision {revision}")


@code_app.command("validate")
def code_validate(
    codes_: Annotated[list[str], typer.Argument(metavar="CODE...", help="Codes to check.")],
    as_json: JsonFlag = False,
    strict: Annotated[bool, typer.Option(help="Exit 1 if any code is invalid.")] = False,
) -> None:
    """Detect and validate each code; one result per input, in input order."""
    from xinyong.identity import codes

    results = codes.validate_many(codes_)
    for result in results:
        if as_json:
            _print_json(result.to_dict())
        else:
            verdict = "[green]valid[/green]" if result.valid else "[red]invalid[/red]"
            extra = ", ".join(
                f"{k}={v}"
                for k, v in (("category", result.category), ("region", result.region))
                if v
            )
            reason = f" — {result.reason}" if result.reason else ""
            console.print(f"{result.input!r}: {result.kind} {verdict} {extra}{reason}")
    if strict and not all(r.valid for r in results):
        raise typer.Exit(1)


@names_app.command("parse")
def names_parse(
    names_: Annotated[list[str], typer.Argument(metavar="NAME...", help="Organisation names.")],
    as_json: JsonFlag = False,
) -> None:
    """Split organisation names into region, trade name, industry, form and branch."""
    from xinyong.identity import names

    for raw in names_:
        parsed = dataclasses.asdict(names.parse_org_name(raw))
        if as_json:
            _print_json(parsed)
            continue
        table = Table(title=raw, show_header=False)
        for key, value in parsed.items():
            table.add_row(key, "" if value is None else str(value))
        console.print(table)


class NameKindChoice(StrEnum):
    """What kind of names are compared or screened."""

    organisation = "organisation"
    person = "person"


KindOption = Annotated[
    NameKindChoice | None,
    typer.Option("--kind", help="organisation or person (default: read from the names)."),
]
MatchConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="A matching YAML used instead of the shipped thresholds."),
]


def _print_match(result: Any) -> None:
    colour = {"match": "green", "possible": "yellow"}.get(result.decision, "red")
    relation = f" · {result.relation}" if result.relation else ""
    console.print(
        f"[{colour}]{result.decision}[/{colour}] {result.score:.2f}{relation}  "
        f"{result.a} / {result.b}",
        highlight=False,
    )
    for item in result.evidence:
        console.print(f"  {item.text()}", markup=False, highlight=False)


@names_app.command("compare")
def names_compare(
    names_: Annotated[
        list[str] | None, typer.Argument(metavar="[A B]", help="Two names to compare.")
    ] = None,
    pairs: Annotated[
        Path | None,
        typer.Option("--pairs", help="A CSV with columns a,b (optional code_a, code_b)."),
    ] = None,
    kind: KindOption = None,
    config_file: MatchConfigOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Compare two names, or each pair of a CSV: score, decision and explanation."""
    from xinyong.identity import matching
    from xinyong.identity.matching import files

    given = names_ or []
    try:
        config = matching.load_config(config_file)
        if pairs is not None and given:
            raise typer.BadParameter("give two names or --pairs FILE, not both")
        if pairs is None and len(given) != 2:
            raise typer.BadParameter("give exactly two names, or --pairs FILE")
        found: list[tuple[str | matching.Party, str | matching.Party]] = (
            [(row.a, row.b) for row in files.read_pairs(pairs)] if pairs else [(given[0], given[1])]
        )
    except XinyongError as error:
        _fail(error)
        return
    chosen: Literal["organisation", "person"] | None = None
    if kind is not None:
        chosen = "person" if kind is NameKindChoice.person else "organisation"
    for a, b in found:
        result = matching.match_names(a, b, kind=chosen, config=config)
        if as_json:
            _print_json(result.to_dict())
        else:
            _print_match(result)


@names_app.command("screen")
def names_screen(
    file: Annotated[
        Path, typer.Argument(help="Names to screen: .csv (name[,code][,kind]) or text.")
    ],
    out: Annotated[Path | None, typer.Option("--out", help="Write the CSV here.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=50, help="Candidates per name.")] = 5,
    config_file: MatchConfigOption = None,
) -> None:
    """Screen names against the configured database's subjects; best candidates as CSV."""
    from xinyong.identity import matching
    from xinyong.identity.matching import files
    from xinyong.subjects import matching as subjects_matching

    try:
        config = matching.load_config(config_file)
        queries = files.read_screen_file(file)
    except XinyongError as error:
        _fail(error)
        return
    with session_scope() as session:
        index = subjects_matching.build_index(session)
    results = matching.screen_many(index, queries, limit=limit, config=config)
    if out is None:
        counts = files.write_screen_csv(sys.stdout, results)
    else:
        with out.open("w", encoding="utf-8", newline="") as handle:
            counts = files.write_screen_csv(handle, results)
    summary = ", ".join(f"{n} {decision}" for decision, n in counts.items())
    err_console.print(f"{len(queries)} names screened against {len(index)} subjects: {summary}")


@catalog_app.command("show")
def catalog_show(
    item: Annotated[str | None, typer.Argument(help="Item code; omit to list all.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the catalogue's items, or show one item with its fields and rules."""
    from xinyong.catalog import service as catalog_service

    try:
        catalog = catalog_service.get_catalog()
        chosen = [catalog.item(item)] if item else list(catalog.items.values())
    except XinyongError as error:
        _fail(error)
        return
    if as_json:
        for entry in chosen:
            _print_json(entry.model_dump(mode="json"))
        return
    if item is None:
        table = Table(title=f"公共信用信息目录 · catalogue {catalog.version}")
        for column in ("code", "名称", "category", "polarity", "disclosure", "fields"):
            table.add_column(column, no_wrap=column == "code")
        for entry in chosen:
            table.add_row(
                entry.code,
                entry.name.zh,
                entry.category.value,
                entry.polarity.value,
                entry.disclosure_attribute.value,
                str(len(entry.fields)),
            )
        console.print(table)
        return
    _show_item(chosen[0])


def _show_item(entry: Any) -> None:
    lines = [
        f"{entry.code}  {entry.name.zh} / {entry.name.en}",
        f"category {entry.category.value} ({entry.category.label_zh}) · polarity "
        f"{entry.polarity.value} · disclosure {entry.disclosure_attribute.value}",
        f"subjects: {', '.join(k.value for k in entry.subject_kinds)}",
        f"sources: {', '.join(str(d) for d in entry.source_departments)}",
        f"update: {entry.update_frequency.value}"
        + (
            f" · report within {entry.reporting_deadline_working_days} working days"
            if entry.reporting_deadline_working_days
            else ""
        ),
        f"severity: {entry.severity.model_dump(mode='json')}",
        f"disclosure period: {entry.disclosure.model_dump(mode='json', exclude_none=True)}",
    ]
    lines += [
        "legal basis: " + " ".join(p for p in (b.title, b.document_number, b.article) if p)
        for b in entry.legal_basis
    ]
    for line in lines:
        console.print(line, markup=False, highlight=False)
    table = Table()
    for column in ("field", "标签", "type", "required", "disclosure"):
        table.add_column(column, no_wrap=column == "field")
    for spec in entry.fields:
        table.add_row(
            spec.name,
            spec.label.zh,
            spec.type.value,
            "yes" if spec.required else "",
            entry.field_disclosure(spec).value + (" · personal" if spec.is_personal else ""),
        )
    console.print(table)


@departments_app.command("sync")
def departments_sync() -> None:
    """Load the department directory shipped with the catalogue into the database."""
    from xinyong.subjects import service as subjects_service

    with session_scope() as session:
        departments = subjects_service.sync_departments(session)
    console.print(f"{len(departments)} departments")


@departments_app.command("list")
def departments_list(as_json: JsonFlag = False) -> None:
    """List the source departments with their codes."""
    from xinyong.subjects import service as subjects_service
    from xinyong.subjects.schemas import DepartmentRead

    with session_scope() as session:
        rows = [
            DepartmentRead.model_validate(d) for d in subjects_service.list_departments(session)
        ]
    if as_json:
        for row in rows:
            _print_json(row.model_dump(mode="json"))
        return
    table = Table(title="数据来源单位 · source departments")
    for column in ("key", "code", "kind", "名称", "name"):
        table.add_column(column)
    for row in rows:
        table.add_row(row.key, row.code, row.kind, row.name_zh, row.name_en)
    console.print(table)


@audit_app.command("verify")
def audit_verify(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    from_checkpoint: Annotated[
        bool, typer.Option(help="Start at the newest checkpoint instead of the first entry.")
    ] = False,
) -> None:
    """Walk the audit chain; print ok or the first bad entry and why (exit 1 if bad)."""
    from rich.progress import Progress

    from xinyong.audit import jobs as audit_jobs
    from xinyong.audit import service as audit_service

    show = not as_json and err_console.is_terminal
    with (
        session_scope() as session,
        Progress(console=err_console, transient=True, disable=not show) as bar,
    ):
        since = audit_jobs.newest_checkpoint(session) if from_checkpoint else None
        total = audit_service.tail(session).seq - (since or 1) + 1
        task = bar.add_task("verifying", total=total)
        report = audit_jobs.verify(
            session, since=since, progress=lambda done: bar.update(task, completed=done)
        )
    if as_json:
        _print_json(report.model_dump(mode="json"))
    else:
        console.print(report.line(), markup=False, highlight=False)
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    tail: Annotated[bool, typer.Option(help="Also checkpoint the newest entry.")] = False,
) -> None:
    """Verify the entries since the last checkpoint and checkpoint every N-th of them."""
    from xinyong.audit import jobs as audit_jobs

    try:
        with session_scope() as session:
            written = audit_jobs.checkpoint(session, at_tail=tail)
            lines = [f"checkpoint seq {c.seq} {c.algorithm} {c.hash}" for c in written]
    except XinyongError as error:
        err_console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from error
    for line in lines:
        console.print(line, markup=False, highlight=False)
    console.print(f"{len(lines)} checkpoints written")


keys_rotation_app = typer.Typer(help="Keys protecting personal data.", no_args_is_help=True)
app.add_typer(keys_rotation_app, name="keys")


@keys_rotation_app.command("rotate")
def keys_rotate(batch: Annotated[int, typer.Option(min=10, max=100_000)] = 1000) -> None:
    """Re-seal ID numbers under the current data key (set the old one as previous first)."""
    from xinyong.core import jobs
    from xinyong.registry import load_models

    load_models()
    report = jobs.rotate_data_key(batch=batch)
    for column, count in report.resealed.items():
        console.print(f"{column}: {count:,} re-sealed")


@app.command("expire")
def expire(
    today: Annotated[str | None, typer.Option(help="Run as of this date (YYYY-MM-DD).")] = None,
) -> None:
    """End publication of records whose disclosure period has passed (idempotent)."""
    from xinyong.records import jobs as records_jobs

    as_of = _as_date(today, "--today") if today else date.today()
    with session_scope() as session:
        count = records_jobs.expire_due(session, today=as_of)
    console.print(f"{count} records expired as of {as_of.isoformat()}")


@app.command("daily")
def daily(
    today: Annotated[str | None, typer.Option(help="Run as of this date (YYYY-MM-DD).")] = None,
) -> None:
    """The daily jobs (cron them): expiry, rights reminders, list imports, terms, escalations,
    commitments' overdue scan and reminders, then the incremental evaluation of the subjects
    flagged meanwhile."""
    from xinyong.commitments import jobs as commitments_jobs
    from xinyong.evaluation import service as evaluation_service
    from xinyong.lists import jobs as lists_jobs
    from xinyong.records import jobs as records_jobs
    from xinyong.rights import jobs as rights_jobs

    as_of = _as_date(today, "--today") if today else date.today()
    with session_scope() as session:
        expired = records_jobs.expire_due(session, today=as_of)
    with session_scope() as session:
        reminded = rights_jobs.remind(session, today=as_of)
    with session_scope() as session:
        lists = lists_jobs.daily(session, today=as_of)
    with session_scope() as session:
        commitments = commitments_jobs.daily(session, today=as_of)
    with session_scope() as session:
        evaluated = evaluation_service.evaluate(
            session, as_of=as_of, actor="daily", incremental=True
        )
        rescored = max((run.subjects for run in evaluated.runs), default=0)
    console.print(
        f"{as_of.isoformat()}: {expired} records expired; rights cases reminded: "
        f"{reminded.due} due soon, {reminded.overdue} overdue; list entries: "
        + ", ".join(f"{name} {count}" for name, count in lists.items())
        + f"; commitments: {commitments.overdue_conditions} conditions overdue, "
        f"{commitments.reminded} reminders; {rescored} subjects re-evaluated"
    )


@app.command("demo")
def demo(
    subjects: Annotated[int, typer.Option(min=1, max=5_000_000)] = 3000,
    seed: int = 1,
    records_per_subject: Annotated[float, typer.Option(min=0, max=100)] = 10.0,
    if_empty: Annotated[bool, typer.Option(help="Do nothing if subjects exist.")] = False,
    anchor: Annotated[
        str | None, typer.Option(help="Date the city is generated as of (default today).")
    ] = None,
) -> None:
    """Generate a deterministic synthetic city and load it into the configured database."""
    from xinyong.demo import loader

    try:
        report = loader.load_demo(
            subjects=subjects,
            seed=seed,
            records_per_subject=records_per_subject,
            if_empty=if_empty,
            progress=True,
            anchor=_as_date(anchor, "--anchor") if anchor else None,
        )
    except XinyongError as error:
        _fail(error)
        return
    console.print(report.summary())
    if not report.skipped:
        from xinyong.points import demo as points_demo

        with session_scope() as session:  # the village points town (积分制): small, fixed
            town = points_demo.seed_demo(session, today=report.anchor)
        if town is not None:
            console.print(f"points: 1 town, 2 villages, {len(town.household_ids)} households")


search_app = typer.Typer(help="The portal's name search index.", no_args_is_help=True)
app.add_typer(search_app, name="search")


@search_app.command("reindex")
def search_reindex(
    if_empty: Annotated[bool, typer.Option(help="Only when the index holds nothing.")] = False,
) -> None:
    """Rebuild the name search index from the subjects table (after bulk changes)."""
    from sqlalchemy import func, select

    from xinyong.subjects import search
    from xinyong.subjects.models import SubjectSearch

    with session_scope() as session:
        if if_empty and session.scalar(select(func.count()).select_from(SubjectSearch)):
            console.print("search index present; nothing to do")
            return
        entries = search.rebuild_index(session)
    console.print(f"search index rebuilt: {entries:,} subjects")


@app.command("serve")
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    reload: bool = False,
) -> None:
    """Serve the platform (portal, console and API)."""
    import uvicorn

    uvicorn.run("xinyong.app:create_app", factory=True, host=host, port=port, reload=reload)


ingest_cli.register(app)
# Every command may change records: their consequences run through the modules' handlers.
registry.wire_effects()


@financing_cli.financing_app.command("sandbox")
def financing_sandbox(
    password: Annotated[
        str | None, typer.Option(help="Password of the sandbox's bank staff (default: made up).")
    ] = None,
) -> None:
    """Build the 信易贷 sandbox in the demo city (two banks, staff, keys, products, needs,
    applications in every state, the fund); prints the accounts and keys once."""
    from xinyong.demo import financing as demo_financing

    chosen = password or "Fin-" + secrets.token_urlsafe(9)
    with session_scope() as session:
        made = demo_financing.build_sandbox(session, password=chosen)
    if not made.created:
        typer.echo("the sandbox exists already")
        return
    for username, role in made.accounts.items():
        typer.echo(f"account {username} ({role}) password {chosen}")
    for bank, token in made.keys.items():
        typer.echo(f"api key of {bank}: {token}")
    typer.echo(" ".join(f"{state}={n}" for state, n in sorted(made.applications.items())))


def main() -> None:
    """Entry point of the ``xinyong`` console script."""
    app()


if __name__ == "__main__":
    main()
