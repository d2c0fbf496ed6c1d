"""信易贷 rules on both stores: authorisation gates every bank read (refusals registered),
expiry and revocation act at once, decisions need their fields, overdue feedback shows,
matching follows the conditions, contracts are verified, the fund's ledger reconciles."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.financing.conftest import World, application_data, product_data
from xinyong.auth.models import Authorisation, QueryLog
from xinyong.auth.principal import Principal
from xinyong.core.db import utcnow
from xinyong.core.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.financing import applications, bankread, figures, fund, products
from xinyong.financing.models import FundEntry
from xinyong.financing.schemas import Decision, NeedCreate
from xinyong.notices import service as notices_service
from xinyong.reports.service import beijing_today


def _log(session: Session, subject_id: int) -> list[QueryLog]:
    stmt = select(QueryLog).where(QueryLog.subject_id == subject_id).order_by(QueryLog.id)
    return list(session.scalars(stmt))


def test_apply_authorises_the_branch_and_its_reads_are_registered(
    session: Session, world: World
) -> None:
    app = applications.apply(session, principal=world.firm_p, data=application_data(world))
    grant = session.get(Authorisation, app.authorisation_id)
    assert grant is not None and grant.organisation_id == world.branch_id
    assert "tax_credit_rating" in grant.scope and "admin_penalty" in grant.scope
    assert app.feedback_due > beijing_today()
    report = bankread.report(session, principal=world.officer, application_id=app.id)
    assert report.type_code == "bank" and report.audience == "authorised"
    again = bankread.report(session, principal=world.head_admin, application_id=app.id)
    assert again.id == report.id  # the same report, read again (and registered again)
    bankread.risk_summary(session, principal=world.officer, application_id=app.id, lang="zh")
    rows = bankread.data_items(session, principal=world.officer, application_id=app.id)
    assert all(r.item_code == "tax_credit_rating" for r in rows)
    reads = [q for q in _log(session, world.firm.id) if f"申请 {app.id}" in q.purpose]
    assert len(reads) >= 3 and all(q.outcome == "allowed" for q in reads)
    assert any("report:bank" in q.what for q in reads)


def test_other_banks_and_firms_see_nothing(session: Session, world: World) -> None:
    app = applications.apply(session, principal=world.firm_p, data=application_data(world))
    with pytest.raises(NotFound):
        bankread.report(session, principal=world.other_officer, application_id=app.id)
    assert applications.queue(session, principal=world.other_officer) == []
    assert [a.id for a in applications.queue(session, principal=world.head_admin)] == [app.id]


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_without_a_live_authorisation_reads_are_refused_and_registered(
    session: Session, world: World, how: str
) -> None:
    app = applications.apply(session, principal=world.firm_p, data=application_data(world))
    if how == "revoked":
        applications.revoke(session, principal=world.firm_p, application_id=app.id)
    else:
        grant = session.get(Authorisation, app.authorisation_id)
        assert grant is not None
        grant.expires_at = utcnow() - timedelta(seconds=1)
        session.flush()
    for read in (
        lambda: bankread.report(session, principal=world.officer, application_id=app.id),
        lambda: bankread.data_items(session, principal=world.officer, application_id=app.id),
        lambda: bankread.risk_summary(
            session, principal=world.officer, application_id=app.id, lang="zh"
        ),
    ):
        with pytest.raises(Forbidden):
            read()
    refused = [q for q in _log(session, world.firm.id) if q.outcome == "refused"]
    assert len(refused) == 3 and all(f"申请 {app.id}" in q.purpose for q in refused)
    assert not applications.authorisation_live(session, app)


def test_decisions_need_their_fields(session: Session, world: World) -> None:
    app = applications.apply(session, principal=world.firm_p, data=application_data(world))

    def decide(**values: object) -> object:
        return applications.decide(
            session, principal=world.officer, application_id=app.id,
            decision=Decision.model_validate(values),
        )  # fmt: skip

    with pytest.raises(Invalid) as missing:
        decide(outcome="granted", amount=400_000, term_months=12)
    assert missing.value.details["missing"] == ["rate_bp", "granted_on"]
    with pytest.raises(Invalid):
        decide(outcome="declined")
    with pytest.raises(Invalid):
        decide(outcome="declined", reason="not-a-reason")
    with pytest.raises(Forbidden):  # a product manager gives no feedback
        applications.decide(
            session, principal=world.manager, application_id=app.id,
            decision=Decision(outcome="accepted"),
        )  # fmt: skip
    decide(outcome="accepted", version=1)
    with pytest.raises(Conflict):
        decide(outcome="granted", version=1, amount=1, rate_bp=1, term_months=1,
               granted_on=date.today())  # fmt: skip
    done = decide(outcome="granted", amount=400_000, rate_bp=385, term_months=12,
                  granted_on=beijing_today())  # fmt: skip
    assert done.state == "granted" and done.granted_rate_bp == 385  # type: ignore[attr-defined]
    with pytest.raises(Conflict):
        decide(outcome="declined", reason="other")
    states = [e.state for e in applications.events(session, app.id)]
    assert states == ["submitted", "accepted", "granted"]
    told = [
        notices_service.text(n, "zh")
        for n in notices_service.for_subject(session, subject_id=world.firm.id)
    ]
    assert told[0].endswith("已有反馈：已放款") and f"编号 {app.id}" in told[0]


def test_overdue_feedback_is_flagged_until_the_branch_answers(
    session: Session, world: World
) -> None:
    app = applications.apply(session, principal=world.firm_p, data=application_data(world))
    today = beijing_today()
    assert app not in applications.overdue(session, today=today)
    app.feedback_due = today - timedelta(days=1)
    session.flush()
    assert app in applications.overdue(session, today=today)
    assert applications.is_overdue(app, today)
    applications.decide(
        session, principal=world.officer, application_id=app.id,
        decision=Decision(outcome="accepted"),
    )  # fmt: skip
    assert app not in applications.overdue(session, today=today)


def test_needs_are_posted_by_firms_and_seen_by_banks(session: Session, world: World) -> None:
    need = applications.post_need(
        session, principal=world.firm_p,
        data=NeedCreate(amount=800_000, term_months=12, purpose="扩大生产", collateral="none"),
    )  # fmt: skip
    assert need in applications.open_needs(session, principal=world.other_officer)
    with pytest.raises(Forbidden):
        applications.open_needs(session, principal=world.manager)
    with pytest.raises(Forbidden):
        applications.post_need(
            session, principal=world.officer,
            data=NeedCreate(amount=1, term_months=1, purpose="xx"),
        )  # fmt: skip
    app = applications.apply(
        session, principal=world.firm_p, data=application_data(world, need_id=need.id)
    )
    assert app.need_id == need.id


def test_terms_and_matching_follow_the_conditions(session: Session, world: World) -> None:
    with pytest.raises(Invalid) as wrong:
        applications.apply(session, principal=world.firm_p, data=application_data(world, amount=10))
    assert wrong.value.details["field"] == "amount"
    strict = products.publish(
        session, principal=world.manager,
        data=product_data("优质客户贷", "pure_credit", min_grade="A", min_years=30),
    )  # fmt: skip
    facts = products.firm_facts(session, subject_id=world.firm.id, today=date.today())
    assert facts.years is not None and facts.years >= 10
    assert set(products.unmet(strict, facts)) >= {"fin.cond.years"}
    matched = products.matching(session, subject_id=world.firm.id, today=date.today())
    assert world.pure in matched and strict not in matched
    with pytest.raises(Forbidden):  # a loan officer does not publish products
        products.publish(session, principal=world.officer, data=product_data("x贷", "tax"))


def test_procurement_financing_needs_a_verified_contract(session: Session, world: World) -> None:
    data = application_data(world, product_id=world.procurement.id)
    with pytest.raises(Invalid) as missing:
        applications.apply(session, principal=world.firm_p, data=data)
    assert missing.value.details["field"] == "contract_record_id"
    data = application_data(
        world, product_id=world.procurement.id, contract_record_id=world.contract.id
    )
    app = applications.apply(session, principal=world.firm_p, data=data)
    seen = bankread.contract(session, principal=world.officer, application_id=app.id)
    assert seen is not None and seen["verified"] and seen["contract_number"] == "ZC-2026-001"


def _granted(session: Session, world: World, amount: int) -> int:
    app = applications.apply(session, principal=world.firm_p, data=application_data(world))
    applications.decide(
        session, principal=world.officer, application_id=app.id,
        decision=Decision(outcome="granted", amount=amount, rate_bp=400, term_months=12,
                          granted_on=beijing_today()),
    )  # fmt: skip
    return app.id


def test_fund_ledger_reconciles_and_is_append_only(session: Session, world: World) -> None:
    office = _office(session)
    fund.contribute(session, principal=office, amount=10_000_000, note="市财政注资")
    first = _granted(session, world, 1_000_000)
    with pytest.raises(Forbidden):  # a loan officer may not file claims; the branch admin may
        fund.file_claim(
            session, principal=world.officer, application_id=first, loss_amount=1, note="x"
        )
    claim = fund.file_claim(
        session, principal=world.head_admin, application_id=first, loss_amount=800_000, note="逾期"
    )
    assert claim.compensation == 320_000  # 40 %
    with pytest.raises(Conflict):
        fund.file_claim(session, principal=world.head_admin, application_id=first,
                        loss_amount=1, note="再次")  # fmt: skip
    fund.decide_claim(session, principal=office, claim_id=claim.id, approve=True)
    second = _granted(session, world, 3_000_000)
    big = fund.file_claim(
        session, principal=world.head_admin, application_id=second, loss_amount=3_000_000, note="x"
    )
    fund.decide_claim(session, principal=office, claim_id=big.id, approve=True)
    assert big.compensation == 1_200_000
    third = _granted(session, world, 3_000_000)
    capped = fund.file_claim(
        session, principal=world.head_admin, application_id=third, loss_amount=3_000_000, note="x"
    )
    fund.decide_claim(session, principal=office, claim_id=capped.id, approve=True)
    assert capped.compensation == 2_000_000 - 320_000 - 1_200_000  # the cap per firm
    result = fund.reconcile(session)
    assert result.ok and result.balance == 10_000_000 - 2_000_000
    assert fund.balance(session) == result.balance
    row = session.scalars(select(FundEntry)).first()
    assert row is not None
    row.amount = 1
    with pytest.raises(fund.LedgerIsAppendOnly):
        session.flush()
    session.rollback()


def _office(session: Session) -> Principal:
    from tests import factories
    from xinyong.auth import service as auth_service
    from xinyong.auth.schemas import AccountCreate

    dept = factories.department(session, "development_reform")
    account = auth_service.create_account(
        session,
        data=AccountCreate(
            username="office", display_name="信用办", password="Correct-Horse-42",
            kind="staff", role="admin", department_id=dept.id,
        ),
    )  # fmt: skip
    return auth_service.principal_for(session, account)


def test_figures_count_grants_and_pure_credit(session: Session, world: World) -> None:
    _granted(session, world, 1_000_000)
    applications.apply(session, principal=world.firm_p, data=application_data(world))
    found = figures.compute(session, group="bank")
    assert found.total.applications == 2 and found.total.grants == 1
    assert found.total.granted_amount == 1_000_000 and found.total.average_rate_bp == 400
    assert found.small_firm_credit_share == 1.0
    assert figures.xlsx(found)[:2] == b"PK"
    assert "<svg" in str(figures.chart(found, "zh"))
    world.firm.industry = "C"
    session.flush()
    by_industry = figures.compute(session, group="industry")
    assert [r.label for r in by_industry.rows] == ["C 制造业"]
    assert by_industry.rows[0].applications == 2
