"""Credit checks as a service: hits from live lists and records, resolution, registration,
feedback, figures, and the list lifecycle seen through checks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories
from tests.lists.helpers import OFFICER, listed_serious
from xinyong.audit.models import AuditEntry
from xinyong.auth.models import QueryLog
from xinyong.auth.principal import Principal
from xinyong.checks import feedback, stats
from xinyong.checks import service as checks
from xinyong.checks.models import CheckHit, CheckRow, CreditCheck
from xinyong.checks.resolve import SubjectQuery
from xinyong.core.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.lists import service as lists_service
from xinyong.records import service as records_service
from xinyong.records.states import RecordState
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Department, Subject

TODAY = date(2026, 10, 8)
PURPOSE = "政府采购项目 SZCG-2026-118 供应商资格审查"


def _officer(department: Department, role: str = "department_user") -> Principal:
    return Principal(
        kind="staff", role=role, account_id=None, department_id=department.id, label="采购科"
    )


def _check(
    session: Session,
    principal: Principal,
    *rows: SubjectQuery,
    matter: str = "government_procurement",
    today: date = TODAY,
) -> CreditCheck:
    return checks.run_single(
        session,
        principal=principal,
        department_id=None,
        matter=matter,
        purpose=PURPOSE,
        subjects=list(rows),
        today=today,
    )


def _rows(session: Session, check: CreditCheck) -> list[CheckRow]:
    return checks.rows_of(session, check.id)


def _hits(session: Session, check: CreditCheck) -> list[CheckHit]:
    stmt = select(CheckHit).where(CheckHit.check_id == check.id).order_by(CheckHit.id)
    return list(session.scalars(stmt))


def _codes(session: Session, check: CreditCheck) -> set[str]:
    return {hit.measure_code for hit in _hits(session, check)}


def test_listed_subject_hits_the_measures_of_the_matter(session: Session) -> None:
    subject, penalty, entry = listed_serious(session)
    finance = factories.department(session, "finance")
    check = _check(session, _officer(finance), SubjectQuery(1, code=subject.uscc))
    (row,) = _rows(session, check)
    assert row.resolution == "code" and row.subject_id == subject.id
    assert row.lists == ["serious_dishonesty_list"]
    assert (row.detail or {})["entries"][0]["entry_id"] == entry.id
    assert "C-PROC-01" in _codes(session, check)
    hit = next(h for h in _hits(session, check) if h.measure_code == "C-PROC-01")
    assert hit.reasons == ["list:serious_dishonesty_list"] and hit.feedback == "pending"
    # 5 working days after Thu 8 Oct 2026: 9, 10 (the make-up Saturday), 12, 13, 14 Oct.
    assert hit.feedback_due == date(2026, 10, 14)
    assert (check.state, check.subjects_found, check.subjects_hit) == ("done", 1, 1)
    assert check.hits == len(_hits(session, check))
    # Registered as a query with its purpose and matter; one audit entry for the check.
    logged = session.scalars(select(QueryLog).where(QueryLog.subject_id == subject.id)).all()
    assert [(q.purpose, q.matter_code) for q in logged] == [(PURPOSE, "government_procurement")]
    audits = session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "credit_check", AuditEntry.object_id == str(check.id)
        )
    ).all()
    assert [(a.action, a.subject_id) for a in audits] == [("measures.check", subject.id)]
    # The records behind the hit: the entry stands on the platform, not on a reported record.
    assert (row.detail or {}).get("records") == []
    assert penalty.state == "active"


def test_other_matter_other_measures_and_clean_subject_no_hit(session: Session) -> None:
    subject, _, _ = listed_serious(session)
    clean = factories.enterprise(session)
    officer = _officer(factories.department(session, "finance"))
    check = _check(
        session, officer, SubjectQuery(1, code=subject.uscc), SubjectQuery(2, code=clean.uscc)
    )
    rows = _rows(session, check)
    assert [r.hit_count > 0 for r in rows] == [True, False]
    assert rows[1].lists == []
    awards = _check(session, officer, SubjectQuery(1, code=subject.uscc), matter="awards")
    assert "C-PROC-01" not in _codes(session, awards)
    assert _codes(session, awards) and all(c.startswith("C-") for c in _codes(session, awards))


def test_removed_entry_no_longer_hits(session: Session) -> None:
    subject, _, entry = listed_serious(session)
    officer = _officer(factories.department(session, "finance"))
    assert _check(session, officer, SubjectQuery(1, code=subject.uscc)).hits > 0
    lists_service.remove(
        session,
        entry_id=entry.id,
        reason="obligation_fulfilled",
        note="履行完毕",
        actor=OFFICER,
        today=TODAY,
    )
    after = _check(session, officer, SubjectQuery(1, code=subject.uscc))
    assert after.hits == 0 and _rows(session, after)[0].lists == []


def test_term_ended_entry_no_longer_hits(session: Session) -> None:
    subject, _, entry = listed_serious(session)
    officer = _officer(factories.department(session, "finance"))
    assert entry.term_end is not None
    on_last_day = _check(session, officer, SubjectQuery(1, code=subject.uscc), today=entry.term_end)
    assert "C-PROC-01" in _codes(session, on_last_day)
    later = entry.term_end + timedelta(days=1)
    after = _check(session, officer, SubjectQuery(1, code=subject.uscc), today=later)
    assert "C-PROC-01" not in _codes(session, after)


def test_repaired_basis_record_ends_entry_and_its_measures(session: Session) -> None:
    subject, penalty, entry = listed_serious(session)
    officer = _officer(factories.department(session, "finance"))
    assert "C-PROC-01" in _codes(
        session, _check(session, officer, SubjectQuery(1, code=subject.uscc))
    )
    records_service.transition(
        session, record_id=penalty.id, to_state=RecordState.repaired, reason="修复", actor=OFFICER
    )
    lists_service.remove_grounded_on(
        session, record=penalty, reason="repaired", actor=OFFICER, today=TODAY
    )
    assert lists_service.get(session, entry.id).state == "removed"
    assert _check(session, officer, SubjectQuery(1, code=subject.uscc)).hits == 0


def test_resolution_of_codes_and_names(session: Session) -> None:
    firm = factories.enterprise(session, name="苏州市恒泰精密机械有限公司")
    twin_a = factories.enterprise(session, name="苏州宏达贸易有限公司")
    twin_b = factories.enterprise(session, name="苏州宏达贸易有限公司")
    person = factories.person(session)
    officer = _officer(factories.department(session, "finance"))
    unknown = factories.uscc()
    check = _check(
        session,
        officer,
        SubjectQuery(1, code=firm.uscc),
        SubjectQuery(2, code="91320505MA1X2Y3Z4Q"),
        SubjectQuery(3, code=unknown),
        SubjectQuery(4, name="苏州市恒泰精密机械有限公司"),
        SubjectQuery(5, name="苏州宏达贸易有限公司"),
        SubjectQuery(6, name="完全不存在的某某有限公司"),
        SubjectQuery(7, code=_id_number(person)),
    )
    rows = {r.row_no: r for r in _rows(session, check)}
    assert (rows[1].resolution, rows[1].subject_id) == ("code", firm.id)
    assert rows[2].resolution == "invalid" and (rows[2].detail or {}).get("reason")
    assert (rows[3].resolution, rows[3].subject_id) == ("not_found", None)
    assert (rows[4].resolution, rows[4].subject_id) == ("name", firm.id)
    assert rows[4].score is not None and rows[4].score >= 0.9
    assert rows[5].resolution == "ambiguous" and rows[5].subject_id is None
    candidates = {c["subject_id"] for c in (rows[5].detail or {})["name"]["candidates"]}
    assert {twin_a.id, twin_b.id} <= candidates
    assert rows[6].resolution == "not_found"
    assert (rows[7].resolution, rows[7].subject_id) == ("code", person.id)
    assert rows[7].query_code is not None and "*" in rows[7].query_code  # ID number masked
    assert check.subjects_found == 2  # rows 1 and 4 are the same firm: registered once
    assert session.scalar(select(func.count()).select_from(QueryLog)) == 2


def _id_number(person: Subject) -> str:
    number = subjects_service.reveal_id_number(person)
    assert number
    return number


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"matter": "no_such_matter"}, "matter"),
        ({"purpose": " "}, "purpose"),
        ({"subjects": []}, "subjects"),
        ({"subjects": [SubjectQuery(i + 1, code="x") for i in range(101)]}, "subjects"),
        ({"subjects": [SubjectQuery(1)]}, "subjects[0]"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(
    session: Session, kwargs: dict[str, object], field: str
) -> None:
    officer = _officer(factories.department(session, "finance"))
    arguments: dict[str, object] = {
        "principal": officer,
        "department_id": None,
        "matter": "government_procurement",
        "purpose": PURPOSE,
        "subjects": [SubjectQuery(1, code=factories.uscc())],
        "today": TODAY,
        **kwargs,
    }
    with pytest.raises(Invalid) as caught:
        checks.run_single(session, **arguments)  # type: ignore[arg-type]
    assert caught.value.details["field"] == field
    assert session.scalar(select(func.count()).select_from(CreditCheck)) == 0


def test_department_checks_in_its_own_name_only(session: Session) -> None:
    finance = factories.department(session, "finance")
    market = factories.department(session, "market_regulation")
    with pytest.raises(Forbidden):
        checks.run_single(
            session,
            principal=_officer(finance),
            department_id=market.id,
            matter="bidding",
            purpose=PURPOSE,
            subjects=[SubjectQuery(1, code=factories.uscc())],
            today=TODAY,
        )
    nobody = Principal(kind="staff", role="admin", label="admin")
    with pytest.raises(Invalid):
        checks.run_single(
            session,
            principal=nobody,
            department_id=None,
            matter="bidding",
            purpose=PURPOSE,
            subjects=[SubjectQuery(1, code=factories.uscc())],
            today=TODAY,
        )


def test_feedback_rules_versions_and_overdue(session: Session) -> None:
    subject, _, _ = listed_serious(session)
    finance = factories.department(session, "finance")
    officer = _officer(finance)
    check = _check(session, officer, SubjectQuery(1, code=subject.uscc))
    hit = _hits(session, check)[0]
    assert not feedback.is_overdue(hit, hit.feedback_due)
    assert feedback.is_overdue(hit, hit.feedback_due + timedelta(days=1))
    overdue_day = hit.feedback_due + timedelta(days=1)
    total, queued = feedback.hits(
        session, feedback.HitFilter(department_id=finance.id, overdue=True), today=overdue_day
    )
    assert total == check.hits and hit.id in {h.id for h in queued}

    def answer(outcome: str, on: date, reason: str | None, **kw: object) -> CheckHit:
        return feedback.answer(
            session,
            principal=kw.pop("principal", officer),  # type: ignore[arg-type]
            hit_id=hit.id,
            answer=feedback.Answer(feedback.Outcome(outcome), on, reason),
            today=TODAY,
            **kw,  # type: ignore[arg-type]
        )

    with pytest.raises(Invalid, match="why"):
        answer("not_applied", TODAY, "  ")
    with pytest.raises(Invalid, match="future"):
        answer("applied", TODAY + timedelta(days=1), None)
    with pytest.raises(Invalid, match="before the check"):
        answer("applied", TODAY - timedelta(days=1), None)
    stranger = _officer(factories.department(session, "ecology_environment"))
    with pytest.raises(NotFound):
        answer("applied", TODAY, None, principal=stranger)
    done = answer("applied", TODAY, "取消其投标资格", expected_version=1)
    assert (done.feedback, done.version, done.feedback_by) == ("applied", 2, officer.actor)
    with pytest.raises(Conflict):
        answer("not_applied", TODAY, "误报", expected_version=1)
    assert not feedback.is_overdue(done, overdue_day)
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "credit_check_hit")
    ).all()
    assert actions == ["measures.feedback"]


def test_figures_by_department_matter_measure_and_kind(session: Session) -> None:
    subject, _, _ = listed_serious(session)
    finance = factories.department(session, "finance")
    officer = _officer(finance)
    first = _check(session, officer, SubjectQuery(1, code=subject.uscc))
    _check(session, officer, SubjectQuery(1, code=factories.enterprise(session).uscc))
    hit = _hits(session, first)[0]
    feedback.answer(
        session,
        principal=officer,
        hit_id=hit.id,
        answer=feedback.Answer(feedback.Outcome.not_applied, TODAY, "已履行完毕,经核实不再限制"),
        today=TODAY,
    )
    figures = stats.figures(session, today=TODAY)
    assert (figures.total.checks, figures.total.subjects, figures.total.subjects_hit) == (2, 2, 1)
    assert figures.total.hits == first.hits
    assert (figures.total.not_applied, figures.total.pending) == (1, first.hits - 1)
    (line,) = figures.by_department
    assert line.key == str(finance.id) and line.checks == 2
    assert [m.key for m in figures.by_matter] == ["government_procurement"]
    assert {m.key for m in figures.by_measure} == _codes(session, first)
    assert {k.key for k in figures.by_kind} == {"constraint"}
    late = stats.figures(session, today=hit.feedback_due + timedelta(days=1))
    assert late.total.overdue == first.hits - 1
