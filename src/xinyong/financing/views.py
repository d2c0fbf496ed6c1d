"""信易贷 pages: public products (with filters); the firm's page (needs, matching products,
apply and authorise, its applications, withdraw and revoke); the bank's pages (queue per
branch, an application with the signed report, risk summary and data, feedback, products)."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth import policy
from xinyong.auth.models import Authorisation
from xinyong.auth.principal import Principal
from xinyong.catalog import labels
from xinyong.core.db import as_utc
from xinyong.core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, XinyongError
from xinyong.core.i18n import Language, t
from xinyong.financing import applications, bankread, fund, institutions, products
from xinyong.financing.config import get_config
from xinyong.financing.models import Application, Product
from xinyong.financing.schemas import (
    ApplicationCreate,
    Conditions,
    Decision,
    NeedCreate,
    ProductCreate,
)
from xinyong.records.models import Record
from xinyong.reports.service import BEIJING, beijing_today
from xinyong.subjects.models import Subject
from xinyong.web.deps import CurrentPrincipal, DbSession
from xinyong.web.params import lang_of
from xinyong.web.problems import InvalidInput, problems_of
from xinyong.web.render import render_page

router = APIRouter(include_in_schema=False)
Ident = Annotated[int, Path(ge=1, le=2_000_000_000)]
M = TypeVar("M", bound=BaseModel)
Text = Annotated[str, Form(max_length=1000)]
Num = Annotated[int, Form(ge=1, le=10_000_000_000)]
OptNum = Annotated[int | None, Form(ge=1, le=2_000_000_000)]


def _helpers(session: Session) -> dict[str, Any]:
    config = get_config()
    return {
        "config": config,
        "kinds": config.product_kinds,
        "reasons": config.decline_reasons,
        "bank_names": institutions.names(
            session, {b.organisation_id for b in institutions.banks(session)}
        ),
        "today": beijing_today(),
        "item_name": labels.item_name,
        "field_label": labels.field_label,
        "is_overdue": applications.is_overdue,
        "yuan": lambda v: "—" if v is None else f"{v:,}",
        "rate": lambda bp: "—" if bp is None else f"{bp / 100:.2f}%",
        "local": lambda at: (as_utc(at) or at).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"),
    }


def _page(
    request: Request, session: Session, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    full = {**_helpers(session), **context}
    return render_page(request, f"portal/financing/{name}", full, status_code=status)


def _validated(model: type[M], data: dict[str, Any]) -> M:
    """A form's values as the API's schema, or Invalid naming the first wrong field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(problems_of(exc.errors())) from exc


def _login(principal: Principal) -> None:
    if principal.kind == "anonymous":
        raise Unauthorized(key="fin.err.not_firm")


# --- public products ------------------------------------------------------------------------


@router.get("/financing/products", response_class=HTMLResponse)
def products_page(
    request: Request,
    session: DbSession,
    kind: Annotated[str, Query(max_length=32)] = "",
    bank: Annotated[int | None, Query(ge=1, le=2_000_000_000)] = None,
    amount: Annotated[int | None, Query(ge=1, le=10_000_000_000)] = None,
) -> Response:
    """Loan products of the city's banks, filtered by kind, bank and amount (public)."""
    found = products.search(session, kind=kind or None, bank_id=bank, amount=amount)
    filters = {"kind": kind, "bank": bank, "amount": amount}
    return _page(request, session, "products.html", {"products": found, "filters": filters})


@router.get("/financing/products/{product_id}", response_class=HTMLResponse)
def product_page(request: Request, product_id: Ident, session: DbSession) -> Response:
    """One loan product: terms, eligibility and conditions (public)."""
    product = products.get(session, product_id)
    return _page(request, session, "product.html", {"product": product})


# --- the firm's page ------------------------------------------------------------------------


def _contracts(session: Session, subject_id: int) -> list[Record]:
    config = get_config()
    stmt = select(Record).where(
        Record.subject_id == subject_id,
        Record.item_code == config.contract_item,
        Record.is_current.is_(True),
    )
    return [
        r
        for r in session.scalars(stmt)
        if applications.contract_facts(session, r.id, subject_id) is not None
    ]


@router.get("/portal/financing", response_class=HTMLResponse)
def firm_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    product: Annotated[int | None, Query(ge=1, le=2_000_000_000)] = None,
) -> Response:
    """The firm's 信易贷 page: matching products, apply and authorise, needs, applications."""
    return _firm(request, session, principal, product)


def _firm(
    request: Request,
    session: Session,
    principal: Principal,
    product: int | None,
    error: XinyongError | None = None,
) -> Response:
    """The firm's page; after a refused form, with the reason and the form's status."""
    _login(principal)
    policy.require(principal, "financing.apply")
    subject_id = principal.subject_id or 0
    today = beijing_today()
    facts = products.firm_facts(session, subject_id=subject_id, today=today)
    every = products.search(session, limit=1000)
    chosen = next((p for p in every if p.id == product), None)
    branches = institutions.branches(session, chosen.bank_id) if chosen else []
    mine = applications.for_subject(session, subject_id=subject_id)
    context = {
        "principal": principal,
        "error": error,
        "facts": facts,
        "products": every,
        "unmet": {p.id: products.unmet(p, facts) for p in every},
        "chosen": chosen,
        "branches": branches,
        "branch_names": institutions.names(session, [b.organisation_id for b in branches]),
        "items": applications.offered_items(),
        "contracts": _contracts(session, subject_id),
        "applications": mine,
        "needs": applications.needs_of(session, subject_id=subject_id),
        "live": lambda a: applications.authorisation_live(session, a),
        "grants": {
            g.id: g
            for g in session.scalars(
                select(Authorisation).where(
                    Authorisation.id.in_({a.authorisation_id for a in mine})
                )
            )
        },
        "product_names": {p.id: p.name for p in session.scalars(select(Product))},
        "org_names": institutions.names(session, {a.branch_id for a in mine}),
    }
    status = error.status_code if error else 200
    return _page(request, session, "firm.html", context, status=status)


@router.post("/portal/financing/needs", response_class=HTMLResponse)
def post_need(
    session: DbSession,
    principal: CurrentPrincipal,
    amount: Annotated[int, Form()],
    term_months: Annotated[int, Form()],
    purpose: Text,
    collateral: Annotated[str, Form(max_length=8)] = "none",
) -> Response:
    """The firm posts a financing need."""
    data = _validated(
        NeedCreate,
        {
            "amount": amount,
            "term_months": term_months,
            "purpose": purpose,
            "collateral": collateral,
        },
    )
    applications.post_need(session, principal=principal, data=data)
    return RedirectResponse("/portal/financing", status_code=303)


@router.post("/portal/financing/apply", response_class=HTMLResponse)
def apply(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    product_id: Annotated[int, Form()],
    amount: Annotated[int, Form()],
    term_months: Annotated[int, Form()],
    purpose: Text,
    branch_id: Annotated[int | None, Form()] = None,
    days: Annotated[int | None, Form()] = None,
    contract_record_id: Annotated[int | None, Form()] = None,
    items: Annotated[list[str] | None, Form(max_length=20)] = None,
) -> Response:
    """The firm applies to a product and authorises the chosen branch; a refused form comes
    back on the firm's page with the reason."""
    values = {
        "product_id": product_id,
        "branch_id": branch_id,
        "amount": amount,
        "term_months": term_months,
        "purpose": purpose,
        "items": items or [],
        "days": days,
        "contract_record_id": contract_record_id,
    }
    try:
        data = _validated(ApplicationCreate, values)
        app = applications.apply(session, principal=principal, data=data)
    except (Invalid, Conflict, NotFound) as error:
        session.rollback()  # nothing of a refused application is kept
        return _firm(request, session, principal, product_id, error)
    return RedirectResponse(f"/portal/financing?applied={app.id}", status_code=303)


@router.post(
    "/portal/financing/applications/{application_id}/withdraw", response_class=HTMLResponse
)
def withdraw(application_id: Ident, session: DbSession, principal: CurrentPrincipal) -> Response:
    """The firm withdraws an application (its authorisation ends with it)."""
    applications.withdraw(session, principal=principal, application_id=application_id)
    return RedirectResponse("/portal/financing", status_code=303)


@router.post("/portal/financing/applications/{application_id}/revoke", response_class=HTMLResponse)
def revoke(application_id: Ident, session: DbSession, principal: CurrentPrincipal) -> Response:
    """The firm revokes the branch's authorisation for an application."""
    applications.revoke(session, principal=principal, application_id=application_id)
    return RedirectResponse("/portal/financing", status_code=303)


# --- the bank's pages ----------------------------------------------------------------------


def _bank(principal: Principal, action: str = "financing.review") -> None:
    _login(principal)
    policy.require(principal, action)
    if principal.kind != "organisation":
        raise Forbidden(key="fin.err.console")


@router.get("/bank/financing", response_class=HTMLResponse)
def queue_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    state: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """The queue of the caller's branches, overdue feedback flagged."""
    _bank(principal)
    rows = applications.queue(session, principal=principal, state=state or None)
    needs = applications.open_needs(session, principal=principal, limit=50)
    context = {
        "needs": needs,
        "need_firms": {s.id: s.name for s in _subjects_of(session, {n.subject_id for n in needs})},
        "principal": principal,
        "rows": rows,
        "state": state,
        "subjects": _subjects(session, rows),
        "org_names": institutions.names(session, {a.branch_id for a in rows}),
        "product_names": {p.id: p.name for p in session.scalars(select(Product))},
    }
    return _page(request, session, "queue.html", context)


def _subjects_of(session: Session, ids: set[int]) -> list[Subject]:
    if not ids:
        return []
    return list(session.scalars(select(Subject).where(Subject.id.in_(ids))))


def _subjects(session: Session, rows: list[Application]) -> dict[int, Subject]:
    ids = {a.subject_id for a in rows}
    if not ids:
        return {}
    return {s.id: s for s in session.scalars(select(Subject).where(Subject.id.in_(ids)))}


@router.get("/bank/financing/applications/{application_id}", response_class=HTMLResponse)
def application_page(
    request: Request, application_id: Ident, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """One application: the firm's signed bank report, risk summary, authorised data and
    contract (each read registered for this application), history and the feedback form."""
    _bank(principal)
    return _application(request, session, principal, application_id)


# The feedback form's field of each Decision field, and the label each form field shows.
_FORM_FIELDS = {"rate_bp": "rate"}
_LABELS = {
    "outcome": "fin.outcome",
    "amount": "fin.granted_amount",
    "rate": "fin.granted_rate",
    "term_months": "fin.granted_term",
    "granted_on": "fin.granted_on",
    "reason": "fin.reason",
}


def _refusal(error: XinyongError, lang: Language) -> tuple[str, list[str]]:
    """A refused feedback's sentence (the fields named by their labels) and its form fields."""
    details = error.details
    named = details.get("missing") or ([details["field"]] if details.get("field") else [])
    fields = [_FORM_FIELDS.get(str(n), str(n)) for n in named]
    if error.key == "fin.err.required":
        sep = "、" if lang == "zh" else ", "
        shown = sep.join(t(_LABELS[f], lang) for f in fields if f in _LABELS)
        return t("fin.err.required", lang).format(fields=shown), fields
    return error.localized(lang), fields


def _application(
    request: Request,
    session: Session,
    principal: Principal,
    application_id: int,
    *,
    error: XinyongError | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    """The application page; after a refused feedback, with the refusal next to its field and
    the form's values kept."""
    app = applications.for_bank(session, principal=principal, application_id=application_id)
    lang = lang_of(request)
    refusal, error_fields = _refusal(error, lang) if error else ("", [])
    context: dict[str, Any] = {
        "principal": principal,
        "app": app,
        "subject": session.get(Subject, app.subject_id),
        "product": session.get(Product, app.product_id) if app.product_id else None,
        "events": applications.events(session, app.id),
        "live": applications.authorisation_live(session, app),
        "org_names": institutions.names(session, {app.branch_id}),
        "refused": None,
        "error": error,
        "refusal": refusal,
        "error_fields": error_fields,
        "form": form or {},
    }
    try:
        context["report"] = bankread.report(session, principal=principal, application_id=app.id)
        context["risk"] = bankread.risk_summary(
            session, principal=principal, application_id=app.id, lang=lang
        )
        context["data"] = bankread.data_items(session, principal=principal, application_id=app.id)
        context["contract"] = bankread.contract(session, principal=principal, application_id=app.id)
    except Forbidden as refused:
        session.commit()  # the refused attempt stays registered
        context["refused"] = refused
        status = error.status_code if error else 403
        return _page(request, session, "application.html", context, status=status)
    status = error.status_code if error else 200
    return _page(request, session, "application.html", context, status=status)


@router.post("/bank/financing/applications/{application_id}/decision", response_class=HTMLResponse)
def decision(
    request: Request,
    application_id: Ident,
    session: DbSession,
    principal: CurrentPrincipal,
    outcome: Annotated[str, Form(max_length=16)],
    version: Annotated[int | None, Form()] = None,
    amount: Annotated[int | None, Form()] = None,
    rate: Annotated[str, Form(max_length=8)] = "",
    term_months: Annotated[int | None, Form()] = None,
    granted_on: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The branch's feedback (rate entered in percent, e.g. 3.85); a refused feedback comes
    back on the application's page with the reason and the values entered."""
    _bank(principal)
    try:
        data = _validated(
            Decision,
            {
                "outcome": outcome,
                "version": version,
                "amount": amount,
                "rate_bp": _bp(rate),
                "term_months": term_months,
                "granted_on": granted_on or None,
                "reason": reason or None,
                "note": note or None,
            },
        )
        applications.decide(
            session, principal=principal, application_id=application_id, decision=data
        )
    except (Invalid, Conflict) as error:
        session.rollback()  # nothing of a refused feedback is kept
        form = {
            "outcome": outcome,
            "amount": "" if amount is None else str(amount),
            "rate": rate,
            "term_months": "" if term_months is None else str(term_months),
            "granted_on": granted_on,
            "reason": reason,
            "note": note,
        }
        return _application(request, session, principal, application_id, error=error, form=form)
    return RedirectResponse(f"/bank/financing/applications/{application_id}", status_code=303)


def _bp(rate: str) -> int | None:
    """A rate in percent as basis points (None when blank or not a number)."""
    try:
        return round(float(rate) * 100) if rate.strip() else None
    except ValueError:
        return None


@router.post("/bank/financing/applications/{application_id}/claim", response_class=HTMLResponse)
def claim(
    application_id: Ident,
    session: DbSession,
    principal: CurrentPrincipal,
    loss_amount: Num,
    note: Text,
) -> Response:
    """The bank files a loss claim on a granted loan."""
    _bank(principal, "financing.claim")
    fund.file_claim(
        session,
        principal=principal,
        application_id=application_id,
        loss_amount=loss_amount,
        note=note,
    )
    return RedirectResponse(f"/bank/financing/applications/{application_id}", status_code=303)


@router.get("/bank/financing/products", response_class=HTMLResponse)
def bank_products(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """The bank's products and the form to publish one."""
    _bank(principal, "financing.products")
    bank_id = institutions.bank_of(session, principal.organisation_id or 0)
    found = products.search(session, bank_id=bank_id)
    return _page(
        request, session, "bank_products.html", {"principal": principal, "products": found}
    )


@router.post("/bank/financing/products", response_class=HTMLResponse)
def publish(
    session: DbSession,
    principal: CurrentPrincipal,
    name: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form(max_length=32)],
    amount_min: Num,
    amount_max: Num,
    rate_min: Annotated[str, Form(max_length=8)],
    rate_max: Annotated[str, Form(max_length=8)],
    term_min_months: Annotated[int, Form(ge=1, le=360)],
    term_max_months: Annotated[int, Form(ge=1, le=360)],
    eligibility: Text,
    min_grade: Annotated[str, Form(max_length=4)] = "",
    min_years: Annotated[int | None, Form(ge=0, le=100)] = None,
) -> Response:
    """The product manager publishes a product for the bank."""
    _bank(principal, "financing.products")
    data = _validated(
        ProductCreate,
        {
            "name": name,
            "kind": kind,
            "amount_min": amount_min,
            "amount_max": amount_max,
            "rate_min_bp": _bp(rate_min),
            "rate_max_bp": _bp(rate_max),
            "term_min_months": term_min_months,
            "term_max_months": term_max_months,
            "eligibility": eligibility,
            "conditions": Conditions(min_grade=min_grade or None, min_years=min_years),
        },
    )
    products.publish(session, principal=principal, data=data)
    return RedirectResponse("/bank/financing/products", status_code=303)
