"""A small 信易贷 world: a bank with a branch, its staff, a second bank, products and a firm
with its own account and a procurement contract on the platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from tests import factories
from xinyong.auth import service as auth_service
from xinyong.auth.principal import Principal
from xinyong.auth.schemas import AccountCreate
from xinyong.financing import institutions, products
from xinyong.financing.models import Product
from xinyong.financing.schemas import ApplicationCreate, Conditions, ProductCreate
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.records.schemas import RecordCreate
from xinyong.subjects.models import Subject

PASSWORD = "Correct-Horse-42"


@dataclass
class World:
    firm: Subject
    firm_p: Principal
    bank_id: int
    branch_id: int
    other_bank_id: int
    officer: Principal  # loan officer of the branch
    head_admin: Principal  # branch admin at the bank's head office (all branches)
    manager: Principal  # product manager
    other_officer: Principal  # loan officer of the other bank
    pure: Product
    procurement: Product
    contract: Record


def _principal(session: Session, username: str) -> Principal:
    return auth_service.principal_for(session, auth_service.get_account(session, username))


def contract_record(session: Session, firm: Subject, number: str = "ZC-2026-001") -> Record:
    """A government-procurement contract of the firm as the finance bureau reported it."""
    dept = factories.department(session, "finance")
    payload = {
        "subject_name": firm.name,
        "subject_type": "legal_person",
        "subject_code": firm.uscc,
        "contract_name": "市级机关办公设备采购项目",
        "contract_number": number,
        "contract_type": "政府采购合同",
        "counterparty": "市机关事务管理局",
        "signing_date": (date.today() - timedelta(days=30)).isoformat(),
        "contract_amount": "120",
        "performance_status": "正常履约",
        "status_date": (date.today() - timedelta(days=10)).isoformat(),
    }
    data = RecordCreate(
        subject_id=firm.id,
        item_code="contract_performance",
        department_id=dept.id,
        source_record_id=number,
        payload=payload,
    )
    return records_service.submit(session, data=data, actor="test").record


def build(session: Session, tag: str = "") -> World:
    firm = factories.enterprise(session, registration_date=date(2015, 3, 1))
    bank = institutions.create_bank(session, name=f"测试城市商业银行{tag}", short_name="城商行")
    branch = institutions.create_bank(
        session, name=f"测试城市商业银行高新支行{tag}", short_name="高新支行", parent_id=bank.id
    )
    other = institutions.create_bank(session, name=f"另一家农商银行{tag}", short_name="农商行")
    for username, org, role in (
        (f"officer{tag}", branch.id, "loan_officer"),
        (f"headadmin{tag}", bank.id, "branch_admin"),
        (f"manager{tag}", bank.id, "product_manager"),
        (f"otherofficer{tag}", other.id, "loan_officer"),
    ):
        institutions.create_staff(
            session, organisation_id=org, username=username, display_name=username,
            password=PASSWORD, role=role,
        )  # fmt: skip
    auth_service.create_account(
        session,
        data=AccountCreate(
            username=f"firm{tag}", display_name="企业", password=PASSWORD, kind="subject",
            role="subject", subject_id=firm.id,
        ),
    )  # fmt: skip
    manager = _principal(session, f"manager{tag}")
    pure = products.publish(
        session, principal=manager, data=product_data("纯信用快贷", "pure_credit")
    )
    procurement = products.publish(
        session, principal=manager, data=product_data("政采贷", "procurement")
    )
    return World(
        firm=firm,
        firm_p=_principal(session, f"firm{tag}"),
        bank_id=bank.id,
        branch_id=branch.id,
        other_bank_id=other.id,
        officer=_principal(session, f"officer{tag}"),
        head_admin=_principal(session, f"headadmin{tag}"),
        manager=manager,
        other_officer=_principal(session, f"otherofficer{tag}"),
        pure=pure,
        procurement=procurement,
        contract=contract_record(session, firm),
    )


def product_data(name: str, kind: str, **conditions: object) -> ProductCreate:
    return ProductCreate(
        name=name,
        kind=kind,
        amount_min=100_000,
        amount_max=3_000_000,
        rate_min_bp=345,
        rate_max_bp=600,
        term_min_months=6,
        term_max_months=36,
        eligibility="成立满2年，无严重失信记录",
        conditions=Conditions(**conditions),  # type: ignore[arg-type]
    )


def application_data(world: World, **changes: object) -> ApplicationCreate:
    values: dict[str, object] = {
        "product_id": world.pure.id,
        "branch_id": world.branch_id,
        "amount": 500_000,
        "term_months": 12,
        "purpose": "采购原材料",
        "items": ["tax_credit_rating"],
    }
    values.update(changes)
    return ApplicationCreate.model_validate(values)


@pytest.fixture
def world(session: Session) -> World:
    return build(session)
