"""Subjects met for the first time in a submission: created from their valid code, marked
unverified until the registration data confirms them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.core.crypto import decrypt_text
from xinyong.identity import codes
from xinyong.identity.kinds import SubjectKind
from xinyong.ingest.merge import Stage
from xinyong.subjects import search
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject, SubjectIdentifier

AUDIT_IDS_UP_TO = 10_000


def _row(code_kind: str, lookup: str, code: str, kind: str, name: str) -> dict[str, Any]:
    """The subject row for one unknown code (``code`` is encrypted for a person)."""
    subject_kind = SubjectKind(kind)
    row: dict[str, Any] = {
        "kind": kind,
        "name": name.strip() or "(unknown)",
        "name_normalized": subjects_service.normalized_name(subject_kind, name),
        "status": "active",
        "verified": False,
    }
    if code_kind == "uscc":
        row.update(uscc=code, category=code[:2], region_code=code[2:8])
    elif code_kind == "id_number":
        clear = decrypt_text(code)
        row.update(
            id_number_hash=lookup,
            id_number_enc=code,
            id_number_masked=codes.mask_id_number(clear),
            region_code=clear[:6],
        )
    return row


def create_missing(session: Session, stage: Stage, *, actor: str, batch_id: str) -> int:
    """Create every subject the batch's rows name by a valid code the platform lacks."""
    unknown = stage.unknown_subjects()
    if not unknown:
        return 0
    rows = [_row(*entry) for entry in unknown]
    ids = list(
        session.execute(
            insert(Subject).returning(Subject.id, sort_by_parameter_order=True), rows
        ).scalars()
    )
    secondary = [
        {"subject_id": subject_id, "scheme": entry[0], "value": entry[1]}
        for subject_id, entry in zip(ids, unknown, strict=True)
        if entry[0] in ("registration_number", "organization_code")
    ]
    if secondary:
        session.execute(insert(SubjectIdentifier), secondary)
    stage.resolve_subjects()
    search.index_subjects(session, ids)
    audit_service.append(
        session,
        actor=actor,
        action="ingest.subjects_created",
        object_type="ingest_batch",
        object_id=batch_id,
        summary={
            "count": len(ids),
            "verified": False,
            "subject_ids": ids if len(ids) <= AUDIT_IDS_UP_TO else [ids[0], ids[-1]],
        },
    )
    return len(ids)
