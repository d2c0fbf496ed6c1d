"""``xinyong audit verify|checkpoint`` as an operator runs them, on both stores."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, update
from typer.testing import CliRunner

from tests.audit import ALGORITHMS, unguard, use_algorithm
from xinyong.audit import service
from xinyong.audit.models import AuditEntry
from xinyong.cli import app
from xinyong.core.config import get_settings
from xinyong.core.db import session_scope
from xinyong.subjects import service as subjects_service

runner = CliRunner()


def _fill(entries: int) -> None:
    with session_scope() as session:
        subjects_service.sync_departments(session)  # the directory load is audited too
        for i in range(entries - 1):
            service.append(
                session,
                actor="user:1",
                action="test.cli",
                object_type="thing",
                object_id=i,
                summary={"i": i},
            )


def _verify_json() -> tuple[int, dict[str, object]]:
    result = runner.invoke(app, ["audit", "verify", "--json"])
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return result.exit_code, json.loads(lines[0])


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_verify_and_checkpoint_on_an_untouched_log(
    configured_db: str, monkeypatch: pytest.MonkeyPatch, algorithm: str
) -> None:
    use_algorithm(monkeypatch, algorithm)
    empty = runner.invoke(app, ["audit", "verify"])
    assert empty.exit_code == 0 and "empty log" in empty.output
    _fill(10)
    monkeypatch.setattr(get_settings(), "audit_checkpoint_every", 4)
    written = runner.invoke(app, ["audit", "checkpoint", "--tail"])
    assert written.exit_code == 0, written.output
    assert "checkpoint seq 4" in written.output and "checkpoint seq 10" in written.output
    assert "3 checkpoints written" in written.output
    shown = runner.invoke(app, ["audit", "verify"])
    assert shown.exit_code == 0 and shown.output.startswith("ok: 10 entries (1..10)")
    code, report = _verify_json()
    assert code == 0 and report["ok"] is True and report["checkpoints"] == 3
    partial = runner.invoke(app, ["audit", "verify", "--from-checkpoint", "--json"])
    assert json.loads(partial.stdout)["first_seq"] == 10


@pytest.mark.parametrize(
    "tamper, seq, reason",
    [("edit", 4, "modified"), ("delete", 6, "deleted"), ("truncate", 8, "truncated")],
)
def test_verify_names_the_first_bad_entry_and_fails(
    configured_db: str, tamper: str, seq: int, reason: str
) -> None:
    _fill(10)
    if tamper == "truncate":
        assert runner.invoke(app, ["audit", "checkpoint", "--tail"]).exit_code == 0
    with session_scope() as session:
        unguard(session)
        if tamper == "edit":
            session.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(summary={}))
        elif tamper == "delete":
            session.execute(delete(AuditEntry).where(AuditEntry.seq == seq))
        else:
            session.execute(delete(AuditEntry).where(AuditEntry.seq >= seq))
    shown = runner.invoke(app, ["audit", "verify"])
    assert shown.exit_code == 1
    assert shown.output.startswith(f"bad seq {seq}: {reason}")
    code, report = _verify_json()
    assert code == 1
    assert (report["ok"], report["bad_seq"], report["reason"]) == (False, seq, reason)
    refused = runner.invoke(app, ["audit", "checkpoint"])
    assert refused.exit_code == 1 and "does not verify" in refused.output
