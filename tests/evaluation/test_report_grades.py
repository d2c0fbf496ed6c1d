"""Grades in credit reports (both stores): the subject and government see every current grade,
an authorised organisation and the public version only the published ones; a grade under
objection says so."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tests import factories
from tests.reports.helpers import firm, issue
from xinyong.evaluation import objections, reporting, service
from xinyong.identity.kinds import SubjectKind
from xinyong.reports.sources import SourceRequest
from xinyong.rights import cases
from xinyong.subjects import service as subjects_service
from xinyong.subjects.schemas import SubjectCreate


def _evaluation(report: Any) -> dict[str, Any]:
    return next(s for s in report.content["sections"] if s["key"] == "evaluation")


def test_reports_show_the_grade_to_whom_the_model_allows(session: Session) -> None:
    today = date.today()
    f = firm(session, penalties=1, today=today)
    shop = subjects_service.create(
        session,
        data=SubjectCreate(
            kind=SubjectKind.individual_business,
            name="苏州市测试小吃店",
            uscc=factories.uscc("92"),
            registration_date=date(2015, 1, 1),
        ),
    )
    service.evaluate(session, as_of=today, actor="test")
    own = _evaluation(issue(session, f.owner, f.subject))
    rows = own["source_rows"]
    assert [r["item"] for r in rows] == ["evaluation:city_legal_person"]
    assert (
        rows[0]["fields"][0]["label"]["zh"] == "评价等级"
        and "级（" in rows[0]["fields"][0]["value"]["zh"]
    )
    assert not rows[0]["under_objection"]
    bank = _evaluation(issue(session, f.bank, f.subject, channel="authorised"))
    assert [r["item"] for r in bank["source_rows"]] == ["evaluation:city_legal_person"]  # published
    for audience, count in (("subject", 1), ("government", 1), ("authorised", 0), ("public", 0)):
        found = reporting.report_rows(session, SourceRequest(shop.id, audience, today))
        assert len(found) == count, audience  # individual businesses' grades are not published
    objections.apply(
        session,
        applicant=cases.Applicant(actor="account:1", subject_id=f.subject.id, channel="portal"),
        model_code="city_legal_person",
        statement="评价等级有误",
    )
    again = reporting.report_rows(session, SourceRequest(f.subject.id, "subject", today))
    assert again[0]["under_objection"]
