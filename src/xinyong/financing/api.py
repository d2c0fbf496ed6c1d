"""``/api/v1/financing/…``: 信易贷 for banks' systems (API key with the ``financing:bank``
scope, acting for the bank's branches), firms (their own account) and the credit office.

Bank reads of a firm's report, risk summary and data are purpose-bound ("贷前审查 application
N"), need the firm's live authorisation (403 otherwise, the attempt registered) and appear
on the firm's /portal/me. New applications are pushed to registered webhooks (signed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.core.errors import API_ERRORS, Forbidden
from xinyong.financing import (
    applications,
    bankread,
    figures,
    fund,
    institutions,
    products,
    webhooks,
)
from xinyong.financing.schemas import (
    ApplicationCreate,
    ApplicationRead,
    ClaimCreate,
    Decision,
    NeedCreate,
    ProductCreate,
    ProductRead,
    WebhookCreate,
)
from xinyong.reports.service import beijing_today
from xinyong.subjects.models import Subject
from xinyong.web.deps import CurrentPrincipal, DbSession

router = APIRouter(prefix="/api/v1/financing", tags=["financing · 信易贷"], responses=API_ERRORS)
Ident = Annotated[int, Path(ge=1, le=2_000_000_000)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@contextmanager
def keep_refusals(session: Session) -> Iterator[None]:
    """A refused read stays in the query register although the request fails."""
    try:
        yield
    except Forbidden:
        session.commit()
        raise


def _product(session: Session, product_id: int) -> dict[str, Any]:
    product = products.get(session, product_id)
    bank = institutions.names(session, {product.bank_id}).get(product.bank_id, "")
    return products.as_dict(product, bank)


@router.get("/products", response_model=list[ProductRead])
def list_products(
    session: DbSession,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    bank_id: Annotated[int | None, Query(ge=1, le=2_000_000_000)] = None,
    amount: Annotated[int | None, Query(ge=1, le=10_000_000_000)] = None,
) -> list[dict[str, Any]]:
    """贷款产品 · Active loan products, filtered by kind, bank and an amount they lend (public)."""
    found = products.search(session, kind=kind, bank_id=bank_id, amount=amount)
    names = institutions.names(session, {p.bank_id for p in found})
    return [products.as_dict(p, names.get(p.bank_id, "")) for p in found]


@router.get("/products/{product_id}", response_model=ProductRead)
def get_product(product_id: Ident, session: DbSession) -> dict[str, Any]:
    """贷款产品详情 · One active loan product (public)."""
    return _product(session, product_id)


@router.post("/products", response_model=ProductRead, status_code=201)
def publish_product(
    data: ProductCreate, session: DbSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    """发布贷款产品 · A bank's product manager or system publishes a product for its bank."""
    product = products.publish(session, principal=principal, data=data)
    return _product(session, product.id)


@router.get("/matches", response_model=list[ProductRead])
def matches(session: DbSession, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    """产品匹配 · Products whose every condition the logged-in firm meets."""
    policy.require(principal, "financing.apply")
    found = products.matching(session, subject_id=principal.subject_id or 0, today=beijing_today())
    names = institutions.names(session, {p.bank_id for p in found})
    return [products.as_dict(p, names.get(p.bank_id, "")) for p in found]


@router.post("/needs", status_code=201)
def post_need(data: NeedCreate, session: DbSession, principal: CurrentPrincipal) -> dict[str, Any]:
    """发布融资需求 · The logged-in firm posts a financing need."""
    need = applications.post_need(session, principal=principal, data=data)
    return {"id": need.id, "amount": need.amount, "term_months": need.term_months}


@router.get("/needs")
def list_needs(session: DbSession, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    """融资需求 · Firms' open needs for a bank to answer (no data beyond the need itself)."""
    needs = applications.open_needs(session, principal=principal)
    ids = {n.subject_id for n in needs}
    names = {s.id: s.name for s in session.scalars(select(Subject).where(Subject.id.in_(ids)))}
    return [
        {
            "id": n.id,
            "firm": names.get(n.subject_id, ""),
            "amount": n.amount,
            "term_months": n.term_months,
            "purpose": n.purpose,
            "collateral": n.collateral,
            "posted_at": n.created_at.isoformat(),
        }
        for n in needs
    ]


@router.post("/applications", response_model=ApplicationRead, status_code=201)
def apply(
    data: ApplicationCreate, session: DbSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    """申请贷款并授权 · The logged-in firm applies to a product and authorises the branch."""
    app = applications.apply(session, principal=principal, data=data)
    return applications.as_dict(session, app, beijing_today())


@router.get("/applications", response_model=list[ApplicationRead])
def list_applications(
    session: DbSession,
    principal: CurrentPrincipal,
    state: Annotated[str | None, Query(max_length=16)] = None,
) -> list[dict[str, Any]]:
    """申请队列 · A bank's queue for its branches, or a firm's own applications."""
    today = beijing_today()
    if principal.kind == "subject":
        policy.require(principal, "financing.apply")
        rows = applications.for_subject(session, subject_id=principal.subject_id or 0)
        rows = [r for r in rows if not state or r.state == state]
    else:
        rows = applications.queue(session, principal=principal, state=state)
    return [applications.as_dict(session, row, today) for row in rows]


def _visible(session: Session, principal: Principal, application_id: int) -> Any:
    if principal.kind == "subject":
        return applications.own(session, principal=principal, application_id=application_id)
    return applications.for_bank(session, principal=principal, application_id=application_id)


@router.get("/applications/{application_id}", response_model=ApplicationRead)
def get_application(
    application_id: Ident, session: DbSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    """申请详情 · One application, for its firm or the branch it went to."""
    app = _visible(session, principal, application_id)
    return applications.as_dict(session, app, beijing_today())


@router.post("/applications/{application_id}/decision", response_model=ApplicationRead)
def decide(
    application_id: Ident, data: Decision, session: DbSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    """反馈结果 · The branch's feedback: accepted, granted (amount, rate_bp, term_months,
    granted_on), declined (reason code) or withdrawn; ``version`` guards against races."""
    app = applications.decide(
        session, principal=principal, application_id=application_id, decision=data
    )
    return applications.as_dict(session, app, beijing_today())


@router.post("/applications/{application_id}/withdraw", response_model=ApplicationRead)
def withdraw(
    application_id: Ident, session: DbSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    """撤回申请 · The firm withdraws; its authorisation of the branch ends at once."""
    app = applications.withdraw(session, principal=principal, application_id=application_id)
    return applications.as_dict(session, app, beijing_today())


@router.post("/applications/{application_id}/revoke", response_model=ApplicationRead)
def revoke(
    application_id: Ident, session: DbSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    """撤销授权 · The firm revokes the branch's authorisation for this application at once."""
    app = applications.revoke(session, principal=principal, application_id=application_id)
    return applications.as_dict(session, app, beijing_today())


@router.get("/applications/{application_id}/report")
def bank_report(
    application_id: Ident, session: DbSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    """信易贷授权版信用报告 · The firm's bank-version report (signed), under its live
    authorisation; the read is registered for "贷前审查 application N"."""
    with keep_refusals(session):
        report = bankread.report(session, principal=principal, application_id=application_id)
    return {
        "number": report.number,
        "valid_until": report.valid_until.isoformat(),
        "content_digest": report.content_digest,
        "content_signature": report.content_signature,
        "key_id": report.key_id,
        "content": report.content,
    }


@router.get("/applications/{application_id}/risk")
def risk(application_id: Ident, session: DbSession, principal: CurrentPrincipal) -> dict[str, Any]:
    """风险提示 · Grades with their main reasons and list memberships (registered read)."""
    with keep_refusals(session):
        return bankread.risk_summary(
            session, principal=principal, application_id=application_id, lang="zh"
        )


@router.get("/applications/{application_id}/data")
def data(application_id: Ident, session: DbSession, principal: CurrentPrincipal) -> dict[str, Any]:
    """授权数据项 · Records of the data items the firm named, and the attached contract
    (verified against the platform), registered."""
    with keep_refusals(session):
        rows = bankread.data_items(session, principal=principal, application_id=application_id)
        found = bankread.contract(session, principal=principal, application_id=application_id)
    return {
        "records": [
            {
                "id": r.id,
                "item_code": r.item_code,
                "state": r.state,
                "decision_date": r.decision_date.isoformat() if r.decision_date else None,
                "fields": r.fields,
            }
            for r in rows
        ],
        "contract": found,
    }


@router.post("/applications/{application_id}/claims", status_code=201)
def file_claim(
    application_id: Ident, data: ClaimCreate, session: DbSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    """风险补偿申请 · The bank files a loss claim on a loan it granted."""
    claim = fund.file_claim(
        session,
        principal=principal,
        application_id=application_id,
        loss_amount=data.loss_amount,
        note=data.note,
    )
    return {"id": claim.id, "state": claim.state, "compensation": claim.compensation}


@router.post("/webhooks", status_code=201)
def register_webhook(
    data: WebhookCreate, session: DbSession, principal: CurrentPrincipal
) -> dict[str, Any]:
    """登记推送地址 · A bank's system registers a webhook for new applications; the signing
    secret is shown once (``X-Xinyong-Signature: t=…,v1=HMAC-SHA256("t.body")``)."""
    found = webhooks.register(session, principal=principal, url=data.url)
    return {"id": found.endpoint.id, "url": found.endpoint.url, "secret": found.secret}


@router.get("/overdue", response_model=list[ApplicationRead])
def overdue(session: DbSession, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    """反馈超期 · Applications whose mandatory feedback is late (credit office)."""
    policy.require(principal, "financing.oversee")
    today = beijing_today()
    return [
        applications.as_dict(session, a, today) for a in applications.overdue(session, today=today)
    ]


@router.get("/figures")
def get_figures(
    session: DbSession,
    principal: CurrentPrincipal,
    group: Annotated[str, Query(pattern="^(bank|product|industry|month)$")] = "bank",
) -> dict[str, Any]:
    """统计 · Needs, applications, grants, amounts, average rate, pure-credit share (office)."""
    policy.require(principal, "financing.oversee")
    found = figures.compute(session, group=group)
    return {
        "group": group,
        "rows": [_row(r) for r in found.rows],
        "total": _row(found.total),
        "small_firm_credit_share": found.small_firm_credit_share,
    }


def _row(row: figures.Row) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "needs": row.needs,
        "applications": row.applications,
        "grants": row.grants,
        "granted_amount": row.granted_amount,
        "average_rate_bp": row.average_rate_bp,
        "pure_credit_share": row.pure_credit_share,
    }


@router.get("/fund")
def fund_state(session: DbSession, principal: CurrentPrincipal) -> dict[str, Any]:
    """风险补偿资金池 · Balance and reconciliation of the append-only ledger (office)."""
    policy.require(principal, "financing.oversee")
    found = fund.reconcile(session)
    return {
        "balance": found.balance,
        "contributions": found.contributions,
        "compensations": found.compensations,
        "reconciled": found.ok,
    }
