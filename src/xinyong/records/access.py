"""Reading a subject's records through the policy, with query registration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session, object_session

from xinyong.auth import authorisations, policy, queries
from xinyong.auth.principal import Principal
from xinyong.catalog import service as catalog_service
from xinyong.core.errors import Invalid, NotFound
from xinyong.identity import names, redact
from xinyong.identity.kinds import SubjectKind
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.records.states import PUBLISHABLE_STATES, RecordState
from xinyong.subjects import person_names
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


def facts(record: Record, *, person: bool = False) -> policy.RecordFacts:
    """What the policy needs to know about a record (``person``: its subject is a natural
    person)."""
    item = catalog_service.get_catalog().item(record.item_code)
    live = RecordState(record.state) in PUBLISHABLE_STATES
    return policy.RecordFacts(
        item,
        live,
        record.department_id,
        record.subject_id,
        record.disclosure_end,
        subject_is_person=person,
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
        view = policy.record_view(
            principal, facts(record, person=person), today=today, authorised=authorised
        )
        if not view.visible:
            continue
        if view.registered:
            registered_items.append(record.item_code)
        fields = shown_fields(record, view, person=person)
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


# One answer for an unknown code and for a person the caller may not read: it must not
# tell who is registered.
NOT_READABLE = (
    "没有您可查阅其记录的主体使用此代码 · no subject whose records you may read has this code"
)


def _may_open_person(principal: Principal, subject_id: int, authorised: frozenset[str]) -> bool:
    """A natural person's records open to the person, to government readers (with a
    purpose, registered) and to organisations the person authorised."""
    if principal.kind == "subject":
        return principal.subject_id == subject_id
    if principal.is_government:
        return policy.can(principal, "records.read")
    return bool(authorised)


def read_records_by_code(
    session: Session,
    *,
    principal: Principal,
    code: str,
    purpose: str | None = None,
    matter_code: str | None = None,
) -> list[VisibleRecord]:
    """A subject's records by any of its codes (from a request body, never a URL).

    A natural person's records are read only by the person, government readers and
    organisations the person authorised; for anyone else the answer is the one for an
    unknown code (NotFound), so that it does not confirm that the person is registered.
    """
    subject = subjects_service.find_by_code(session, code.strip()[:40])
    if subject is None:
        raise NotFound(NOT_READABLE)
    if subject.kind == SubjectKind.natural_person and not _may_open_person(
        principal, subject.id, _authorised(session, principal, subject.id)
    ):
        raise NotFound(NOT_READABLE)
    return read_subject_records(
        session,
        principal=principal,
        subject_id=subject.id,
        purpose=purpose,
        matter_code=matter_code,
    )


# Fields naming a natural person other than the subject (an enterprise's legal
# representative): masked for the public like a person subject's own name.
PERSON_NAME_FIELDS = ("legal_representative",)


def shown_fields(record: Record, view: policy.RecordView, *, person: bool) -> dict[str, Any]:
    """The record's fields as the view allows them: only its fields, persons' names masked
    for the public, free text redacted for every reader outside government."""
    fields = {name: record.payload[name] for name in view.fields if name in record.payload}
    if view.public_only:
        mask_person_names(record, fields, person=person)
    if view.redacted:
        redact_free_text(record, fields, person=person)
    return fields


def _named_persons(record: Record, *, person: bool) -> list[str]:
    """Names of natural persons the record itself names (subject if a person, legal
    representatives)."""
    name_field = catalog_service.get_catalog().item(record.item_code).subject_name_field
    wanted = [*PERSON_NAME_FIELDS, name_field] if person and name_field else PERSON_NAME_FIELDS
    return [v for n in wanted if isinstance(v := record.payload.get(n), str) and v.strip()]


def mask_person_names(record: Record, fields: dict[str, Any], *, person: bool) -> None:
    """Natural persons' names are published masked (张*伟), never in full: the subject's
    name when the subject is a person, and named persons in any record."""
    name_field = catalog_service.get_catalog().item(record.item_code).subject_name_field
    wanted = [*PERSON_NAME_FIELDS, name_field] if person and name_field else PERSON_NAME_FIELDS
    for name in wanted:
        if isinstance(fields.get(name), str) and fields[name]:
            fields[name] = names.mask_person_name(fields[name])


def redact_free_text(record: Record, fields: dict[str, Any], *, person: bool) -> None:
    """Mask ID, mobile and card numbers and persons' names in the item's free-text fields:
    persons the record names and persons the platform knows (natural-person subjects)."""
    item = catalog_service.get_catalog().item(record.item_code)
    present = [n for n in item.free_text_fields if isinstance(fields.get(n), str) and fields[n]]
    if not present:
        return
    texts = [fields[name] for name in present]
    persons = known_persons(object_session(record), texts, _named_persons(record, person=person))
    for name in present:
        fields[name] = redact.redact(fields[name], person_names=persons)


def known_persons(session: Session | None, texts: list[str], named: list[str]) -> set[str]:
    """The persons' names to mask in these texts: those given, and natural persons the
    platform knows whose names appear in the texts (one look-up for all of them)."""
    persons = set(named)
    if session is not None:
        candidates: set[str] = set()
        for text in texts:
            candidates |= redact.name_candidates(text)
        persons |= person_names.person_names_among(session, candidates)
    return persons


def redact_text(session: Session | None, text: str, *, known: list[str] | None = None) -> str:
    """Free text as it may leave the platform: ``identity.redact`` with the given persons'
    names and those of natural persons the platform knows that appear in the text."""
    if not text:
        return text
    return redact.redact(text, person_names=known_persons(session, [text], known or []))


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
