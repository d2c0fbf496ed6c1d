"""Subjects and departments: creation with validated identifiers, look-up, relations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import DepartmentSpec
from xinyong.core.crypto import decrypt_text, encrypt_text, lookup_hash
from xinyong.core.errors import Conflict, Invalid, NotFound, label
from xinyong.identity import codes, names
from xinyong.identity.kinds import SubjectKind
from xinyong.subjects import search
from xinyong.subjects.models import (
    RELATION_KINDS,
    Department,
    Subject,
    SubjectIdentifier,
    SubjectRelation,
)
from xinyong.subjects.schemas import SubjectCreate

ORGANISATION_KINDS = frozenset({SubjectKind.legal_person, SubjectKind.individual_business})


def normalized_name(kind: SubjectKind, name: str) -> str:
    """The searchable form of a subject's name."""
    if kind in (SubjectKind.natural_person, SubjectKind.household):
        return names.normalize_person_name(name)
    return names.normalize_org_name(name)


def _checked_uscc(kind: SubjectKind, raw: str) -> codes.CodeResult:
    result = codes.validate_uscc(raw)
    if not result.valid:
        raise Invalid(
            key="subjects.err.uscc",
            params={"raw": raw, "result_reason": result.reason},
            details={"field": "uscc"},
        )
    is_individual = result.category == "92"
    if is_individual != (kind == SubjectKind.individual_business):
        raise Invalid(
            key="subjects.err.category",
            params={"result_code": result.code, "result_category": result.category, "kind": kind},
            details={"field": "uscc"},
        )
    return result


def _checked_secondary(scheme: str, raw: str) -> str:
    validate = (
        codes.validate_registration_number
        if scheme == "registration_number"
        else codes.validate_organization_code
    )
    result = validate(raw)
    if not result.valid:
        raise Invalid(
            key="subjects.err.scheme",
            params={"scheme": scheme, "raw": raw, "result_reason": result.reason},
            details={"field": scheme},
        )
    return result.code


def _check_kind_fields(data: SubjectCreate) -> None:
    if data.kind == SubjectKind.natural_person:
        if not data.id_number:
            raise Invalid(key="subjects.err.person_id", details={"field": "id_number"})
        if data.uscc or data.registration_number or data.organization_code:
            raise Invalid(key="subjects.err.person_codes", details={"field": "uscc"})
    elif data.id_number:
        raise Invalid(
            key="subjects.err.no_id_number",
            params={"data_kind": label(f"kind.{data.kind}")},
            details={"field": "id_number"},
        )
    if data.kind in ORGANISATION_KINDS and not (
        data.uscc or data.registration_number or data.organization_code
    ):
        raise Invalid(
            key="subjects.err.org_code",
            details={"field": "uscc"},
        )


def _apply_person_id(session: Session, subject: Subject, raw: str) -> None:
    result = codes.validate_id_number(raw)
    if not result.valid:
        raise Invalid(
            key="subjects.err.id_number",
            params={"result_reason": result.reason},
            details={"field": "id_number"},
        )
    digest = lookup_hash(result.code)
    if session.scalar(select(Subject.id).where(Subject.id_number_hash == digest)):
        raise Conflict(key="subjects.err.person_exists")
    subject.id_number_hash = digest
    subject.id_number_enc = encrypt_text(result.code)
    subject.id_number_masked = codes.mask_id_number(result.code)
    subject.region_code = subject.region_code or result.region


def _apply_uscc(session: Session, subject: Subject, kind: SubjectKind, raw: str) -> None:
    result = _checked_uscc(kind, raw)
    if session.scalar(select(Subject.id).where(Subject.uscc == result.code)):
        raise Conflict(key="subjects.err.code_exists", params={"result_code": result.code})
    subject.uscc = result.code
    subject.category = result.category
    subject.region_code = subject.region_code or result.region


def create(session: Session, *, data: SubjectCreate, actor: str = "system") -> Subject:
    """Create a subject after validating its identifiers; duplicates are refused."""
    _check_kind_fields(data)
    subject = Subject(
        kind=data.kind.value,
        name=data.name.strip(),
        name_normalized=normalized_name(data.kind, data.name),
        status=data.status,
        verified=data.verified,
        region_code=data.region_code,
        registration_date=data.registration_date,
        industry=data.industry,
    )
    if data.id_number:
        _apply_person_id(session, subject, data.id_number)
    if data.uscc:
        _apply_uscc(session, subject, data.kind, data.uscc)
    for scheme in ("registration_number", "organization_code"):
        raw = getattr(data, scheme)
        if raw:
            value = _checked_secondary(scheme, raw)
            if find_by_secondary(session, scheme=scheme, value=value):
                raise Conflict(
                    key="subjects.err.scheme_exists", params={"scheme": scheme, "value": value}
                )
            subject.identifiers.append(SubjectIdentifier(scheme=scheme, value=value))
    session.add(subject)
    session.flush()

    search.index_subjects(session, [subject.id])
    audit_service.append(
        session,
        actor=actor,
        action="subject.create",
        object_type="subject",
        object_id=subject.id,
        subject_id=subject.id,
        summary=_audit_summary(subject),
    )
    return subject


def _audit_summary(subject: Subject) -> dict[str, object]:
    """What the audit log keeps of a new subject: codes, never a clear ID number."""
    personal = subject.kind in (SubjectKind.natural_person, SubjectKind.household)
    return {
        "kind": subject.kind,
        "name": names.mask_person_name(subject.name) if personal else subject.name,
        "uscc": subject.uscc,
        "id_number": subject.id_number_masked,
        "identifiers": {i.scheme: i.value for i in subject.identifiers},
        "region_code": subject.region_code,
    }


def get(session: Session, subject_id: int) -> Subject:
    """The subject with this id, or NotFound."""
    subject = session.get(Subject, subject_id)
    if subject is None:
        raise NotFound(key="subjects.err.no_subject", params={"subject_id": subject_id})
    return subject


def find_by_secondary(session: Session, *, scheme: str, value: str) -> Subject | None:
    stmt = (
        select(Subject)
        .join(SubjectIdentifier)
        .where(SubjectIdentifier.scheme == scheme, SubjectIdentifier.value == value)
    )
    return session.scalar(stmt)


def find_by_code(session: Session, code: str) -> Subject | None:
    """Find a subject by any identifier: USCC, ID number, registration number, org code."""
    result = codes.detect(code)
    if not result.valid:
        return None
    if result.kind == "uscc":
        return session.scalar(select(Subject).where(Subject.uscc == result.code))
    if result.kind == "id_number":
        digest = lookup_hash(result.code)
        return session.scalar(select(Subject).where(Subject.id_number_hash == digest))
    if result.kind in ("registration_number", "organization_code"):
        return find_by_secondary(session, scheme=result.kind, value=result.code)
    return None


def has_code(subject: Subject, code: str) -> bool:
    """Whether ``code`` (any identifier kind) is one of the subject's own identifiers."""
    result = codes.detect(code)
    if not result.valid:
        return False
    if result.kind == "uscc":
        return subject.uscc == result.code
    if result.kind == "id_number":
        return subject.id_number_hash == lookup_hash(result.code)
    return any(i.scheme == result.kind and i.value == result.code for i in subject.identifiers)


def get_by_code(session: Session, code: str) -> Subject:
    """Like ``find_by_code`` but an invalid code is Invalid and an unknown one NotFound."""
    result = codes.detect(code)
    if not result.valid:
        raise Invalid(
            key="subjects.err.bad_code", params={"code": code, "result_reason": result.reason}
        )
    subject = find_by_code(session, code)
    if subject is None:
        raise NotFound(key="subjects.err.no_code", params={"result_code": result.code})
    return subject


def reveal_id_number(subject: Subject) -> str | None:
    """The clear ID number; callers must have registered the purpose of this read."""
    return decrypt_text(subject.id_number_enc) if subject.id_number_enc else None


def add_relation(
    session: Session,
    *,
    subject_id: int,
    related_subject_id: int,
    kind: str,
    share_ratio: Decimal | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
    actor: str = "system",
) -> SubjectRelation:
    """Record that ``related`` is the subject's legal representative, shareholder, etc."""
    if kind not in RELATION_KINDS:
        raise Invalid(
            key="subjects.err.relation",
            params={"kind": kind, "join_RELATION_KINDS": ", ".join(RELATION_KINDS)},
        )
    if subject_id == related_subject_id:
        raise Invalid(key="subjects.err.self_relation")
    if valid_from and valid_to and valid_to < valid_from:
        raise Invalid(key="subjects.err.valid_order")
    if share_ratio is not None and not Decimal(0) < share_ratio <= Decimal(1):
        raise Invalid(key="subjects.err.share_ratio")
    get(session, subject_id)
    get(session, related_subject_id)
    relation = SubjectRelation(
        subject_id=subject_id,
        related_subject_id=related_subject_id,
        kind=kind,
        share_ratio=share_ratio,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    session.add(relation)
    session.flush()
    audit_service.append(
        session,
        actor=actor,
        action="subject.relate",
        object_type="subject_relation",
        object_id=relation.id,
        subject_id=subject_id,
        summary={
            "related_subject_id": related_subject_id,
            "kind": kind,
            "share_ratio": share_ratio,
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
    )
    return relation


def relations(session: Session, subject_id: int) -> list[SubjectRelation]:
    """Relations in both directions of a subject."""
    stmt = select(SubjectRelation).where(
        (SubjectRelation.subject_id == subject_id)
        | (SubjectRelation.related_subject_id == subject_id)
    )
    return list(session.scalars(stmt.order_by(SubjectRelation.id)))


def sync_departments(
    session: Session, specs: Iterable[DepartmentSpec] | None = None, *, actor: str = "system"
) -> list[Department]:
    """Insert or update the department directory from the shipped (or given) specs."""
    specs = list(specs if specs is not None else catalog_service.load_departments())
    existing = {d.key: d for d in session.scalars(select(Department))}
    for spec in specs:
        department = existing.get(spec.key) or Department(key=spec.key)
        department.code = spec.code
        department.kind = spec.kind.value
        department.name_zh = spec.name.zh
        department.name_en = spec.name.en
        department.short_name = spec.short_name
        department.level = spec.level.value
        department.region_code = spec.region_code
        department.parent_key = spec.parent
        department.is_credit_office = spec.credit_office
        department.active = spec.active
        session.add(department)
    created = sorted(spec.key for spec in specs if spec.key not in existing)
    updated = sorted(key for key, department in existing.items() if session.is_modified(department))
    session.flush()
    if created or updated:
        audit_service.append(
            session,
            actor=actor,
            action="department.sync",
            object_type="department",
            object_id="directory",
            summary={"created": created, "updated": updated},
        )
    return list_departments(session)


def list_departments(session: Session) -> list[Department]:
    """All departments, ordered by key."""
    return list(session.scalars(select(Department).order_by(Department.key)))


def get_department(session: Session, key_or_code: str) -> Department:
    """A department by its key or its code, or NotFound."""
    stmt = select(Department).where(
        (Department.key == key_or_code) | (Department.code == key_or_code.upper())
    )
    department = session.scalar(stmt)
    if department is None:
        raise NotFound(key="subjects.err.no_department", params={"key_or_code": key_or_code})
    return department


def count_by_kind(session: Session) -> dict[str, int]:
    """Number of subjects of each kind."""
    rows = session.execute(select(Subject.kind, func.count()).group_by(Subject.kind))
    return {kind: count for kind, count in rows}
