"""Loan products banks publish, the firm facts their conditions test, and matching."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.core.errors import Invalid, NotFound
from xinyong.evaluation import service as evaluation_service
from xinyong.financing import institutions
from xinyong.financing.config import get_config
from xinyong.financing.models import Product
from xinyong.financing.schemas import ProductCreate
from xinyong.lists import entries as list_entries
from xinyong.subjects import service as subjects_service


def _check(data: ProductCreate) -> None:
    config = get_config()
    pairs = (
        ("kind", data.kind not in config.product_kinds, "fin.err.kind"),
        ("amount_max", data.amount_min > data.amount_max, "fin.err.range"),
        ("rate_max_bp", data.rate_min_bp > data.rate_max_bp, "fin.err.range"),
        ("term_max_months", data.term_min_months > data.term_max_months, "fin.err.range"),
    )
    for field, wrong, key in pairs:
        if wrong:
            raise Invalid(key=key, params={"field": field}, details={"field": field})
    grade = data.conditions.min_grade
    if grade is not None and grade not in config.grade_order:
        field = "conditions.min_grade"
        raise Invalid(key="fin.err.grade", params={"grade": grade}, details={"field": field})


def publish(session: Session, *, principal: Principal, data: ProductCreate) -> Product:
    """A bank's product manager (or the bank's system) publishes a product for its bank."""
    policy.require(principal, "financing.products")
    institutions.acting_scope(session, principal)
    _check(data)
    bank_id = institutions.bank_of(session, principal.organisation_id or 0)
    product = Product(
        bank_id=bank_id,
        name=data.name.strip(),
        kind=data.kind,
        amount_min=data.amount_min,
        amount_max=data.amount_max,
        rate_min_bp=data.rate_min_bp,
        rate_max_bp=data.rate_max_bp,
        term_min_months=data.term_min_months,
        term_max_months=data.term_max_months,
        eligibility=data.eligibility.strip(),
        conditions=data.conditions.model_dump(),
        created_by=principal.actor,
    )
    session.add(product)
    session.flush()
    audit_service.append(
        session,
        actor=principal.actor,
        action="financing.product.publish",
        object_type="financing_product",
        object_id=product.id,
        summary={"bank_id": bank_id, "name": product.name, "kind": product.kind},
    )
    return product


def get(session: Session, product_id: int) -> Product:
    """An active product, or NotFound."""
    product = session.get(Product, product_id)
    if product is None or not product.active:
        raise NotFound(key="fin.err.no_product", params={"id": product_id})
    return product


def search(
    session: Session,
    *,
    kind: str | None = None,
    bank_id: int | None = None,
    amount: int | None = None,
    limit: int = 200,
) -> list[Product]:
    """Active products, filtered by kind, bank and an amount they lend."""
    stmt = select(Product).where(Product.active.is_(True))
    if kind:
        stmt = stmt.where(Product.kind == kind)
    if bank_id:
        stmt = stmt.where(Product.bank_id == bank_id)
    if amount:
        stmt = stmt.where(Product.amount_min <= amount, Product.amount_max >= amount)
    return list(session.scalars(stmt.order_by(Product.id).limit(limit)))


@dataclass(frozen=True)
class FirmFacts:
    """What product conditions test about a firm."""

    grade: str | None
    years: int | None
    serious: bool


def firm_facts(session: Session, *, subject_id: int, today: date) -> FirmFacts:
    """The firm's public grade, years since registration, and serious-dishonesty listing."""
    subject = subjects_service.get(session, subject_id)
    grade = evaluation_service.public_grades(session, subject_ids=[subject_id]).get(subject_id)
    years = None
    if subject.registration_date is not None:
        years = (today - subject.registration_date).days // 365
    lists = list_entries.memberships(session, subject_id, today)
    return FirmFacts(grade, years, get_config().serious_list in lists)


def unmet(product: Product, facts: FirmFacts) -> list[str]:
    """The product's conditions the firm does not meet (text keys; empty: eligible)."""
    conditions: dict[str, Any] = product.conditions or {}
    config = get_config()
    missing = []
    grade = conditions.get("min_grade")
    if grade and config.grade_rank(facts.grade) > config.grade_rank(grade):
        missing.append("fin.cond.grade")
    years = conditions.get("min_years")
    if years and (facts.years is None or facts.years < years):
        missing.append("fin.cond.years")
    if conditions.get("no_serious_dishonesty", True) and facts.serious:
        missing.append("fin.cond.serious")
    return missing


def matching(session: Session, *, subject_id: int, today: date) -> list[Product]:
    """Active products whose every condition the firm meets (匹配推荐)."""
    facts = firm_facts(session, subject_id=subject_id, today=today)
    return [p for p in search(session, limit=1000) if not unmet(p, facts)]


def as_dict(product: Product, bank: str, lang: str = "zh") -> dict[str, Any]:
    """The product as the API shows it."""
    kind = get_config().product_kinds.get(product.kind)
    return {
        "id": product.id,
        "bank_id": product.bank_id,
        "bank": bank,
        "name": product.name,
        "kind": product.kind,
        "kind_name": kind(lang) if kind else product.kind,
        "amount_min": product.amount_min,
        "amount_max": product.amount_max,
        "rate_min_bp": product.rate_min_bp,
        "rate_max_bp": product.rate_max_bp,
        "term_min_months": product.term_min_months,
        "term_max_months": product.term_max_months,
        "eligibility": product.eligibility,
        "conditions": product.conditions,
    }
