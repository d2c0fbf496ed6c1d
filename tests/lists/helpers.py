"""Builders for list tests: records that ground or carry entries, and entries at each step."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.rights.helpers import item_record, penalised
from xinyong.audit.models import AuditEntry
from xinyong.lists import service
from xinyong.lists.models import ListEntry
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

OFFICER = "staff:market:7"
BASIS = "《市场监督管理严重违法失信名单管理办法》(国家市场监督管理总局令第44号)第九条"
REASONS = "当事人拒不履行行政处罚决定，情节严重"


def propose(
    session: Session,
    subject: Subject,
    basis: list[Record],
    *,
    list_code: str = "serious_dishonesty_list",
    today: date = date(2026, 9, 1),
    **overrides: Any,
) -> ListEntry:
    """A proposal by the market regulator on the records ``basis``."""
    arguments: dict[str, Any] = {
        "list_code": list_code,
        "subject_id": subject.id,
        "basis_record_ids": [record.id for record in basis],
        "legal_basis": BASIS,
        "reasons": REASONS,
        "actor": OFFICER,
        "department_id": factories.department(session).id,
        "today": today,
        **overrides,
    }
    return service.propose(session, **arguments)


def listed_serious(
    session: Session, *, notified_on: date = date(2026, 9, 1), listed_on: date = date(2026, 9, 15)
) -> tuple[Subject, Record, ListEntry]:
    """An enterprise on the serious-dishonesty list, resting on one penalty."""
    subject, penalty = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    entry = propose(session, subject, [penalty], today=notified_on)
    service.notify(session, entry_id=entry.id, actor=OFFICER, today=notified_on)
    service.list_entry(session, entry_id=entry.id, actor=OFFICER, today=listed_on)
    return subject, penalty, entry


def court_record(
    session: Session,
    subject: Subject,
    *,
    case_number: str = "(2026)苏05执100号",
    publish_date: str = "2026-03-02",
    **extra: str,
) -> Record:
    """A dishonest-judgment-debtor record reported by the court."""
    court = factories.department(session, "court")
    payload = {
        "case_number": case_number,
        "court_name": court.name_zh,
        "filing_date": "2026-01-05",
        "basis_document_number": "(2025)苏05民初8号",
        "basis_issuer": court.name_zh,
        "obligations": "支付货款12万元",
        "performance_status": "全部未履行",
        "dishonest_conduct": "有履行能力而拒不履行生效法律文书确定义务",
        "publish_date": publish_date,
        **extra,
    }
    item = "dishonest_judgment_debtor"
    return item_record(session, subject, item, payload, department_kind="court")


def abnormal_record(session: Session, subject: Subject, *, listing_date: str) -> Record:
    """An abnormal-operation listing reported by the market regulator."""
    dept = factories.department(session)
    payload = {
        "listing_reason": "未按规定期限公示年度报告",
        "listing_date": listing_date,
        "listing_decision_number": f"苏市监异〔{listing_date[:4]}〕{subject.id}号",
        "listing_authority": dept.name_zh,
    }
    return item_record(session, subject, "abnormal_operation", payload)


def honour_record(session: Session, subject: Subject, *, kind: str, number: str) -> Record:
    """An honour (荣誉) or red-list (守信激励名单) record from the development office."""
    payload = {
        "honour_kind": kind,
        "honour_name": "守信激励对象" if kind == "守信激励名单" else "守合同重信用企业",
        "award_document_number": number,
        "award_date": "2026-03-01",
        "awarding_body": "苏州市发展和改革委员会",
    }
    return item_record(session, subject, "honour", payload, department_kind="development_reform")


def audit_actions(session: Session, entry: ListEntry) -> list[str]:
    """The audit log's actions on this entry, oldest first."""
    stmt = select(AuditEntry.action).where(
        AuditEntry.object_type == "list_entry", AuditEntry.object_id == str(entry.id)
    )
    return list(session.scalars(stmt.order_by(AuditEntry.seq)))
