"""Signing, numbering, deadlines, performance, the overdue scan, breach and its undoing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories
from tests.commitments.helpers import signed
from xinyong.commitments import breach, performance, service
from xinyong.commitments.config import get_config
from xinyong.commitments.models import Commitment
from xinyong.core.errors import Conflict, Forbidden, Invalid
from xinyong.lists.models import ListEntry
from xinyong.notices.models import Notice
from xinyong.records.models import Record
from xinyong.rights import cases, objections
from xinyong.rights.states import ObjectionGround, TargetOutcome


def test_signed_text_is_sealed_and_tampering_fails(session: Session) -> None:
    c = signed(session)
    assert len(c.number) == 20 and c.number.isdigit()
    assert c.number[6:14] == "20260929"
    assert "施工图审查合格书" in c.text and "{" not in c.text
    session.expire_all()
    stored = session.get(Commitment, c.id)
    assert stored is not None and service.verify(stored)
    stored.text = stored.text.replace("60", "90").replace("补齐", "补交")
    assert not service.verify(stored)
    stored.text = c.text
    stored.signature = stored.signature[:-4] + "AAA="
    assert not service.verify(stored)


def test_numbers_are_serial_per_area_and_day(session: Session) -> None:
    first = signed(session)
    second = signed(session)
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1
    assert first.number[:14] == second.number[:14]
    start = service.take_serials(
        session, area_code=first.number[:6], day=date(2026, 9, 29), count=1000
    )
    assert start == int(second.number[-6:]) + 1


def test_workday_deadline_across_national_day(session: Session) -> None:
    # 告知承诺: 20 working days from 29 September 2026; 1–7 October are the National Day holiday.
    c = signed(session, template="certificate_notification", department_kind="market_regulation")
    (condition,) = service.conditions(session, c)
    # 30 Sep (1), 8–9 Oct (2–3), Saturday 10 Oct is a make-up workday (4), 12–16 (5–9),
    # 19–23 (10–14), 26–30 (15–19), Monday 2 November (20). Monday to Friday alone: 27 Oct.
    assert condition.unit == "workdays"
    assert condition.deadline == date(2026, 11, 2)
    assert "2026年11月2日" in c.text


def test_calendar_deadline_ending_in_the_holiday_moves_to_the_next_workday() -> None:
    deadline = get_config().get("construction_drawing_review").conditions[0].deadline
    # 60 calendar days after 3 August 2026 is 2 October (National Day): moved to 8 October.
    assert deadline.due(date(2026, 8, 3)) == date(2026, 10, 8)
    assert deadline.due(date(2026, 8, 1)) == date(2026, 9, 30)


def test_hostile_input_is_refused_and_nothing_stored(session: Session) -> None:
    firm = factories.enterprise(session)
    before = session.scalar(select(func.count()).select_from(Commitment))
    market = factories.department(session, "market_regulation")
    housing = factories.department(session, "housing_construction")
    base = dict(subject_id=firm.id, channel="counter", actor="t", signed_on=date(2026, 9, 29))
    with pytest.raises(Invalid) as unknown:
        service.create(
            session,
            signing_=service.Signing(template_code="nope", department_id=housing.id, **base),  # type: ignore[arg-type]
        )
    assert unknown.value.details == {"field": "template"}
    assert "没有编号为 nope" in unknown.value.localized("zh")
    with pytest.raises(Invalid) as wrong_dept:
        service.create(
            session,
            signing_=service.Signing(
                template_code="construction_drawing_review",
                department_id=market.id,
                **base,  # type: ignore[arg-type]
            ),
        )
    assert "不办理" in wrong_dept.value.localized("zh")
    ok = service.create(
        session,
        signing_=service.Signing(
            template_code="construction_drawing_review",
            department_id=housing.id,
            external_ref="SP-2026-1",
            **base,  # type: ignore[arg-type]
        ),
    )
    with pytest.raises(Conflict):
        service.create(
            session,
            signing_=service.Signing(
                template_code="construction_drawing_review",
                department_id=housing.id,
                external_ref="SP-2026-1",
                **base,  # type: ignore[arg-type]
            ),
        )
    with pytest.raises(Invalid) as long:
        performance.record(
            session, c=ok, condition_code="drawing_review", outcome="fulfilled",
            evidence="证" * 5000, actor="t", department_id=housing.id, today=date(2026, 10, 1),
        )  # fmt: skip
    assert long.value.details == {"field": "evidence"}
    (condition,) = service.conditions(session, ok)
    assert condition.state == "pending" and condition.evidence is None
    assert session.scalar(select(func.count()).select_from(Commitment)) == before + 1


def test_fulfilment_by_the_receiving_department_only(session: Session) -> None:
    c = signed(session)
    market = factories.department(session, "market_regulation")
    with pytest.raises(Forbidden):
        performance.record(
            session, c=c, condition_code="drawing_review", outcome="fulfilled", evidence="合格书",
            actor="t", department_id=market.id, today=date(2026, 10, 9),
        )  # fmt: skip
    performance.record(
        session, c=c, condition_code="drawing_review", outcome="fulfilled",
        evidence="合格书编号 SZ-2026-118", actor="t", department_id=c.department_id,
        today=date(2026, 10, 9),
    )  # fmt: skip
    assert c.status == "fulfilled"
    assert [e.action for e in service.history(session, c)] == ["signed", "condition.fulfilled"]


def test_overdue_scan_reminds_then_flags_and_queues(session: Session) -> None:
    c = signed(session, signed_on=date(2026, 6, 1))
    (condition,) = service.conditions(session, c)
    assert condition.deadline == date(2026, 7, 31)
    assert performance.scan(session, today=date(2026, 7, 16)).reminded == 0  # not yet
    report = performance.scan(session, today=date(2026, 7, 27))
    session.refresh(condition)
    assert report.reminded >= 1 and condition.reminded_on == date(2026, 7, 27)
    assert performance.scan(session, today=date(2026, 7, 28)).reminded == 0
    performance.scan(session, today=date(2026, 8, 3))
    session.refresh(c)
    session.refresh(condition)
    assert c.status == "overdue" and condition.overdue_since == date(2026, 8, 3)
    queue = performance.queue(session, department_id=c.department_id)
    assert (condition.id, c.id) in [(k.id, x.id) for k, x in queue]
    told = session.scalars(
        select(Notice).where(
            Notice.department_id == c.department_id, Notice.key == "commit.overdue"
        )
    ).all()
    assert told
    reminded = session.scalars(
        select(Notice).where(Notice.subject_id == c.subject_id, Notice.key == "commit.reminder")
    ).all()
    assert len(reminded) == 1


def _breached(session: Session) -> tuple[Commitment, Record]:
    c = signed(session, signed_on=date(2026, 6, 1))
    performance.scan(session, today=date(2026, 8, 3))
    session.refresh(c)
    record = breach.decide(
        session, c=c, reasons="逾期未补齐施工图审查合格书", evidence="窗口核查记录 2026-08-03",
        actor="test:housing", department_id=c.department_id, today=date(2026, 8, 3),
    )  # fmt: skip
    return c, record


def test_breach_makes_a_record_and_a_list_proposal_never_a_listing(session: Session) -> None:
    c, record = _breached(session)
    assert record.item_code == "credit_commitment" and record.severity == "general"
    assert record.source_record_id == c.number and record.state == "active"
    assert c.status == "breached" and c.breach_record_id == record.id
    entries = session.scalars(select(ListEntry).where(ListEntry.subject_id == c.subject_id)).all()
    assert [(e.list_code, e.state) for e in entries] == [("key_attention_list", "proposed")]
    mine = select(func.count()).select_from(Commitment).where(Commitment.subject_id == c.subject_id)
    assert session.scalar(mine) == 1  # the breach record is never mirrored back
    assert session.scalar(
        select(Notice).where(Notice.subject_id == c.subject_id, Notice.key == "commit.breach")
    )
    with pytest.raises(Conflict):
        breach.decide(
            session, c=c, reasons="再次", evidence="x", actor="t", department_id=None,
            today=date(2026, 8, 4),
        )  # fmt: skip


def test_breach_needs_something_unfulfilled(session: Session) -> None:
    c = signed(session, signed_on=date(2026, 6, 1))
    with pytest.raises(Conflict):
        breach.decide(
            session, c=c, reasons="理由", evidence="证据", actor="t", department_id=None,
            today=date(2026, 6, 10),
        )  # fmt: skip
    assert c.status == "in_force" and c.breach_record_id is None


def test_upheld_objection_undoes_the_breach(session: Session) -> None:
    c, record = _breached(session)
    applicant = cases.Applicant(actor="test:subject", subject_id=c.subject_id, channel="portal")
    case = objections.apply(
        session,
        applicant=applicant,
        application=objections.ObjectionApplication(
            record_ids=[record.id],
            ground=ObjectionGround.wrong_information,
            statement="合格书已于期限内提交，有收件回执为证",
        ),
        today=date(2026, 8, 5),
    )
    objections.decide(
        session,
        case_id=case.id,
        decisions=[
            objections.TargetDecision(
                record.id, TargetOutcome.stop_publication, "核实已按期提交，违诺认定有误"
            )
        ],
        actor="test:housing",
        department_id=c.department_id,
        today=date(2026, 8, 10),
    )
    session.refresh(c)
    assert c.status == "in_force"
    entries = session.scalars(select(ListEntry).where(ListEntry.subject_id == c.subject_id)).all()
    assert [e.state for e in entries] == ["withdrawn"]
    assert "breach_undone" in [e.action for e in service.history(session, c)]


def test_expiry_at_the_end_of_the_period_does_not_undo(session: Session) -> None:
    c, record = _breached(session)
    from xinyong.records import effects

    assert record.disclosure_end is not None
    cause = effects.Cause(actor="t", today=record.disclosure_end + timedelta(days=1), reason="到期")
    breach.undo(session, effects.Change.expired, [effects.changed_of(record)], cause)
    assert c.status == "breached"


def test_a_repair_application_brings_a_tracked_repair_commitment(session: Session) -> None:
    from tests.rights.helpers import applicant, penalised, proof
    from xinyong.rights import repairs

    subject, record = penalised(session, decided=date(2026, 6, 1), today=date(2026, 6, 2))
    case = repairs.apply(
        session,
        applicant=applicant(subject),
        application=repairs.RepairApplication(record.id, "罚款已缴清", True, [proof()]),
        today=date(2026, 9, 7),
    )
    c = session.scalar(select(Commitment).where(Commitment.external_ref == case.number))
    assert c is not None and c.kind == "信用修复" and c.subject_id == subject.id
    assert c.channel == "online" and service.verify(c)
    (condition,) = service.conditions(session, c)
    assert condition.deadline == date(2027, 9, 7)
    actions = [e.action for e in service.history(session, c)]
    assert actions == ["signed", "repair_linked"]


def test_collected_commitment_records_become_tracked_commitments(session: Session) -> None:
    from xinyong.ingest import service as ingest_service

    firm = factories.enterprise(session)
    base = {
        "subject_name": firm.name,
        "subject_type": "legal_person",
        "subject_code": firm.uscc,
        "commitment_matter": "食品经营许可",
        "commitment_date": "2026-10-09",
        "receiving_body": "苏州市市场监督管理局",
    }
    records = [
        {**base, "commitment_number": "SP-A-1", "commitment_type": "告知承诺",
         "performance_status": "履约中"},
        {**base, "commitment_number": "SP-A-2", "commitment_type": "审批替代型",
         "performance_status": "已履约"},
        {**base, "commitment_number": "SP-A-3", "commitment_type": "行业自律型",
         "performance_status": "履约中"},
    ]  # fmt: skip
    submission = ingest_service.Submission(
        item_code="credit_commitment", department_key="sz_scjgj", today=date(2026, 10, 10)
    )
    batch = ingest_service.submit_records(session, records=records, submission=submission)
    assert batch.accepted == 3

    def mirrored() -> dict[str, Commitment]:
        stmt = select(Commitment).where(Commitment.subject_id == firm.id)
        return {c.external_ref or "": c for c in session.scalars(stmt)}

    session.expire_all()
    made = mirrored()
    assert set(made) == {"SP-A-1", "SP-A-2"}  # 行业自律 commitments go to commerce, not here
    assert made["SP-A-1"].status == "in_force" and made["SP-A-2"].status == "fulfilled"
    assert made["SP-A-1"].channel == "import" and service.verify(made["SP-A-1"])
    assert made["SP-A-1"].signed_on == date(2026, 10, 9)
    again = ingest_service.submit_records(session, records=records, submission=submission)
    assert again.unchanged == 3
    assert set(mirrored()) == {"SP-A-1", "SP-A-2"}
