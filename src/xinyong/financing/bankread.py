"""What a branch reads about an applicant, always for one purpose ("贷前审查 application N")
and only under the firm's live authorisation: the bank-version report (signed), a risk
summary from the evaluation, the authorised data items and the attached contract. Every read
and every refused attempt is registered (查询登记) and shown to the firm on /portal/me."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth import queries
from xinyong.auth.models import Authorisation
from xinyong.auth.principal import Principal
from xinyong.core.errors import Forbidden
from xinyong.core.i18n import Language
from xinyong.evaluation import access as evaluation_access
from xinyong.financing import applications
from xinyong.financing.models import Application
from xinyong.lists import entries as list_entries
from xinyong.records import access as records_access
from xinyong.reports import service as reports_service
from xinyong.reports.models import Report

REPORT_TYPE = "bank"


def purpose_of(app: Application) -> str:
    """The one purpose every read about this application is registered under."""
    return f"信易贷贷前审查（申请 {app.id}） · pre-loan review of application {app.id}"


def _live_or_refuse(session: Session, principal: Principal, app: Application, what: str) -> None:
    """Register and refuse a read without the firm's live authorisation (403)."""
    if applications.authorisation_live(session, app):
        return
    queries.register(
        session,
        principal=principal,
        subject_id=app.subject_id,
        what=[what],
        purpose=purpose_of(app),
        outcome="refused",
        detail={"application": app.id, "reason": "no live authorisation"},
    )
    raise Forbidden(key="fin.err.no_authorisation", params={"id": app.id})


def report(session: Session, *, principal: Principal, application_id: int) -> Report:
    """The firm's bank-version report for this application: issued (signed, registered) on the
    first read, the same report on later reads while valid (each read registered)."""
    app = applications.for_bank(session, principal=principal, application_id=application_id)
    _live_or_refuse(session, principal, app, f"report:{REPORT_TYPE}")
    acting = applications.acting_for_branch(principal, app)
    purpose = purpose_of(app)
    grant = session.get(Authorisation, app.authorisation_id)
    assert grant is not None
    earlier = session.scalar(
        select(Report)
        .where(
            Report.subject_id == app.subject_id,
            Report.type_code == REPORT_TYPE,
            Report.organisation_id == app.branch_id,
            Report.purpose == purpose,
            Report.revoked_at.is_(None),
            Report.valid_until >= reports_service.beijing_today(),
            Report.issued_at >= grant.granted_at.replace(microsecond=0),
        )
        .order_by(Report.id.desc())
        .limit(1)
    )
    if earlier is not None:
        queries.register(
            session,
            principal=acting,
            subject_id=app.subject_id,
            what=[f"report:{REPORT_TYPE}"],
            purpose=purpose,
            outcome="allowed",
            detail={"report": earlier.number, "application": app.id},
        )
        return earlier
    request = reports_service.Request(
        subject_id=app.subject_id,
        type_code=REPORT_TYPE,
        purpose=purpose,
        principal=acting,
        channel="authorised",
    )
    return reports_service.issue(session, request=request)


def risk_summary(
    session: Session, *, principal: Principal, application_id: int, lang: Language
) -> dict[str, Any]:
    """Grades (with the reasons that moved them most) and list memberships, registered."""
    app = applications.for_bank(session, principal=principal, application_id=application_id)
    _live_or_refuse(session, principal, app, "evaluation")
    found = evaluation_access.explained(session, subject_id=app.subject_id, lang=lang)
    today = reports_service.beijing_today()
    lists = list_entries.memberships(session, app.subject_id, today)
    queries.register(
        session,
        principal=applications.acting_for_branch(principal, app),
        subject_id=app.subject_id,
        what=["evaluation", "lists"],
        purpose=purpose_of(app),
        outcome="allowed",
        detail={"application": app.id, "models": [e.model_code for e in found]},
    )
    return {
        "grades": [
            {
                "model": e.model_code,
                "model_name": e.model_name,
                "score": round(e.score, 1),
                "grade": e.grade,
                "grade_label": e.grade_label,
                "as_of": e.as_of.isoformat(),
                "summary": e.summary,
                "negatives": [c.sentence for c in e.negatives[:5]],
            }
            for e in found
        ],
        "lists": lists,
    }


def data_items(
    session: Session, *, principal: Principal, application_id: int, today: date | None = None
) -> list[records_access.VisibleRecord]:
    """The records of the data items the firm named, as the authorised branch may see them."""
    app = applications.for_bank(session, principal=principal, application_id=application_id)
    _live_or_refuse(session, principal, app, "data")
    grant = session.get(Authorisation, app.authorisation_id)
    assert grant is not None
    named = set(grant.scope) - set(applications.report_items())
    if not named:
        return []
    seen = records_access.read_subject_records(
        session,
        principal=applications.acting_for_branch(principal, app),
        subject_id=app.subject_id,
        purpose=purpose_of(app),
        today=today,
    )
    return [row for row in seen if row.item_code in named]


def contract(
    session: Session, *, principal: Principal, application_id: int
) -> dict[str, Any] | None:
    """The procurement contract the firm attached, verified against the platform's record."""
    app = applications.for_bank(session, principal=principal, application_id=application_id)
    if app.contract_record_id is None:
        return None
    _live_or_refuse(session, principal, app, "contract")
    found = applications.contract_facts(session, app.contract_record_id, app.subject_id)
    queries.register(
        session,
        principal=applications.acting_for_branch(principal, app),
        subject_id=app.subject_id,
        what=["contract_performance"],
        purpose=purpose_of(app),
        outcome="allowed",
        detail={"application": app.id, "record": app.contract_record_id},
    )
    return found or {"record_id": app.contract_record_id, "verified": False}
