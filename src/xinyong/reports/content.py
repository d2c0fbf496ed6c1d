"""A report's content: an as-of snapshot of the subject's data in force, as one reader sees it.

Records come through the visibility policy (``auth.policy`` via ``records.access``) and only
while in force (active or under objection, within their disclosure period): repaired,
expired, revoked and superseded records never appear. List entries are the live ones
(``lists.entries.live_entries``); non-public lists only for the subject and government.
Natural persons' names are masked unless the reader is the person; identity numbers are
always masked. The result is plain JSON (labels in Chinese and English included), so the
signed canonical form is the report exactly as a person reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.catalog import service as catalog_service
from xinyong.catalog.labels import OPEN_ENDED, format_value, industry_label
from xinyong.core.i18n import t
from xinyong.identity import names, regions
from xinyong.identity.kinds import SubjectKind
from xinyong.lists import config as lists_config
from xinyong.lists import entries as list_entries
from xinyong.records import access
from xinyong.records.models import Record
from xinyong.records.states import PUBLISHABLE_STATES
from xinyong.reports import sources
from xinyong.reports.config import ALL, Audience, ReportType, Section, SectionKind
from xinyong.subjects.models import Department, Subject

# Fields repeated in every record about the subject (shown once, in the basic section) and
# codes of bodies: left out of record rows unless a section names them.
LEFT_OUT = frozenset(
    {
        "subject_name",
        "subject_type",
        "subject_code",
        "authority_code",
        "source_unit_code",
        "listing_authority_code",
        "evaluating_body_code",
        "awarding_body_code",
        "receiving_body_code",
        "issuing_body_code",
        "legal_representative_id_type",
        "legal_representative_id_number",
    }
)


@dataclass(frozen=True)
class Reader:
    """Who the content is assembled for: the audience and the principal the policy sees."""

    audience: Audience
    principal: Principal
    authorised: frozenset[str] = frozenset()

    @property
    def is_subject(self) -> bool:
        return self.audience is Audience.subject


def both(key: str, **params: Any) -> dict[str, str]:
    """A text in both languages."""
    return {"zh": t(key, "zh").format(**params), "en": t(key, "en").format(**params)}


def in_force(record: Record, as_of: date) -> bool:
    """Active or under objection, and within its disclosure period on the day."""
    in_period = record.disclosure_end is None or record.disclosure_end >= as_of
    return record.state in PUBLISHABLE_STATES and in_period


def subject_code(subject: Subject) -> str:
    """The subject's code as a report prints it: USCC, or the masked ID number."""
    return subject.uscc or subject.id_number_masked or ""


def subject_name(subject: Subject, reader: Reader) -> str:
    """Persons' names are masked unless the reader is the person."""
    if subject.kind == SubjectKind.natural_person and not reader.is_subject:
        return names.mask_person_name(subject.name)
    return subject.name


def _value(name: str, value: Any) -> dict[str, str]:
    return {"zh": format_value(name, value, "zh"), "en": format_value(name, value, "en")}


def _field_list(item_code: str, fields: dict[str, Any], wanted: Any) -> list[dict[str, Any]]:
    item = catalog_service.get_catalog().item(item_code)
    out = []
    for spec in item.fields:
        value = fields.get(spec.name)
        if value in (None, "", []) or (wanted == ALL and spec.name in LEFT_OUT):
            continue
        if wanted != ALL and spec.name not in wanted:
            continue
        if str(value) == OPEN_ENDED:
            value = OPEN_ENDED
        label = {"zh": spec.label.zh, "en": spec.label.en}
        out.append({"name": spec.name, "label": label, "value": _value(spec.name, value)})
    return out


def visible_row(
    record: Record, reader: Reader, wanted: Any, *, person: bool, as_of: date
) -> dict[str, Any] | None:
    """A record as this reader may see it in a report (None: not shown)."""
    if not in_force(record, as_of):
        return None
    view = policy.record_view(
        reader.principal, access.facts(record), today=as_of, authorised=reader.authorised
    )
    if not view.visible:
        return None
    fields = {name: record.payload[name] for name in view.fields if name in record.payload}
    if not reader.is_subject:
        access.mask_person_names(record, fields, person=person)
    item = catalog_service.get_catalog().item(record.item_code)
    return {
        "record_id": record.id,
        "item": record.item_code,
        "item_name": {"zh": item.name.zh, "en": item.name.en},
        "decision_date": record.decision_date.isoformat() if record.decision_date else None,
        "under_objection": record.state == "under_objection",
        "fields": _field_list(record.item_code, fields, wanted),
    }


@dataclass
class Snapshot:
    """The subject's current records and live list entries, read once per report."""

    subject: Subject
    records: list[Record]
    as_of: date
    departments: dict[int, Department]

    @classmethod
    def take(cls, session: Session, subject: Subject, as_of: date) -> Snapshot:
        """Read the subject's current record versions (the policy filters them later)."""
        rows = session.scalars(
            select(Record)
            .where(Record.subject_id == subject.id, Record.is_current.is_(True))
            .order_by(Record.decision_date.desc(), Record.id.desc())
        )
        records = list(rows)
        ids = {r.department_id for r in records}
        found = list(session.scalars(select(Department).where(Department.id.in_(ids))))
        return cls(subject, records, as_of, {d.id: d for d in found})


def _record_rows(snap: Snapshot, section: Section, reader: Reader) -> list[dict[str, Any]]:
    wanted = section.fields_for(reader.audience)
    person = snap.subject.kind == SubjectKind.natural_person
    rows = []
    for record in snap.records:
        if record.item_code not in section.items:
            continue
        row = visible_row(record, reader, wanted, person=person, as_of=snap.as_of)
        if row is not None:
            rows.append(row)
    return rows


def _basic(session: Session, snap: Snapshot, reader: Reader) -> list[dict[str, Any]]:
    subject = snap.subject
    registration = next(
        (r for r in snap.records if r.item_code == "registration" and in_force(r, snap.as_of)),
        None,
    )
    representative = registration.payload.get("legal_representative") if registration else None
    if representative and not reader.is_subject:
        representative = names.mask_person_name(str(representative))
    region = regions.full_name(subject.region_code) if subject.region_code else None
    values: dict[str, Any] = {
        "name": subject_name(subject, reader),
        "code": subject_code(subject),
        "kind": both(f"kind.{subject.kind}"),
        "status": both(f"rpt.status.{subject.status}"),
        "region": region,
        "registration_date": subject.registration_date.isoformat()
        if subject.registration_date
        else None,
        "industry": {
            "zh": industry_label(subject.industry, "zh"),
            "en": industry_label(subject.industry, "en"),
        }
        if subject.industry
        else None,
        "legal_representative": representative,
    }
    return [
        {"name": name, "label": both(f"rpt.basic.{name}"), "value": _as_both(value)}
        for name, value in values.items()
        if value not in (None, "")
    ]


def _as_both(value: Any) -> dict[str, str]:
    return value if isinstance(value, dict) else {"zh": str(value), "en": str(value)}


def _list_rows(
    session: Session, snap: Snapshot, section: Section, reader: Reader
) -> list[dict[str, Any]]:
    config = lists_config.get_config()
    wanted = set(section.lists or config.lists)
    open_to_all = reader.audience in (Audience.subject, Audience.government)
    rows = []
    for entry in list_entries.live_entries(
        session, subject_ids=[snap.subject.id], today=snap.as_of
    ):
        spec = config.lists.get(entry.list_code)
        if spec is None or entry.list_code not in wanted or not (spec.public or open_to_all):
            continue
        department = session.get(Department, entry.department_id)
        rows.append(
            {
                "entry_id": entry.id,
                "list": entry.list_code,
                "list_name": {"zh": spec.name.zh, "en": spec.name.en},
                "department": {
                    "zh": department.name_zh if department else "",
                    "en": department.name_en if department else "",
                },
                "listed_on": entry.listed_on.isoformat() if entry.listed_on else None,
                "term_end": entry.term_end.isoformat() if entry.term_end else None,
                "legal_basis": entry.legal_basis,
                "reasons": entry.reasons,
            }
        )
    return rows


def period_start(spec: ReportType, as_of: date) -> date | None:
    """First day of a special report's period (``period_years`` back from the day)."""
    if spec.period_years is None:
        return None
    return as_of - relativedelta(years=spec.period_years) + relativedelta(days=1)


def _domain_rows(
    snap: Snapshot, spec: ReportType, section: Section, reader: Reader
) -> list[dict[str, Any]]:
    """Per domain of a special report: the violation records of the period, and a conclusion."""
    domains = _domains_config()
    start = period_start(spec, snap.as_of)
    wanted = section.fields_for(reader.audience)
    person = snap.subject.kind == SubjectKind.natural_person
    out = []
    for key in spec.domains:
        kinds = {k.value for k in domains[key].department_kinds}
        rows = []
        for record in snap.records:
            department = snap.departments.get(record.department_id)
            if record.item_code not in section.items or department is None:
                continue
            dated = record.decision_date is not None and start is not None
            if department.kind not in kinds or record.polarity != "negative":
                continue
            if dated and not (start <= record.decision_date <= snap.as_of):  # type: ignore[operator]
                continue
            row = visible_row(record, reader, wanted, person=person, as_of=snap.as_of)
            if row is not None:
                rows.append(row)
        conclusion = both("rpt.domain.found", count=len(rows)) if rows else both("rpt.domain.clean")
        name = domains[key].name
        out.append(
            {
                "domain": key,
                "name": {"zh": name.zh, "en": name.en},
                "count": len(rows),
                "conclusion": conclusion,
                "records": rows,
            }
        )
    return out


def _domains_config() -> dict[str, Any]:
    from xinyong.reports.config import get_config

    return dict(get_config().domains)


def section_content(
    session: Session, snap: Snapshot, spec: ReportType, section: Section, reader: Reader
) -> dict[str, Any] | None:
    """One section's content for the reader (None when this audience does not get it)."""
    if section.fields_for(reader.audience) is None:
        return None
    body: dict[str, Any] = {
        "key": section.key,
        "kind": section.kind.value,
        "title": {"zh": section.title.zh, "en": section.title.en},
        "empty": {"zh": section.empty.zh, "en": section.empty.en},
        "rows": [],
        "entries": [],
    }
    if section.kind is SectionKind.basic:
        body["rows"] = _basic(session, snap, reader)
    elif section.kind is SectionKind.notes:
        body["notes"] = both("rpt.notes.rights")
    elif section.kind is SectionKind.domains:
        body["domains"] = _domain_rows(snap, spec, section, reader)
        body["has_findings"] = any(d["count"] for d in body["domains"])
    else:
        body["rows"] = _record_rows(snap, section, reader)
        if section.kind is SectionKind.lists:
            body["entries"] = _list_rows(session, snap, section, reader)
    if section.source is not None:
        extra = sources.external_rows(
            session,
            source=section.source,
            subject_id=snap.subject.id,
            audience=reader.audience.value,
            as_of=snap.as_of,
        )
        body["source"] = section.source
        body["source_rows"] = extra or []
        body["source_absent"] = (
            both(f"rpt.source.{section.source}.absent") if extra is None else None
        )
    return body


def is_empty(section: dict[str, Any]) -> bool:
    """Whether a section has nothing to show (it then says its ``empty`` text)."""
    if section["kind"] in ("basic", "notes"):
        return False
    if section["kind"] == "domains":
        return not section.get("has_findings")
    return not (section["rows"] or section["entries"] or section.get("source_rows"))


def build(
    session: Session, *, subject: Subject, spec: ReportType, reader: Reader, as_of: date
) -> tuple[list[dict[str, Any]], list[str]]:
    """The sections of a report for the reader, and the catalogue items it read."""
    snap = Snapshot.take(session, subject, as_of)
    sections = []
    for section in spec.sections:
        body = section_content(session, snap, spec, section, reader)
        if body is not None:
            body["is_empty"] = is_empty(body)
            sections.append(body)
    items = sorted({code for s in spec.sections for code in s.items})
    return sections, items


def basis_fingerprint(session: Session, *, subject_id: int, as_of: date) -> list[Any]:
    """What the subject's data in force is made of (records and live list entries): a report
    whose fingerprint no longer matches today's was issued on data that has since changed."""
    records = session.scalars(
        select(Record).where(Record.subject_id == subject_id, Record.is_current.is_(True))
    )
    kept = sorted(
        (
            r.id,
            r.state,
            r.content_hash or "",
            r.disclosure_end.isoformat() if r.disclosure_end else "",
        )
        for r in records
        if in_force(r, as_of)
    )
    entries = list_entries.live_entries(session, subject_ids=[subject_id], today=as_of)
    return [kept, sorted((e.id, e.version) for e in entries)]
