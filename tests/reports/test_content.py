"""Report content: sections by type and reader, the visibility policy, masking, the seam for
grades and commitments, authorisation, limits and the query register."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests import factories
from tests.reports.helpers import FULL_ID, firm, issue
from xinyong import registry
from xinyong.auth import queries
from xinyong.auth.principal import Principal
from xinyong.core.errors import Forbidden, Invalid
from xinyong.records import service as records_service
from xinyong.records.states import RecordState
from xinyong.reports import config, service, sources
from xinyong.reports.content import Reader


def _section(report: Any, key: str) -> dict[str, Any]:
    return next(s for s in report.content["sections"] if s["key"] == key)


def _numbers(section: dict[str, Any]) -> set[str]:
    return {
        f["value"]["zh"]
        for row in section["rows"]
        for f in row["fields"]
        if f["name"] == "decision_number"
    }


def test_public_report_has_the_national_sections_and_says_when_empty(session: Session) -> None:
    f = firm(session)
    report = issue(session, f.owner, f.subject)
    keys = [s["key"] for s in report.content["sections"]]
    assert keys == [s.key for s in config.get_config().get("public_legal").sections]
    penalties = _section(report, "penalties")
    assert _numbers(penalties) == {r.source_record_id for r in f.penalties}
    assert not penalties["is_empty"]
    licences = _section(report, "licences")
    assert licences["is_empty"] and licences["empty"]["zh"] == "报告期内无行政许可信息"
    evaluation = _section(report, "evaluation")  # evaluation is installed, no grade yet
    assert evaluation["is_empty"] and evaluation["empty"]["zh"] == "暂无信用评价结果"
    commitments = _section(report, "commitments")  # installed (xinyong.commitments), none signed
    assert commitments["source_absent"] is None and commitments["is_empty"]


def test_repaired_expired_and_revoked_records_never_appear(session: Session) -> None:
    f = firm(session, penalties=3)
    repaired, revoked, kept = f.penalties
    records_service.transition(
        session, record_id=repaired.id, to_state=RecordState.repaired, reason="修复", actor="t"
    )
    records_service.transition(
        session, record_id=revoked.id, to_state=RecordState.revoked, reason="撤销", actor="t"
    )
    old = factories.penalty(session, f.subject, decision_date="2019-01-05", today=date(2019, 2, 1))
    for who in (f.owner, f.bank):
        numbers = _numbers(_section(issue(session, who, f.subject), "penalties"))
        assert numbers == {kept.source_record_id}, who.kind
        assert old.source_record_id not in numbers


def test_third_party_sees_fields_of_its_section_and_masked_persons(session: Session) -> None:
    f = firm(session, penalties=1)
    bank = issue(session, f.bank, f.subject, "bank", channel="authorised")
    row = _section(bank, "penalties")["rows"][0]
    names = {field["name"] for field in row["fields"]}
    shown = (
        config.get_config().get("bank").section("penalties").fields_for(config.Audience.authorised)
    )
    assert names <= set(shown) and "decision_number" in names
    text = str(bank.content)
    assert FULL_ID not in text and "violation_facts" not in names
    owner = issue(session, f.owner, f.subject, "public_legal")
    text = str(owner.content)
    assert "王建国" in text and FULL_ID not in text  # own report: names in full, ID masked
    public_rep = [r for r in _section(bank, "basic")["rows"] if r["name"] == "legal_representative"]
    assert all(r["value"]["zh"] != "王建国" for r in public_rep)


def test_third_party_needs_a_live_authorisation(session: Session) -> None:
    f = firm(session, penalties=1)
    other = factories.enterprise(session)
    with pytest.raises(Forbidden, match="授权"):
        issue(session, f.bank, other, "bank", channel="authorised")
    with pytest.raises(Forbidden):
        issue(session, f.owner, other)  # a subject asks for another subject's report


def test_type_requesters_and_subject_kinds_are_enforced(session: Session) -> None:
    f = firm(session, penalties=1)
    with pytest.raises(Invalid, match="不适用于"):
        issue(session, f.owner, f.subject, "personal_own")
    person = factories.person(session)
    me = Principal(kind="subject", role="subject", account_id=5, subject_id=person.id, label="p")
    own = issue(session, me, person, "personal_own")
    assert own.content["subject"]["name"] == person.name
    with pytest.raises(Forbidden, match="不向"):
        issue(session, f.bank, person, "personal_own", channel="authorised")


def test_special_report_concludes_per_domain_for_the_period(session: Session) -> None:
    f = firm(session, penalties=2)
    report = issue(session, f.owner, f.subject, "special")
    domains = {d["domain"]: d for d in _section(report, "domains")["domains"]}
    assert domains["market_regulation"]["count"] == 2
    assert domains["market_regulation"]["conclusion"]["zh"] == "报告期内发现违法违规记录 2 条"
    assert domains["tax"]["count"] == 0 and domains["tax"]["conclusion"]["zh"].startswith(
        "报告期内未发现"
    )
    start = date.fromisoformat(report.content["period"]["from"])
    assert (date.fromisoformat(report.content["period"]["to"]) - start).days in (1095, 1096)


def test_every_report_is_a_registered_query_the_subject_sees(session: Session) -> None:
    f = firm(session, penalties=1)
    report = issue(session, f.bank, f.subject, "bank", channel="authorised", purpose="贷款审批")
    logged = [
        q
        for q in queries.for_subject(session, subject_id=f.subject.id)
        if (q.detail or {}).get("report") == report.number
    ]
    assert len(logged) == 1 and logged[0].purpose == "贷款审批"
    assert "report:bank" in logged[0].what


def test_daily_limit_per_requester(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    f = firm(session, penalties=0)
    spec = config.get_config()
    monkeypatch.setattr(type(spec), "limit_for", lambda self, kind: 1)
    issue(session, f.owner, f.subject)
    with pytest.raises(service.TooManyReports, match="每日上限"):
        issue(session, f.owner, f.subject)


def test_grades_plug_in_through_the_source_seam(session: Session) -> None:
    f = firm(session, penalties=0)
    seen: list[Any] = []

    def grades(_: Session, request: sources.SourceRequest) -> list[dict[str, Any]]:
        seen.append(request)
        field = {
            "name": "grade",
            "label": {"zh": "综合评价等级", "en": "Grade"},
            "value": {"zh": "A", "en": "A"},
        }
        return [
            {
                "item": "grade",
                "item_name": {"zh": "综合信用评价", "en": "Evaluation"},
                "decision_date": None,
                "under_objection": False,
                "fields": [field],
            }
        ]

    sources.register_source("grades", grades)
    try:
        report = issue(session, f.owner, f.subject)
    finally:
        registry.wire_effects()  # the evaluation module's provider again
    evaluation = _section(report, "evaluation")
    assert evaluation["source_absent"] is None and not evaluation["is_empty"]
    assert evaluation["source_rows"][0]["fields"][0]["value"]["zh"] == "A"
    assert seen[0].subject_id == f.subject.id and seen[0].audience == "subject"


def test_reader_of_a_counter_report_is_the_subject(session: Session) -> None:
    f = firm(session, penalties=1)
    clerk = Principal(
        kind="staff",
        role="department_user",
        account_id=77,
        department_id=f.penalties[0].department_id,
        label="窗口",
    )
    report = issue(session, clerk, f.subject, channel="counter")
    assert report.audience == "subject" and report.channel == "counter"
    assert Reader(config.Audience.subject, clerk).is_subject
    assert report.valid_until == date.fromisoformat(report.content["as_of"]) + timedelta(days=30)
