"""``xinyong users`` and ``xinyong apikeys`` as an administrator runs them."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from xinyong.audit.models import AuditEntry
from xinyong.auth import apikeys
from xinyong.auth import service as auth_service
from xinyong.cli import app
from xinyong.core.db import session_scope
from xinyong.core.errors import Unauthorized

runner = CliRunner()
PASSWORD = "Correct-Horse-42"


def test_users_and_keys(configured_db: str) -> None:
    assert runner.invoke(app, ["departments", "sync"]).exit_code == 0
    created = runner.invoke(
        app,
        [
            "users",
            "create",
            "zhao.lei",
            "--name",
            "赵磊",
            "--role",
            "auditor",
            "--department",
            "sz_scjgj",
            "--password",
            PASSWORD,
        ],
    )
    assert created.exit_code == 0, created.output
    weak = runner.invoke(
        app,
        [
            "users",
            "create",
            "weak.one",
            "--name",
            "x",
            "--department",
            "sz_scjgj",
            "--password",
            "short",
        ],
    )
    assert weak.exit_code == 2 and "at least" in weak.output
    assert runner.invoke(app, ["users", "disable", "zhao.lei"]).exit_code == 0
    with session_scope() as session:
        try:
            auth_service.authenticate(session, username="zhao.lei", password=PASSWORD)
            raise AssertionError("a disabled account logged in")
        except Unauthorized:
            pass
    issued = runner.invoke(
        app,
        [
            "apikeys",
            "create",
            "feed",
            "--scope",
            "records:submit",
            "--department",
            "sz_scjgj",
            "--json",
        ],
    )
    facts = json.loads(issued.output)
    with session_scope() as session:
        assert apikeys.authenticate(session, facts["token"]).scopes == {"records:submit"}
    assert runner.invoke(app, ["apikeys", "revoke", facts["prefix"]]).exit_code == 0
    with session_scope() as session:
        try:
            apikeys.authenticate(session, facts["token"])
            raise AssertionError("a revoked key was accepted")
        except Unauthorized:
            pass
    unknown = runner.invoke(app, ["apikeys", "revoke", "nope"])
    assert unknown.exit_code == 2


def test_keys_created_and_revoked_from_the_cli_name_the_operator(configured_db: str) -> None:
    """Finding 9: the audit actor is the operator given on the command line, not 'system'."""
    assert runner.invoke(app, ["departments", "sync"]).exit_code == 0
    issued = runner.invoke(
        app,
        [
            *("apikeys", "create", "feed", "--scope", "records:submit"),
            *("--department", "sz_scjgj", "--operator", "张伟", "--json"),
        ],
    )
    assert issued.exit_code == 0, issued.output
    prefix = json.loads(issued.output)["prefix"]
    revoked = runner.invoke(app, ["apikeys", "revoke", prefix, "--by", "李娜"])
    assert revoked.exit_code == 0, revoked.output
    with session_scope() as session:
        entries = session.execute(
            select(AuditEntry.action, AuditEntry.actor)
            .where(AuditEntry.object_type == "api_key")
            .order_by(AuditEntry.seq)
        ).all()
    assert [tuple(e) for e in entries] == [
        ("apikey.create", "cli:张伟"),
        ("apikey.revoke", "cli:李娜"),
    ]
