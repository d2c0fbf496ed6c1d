"""Credit repair (信用修复): eligibility first, then acceptance and a decision by the finder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import Severity
from xinyong.core.errors import Forbidden, Invalid, both
from xinyong.core.workdays import add_workdays
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.records.schemas import RecordCreate
from xinyong.rights import cases, effects, eligibility, evidence, hooks
from xinyong.rights.config import get_config
from xinyong.rights.models import CaseTarget, RightsCase
from xinyong.rights.objections import statement_text
from xinyong.rights.states import CaseKind, CaseOutcome, CaseState, RepairOutcome
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Department, Subject

COMMITMENT_ITEM = "credit_commitment"
COMMITMENT_TEXT = (
    "本主体承诺：已纠正失信行为、履行相关义务，所提交材料真实、合法、有效；"
    "今后将自觉守法诚信经营，如有违反，愿意承担相应法律责任并接受信用惩戒。"
)


@dataclass(frozen=True)
class RepairApplication:
    record_id: int
    statement: str
    commitment_accepted: bool
    files: list[evidence.Upload] = field(default_factory=list)


def _record_of(session: Session, applicant: cases.Applicant, record_id: int) -> Record:
    record = session.get(Record, record_id)
    if record is None or record.subject_id != applicant.subject_id:
        raise Forbidden(
            key="rights.err.not_own_record",
            params={"record_id": record_id},
            details={"field": "record_id", "record_id": record_id},
        )
    return record


def _commitment_department(session: Session, record: Record) -> Department:
    """The finder receives the commitment if it may report commitments, else the credit office."""
    allowed = catalog_service.get_catalog().item(COMMITMENT_ITEM).source_departments
    finder = session.get(Department, record.department_id)
    if finder is not None and finder.kind in allowed:
        return finder
    office = session.scalar(select(Department).where(Department.is_credit_office.is_(True)))
    return office or finder  # type: ignore[return-value]


def _commit(
    session: Session, case: RightsCase, record: Record, *, actor: str, today: date
) -> Record:
    """The applicant's repair commitment, kept as a credit-commitment record."""
    subject: Subject = subjects_service.get(session, case.subject_id)
    department = _commitment_department(session, record)
    code = subject.uscc or subjects_service.reveal_id_number(subject)
    number = f"{case.number}-CN"
    payload = {
        "subject_name": subject.name,
        "subject_type": subject.kind,
        "subject_code": code,
        "commitment_number": number,
        "commitment_type": "信用修复型",
        "commitment_matter": f"信用修复: {record.item_code} {record.source_record_id}"[:500],
        "commitment_content": COMMITMENT_TEXT,
        "commitment_date": today.isoformat(),
        "receiving_body": department.name_zh,
        "receiving_body_code": department.code,
        "performance_status": "履约中",
    }
    data = RecordCreate(
        subject_id=subject.id,
        item_code=COMMITMENT_ITEM,
        department_id=department.id,
        source_record_id=number,
        payload=payload,
    )
    return records_service.submit(session, data=data, actor=actor, today=today).record


def apply(
    session: Session,
    *,
    applicant: cases.Applicant,
    application: RepairApplication,
    today: date | None = None,
) -> RightsCase:
    """File a repair application for an eligible record, with proof and a commitment."""
    today = today or date.today()
    record = _record_of(session, applicant, application.record_id)
    answer = eligibility.check(session, record, today=today)
    if not answer.eligible:
        reasons = both(
            "；".join(o.zh for o in answer.obstacles), "; ".join(o.en for o in answer.obstacles)
        )
        raise Invalid(
            key="rights.err.obstacles",
            params={"reasons": reasons},
            details={
                "field": "record_id",
                "obstacles": [o.code for o in answer.obstacles],
                "earliest": answer.earliest.isoformat() if answer.earliest else None,
            },
        )
    if not application.commitment_accepted:
        raise Invalid(key="rights.err.commitment", details={"field": "commitment"})
    statement = statement_text(application.statement)
    if not any(upload.kind == "proof" for upload in application.files):
        raise Invalid(
            key="rights.err.proof",
            details={"field": "files"},
        )
    evidence.check(application.files)
    case = cases.open_case(
        session,
        kind=CaseKind.repair,
        applicant=applicant,
        department_id=record.department_id,
        state=CaseState.applied,
        ground="obligation_fulfilled",
        statement=statement,
        today=today,
        due_on=add_workdays(today, get_config().deadlines.repair.accept),
    )
    session.add(CaseTarget(case_id=case.id, record_id=record.id, state_before=record.state))
    evidence.attach(session, case, application.files, actor=applicant.actor)
    commitment = _commit(session, case, record, actor=applicant.actor, today=today)
    case.commitment_record_id = commitment.id
    hooks.repair_committed(
        session,
        hooks.RepairCommitment(
            case.number, case.subject_id, case.channel, applicant.actor, today, commitment.id
        ),
    )
    effects.notify_opened(session, case)
    session.flush()
    return case


def _repair_case(session: Session, case_id: int, department_id: int | None) -> RightsCase:
    case = cases.get(session, case_id)
    if case.kind != CaseKind.repair.value:
        raise Invalid(key="rights.err.not_repair", params={"case_number": case.number})
    cases.check_department(case, department_id)
    return case


def request_material(
    session: Session,
    *,
    case_id: int,
    missing: str,
    actor: str,
    department_id: int | None,
    expected_version: int | None = None,
) -> RightsCase:
    """Tell the applicant, once and completely, what is missing (一次性告知)."""
    case = _repair_case(session, case_id, department_id)
    if case.material_note is not None:
        raise Invalid(
            key="rights.err.material_once",
            params={"case_number": case.number},
            details={"field": "missing"},
        )
    note = statement_text(missing, field_name="missing")
    cases.move(
        session,
        case,
        to=CaseState.material_requested,
        actor=actor,
        action="material_requested",
        expected_version=expected_version,
        note=note,
    )
    case.material_note = note
    case.due_on = None  # the clock waits for the applicant
    effects.notify(session, case, "repair.material_requested", missing=note)
    session.flush()
    return case


def supplement(
    session: Session,
    *,
    case_id: int,
    applicant: cases.Applicant,
    files: list[evidence.Upload],
    note: str = "",
    expected_version: int | None = None,
    today: date | None = None,
) -> RightsCase:
    """The applicant hands in what was asked for; the acceptance clock starts again."""
    today = today or date.today()
    case = cases.get(session, case_id)
    if case.subject_id != applicant.subject_id:
        raise Forbidden(key="rights.err.not_own_case", params={"case_number": case.number})
    if not files:
        raise Invalid(key="rights.err.attach_material", details={"field": "files"})
    evidence.attach(
        session,
        case,
        [evidence.Upload(f.filename, f.content, "material") for f in files],
        actor=applicant.actor,
    )
    cases.move(
        session,
        case,
        to=CaseState.applied,
        actor=applicant.actor,
        action="supplemented",
        expected_version=expected_version,
        note=statement_text(note, field_name="note", required=False),
    )
    case.due_on = add_workdays(today, get_config().deadlines.repair.accept)
    session.flush()
    return case


def accept(
    session: Session,
    *,
    case_id: int,
    actor: str,
    department_id: int | None,
    expected_version: int | None = None,
    today: date | None = None,
) -> RightsCase:
    """Accept the application; the decision is due in the configured working days."""
    today = today or date.today()
    case = _repair_case(session, case_id, department_id)
    limits = get_config().deadlines.repair
    cases.move(
        session,
        case,
        to=CaseState.accepted,
        actor=actor,
        action="accepted",
        expected_version=expected_version,
    )
    case.accepted_on = today
    case.decide_due_on = add_workdays(today, limits.decide)
    case.due_on = case.decide_due_on
    effects.notify(session, case, "repair.accepted", due=case.due_on.isoformat())
    session.flush()
    return case


def not_accept(
    session: Session,
    *,
    case_id: int,
    reason: str,
    actor: str,
    department_id: int | None,
    expected_version: int | None = None,
    today: date | None = None,
) -> RightsCase:
    """Refuse to accept (不予受理), with the reason; the applicant may apply again."""
    today = today or date.today()
    case = _repair_case(session, case_id, department_id)
    text = statement_text(reason, field_name="reason")
    cases.move(
        session,
        case,
        to=CaseState.not_accepted,
        actor=actor,
        action="not_accepted",
        expected_version=expected_version,
        note=text,
    )
    cases.close(case, outcome=CaseOutcome.not_accepted.value, reason=text, actor=actor, today=today)
    effects.notify_decided(session, case)
    session.flush()
    return case


def decide(
    session: Session,
    *,
    case_id: int,
    outcome: RepairOutcome,
    reason: str,
    actor: str,
    department_id: int | None,
    reapply_from: date | None = None,
    expected_version: int | None = None,
    today: date | None = None,
) -> RightsCase:
    """Repair (publication stops, list entries come off, partners told) or refuse with the
    reason and the date from which to apply again. One transaction; first decider wins."""
    today = today or date.today()
    case = _repair_case(session, case_id, department_id)
    text = statement_text(reason, field_name="reason")
    cases.move(
        session,
        case,
        to=CaseState.decided,
        actor=actor,
        action="decided",
        expected_version=expected_version,
        note=text,
        data={"outcome": outcome.value},
    )
    ((target, filed),) = cases.targets(session, case.id)
    record = records_service.current_of(session, filed)
    target.outcome, target.outcome_reason = outcome.value, text
    if outcome is RepairOutcome.repaired:
        removed = effects.repaired(session, case, record, actor=actor, today=today)
        if removed:
            cases.log(
                session,
                case,
                actor=actor,
                action="list_entries_removed",
                data={"records": [entry.id for entry in removed]},
            )
    else:
        tier = Severity(record.severity or Severity.general.value)
        earliest = get_config().repair.refusal_wait.after(tier, today)
        case.reapply_from = max(reapply_from or earliest, earliest)
    cases.close(case, outcome=outcome.value, reason=text, actor=actor, today=today)
    effects.notify_decided(session, case)
    session.flush()
    return case
