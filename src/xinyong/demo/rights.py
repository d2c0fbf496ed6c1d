"""Demo rights cases: objections and repairs filed, handled and left open through the real
service, so the console queues, the case pages and the portal's figures have something to show.

Deterministic for a given city: records are chosen by id, dates counted back from the anchor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.core.errors import XinyongError
from xinyong.core.workdays import add_workdays
from xinyong.records.models import Record
from xinyong.rights import cases, objections, repairs
from xinyong.rights.evidence import Upload
from xinyong.rights.objections import ObjectionApplication, TargetDecision
from xinyong.rights.repairs import RepairApplication
from xinyong.rights.states import ObjectionGround, RepairOutcome, TargetOutcome

PROOF = b"%PDF-1.4\n% demo proof of payment\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ACTOR = "demo:rights"


@dataclass
class RightsDemoReport:
    objections: int = 0
    repairs: int = 0
    decided: int = 0


def _candidates(session: Session, anchor: date, count: int) -> list[Record]:
    """Published general-tier penalties decided at least four months before the anchor."""
    stmt = (
        select(Record)
        .where(
            Record.item_code == "admin_penalty",
            Record.is_current.is_(True),
            Record.state == "active",
            Record.severity == "general",
            Record.decision_date <= anchor - timedelta(days=125),
        )
        .order_by(Record.id)
        .limit(count * 3)
    )
    return list(session.scalars(stmt))[::3][:count]


def _applicant(record: Record, channel: str) -> cases.Applicant:
    return cases.Applicant(actor=ACTOR, subject_id=record.subject_id, channel=channel)


def _objection(session: Session, record: Record, index: int, received: date) -> bool:
    application = ObjectionApplication(
        [record.id],
        ObjectionGround.wrong_information,
        "处罚决定书载明的罚款金额与公示不一致",
        [Upload("处罚决定书.pdf", PROOF)],
    )
    case = objections.apply(
        session,
        applicant=_applicant(record, "portal" if index % 2 else "counter"),
        application=application,
        today=received,
    )
    if _stays_open(index):
        return False
    outcome = TargetOutcome.keep if index % 3 == 1 else TargetOutcome.correct
    changes = {"fine_amount": "1"} if outcome is TargetOutcome.correct else {}
    decision = TargetDecision(record.id, outcome, "经核查案卷作出处理", changes)
    objections.decide(
        session,
        case_id=case.id,
        decisions=[decision],
        actor=ACTOR,
        department_id=case.department_id,
        today=add_workdays(received, 2),
    )
    return True


def _repair(session: Session, record: Record, index: int, received: date) -> bool:
    application = RepairApplication(
        record.id, "罚款已全额缴纳，违法行为已整改", True, [Upload("缴款凭证.pdf", PROOF, "proof")]
    )
    case = repairs.apply(
        session, applicant=_applicant(record, "portal"), application=application, today=received
    )
    if _stays_open(index):
        return False  # waiting to be accepted
    accepted = add_workdays(received, 1)
    repairs.accept(
        session, case_id=case.id, actor=ACTOR, department_id=case.department_id, today=accepted
    )
    outcome = RepairOutcome.refused if index % 5 == 0 else RepairOutcome.repaired
    repairs.decide(
        session,
        case_id=case.id,
        outcome=outcome,
        reason="已核实履行情况",
        actor=ACTOR,
        department_id=case.department_id,
        today=add_workdays(accepted, 2),
    )
    return True


def _stays_open(index: int) -> bool:
    return index % 8 == 0 if index % 2 == 0 else index % 3 == 0


def seed_cases(session: Session, *, anchor: date, count: int) -> RightsDemoReport:
    """File ``count`` cases (half objections, half repairs) received over the last weeks."""
    report = RightsDemoReport()
    for index, record in enumerate(_candidates(session, anchor, count)):
        received = min(anchor, add_workdays(anchor - timedelta(days=60), index % 35))
        if _stays_open(index):  # recent, so some are still within their limit
            received = anchor - timedelta(days=index % 5)
        try:
            with session.begin_nested():
                if index % 2:
                    report.decided += _objection(session, record, index, received)
                    report.objections += 1
                else:
                    report.decided += _repair(session, record, index, received)
                    report.repairs += 1
        except XinyongError:
            continue  # a record the rules exclude (e.g. ripe too late): skip it
    return report
