"""The 信易贷 sandbox of the demo city: two banks (one with two branches), their staff and
system keys, products of every kind, needs, and applications in every state (one with its
feedback overdue), a procurement-contract application where the city holds a contract, the
risk-compensation fund with a contribution and a claim. Deterministic for a given city:
firms are chosen by id. Run once (``xinyong financing sandbox``); a second run does nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth import apikeys
from xinyong.auth import service as auth_service
from xinyong.auth.models import Organisation
from xinyong.auth.principal import Principal
from xinyong.financing import applications, fund, institutions, products
from xinyong.financing.config import get_config
from xinyong.financing.models import Application
from xinyong.financing.schemas import (
    ApplicationCreate,
    Conditions,
    Decision,
    NeedCreate,
    ProductCreate,
)
from xinyong.records.models import Record
from xinyong.reports.service import beijing_today
from xinyong.subjects.models import Subject

BANK_A = "苏州信用示范银行"
BANK_B = "苏州普惠农村商业银行"
OFFICE = Principal(kind="staff", role="admin", label="信易贷沙箱")


@dataclass
class Sandbox:
    created: bool
    accounts: dict[str, str] = field(default_factory=dict)  # username -> role
    keys: dict[str, str] = field(default_factory=dict)  # bank -> token (shown once)
    applications: dict[str, int] = field(default_factory=dict)  # state -> count


Span = tuple[int, int]
PRODUCTS: tuple[tuple[str, str, str, Span, Span, Span, dict[str, object]], ...] = (
    # bank, name, kind, amount range, rate range (bp), terms, conditions
    ("a", "信用快贷", "pure_credit", (100_000, 3_000_000), (345, 550), (6, 36), {"min_grade": "B"}),
    ("a", "政采e贷", "procurement", (200_000, 5_000_000), (360, 480), (3, 12), {}),
    ("a", "税信贷", "tax", (100_000, 2_000_000), (380, 520), (6, 24), {"min_years": 2}),
    ("b", "交运通", "transport", (50_000, 1_000_000), (420, 650), (6, 36), {}),
    ("b", "普惠抵押贷", "secured", (500_000, 10_000_000), (390, 600), (12, 60), {}),
)


def _bank_staff(session: Session, password: str, sandbox: Sandbox) -> dict[str, Principal]:
    a = institutions.create_bank(session, name=BANK_A, short_name="示范银行", actor="demo")
    park = institutions.create_bank(
        session, name=BANK_A + "工业园区支行", short_name="园区支行", parent_id=a.id, actor="demo"
    )
    institutions.create_bank(
        session, name=BANK_A + "姑苏支行", short_name="姑苏支行", parent_id=a.id, actor="demo"
    )
    b = institutions.create_bank(session, name=BANK_B, short_name="普惠农商行", actor="demo")
    people = {
        "a_manager": (a.id, "product_manager"),
        "a_admin": (a.id, "branch_admin"),
        "a_officer": (park.id, "loan_officer"),
        "b_manager": (b.id, "product_manager"),
        "b_officer": (b.id, "loan_officer"),
    }
    found = {}
    for username, (org, role) in people.items():
        account = institutions.create_staff(
            session, organisation_id=org, username=f"fin_{username}", display_name=username,
            password=password, role=role, actor="demo",
        )  # fmt: skip
        found[username] = auth_service.principal_for(session, account)
        sandbox.accounts[account.username] = role
    for bank in (a, b):
        issued = apikeys.create(
            session, name="信易贷系统", scopes=["financing:bank"], organisation_id=bank.id
        )
        sandbox.keys[bank.name] = issued.token
    found["a_park"] = Principal(kind="organisation", organisation_id=park.id)
    return found


def _products(session: Session, staff: dict[str, Principal]) -> dict[str, int]:
    made = {}
    for bank, name, kind, (low, high), (r1, r2), (t1, t2), conditions in PRODUCTS:
        data = ProductCreate(
            name=name, kind=kind, amount_min=low, amount_max=high, rate_min_bp=r1,
            rate_max_bp=r2, term_min_months=t1, term_max_months=t2,
            eligibility="在本市登记注册的小微企业，经营正常，无严重失信记录",
            conditions=Conditions.model_validate(conditions),
        )  # fmt: skip
        made[kind] = products.publish(session, principal=staff[f"{bank}_manager"], data=data).id
    return made


def _firms(session: Session, count: int) -> list[Subject]:
    stmt = select(Subject).where(Subject.kind == "legal_person", Subject.uscc.is_not(None))
    return list(session.scalars(stmt.order_by(Subject.id).limit(count)))


def _contract(session: Session) -> Record | None:
    config = get_config()
    stmt = select(Record).where(
        Record.item_code == config.contract_item, Record.is_current.is_(True)
    )
    for record in session.scalars(stmt.order_by(Record.id).limit(500)):
        facts = applications.contract_facts(session, record.id, record.subject_id)
        if facts is not None and facts["verified"]:  # a live contract the bank sees verified
            return record
    return None


def build_sandbox(session: Session, *, password: str) -> Sandbox:
    """Make the sandbox (once): banks, staff, keys, products, needs, applications, fund."""
    if session.scalar(select(Organisation.id).where(Organisation.name == BANK_A)):
        return Sandbox(created=False)
    sandbox = Sandbox(created=True)
    staff = _bank_staff(session, password, sandbox)
    made = _products(session, staff)
    firms = _firms(session, 8)
    park = staff["a_park"].organisation_id
    plans = [  # (product kind, branch or None, outcome)
        ("pure_credit", park, "submitted"),
        ("pure_credit", park, "overdue"),
        ("tax", None, "accepted"),
        ("pure_credit", park, "granted"),
        ("tax", None, "granted"),
        ("transport", None, "declined"),
        ("secured", None, "withdrawn"),
    ]
    for firm, (kind, branch, outcome) in zip(firms, plans, strict=False):
        _application(session, sandbox, staff, firm, made[kind], branch, outcome)
    contract = _contract(session)
    if contract is not None:
        _application(
            session, sandbox, staff, session.get(Subject, contract.subject_id),  # type: ignore[arg-type]
            made["procurement"], park, "accepted", contract_id=contract.id,
        )  # fmt: skip
    for firm in firms[:2]:
        applications.post_need(
            session,
            principal=Principal(kind="subject", subject_id=firm.id, label=firm.name),
            data=NeedCreate(
                amount=800_000, term_months=12, purpose="采购原材料", collateral="none"
            ),
        )
    fund.contribute(
        session, principal=OFFICE, amount=5_000_000, note="市级风险补偿资金注入", actor="demo"
    )
    granted = _granted(session)
    if granted:
        fund.file_claim(
            session, principal=staff["a_admin"], application_id=granted[0],
            loss_amount=200_000, note="借款企业停产，逾期90天以上",
        )  # fmt: skip
    return sandbox


def _granted(session: Session) -> list[int]:
    stmt = select(Application.id).where(Application.state == "granted").order_by(Application.id)
    return list(session.scalars(stmt))


def _application(
    session: Session,
    sandbox: Sandbox,
    staff: dict[str, Principal],
    firm: Subject,
    product_id: int,
    branch: int | None,
    outcome: str,
    contract_id: int | None = None,
) -> None:
    product = products.get(session, product_id)
    firm_p = Principal(kind="subject", subject_id=firm.id, label=firm.name)
    data = ApplicationCreate(
        product_id=product_id, branch_id=branch, amount=product.amount_min * 2,
        term_months=product.term_min_months, purpose="补充流动资金",
        items=["tax_credit_rating"], contract_record_id=contract_id,
    )  # fmt: skip
    app = applications.apply(session, principal=firm_p, data=data)
    if product.bank_id == staff["b_officer"].organisation_id:
        officer = staff["b_officer"]
    else:
        officer = staff["a_officer"] if app.branch_id == branch else staff["a_admin"]
    today = beijing_today()
    decisions = {
        "accepted": Decision(outcome="accepted"),
        "granted": Decision(
            outcome="granted",
            amount=app.amount,
            rate_bp=product.rate_min_bp + 20,
            term_months=app.term_months,
            granted_on=today,
        ),
        "declined": Decision(outcome="declined", reason="repayment_capacity"),
        "withdrawn": Decision(outcome="withdrawn", note="企业已通过其他渠道融资"),
    }
    if outcome == "overdue":
        app.submitted_at = app.submitted_at - timedelta(days=14)
        app.feedback_due = today - timedelta(days=3)
        session.flush()
    elif outcome in decisions:
        applications.decide(
            session, principal=officer, application_id=app.id, decision=decisions[outcome]
        )
    sandbox.applications[outcome] = sandbox.applications.get(outcome, 0) + 1
