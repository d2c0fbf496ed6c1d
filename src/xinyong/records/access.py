"""Reading a subject's records through the policy, with query registration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from xinyong.auth import authorisations, policy, queries
from xinyong.auth.principal import Principal
from xinyong.catalog import service as catalog_service
from xinyong.core.errors import Invalid
from xinyong.identity import names
from xinyong.identity.kinds import SubjectKind
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.records.states import PUBLISHABLE_STATES, RecordState
from xinyong.subjects import service as subjects_service


@dataclass(frozen=True)
class VisibleRecord:
    """A record as one principal may see it: only the fields the policy allows."""

    id: int
    item_code: str
    state: str
    decision_date: date | None
    disclosure_end: date | None
    severity: str | None
    fields: dict[str, Any]


def _authorised(session: Session, principal: Principal, subject_id: int) -> frozenset[str]:
    if principal.kind != "organisation" or principal.organisation_id is None:
        return frozenset()
    return frozenset(
        authorisations.covered_items(
            session, subject_id=subject_id, organisation_id=principal.organisation_id
        )
    )


def facts(record: Record) -> policy.RecordFacts:
    item = catalog_service.get_catalog().item(record.item_code)
    live = RecordState(record.state) in PUBLISHABLE_STATES
    return policy.RecordFacts(
        item, live, record.department_id, record.subject_id, record.disclosure_end
    )


def read_subject_records(
    session: Session,
    *,
    principal: Principal,
    subject_id: int,
    purpose: str | None = None,
    matter_code: str | None = None,
    today: date | None = None,
) -> list[VisibleRecord]:
    """The subject's current records as the principal may see them.

    Reading any non-public field needs a purpose and is registered; without a purpose the
    refused attempt is registered too and the call fails.
    """
    today = today or date.today()
    authorised = _authorised(session, principal, subject_id)
    person = subjects_service.get(session, subject_id).kind == SubjectKind.natural_person
    out: list[VisibleRecord] = []
    registered_items: list[str] = []
    for record in records_service.for_subject(session, subject_id):
        view = policy.record_view(principal, facts(record), today=today, authorised=authorised)
        if not view.visible:
            continue
        if view.registered:
            registered_items.append(record.item_code)
        fields = {name: record.payload[name] for name in view.fields if name in record.payload}
        if view.public_only:
            mask_person_names(record, fields, person=person)
        out.append(
            VisibleRecord(
                record.id,
                record.item_code,
                record.state,
                record.decision_date,
                record.disclosure_end,
                record.severity,
                fields,
            )
        )
    if registered_items:
        _register(session, principal, subject_id, registered_items, purpose, matter_code)
    return out


# Fields naming a natural person other than the subject (an enterprise's legal
# representative): masked for the public like a person subject's own name.
PERSON_NAME_FIELDS = ("legal_representative",)


def mask_person_names(record: Record, fields: dict[str, Any], *, person: bool) -> None:
    """Natural persons' names are published masked (张*伟), never in full: the subject's
    name when the subject is a person, and named persons in any record."""
    name_field = catalog_service.get_catalog().item(record.item_code).subject_name_field
    wanted = [*PERSON_NAME_FIELDS, name_field] if person and name_field else PERSON_NAME_FIELDS
    for name in wanted:
        if isinstance(fields.get(name), str) and fields[name]:
            fields[name] = names.mask_person_name(fields[name])


def _register(
    session: Session,
    principal: Principal,
    subject_id: int,
    items: list[str],
    purpose: str | None,
    matter_code: str | None,
) -> None:
    common: dict[str, Any] = {
        "principal": principal,
        "subject_id": subject_id,
        "what": items,
        "matter_code": matter_code,
    }
    try:
        text = queries.checked_purpose(purpose or matter_code)
    except Invalid:
        queries.register(session, purpose=purpose or "", outcome="refused", **common)
        raise
    queries.register(session, purpose=text, outcome="allowed", **common)
