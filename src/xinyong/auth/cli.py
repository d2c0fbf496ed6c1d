"""``xinyong users …`` and ``xinyong apikeys …``: account and key administration."""

from __future__ import annotations

import getpass
import json
from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console

from xinyong.auth import apikeys, counter
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.core.db import session_scope, utcnow
from xinyong.core.errors import XinyongError
from xinyong.subjects import service as subjects_service

users_app = typer.Typer(
    help="Accounts: create, disable, enable, counter codes.", no_args_is_help=True
)
keys_app = typer.Typer(help="API keys for system-to-system calls.", no_args_is_help=True)
console = Console()


def _actor(operator: str | None = None) -> str:
    """Audit actor of an administrator working at the command line: the operator's name as
    given with ``--operator``, else the system user running the command."""
    name = auth_service.safe_username((operator or "").strip()) or getpass.getuser()
    return f"cli:{name}"


Operator = Annotated[
    str | None,
    typer.Option("--operator", "--by", help="Your name, written to the audit log as the actor."),
]


def _fail(error: XinyongError) -> None:
    Console(stderr=True).print(f"[red]error:[/red] {error.message}")
    raise typer.Exit(2)


@users_app.command("create")
def users_create(
    username: str,
    display_name: Annotated[str, typer.Option("--name", help="Name shown in logs.")],
    kind: Annotated[str, typer.Option(help="staff | organisation | subject")] = "staff",
    role: Annotated[
        str, typer.Option(help="admin | reporter | department_user | auditor")
    ] = "reporter",
    department: Annotated[str | None, typer.Option(help="Department key or code (staff).")] = None,
    organisation_id: Annotated[int | None, typer.Option(help="Organisation id.")] = None,
    password: Annotated[str | None, typer.Option(help="Omit to be asked (not echoed).")] = None,
    operator: Operator = None,
) -> None:
    """Create an account (the password is asked for unless given)."""
    secret = password or getpass.getpass("password: ")
    try:
        with session_scope() as session:
            dept_id = (
                subjects_service.get_department(session, department).id if department else None
            )
            role_for_kind = (
                role if kind == "staff" else {"organisation": "org_user"}.get(kind, kind)
            )
            data = AccountCreate(
                username=username,
                display_name=display_name,
                password=secret,
                kind=kind,
                role=role_for_kind,
                department_id=dept_id,
                organisation_id=organisation_id,
            )
            account = auth_service.create_account(session, data=data, actor=_actor(operator))
            console.print(f"account {account.username} ({account.kind}/{account.role}) created")
    except XinyongError as error:
        _fail(error)


@users_app.command("disable")
def users_disable(username: str, operator: Operator = None) -> None:
    """Disable an account and end its sessions."""
    try:
        with session_scope() as session:
            auth_service.set_active(
                session, username=username, active=False, actor=_actor(operator)
            )
        console.print(f"account {username} disabled")
    except XinyongError as error:
        _fail(error)


@users_app.command("enable")
def users_enable(username: str, operator: Operator = None) -> None:
    """Re-enable a disabled account."""
    try:
        with session_scope() as session:
            auth_service.set_active(session, username=username, active=True, actor=_actor(operator))
        console.print(f"account {username} enabled")
    except XinyongError as error:
        _fail(error)


@users_app.command("issue-code")
def users_issue_code(
    subject_code: str,
    purpose: Annotated[
        str, typer.Option(help="open: open the subject's account; reset: set a new password.")
    ] = "open",
) -> None:
    """A one-time code for a subject to open its own account, or to reset its password (hand
    it over at the counter; it is redeemed on /register or /login/reset)."""
    try:
        with session_scope() as session:
            code = auth_service.issue_counter_code(
                session, subject_code=subject_code, issued_by=None, purpose=purpose
            )
        minutes = counter.VALID_MINUTES[purpose]
        console.print(f"one-time {purpose} code (valid {minutes} min): {code}")
    except XinyongError as error:
        _fail(error)


@keys_app.command("create")
def keys_create(
    name: str,
    scope: Annotated[list[str], typer.Option(help=f"One of {', '.join(apikeys.SCOPES)}.")],
    department: Annotated[str | None, typer.Option(help="Owning department.")] = None,
    organisation_id: Annotated[int | None, typer.Option(help="Owning organisation.")] = None,
    days: Annotated[int, typer.Option(min=1, max=3650, help="Valid for this many days.")] = 365,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    operator: Operator = None,
) -> None:
    """Issue an API key; the token is printed once and never stored."""
    try:
        with session_scope() as session:
            dept_id = (
                subjects_service.get_department(session, department).id if department else None
            )
            issued = apikeys.create(
                session,
                name=name,
                scopes=scope,
                department_id=dept_id,
                organisation_id=organisation_id,
                expires_at=utcnow() + timedelta(days=days),
                actor=_actor(operator),
            )
            facts = {
                "prefix": issued.key.prefix,
                "token": issued.token,
                "scopes": issued.key.scopes,
            }
    except XinyongError as error:
        _fail(error)
        return
    if as_json:
        typer.echo(json.dumps(facts))
    else:
        console.print(f"API key {facts['prefix']} (shown once): {facts['token']}")


@keys_app.command("revoke")
def keys_revoke(prefix: str, operator: Operator = None) -> None:
    """Revoke an API key at once."""
    try:
        with session_scope() as session:
            apikeys.revoke(session, prefix=prefix, actor=_actor(operator))
        console.print(f"API key {prefix} revoked")
    except XinyongError as error:
        _fail(error)
