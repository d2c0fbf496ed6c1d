"""Signing and registering commitments: the text as signed, the platform's witness signature,
the commitment number, the conditions with their deadlines; who may see which commitment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.auth import queries
from xinyong.auth.principal import Principal
from xinyong.commitments import hooks
from xinyong.commitments.config import Publicity, Template, get_config
from xinyong.commitments.models import (
    Commitment,
    CommitmentCondition,
    CommitmentEvent,
    CommitmentSerial,
)
from xinyong.core.db import utcnow
from xinyong.core.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.reports import signing
from xinyong.reports.service import beijing_today
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Department, Subject

CHANNELS = ("online", "counter", "api", "import")
STATUSES = ("in_force", "overdue", "fulfilled", "breached", "withdrawn")
SUBJECT_KINDS = frozenset({"legal_person", "individual_business", "natural_person"})
MAX_SERIAL = 999_999


@dataclass(frozen=True)
class Signing:
    """What is being committed to: template, subject, receiving department, channel, when."""

    template_code: str
    subject_id: int
    department_id: int
    channel: str
    actor: str
    signed_on: date
    external_ref: str | None = None


# --- numbers ---------------------------------------------------------------------------------


def take_serials(session: Session, *, area_code: str, day: date, count: int = 1) -> int:
    """Reserve ``count`` serials for an area and day; returns the first. The counter row is
    updated in place (row-locked on PostgreSQL until commit), so numbers never repeat."""
    bump = (
        update(CommitmentSerial)
        .where(CommitmentSerial.area_code == area_code, CommitmentSerial.day == day)
        .values(last=CommitmentSerial.last + count)
        .returning(CommitmentSerial.last)
    )
    last = session.execute(bump).scalar()
    if last is None:
        try:
            with session.begin_nested():
                session.add(CommitmentSerial(area_code=area_code, day=day, last=count))
                session.flush()
            last = count
        except IntegrityError:
            last = session.execute(bump).scalar_one()
    if last > MAX_SERIAL:
        raise Conflict(key="commit.err.serials_exhausted", params={"day": day.isoformat()})
    return last - count + 1


def take_serial_blocks(
    session: Session, needed: dict[tuple[str, date], int]
) -> dict[tuple[str, date], int]:
    """Reserve blocks of serials for many (area, day) pairs at once; the first of each. New
    counters are created in one insert; existing ones are bumped in place (row-locked)."""
    if not needed:
        return {}
    areas, days = {a for a, _ in needed}, {d for _, d in needed}
    existing = {
        (a, d)
        for a, d in session.execute(
            select(CommitmentSerial.area_code, CommitmentSerial.day).where(
                CommitmentSerial.area_code.in_(areas), CommitmentSerial.day.in_(days)
            )
        ).all()
    }
    fresh = {key: count for key, count in needed.items() if key not in existing}
    first: dict[tuple[str, date], int] = {}
    if fresh and all(count <= MAX_SERIAL for count in fresh.values()):
        try:
            with session.begin_nested():
                session.execute(
                    insert(CommitmentSerial),
                    [{"area_code": a, "day": d, "last": n} for (a, d), n in fresh.items()],
                )
            first = dict.fromkeys(fresh, 1)
        except IntegrityError:
            first = {}  # another signer created one of them meanwhile: go one by one
    for (area, day), count in needed.items():
        if (area, day) not in first:
            first[(area, day)] = take_serials(session, area_code=area, day=day, count=count)
    return first


def number_of(area_code: str, day: date, serial: int) -> str:
    """6-digit area code + 8-digit date + 6-digit serial."""
    return f"{area_code}{day:%Y%m%d}{serial:06d}"


# --- signing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seal:
    """The digest of the exact text and the platform's witness signature over it."""

    suite: str
    text_digest: str
    key_id: str
    signature: str


def message(number: str, subject_id: int, template_code: str, digest: str, at: datetime) -> bytes:
    """What the witness signature covers: number, subject, template, text digest, time."""
    stamp = at.replace(microsecond=0).isoformat()
    return f"xinyong-commitment:{number}:{subject_id}:{template_code}:{digest}:{stamp}".encode()


def sealed(number: str, subject_id: int, template_code: str, text: str, at: datetime) -> Seal:
    """Digest the exact text and sign it with the platform key (SM2 under the national suite)."""
    suite = signing.current_suite()
    digest = signing.digest(signing.digest_algorithm(suite), text.encode("utf-8"))
    key_id, signature = signing.sign(
        message(number, subject_id, template_code, digest, at), suite=suite
    )
    return Seal(suite, digest, key_id, signature)


def seal(c: Commitment) -> None:
    """Seal a commitment in place."""
    done = sealed(c.number, c.subject_id, c.template_code, c.text, c.signed_at)
    c.suite, c.text_digest, c.key_id, c.signature = (
        done.suite, done.text_digest, done.key_id, done.signature,
    )  # fmt: skip


def verify(c: Commitment) -> bool:
    """Whether the stored text is the text that was signed (any change fails)."""
    if c.suite not in signing.SUITES:
        return False
    suite: signing.Suite = "sm2" if c.suite == "sm2" else "ed25519"
    digest = signing.digest(signing.digest_algorithm(suite), c.text.encode("utf-8"))
    if digest != c.text_digest:
        return False
    signed = message(c.number, c.subject_id, c.template_code, digest, c.signed_at)
    return signing.verify(c.key_id, signed, c.signature)


# --- checks ----------------------------------------------------------------------------------


def check_department(template: Template, department: Department) -> None:
    """The department handles the template's matter (its kind is the template's)."""
    if department.kind != template.department.value:
        raise Invalid(
            key="commit.err.matter_not_handled",
            params={"department": department.name_zh, "matter": template.matter},
            details={"field": "department"},
        )


def check_subject(subject: Subject) -> None:
    """Organisations, individual businesses and persons commit (not households)."""
    if subject.kind not in SUBJECT_KINDS:
        raise Invalid(key="commit.err.subject_kind", details={"field": "subject"})


def default_department(session: Session, template: Template) -> Department:
    """The receiving department of a template: the highest-level one of its kind."""
    found = session.scalars(
        select(Department)
        .where(Department.kind == template.department.value, Department.active.is_(True))
        .order_by(Department.level.desc(), Department.id)
    ).first()
    if found is None:
        raise Invalid(
            key="commit.err.no_department",
            params={"matter": template.matter},
            details={"field": "department"},
        )
    return found


def render_text(template: Template, subject: Subject, department: Department, day: date) -> str:
    """The full text the subject signs, with its deadlines."""
    values = {
        "subject_name": subject.name,
        "subject_code": subject.uscc or subject.id_number_masked or "",
        "matter": template.matter,
        "department": department.name_zh,
        "signed_on": f"{day.year}年{day.month}月{day.day}日",
    }
    for condition in template.conditions:
        due = condition.deadline.due(day)
        values[f"deadline_{condition.code}"] = f"{due.year}年{due.month}月{due.day}日"
    return template.render(values)


def _conditions(c: Commitment, template: Template) -> list[CommitmentCondition]:
    return [
        CommitmentCondition(
            commitment_id=c.id,
            subject_id=c.subject_id,
            department_id=c.department_id,
            code=condition.code,
            text=condition.text.zh,
            deadline=condition.deadline.due(c.signed_on),
            unit=condition.deadline.unit,
        )
        for condition in template.conditions
    ]


def log(session: Session, c: Commitment, action: str, actor: str, **data: Any) -> None:
    """One line of the commitment's history and of the audit log."""
    note = data.pop("note", None)
    session.add(
        CommitmentEvent(
            commitment_id=c.id,
            subject_id=c.subject_id,
            action=action,
            actor=actor,
            note=note,
            data={k: str(v) for k, v in data.items()},
        )
    )
    audit_service.append(
        session,
        actor=actor,
        action=f"commitment.{action}",
        object_type="commitment",
        object_id=c.number,
        subject_id=c.subject_id,
        summary={"template": c.template_code, "status": c.status, **data},
    )


def create(session: Session, *, signing_: Signing, expected_text: str | None = None) -> Commitment:
    """Sign a commitment: the text rendered from the template, numbered, sealed, its
    conditions tracked. ``expected_text`` is the text the signer saw; if the template
    changed since, nothing is signed."""
    template = get_config().get(signing_.template_code)
    if signing_.channel not in CHANNELS:
        raise Invalid(key="commit.err.channel", details={"field": "channel"})
    subject = subjects_service.get(session, signing_.subject_id)
    check_subject(subject)
    department = session.get(Department, signing_.department_id)
    if department is None:
        raise Invalid(key="commit.err.no_such_department", details={"field": "department"})
    check_department(template, department)
    if signing_.external_ref is not None:
        _check_new_ref(session, department.id, signing_.external_ref)
    text = render_text(template, subject, department, signing_.signed_on)
    if expected_text is not None and expected_text != text:
        raise Conflict(key="commit.err.text_changed", details={"field": "text"})
    area = (department.region_code or "000000")[:6]
    serial = take_serials(session, area_code=area, day=signing_.signed_on)
    c = Commitment(
        number=number_of(area, signing_.signed_on, serial),
        template_code=template.code,
        kind=template.kind.value,
        subject_id=subject.id,
        department_id=department.id,
        matter=template.matter,
        publicity=template.publicity.value,
        status="in_force",
        channel=signing_.channel,
        signed_on=signing_.signed_on,
        signed_at=utcnow().replace(microsecond=0),
        signed_by=signing_.actor,
        text=text,
        external_ref=signing_.external_ref,
    )
    seal(c)
    try:
        with session.begin_nested():
            session.add(c)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(
            key="commit.err.duplicate_number",
            params={"number": c.number},
            details={"field": "number"},
        ) from exc
    session.add_all(_conditions(c, template))
    log(session, c, "signed", signing_.actor, channel=c.channel)
    session.flush()
    return c


def _check_new_ref(session: Session, department_id: int, ref: str) -> None:
    if not ref.strip() or len(ref) > 64:
        raise Invalid(key="commit.err.external_ref", details={"field": "external_ref"})
    found = session.scalar(
        select(Commitment.number).where(
            Commitment.department_id == department_id, Commitment.external_ref == ref
        )
    )
    if found is not None:
        raise Conflict(
            key="commit.err.duplicate_ref",
            params={"ref": ref, "number": found},
            details={"field": "external_ref", "number": found},
        )


def sign_online(
    session: Session, *, principal: Principal, template_code: str, text: str
) -> Commitment:
    """A logged-in subject signs a template's commitment having seen ``text``."""
    if principal.kind != "subject" or principal.subject_id is None:
        raise Forbidden(key="commit.err.subjects_only")
    template = get_config().get(template_code)
    department = default_department(session, template)
    return create(
        session,
        signing_=Signing(
            template_code=template.code,
            subject_id=principal.subject_id,
            department_id=department.id,
            channel="online",
            actor=principal.actor,
            signed_on=beijing_today(),
        ),
        expected_text=text,
    )


def withdraw(session: Session, *, c: Commitment, reason: str, actor: str) -> Commitment:
    """Withdraw a commitment (the history keeps it): in force or overdue only."""
    if c.status not in ("in_force", "overdue"):
        raise Conflict(key="commit.err.not_open", params={"number": c.number})
    clean = reason.strip()
    if not clean or len(clean) > 500:
        raise Invalid(key="commit.err.reason", details={"field": "reason"})
    before, c.status = c.status, "withdrawn"
    log(session, c, "withdrawn", actor, note=clean)
    session.flush()
    hooks.status_changed(session, c, reason=f"{before} -> withdrawn")
    return c


# --- reading ---------------------------------------------------------------------------------


def get(session: Session, number: str) -> Commitment:
    """The commitment with this number, or NotFound."""
    found = session.scalar(select(Commitment).where(Commitment.number == number.strip()[:20]))
    if found is None:
        raise NotFound(key="commit.err.not_found", params={"number": number[:20]})
    return found


def publicities_for(principal: Principal, *, purpose: str | None = None) -> tuple[str, ...]:
    """The publicity levels a caller sees of others' commitments: 特定范围 only for government
    reading for a stated purpose (the read is registered); 不公开 never."""
    if principal.is_government and purpose is not None:
        return (Publicity.public.value, Publicity.government.value)
    return (Publicity.public.value,)


def is_party(principal: Principal, c: Commitment) -> bool:
    """The subject itself or the receiving department (they see every level)."""
    if principal.kind == "subject" and principal.subject_id == c.subject_id:
        return True
    return principal.is_government and principal.department_id == c.department_id


def readable(
    session: Session, principal: Principal, number: str, *, purpose: str | None = None
) -> Commitment:
    """The commitment if the caller may see it, else NotFound (no probing). Government reads
    a 特定范围 commitment for a stated purpose, and the read is registered (查询登记)."""
    c = get(session, number)
    if is_party(principal, c) or c.publicity == Publicity.public.value:
        return c
    if c.publicity == Publicity.government.value and principal.is_government:
        register_reads(session, principal, [c], queries.checked_purpose(purpose))
        return c
    raise NotFound(key="commit.err.not_found", params={"number": number[:20]})


def register_reads(
    session: Session, principal: Principal, rows: list[Commitment], purpose: str
) -> int:
    """Register the reads of the non-public commitments among ``rows`` (not the caller's own)."""
    subject_ids = sorted(
        {
            c.subject_id
            for c in rows
            if c.publicity != Publicity.public.value and not is_party(principal, c)
        }
    )
    if not subject_ids:
        return 0
    return queries.register_many(
        session,
        principal=principal,
        subject_ids=subject_ids,
        what=["commitments"],
        purpose=purpose,
        outcome="allowed",
    )


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    department_id: int | None = None
    status: str = ""
    subject_id: int | None = None


def browse_query(
    principal: Principal, filters: Filters, *, purpose: str | None = None
) -> Select[Any]:
    """The commitments a caller may browse (by publicity), filtered, newest first."""
    levels = publicities_for(principal, purpose=purpose)
    seen: list[ColumnElement[bool]] = [Commitment.publicity.in_(levels)]
    if principal.is_government and principal.department_id is not None:
        seen.append(Commitment.department_id == principal.department_id)
    if principal.kind == "subject" and principal.subject_id is not None:
        seen.append(Commitment.subject_id == principal.subject_id)
    stmt = select(Commitment).where(or_(*seen))
    if filters.kind:
        stmt = stmt.where(Commitment.kind == filters.kind)
    if filters.department_id is not None:
        stmt = stmt.where(Commitment.department_id == filters.department_id)
    if filters.status:
        stmt = stmt.where(Commitment.status == filters.status)
    if filters.subject_id is not None:
        stmt = stmt.where(Commitment.subject_id == filters.subject_id)
    return stmt.order_by(Commitment.signed_at.desc(), Commitment.id.desc())


def conditions(session: Session, c: Commitment) -> list[CommitmentCondition]:
    """A commitment's conditions, in template order."""
    stmt = select(CommitmentCondition).where(CommitmentCondition.commitment_id == c.id)
    return list(session.scalars(stmt.order_by(CommitmentCondition.id)))


def history(session: Session, c: Commitment) -> list[CommitmentEvent]:
    """A commitment's history, oldest first."""
    stmt = select(CommitmentEvent).where(CommitmentEvent.commitment_id == c.id)
    return list(session.scalars(stmt.order_by(CommitmentEvent.id)))


def of_subject(session: Session, subject_id: int) -> list[Commitment]:
    """All of a subject's commitments, newest first (for the subject itself)."""
    stmt = select(Commitment).where(Commitment.subject_id == subject_id)
    return list(session.scalars(stmt.order_by(Commitment.signed_at.desc(), Commitment.id.desc())))


def signed_at_local(at: datetime) -> str:
    """A signing time in Beijing time."""
    from xinyong.reports.service import BEIJING

    return at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
