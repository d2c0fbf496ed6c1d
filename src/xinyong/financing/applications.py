"""Needs and applications: a firm applies to a bank's product and authorises the branch for
a time; the branch gives feedback (accepted / granted / declined / withdrawn) within the
configured working days. Every state change is an event, audited, and pushed to webhooks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.auth import authorisations, policy
from xinyong.auth.models import Authorisation
from xinyong.auth.principal import Principal
from xinyong.auth.schemas import AuthorisationCreate
from xinyong.catalog import service as catalog_service
from xinyong.core.db import as_utc, utcnow
from xinyong.core.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.core.i18n import t
from xinyong.core.workdays import add_workdays
from xinyong.financing import institutions, products, webhooks
from xinyong.financing.config import get_config
from xinyong.financing.models import FINAL_STATES, Application, ApplicationEvent, Need
from xinyong.financing.schemas import ApplicationCreate, Decision, NeedCreate
from xinyong.notices import service as notices_service
from xinyong.records.models import Record
from xinyong.records.states import PUBLISHABLE_STATES, RecordState
from xinyong.reports.config import get_config as reports_config
from xinyong.reports.service import beijing_today

NEXT_STATES = {
    "submitted": {"accepted", "granted", "declined", "withdrawn"},
    "accepted": {"granted", "declined", "withdrawn"},
}


def _subject_of(principal: Principal) -> int:
    policy.require(principal, "financing.apply")
    if principal.subject_id is None:
        raise Forbidden(key="fin.err.not_firm")
    return principal.subject_id


def post_need(session: Session, *, principal: Principal, data: NeedCreate) -> Need:
    """A firm posts a financing need (amount, term, purpose, collateral)."""
    subject_id = _subject_of(principal)
    need = Need(
        subject_id=subject_id,
        amount=data.amount,
        term_months=data.term_months,
        purpose=data.purpose.strip(),
        collateral=data.collateral,
        account_id=principal.account_id,
    )
    session.add(need)
    session.flush()
    audit_service.append(
        session,
        actor=principal.actor,
        action="financing.need.post",
        object_type="financing_need",
        object_id=need.id,
        subject_id=subject_id,
        summary={"amount": need.amount, "term_months": need.term_months},
    )
    return need


def report_items() -> list[str]:
    """Catalogue items the bank-version report shows (the authorisation always covers them)."""
    catalog = catalog_service.get_catalog().items
    spec = reports_config().get("bank")
    found = {code for section in spec.sections for code in section.items if code in catalog}
    return sorted(found)


def offered_items() -> list[str]:
    """Data items a firm may add to its authorisation (those the catalogue holds)."""
    catalog = catalog_service.get_catalog().items
    return [code for code in get_config().data_items if code in catalog]


def _check_terms(product_amounts: tuple[int, int, int, int], data: ApplicationCreate) -> None:
    low, high, short, long = product_amounts
    if not low <= data.amount <= high:
        params = {"low": low, "high": high}
        raise Invalid(key="fin.err.amount", params=params, details={"field": "amount"})
    if not short <= data.term_months <= long:
        params = {"low": short, "high": long}
        raise Invalid(key="fin.err.term", params=params, details={"field": "term_months"})


def _branch(session: Session, bank_id: int, wanted: int | None) -> int:
    if wanted is None:
        return bank_id
    if wanted not in {row.organisation_id for row in institutions.branches(session, bank_id)}:
        raise Invalid(key="fin.err.branch", details={"field": "branch_id"})
    return wanted


def contract_facts(session: Session, record_id: int, subject_id: int) -> dict[str, Any] | None:
    """A procurement-contract record of the firm as the bank sees it (None: not usable)."""
    config = get_config()
    record = session.get(Record, record_id)
    if record is None or record.subject_id != subject_id or not record.is_current:
        return None
    payload = record.payload or {}
    if record.item_code != config.contract_item:
        return None
    if payload.get("contract_type") not in config.contract_types:
        return None
    verified = RecordState(record.state) in PUBLISHABLE_STATES
    keys = ("contract_name", "contract_number", "contract_type", "counterparty", "signing_date")
    return {
        "record_id": record.id,
        "verified": verified,
        "state": record.state,
        **{key: payload.get(key) for key in (*keys, "contract_amount", "performance_status")},
    }


def _check_contract(session: Session, data: ApplicationCreate, subject_id: int, kind: str) -> None:
    needs = get_config().product_kinds[kind].needs_contract
    if data.contract_record_id is None:
        if needs:
            raise Invalid(key="fin.err.contract_needed", details={"field": "contract_record_id"})
        return
    found = contract_facts(session, data.contract_record_id, subject_id)
    if found is None or not found["verified"]:
        raise Invalid(key="fin.err.contract", details={"field": "contract_record_id"})


def _check_items(items: list[str]) -> list[str]:
    offered = set(offered_items())
    unknown = [code for code in items if code not in offered]
    if unknown:
        params = {"items": ", ".join(unknown)}
        raise Invalid(key="fin.err.items", params=params, details={"field": "items"})
    return sorted(set(items) | set(report_items()))


def apply(session: Session, *, principal: Principal, data: ApplicationCreate) -> Application:
    """A firm applies to a product and authorises the chosen branch until a date."""
    subject_id = _subject_of(principal)
    config = get_config()
    product = products.get(session, data.product_id)
    _check_terms(
        (product.amount_min, product.amount_max, product.term_min_months, product.term_max_months),
        data,
    )
    branch_id = _branch(session, product.bank_id, data.branch_id)
    _check_contract(session, data, subject_id, product.kind)
    if data.need_id is not None:
        need = session.get(Need, data.need_id)
        if need is None or need.subject_id != subject_id:
            raise Invalid(key="fin.err.need", details={"field": "need_id"})
    scope = _check_items(list(data.items))
    days = data.days or config.authorisation_days.default
    if days > config.authorisation_days.max:
        params = {"max": config.authorisation_days.max}
        raise Invalid(key="fin.err.days", params=params, details={"field": "days"})
    grant = authorisations.grant(
        session,
        subject_id=subject_id,
        granted_by=principal.account_id,
        data=AuthorisationCreate(
            organisation_id=branch_id,
            scope=scope,
            purpose=f"信易贷贷前审查：{product.name}",
            expires_at=utcnow() + timedelta(days=days),
        ),
    )
    today = beijing_today()
    application = Application(
        subject_id=subject_id,
        product_id=product.id,
        need_id=data.need_id,
        bank_id=product.bank_id,
        branch_id=branch_id,
        authorisation_id=grant.id,
        contract_record_id=data.contract_record_id,
        amount=data.amount,
        term_months=data.term_months,
        purpose=data.purpose.strip(),
        feedback_due=add_workdays(today, config.feedback_workdays),
        account_id=principal.account_id,
    )
    session.add(application)
    session.flush()
    _event(session, application, principal.actor, {"authorisation_id": grant.id, "days": days})
    webhooks.enqueue(
        session,
        organisation_ids={branch_id, product.bank_id},
        event="application.created",
        payload=webhook_payload(application),
    )
    return application


def webhook_payload(application: Application) -> dict[str, Any]:
    """What a bank's system is told of a new application (no personal data: it reads the
    rest through the API, purpose-bound and registered)."""
    return {
        "application_id": application.id,
        "product_id": application.product_id,
        "branch_id": application.branch_id,
        "amount": application.amount,
        "term_months": application.term_months,
        "feedback_due": application.feedback_due.isoformat(),
        "url": f"/api/v1/financing/applications/{application.id}",
    }


def _event(session: Session, app: Application, actor: str, detail: dict[str, Any]) -> None:
    session.add(
        ApplicationEvent(
            application_id=app.id,
            subject_id=app.subject_id,
            actor=actor,
            state=app.state,
            detail=detail,
        )
    )
    session.flush()
    audit_service.append(
        session,
        actor=actor,
        action=f"financing.application.{app.state}",
        object_type="financing_application",
        object_id=app.id,
        subject_id=app.subject_id,
        summary={"state": app.state, **{k: str(v) for k, v in detail.items()}},
    )


def events(session: Session, application_id: int) -> list[ApplicationEvent]:
    """The application's history, oldest first."""
    stmt = select(ApplicationEvent).where(ApplicationEvent.application_id == application_id)
    return list(session.scalars(stmt.order_by(ApplicationEvent.id)))


def own(session: Session, *, principal: Principal, application_id: int) -> Application:
    """The firm's own application, or NotFound (no probing of others')."""
    subject_id = _subject_of(principal)
    app = session.get(Application, application_id)
    if app is None or app.subject_id != subject_id:
        raise NotFound(key="fin.err.no_application", params={"id": application_id})
    return app


def for_subject(session: Session, *, subject_id: int) -> list[Application]:
    """A firm's applications, newest first."""
    stmt = select(Application).where(Application.subject_id == subject_id)
    return list(session.scalars(stmt.order_by(Application.id.desc())))


def needs_of(session: Session, *, subject_id: int) -> list[Need]:
    """A firm's needs, newest first."""
    stmt = select(Need).where(Need.subject_id == subject_id)
    return list(session.scalars(stmt.order_by(Need.id.desc())))


def open_needs(session: Session, *, principal: Principal, limit: int = 200) -> list[Need]:
    """Firms' needs for banks to answer, newest first (amount, term, purpose, collateral and
    the firm's name only: anything more needs an application and its authorisation)."""
    policy.require(principal, "financing.review")
    institutions.acting_scope(session, principal)
    return list(session.scalars(select(Need).order_by(Need.id.desc()).limit(limit)))


def for_bank(
    session: Session, *, principal: Principal, application_id: int, action: str = "financing.review"
) -> Application:
    """An application of a branch the bank caller acts for, or NotFound."""
    policy.require(principal, action)
    scope = institutions.acting_scope(session, principal)
    app = session.get(Application, application_id)
    if app is None or app.branch_id not in scope:
        raise NotFound(key="fin.err.no_application", params={"id": application_id})
    return app


def queue(
    session: Session, *, principal: Principal, state: str | None = None, limit: int = 200
) -> list[Application]:
    """The applications of the caller's branches (a state, or all), oldest due first."""
    policy.require(principal, "financing.review")
    scope = institutions.acting_scope(session, principal)
    stmt = select(Application).where(Application.branch_id.in_(scope))
    if state:
        stmt = stmt.where(Application.state == state)
    stmt = stmt.order_by(Application.feedback_due, Application.id).limit(limit)
    return list(session.scalars(stmt))


def authorisation_live(session: Session, app: Application) -> bool:
    """Whether the firm's authorisation of the branch for this application holds right now."""
    grant = session.get(Authorisation, app.authorisation_id)
    if grant is None or grant.revoked_at is not None:
        return False
    expires = as_utc(grant.expires_at)
    return expires is not None and expires > utcnow()


def is_overdue(app: Application, today: date) -> bool:
    """No feedback and the due working day has passed."""
    return app.feedback_at is None and app.state == "submitted" and app.feedback_due < today


def overdue(session: Session, *, today: date) -> list[Application]:
    """Applications whose mandatory feedback is late (for the credit office's page)."""
    stmt = select(Application).where(
        Application.state == "submitted",
        Application.feedback_at.is_(None),
        Application.feedback_due < today,
    )
    return list(session.scalars(stmt.order_by(Application.feedback_due, Application.id)))


def acting_for_branch(principal: Principal, app: Application) -> Principal:
    """The caller acting for the application's branch, the organisation the firm authorised
    (a bank's system key acts as that organisation; its actor stays the key)."""
    return replace(principal, kind="organisation", organisation_id=app.branch_id)


def _required(decision: Decision) -> None:
    needed: dict[str, tuple[str, ...]] = {
        "granted": ("amount", "rate_bp", "term_months", "granted_on"),
        "declined": ("reason",),
    }
    missing = [f for f in needed.get(decision.outcome, ()) if getattr(decision, f) is None]
    if missing:
        fields = ", ".join(missing)
        raise Invalid(
            key="fin.err.required",
            params={"fields": fields},
            details={"field": missing[0], "missing": missing},
        )
    if decision.outcome == "declined" and decision.reason not in get_config().decline_reasons:
        params = {"reason": decision.reason}
        raise Invalid(key="fin.err.reason", params=params, details={"field": "reason"})
    if decision.granted_on is not None and decision.granted_on > beijing_today():
        raise Invalid(key="fin.err.future", details={"field": "granted_on"})


def decide(
    session: Session, *, principal: Principal, application_id: int, decision: Decision
) -> Application:
    """A branch's feedback on an application, with the fields its outcome requires."""
    app = for_bank(session, principal=principal, application_id=application_id)
    _required(decision)
    if decision.version is not None and decision.version != app.version:
        raise Conflict(key="fin.err.version", details={"field": "version"})
    if decision.outcome not in NEXT_STATES.get(app.state, set()):
        params = {"state": app.state, "outcome": decision.outcome}
        raise Conflict(key="fin.err.transition", params=params)
    now = utcnow()
    app.state = decision.outcome
    app.version += 1
    app.feedback_at = app.feedback_at or now
    app.note = decision.note or app.note
    if decision.outcome in FINAL_STATES:
        app.decided_at = now
    if decision.outcome == "granted":
        app.granted_amount, app.granted_rate_bp = decision.amount, decision.rate_bp
        app.granted_term_months, app.granted_on = decision.term_months, decision.granted_on
    if decision.outcome == "declined":
        app.decline_reason = decision.reason
    session.flush()
    detail = decision.model_dump(exclude_none=True, exclude={"version"}, mode="json")
    _event(session, app, principal.actor, detail)
    _tell_firm(session, app)
    return app


def _tell_firm(session: Session, app: Application) -> None:
    """The firm is told of every feedback on its application (its notices on /portal/me)."""
    branch = institutions.names(session, {app.branch_id}).get(app.branch_id, "")
    notices_service.send(
        session,
        key="financing.feedback",
        params={
            "id": app.id,
            "branch": branch,
            "state_zh": t(f"fin.state.{app.state}", "zh"),
            "state_en": t(f"fin.state.{app.state}", "en"),
        },
        subject_id=app.subject_id,
        ref=("financing_application", app.id),
    )


def withdraw(session: Session, *, principal: Principal, application_id: int) -> Application:
    """The firm withdraws its application; its authorisation of the branch ends at once."""
    app = own(session, principal=principal, application_id=application_id)
    if app.state in FINAL_STATES:
        raise Conflict(
            key="fin.err.transition", params={"state": app.state, "outcome": "withdrawn"}
        )
    app.state, app.decided_at, app.version = "withdrawn", utcnow(), app.version + 1
    session.flush()
    revoke(session, principal=principal, application_id=application_id)
    _event(session, app, principal.actor, {"by": "firm"})
    return app


def revoke(session: Session, *, principal: Principal, application_id: int) -> Application:
    """The firm revokes its authorisation of the branch for this application (at once)."""
    app = own(session, principal=principal, application_id=application_id)
    authorisations.revoke(
        session,
        authorisation_id=app.authorisation_id,
        subject_id=app.subject_id,
        account_id=principal.account_id,
    )
    return app


def as_dict(session: Session, app: Application, today: date) -> dict[str, Any]:
    """The application as the API shows it."""
    from xinyong.financing.models import Product
    from xinyong.subjects.models import Subject

    subject = session.get(Subject, app.subject_id)
    product = session.get(Product, app.product_id) if app.product_id else None
    names = institutions.names(session, {app.branch_id})
    return {
        "id": app.id,
        "subject": subject.name if subject else "",
        "subject_code": subject.uscc if subject else None,
        "product_id": app.product_id,
        "product": product.name if product else None,
        "bank_id": app.bank_id,
        "branch_id": app.branch_id,
        "branch": names.get(app.branch_id, ""),
        "amount": app.amount,
        "term_months": app.term_months,
        "purpose": app.purpose,
        "state": app.state,
        "version": app.version,
        "submitted_at": app.submitted_at,
        "feedback_due": app.feedback_due,
        "overdue": is_overdue(app, today),
        "authorisation_live": authorisation_live(session, app),
        "granted_amount": app.granted_amount,
        "granted_rate_bp": app.granted_rate_bp,
        "granted_term_months": app.granted_term_months,
        "granted_on": app.granted_on,
        "decline_reason": app.decline_reason,
        "contract_record_id": app.contract_record_id,
    }
