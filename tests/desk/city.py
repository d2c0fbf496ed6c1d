"""A small city for the console's tests: one account per console role (usernames without
underscores, so that the raw-code check cannot confuse them with codes), pending work of
every kind for the market regulator, and logged-in clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from tests import factories, webkit
from tests.lists.helpers import BASIS, REASONS
from tests.webkit import PASSWORD
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.checks.models import CheckHit, CheckRow, CreditCheck
from xinyong.core.db import session_scope
from xinyong.ingest.models import IngestBatch
from xinyong.lists import service as lists_service
from xinyong.rights import cases, objections
from xinyong.rights.models import CaseEvent
from xinyong.rights.objections import ObjectionApplication
from xinyong.rights.states import ObjectionGround
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject

TODAY = date.today()
# username, display name, role, department kind (development_reform: the credit office)
ROLES = (
    ("office", "王晓梅", "department_user", "development_reform"),
    ("reporter", "李明", "reporter", "market_regulation"),
    ("officer", "陈静", "department_user", "market_regulation"),
    ("auditor", "赵刚", "auditor", "development_reform"),
    ("admin", "周立", "admin", "development_reform"),
)


@dataclass
class City:
    market_id: int
    firm_code: str
    firm_name: str
    entry_id: int
    batch_id: str
    case_id: int
    check_id: int
    at: datetime  # a stored time shown on several pages (the batch's receipt)
    clients: dict[str, TestClient] = field(default_factory=dict)


def seed() -> City:
    """Accounts, a proposed list entry, a late submission and a failed batch check."""
    with session_scope() as session:
        subjects_service.sync_departments(session)
        for username, name, role, kind in ROLES:
            dept = factories.department(session, kind)
            data = AccountCreate(
                username=username, display_name=name, password=PASSWORD, kind="staff",
                role=role, department_id=dept.id,
            )  # fmt: skip
            auth_service.create_account(session, data=data)
        market = factories.department(session, "market_regulation")
        firm = factories.enterprise(session, name="苏州市瑞丰精密机械有限公司")
        decided = (TODAY - timedelta(days=20)).isoformat()
        penalty = factories.penalty(session, firm, decision_date=decided, today=TODAY)
        entry = lists_service.propose(
            session, list_code="serious_dishonesty_list", subject_id=firm.id,
            basis_record_ids=[penalty.id], legal_basis=BASIS, reasons=REASONS,
            actor="test", department_id=market.id, today=TODAY,
        )  # fmt: skip
        at = datetime(2026, 11, 30, 13, 50, tzinfo=UTC)  # 21:50 in Beijing
        batch = IngestBatch(
            id="B20261130-LATE", item_code="admin_penalty", department_id=market.id,
            channel="upload", mode="partial", status="loaded", filename="处罚.csv", rows=3,
            accepted=3, late=2, submitted_by="account:2", received_at=at, finished_at=at,
        )  # fmt: skip
        session.add(batch)
        # the penalty reached the platform late, in that batch
        penalty.batch_id, penalty.reported_late, penalty.reported_workdays = batch.id, True, 12
        session.add(
            CreditCheck(
                kind="batch",
                state="failed",
                department_id=market.id,
                matter_code="government_procurement",
                purpose="政府采购供应商审查",
                actor="account:3",
                actor_label="陈静",
                checked_on=TODAY,
                catalog_version="test",
                file_name="名单.xlsx",
                error="file unreadable",
            )
        )
        session.flush()
        check_id = _hits_awaiting_feedback(session, market.id, firm.id)
        case_id = _objection(session, firm, penalty.id, at)
        return City(
            market.id, firm.uscc or "", firm.name, entry.id, batch.id, case_id, check_id, at
        )


def _objection(session: Session, firm: Subject, record_id: int, at: datetime) -> int:
    """The firm (account ``ruifeng``) objects to its penalty; the case's events dated ``at``."""
    data = AccountCreate(
        username="ruifeng", display_name="瑞丰精密", password=PASSWORD, kind="subject",
        role="subject", subject_id=firm.id,
    )  # fmt: skip
    account = auth_service.create_account(session, data=data)
    application = ObjectionApplication(
        record_ids=[record_id],
        ground=ObjectionGround.wrong_information,
        statement="罚款金额应为3万元，决定书第2页可证",
        files=[],
    )
    who = cases.Applicant(actor=f"account:{account.id}", subject_id=firm.id, channel="portal")
    case = objections.apply(session, applicant=who, application=application, today=TODAY)
    session.execute(update(CaseEvent).where(CaseEvent.case_id == case.id).values(at=at))
    return case.id


def _hits_awaiting_feedback(session: Session, department_id: int, subject_id: int) -> int:
    """A check of the market regulator three weeks ago with two measures past their due day."""
    checked = TODAY - timedelta(days=21)
    check = CreditCheck(
        kind="single", state="done", department_id=department_id,
        matter_code="government_procurement", purpose="政府采购供应商资格审查",
        actor="account:3", actor_label="陈静", checked_on=checked, catalog_version="test",
        rows_total=1, rows_done=1, subjects_found=1, subjects_hit=1, hits=2,
    )  # fmt: skip
    session.add(check)
    session.flush()
    row = CheckRow(
        check_id=check.id, row_no=1, query_name="苏州市瑞丰精密机械有限公司",
        resolution="code", subject_id=subject_id, lists=[], hit_count=2,
    )  # fmt: skip
    session.add(row)
    session.flush()
    for code in ("C-PROC-01", "C-PROC-02"):
        session.add(
            CheckHit(
                check_id=check.id,
                row_id=row.id,
                subject_id=subject_id,
                department_id=department_id,
                matter_code="government_procurement",
                measure_code=code,
                measure_kind="constraint",
                reasons=["list:serious_dishonesty_list"],
                feedback_due=TODAY - timedelta(days=5),
            )
        )
    session.flush()
    return check.id


def login(username: str) -> TestClient:
    """A client logged in as the account, sending the session's CSRF token as a header."""
    return webkit.login(username, csrf_header=True)


csrf_of = webkit.csrf_of  # the CSRF token a page's forms carry
