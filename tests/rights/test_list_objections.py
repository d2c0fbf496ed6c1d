"""Objections against list entries (名单异议): the entry is held while decided; upheld, a notified
entry is never listed and a listed one leaves the list; kept or withdrawn, the hold ends."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import LiveCities
from tests.lists.helpers import OFFICER, audit_actions, court_record, listed_serious, propose
from tests.rights.helpers import PDF, applicant, penalised
from tests.webkit import PASSWORD, csrf_of, login
from xinyong.app import create_app
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.core.db import session_scope
from xinyong.core.errors import Conflict, Forbidden, IllegalTransition, Invalid
from xinyong.lists import service as lists_service
from xinyong.lists.models import ListEntry
from xinyong.notices import service as notices_service
from xinyong.rights import cases, objections, service
from xinyong.rights.evidence import Upload
from xinyong.rights.models import CaseTarget, RightsCase
from xinyong.rights.objections import ObjectionApplication, TargetDecision
from xinyong.rights.states import ObjectionGround, TargetOutcome
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject

NOTIFIED_ON = date(2026, 9, 1)  # a Tuesday: the objection window ends on 8 September
WITHIN = date(2026, 9, 3)
AFTER = date(2026, 9, 15)
LIST = "serious_dishonesty_list"
STATEMENT = "处罚决定已被行政复议撤销，不应列入严重失信主体名单"


def _notified(session: Session) -> tuple[Subject, ListEntry]:
    subject, penalty = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    entry = propose(session, subject, [penalty], today=NOTIFIED_ON)
    lists_service.notify(session, entry_id=entry.id, actor=OFFICER, today=NOTIFIED_ON)
    return subject, entry


def _object(
    session: Session,
    subject: Subject,
    entry_ids: list[int],
    *,
    ground: ObjectionGround = ObjectionGround.wrongly_listed,
    today: date = WITHIN,
    record_ids: list[int] | None = None,
) -> RightsCase:
    application = ObjectionApplication(
        record_ids=record_ids or [],
        list_entry_ids=entry_ids,
        ground=ground,
        statement=STATEMENT,
        files=[Upload("复议决定书.pdf", PDF)],
    )
    return objections.apply(
        session, applicant=applicant(subject), application=application, today=today
    )


def _decide(
    session: Session, case: RightsCase, outcome: TargetOutcome, *, today: date = AFTER
) -> RightsCase:
    ((target, _),) = cases.targets(session, case.id)
    return objections.decide(
        session,
        case_id=case.id,
        decisions=[TargetDecision(target.record_id, outcome, "经核查，认定依据已被撤销")],
        actor="staff:market:9",
        department_id=case.department_id,
        today=today,
    )


def _notice_keys(session: Session, subject: Subject) -> list[str]:
    return [n.key for n in notices_service.for_subject(session, subject_id=subject.id)]


def _counts(session: Session) -> tuple[int, int]:
    total = [func.count(RightsCase.id), func.count(CaseTarget.id)]
    return (
        int(session.scalar(select(total[0])) or 0),
        int(session.scalar(select(total[1])) or 0),
    )


# --- service ----------------------------------------------------------------------------------


def test_a_notified_entry_objected_to_is_held_then_upheld_and_never_listed(
    session: Session,
) -> None:
    subject, entry = _notified(session)
    (penalty,) = lists_service.basis_records(session, entry.id)
    case = _object(session, subject, [entry.id])
    ((target, filed),) = cases.targets(session, case.id)
    assert (target.list_entry_id, filed.id, target.state_before) == (
        entry.id,
        penalty.id,
        "notified",
    )
    assert case.state == "accepted" and case.department_id == entry.department_id
    assert entry.held_by_objection and entry.objection_ref == case.number
    assert penalty.state == "active"  # the record it rests on is not marked itself
    assert "objection.list_received" in _notice_keys(session, subject)
    with pytest.raises(Conflict, match="held by objection"):
        lists_service.list_entry(session, entry_id=entry.id, actor=OFFICER, today=AFTER)

    decided = _decide(session, case, TargetOutcome.remove_from_list)
    assert decided.outcome == "upheld" and decided.state == "decided"
    assert entry.state == "rejected" and entry.removal_reason == "objection_upheld"
    assert not entry.held_by_objection
    with pytest.raises(IllegalTransition):
        lists_service.list_entry(session, entry_id=entry.id, actor=OFFICER, today=AFTER)
    assert lists_service.memberships(session, subject.id, AFTER) == []
    keys = _notice_keys(session, subject)
    assert "objection.decided.upheld" in keys and "list.rejected" in keys
    assert audit_actions(session, entry)[-2:] == ["list.held", "list.rejected"]
    steps = [event.action for event in cases.timeline(session, case.id)]
    assert steps == ["applied", "registered", "decided"]


def test_a_listed_entry_objected_to_and_upheld_leaves_the_list(session: Session) -> None:
    subject, _, entry = listed_serious(session)
    today = date(2026, 10, 12)
    case = _object(session, subject, [entry.id], ground=ObjectionGround.not_removed, today=today)
    assert entry.held_by_objection and entry.state == "listed"
    assert lists_service.memberships(session, subject.id, today) == [LIST]  # disputed, still on
    _decide(session, case, TargetOutcome.remove_from_list, today=today)
    assert entry.state == "removed" and entry.removal_reason == "objection_upheld"
    assert entry.removed_on == today
    assert lists_service.memberships(session, subject.id, today) == []
    assert "list.removed" in _notice_keys(session, subject)


def test_kept_the_hold_ends_and_the_entry_is_listed_after_the_window(session: Session) -> None:
    subject, entry = _notified(session)
    case = _object(session, subject, [entry.id])
    decided = _decide(session, case, TargetOutcome.keep, today=WITHIN)
    assert decided.outcome == "rejected" and not entry.held_by_objection
    assert "objection.decided.rejected" in _notice_keys(session, subject)
    with pytest.raises(Invalid, match="may object until"):  # the window still runs
        lists_service.list_entry(session, entry_id=entry.id, actor=OFFICER, today=WITHIN)
    lists_service.list_entry(session, entry_id=entry.id, actor=OFFICER, today=AFTER)
    assert lists_service.memberships(session, subject.id, AFTER) == [LIST]


def test_withdrawal_releases_the_hold(session: Session) -> None:
    subject, entry = _notified(session)
    case = _object(session, subject, [entry.id])
    service.withdraw(session, case_id=case.id, subject_id=subject.id, actor="test", today=WITHIN)
    assert case.state == "withdrawn" and not entry.held_by_objection
    assert audit_actions(session, entry)[-1] == "list.released"
    lists_service.list_entry(session, entry_id=entry.id, actor=OFFICER, today=AFTER)
    assert entry.state == "listed"


def test_another_subjects_entry_is_refused_and_nothing_is_written(session: Session) -> None:
    _, entry = _notified(session)
    stranger = factories.enterprise(session)
    before = _counts(session)
    with pytest.raises(Forbidden, match="not an entry of this subject"):
        _object(session, stranger, [entry.id])
    assert _counts(session) == before and not entry.held_by_objection


def test_a_proposed_entry_is_not_known_to_the_subject_yet(session: Session) -> None:
    subject, penalty = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    entry = propose(session, subject, [penalty], today=NOTIFIED_ON)
    before = _counts(session)
    with pytest.raises(Invalid, match="not been notified yet") as refused:
        _object(session, subject, [entry.id])
    assert refused.value.details["field"] == "list_entry_ids"
    assert _counts(session) == before and not entry.held_by_objection


def test_a_second_open_objection_on_the_entry_is_a_conflict(session: Session) -> None:
    subject, entry = _notified(session)
    first = _object(session, subject, [entry.id])
    with pytest.raises(Conflict, match=first.number):
        _object(session, subject, [entry.id])
    assert _counts(session)[0] == 1


@pytest.mark.parametrize(
    ("ground", "today", "field", "message"),
    [
        (ObjectionGround.wrong_information, WITHIN, "ground", "list ground"),
        (ObjectionGround.not_removed, WITHIN, "ground", "not listed yet"),
        (ObjectionGround.wrongly_listed, AFTER, "list_entry_ids", "ended on 2026-09-08"),
    ],
)
def test_refusals_name_the_field(
    session: Session, ground: ObjectionGround, today: date, field: str, message: str
) -> None:
    subject, entry = _notified(session)
    with pytest.raises(Invalid, match=message) as refused:
        _object(session, subject, [entry.id], ground=ground, today=today)
    assert refused.value.details["field"] == field
    assert _counts(session) == (0, 0)


def test_records_and_entries_are_not_mixed_and_entries_are_decided_on_list_terms(
    session: Session,
) -> None:
    subject, entry = _notified(session)
    (penalty,) = lists_service.basis_records(session, entry.id)
    with pytest.raises(Invalid, match="not both") as refused:
        _object(session, subject, [entry.id], record_ids=[penalty.id])
    assert refused.value.details["field"] == "record_ids"
    case = _object(session, subject, [entry.id])
    with pytest.raises(Invalid, match="Remove from list") as wrong:
        _decide(session, case, TargetOutcome.correct)
    assert wrong.value.details["field"] == "decisions"
    assert case.state == "accepted" and entry.held_by_objection


def test_the_record_under_the_entry_keeps_its_own_objection(session: Session) -> None:
    """Objecting to the entry does not mark its record; the record can be objected to itself,
    and withdrawing the entry's objection leaves the record's mark alone."""
    subject, entry = _notified(session)
    (penalty,) = lists_service.basis_records(session, entry.id)
    on_entry = _object(session, subject, [entry.id])
    on_record = objections.apply(
        session,
        applicant=applicant(subject),
        application=ObjectionApplication(
            record_ids=[penalty.id],
            ground=ObjectionGround.wrong_information,
            statement="罚款金额有误",
        ),
        today=WITHIN,
    )
    assert penalty.state == "under_objection"
    service.withdraw(session, case_id=on_entry.id, subject_id=subject.id, actor="t", today=WITHIN)
    assert penalty.state == "under_objection" and not entry.held_by_objection
    assert on_record.state == "accepted"


def test_an_entry_that_left_meanwhile_can_still_be_decided(session: Session) -> None:
    subject, entry = _notified(session)
    case = _object(session, subject, [entry.id])
    lists_service.remove(
        session, entry_id=entry.id, reason="basis_revoked", note=None, actor=OFFICER, today=WITHIN
    )
    assert entry.state == "withdrawn" and not entry.held_by_objection
    decided = _decide(session, case, TargetOutcome.remove_from_list)
    assert decided.outcome == "upheld" and entry.state == "withdrawn"


def test_an_upheld_objection_revoking_a_court_record_ends_its_entry_at_once(
    session: Session,
) -> None:
    """The court's list record is the entry's basis: revoked on objection, the entry ends
    with the decision (not at the next daily job), and the subject is told."""
    subject = factories.enterprise(session)
    record = court_record(session, subject, list_end_date="2028-03-01")
    assert lists_service.import_from_records(session, today=date(2026, 3, 10)) == 1
    (entry,) = session.scalars(select(ListEntry).where(ListEntry.subject_id == subject.id))
    case = _object(session, subject, [], record_ids=[record.id], today=date(2026, 3, 12))
    before = len(_notice_keys(session, subject))
    decided = _decide(session, case, TargetOutcome.remove_from_list, today=date(2026, 3, 20))
    assert decided.outcome == "upheld" and record.state == "revoked"
    assert (entry.state, entry.removal_reason) == ("removed", "basis_revoked")
    assert entry.removed_on == date(2026, 3, 20)
    assert len(_notice_keys(session, subject)) > before


def test_the_case_detail_carries_the_entry(session: Session) -> None:
    subject, entry = _notified(session)
    case = _object(session, subject, [entry.id])
    detail = service.detail(session, case, today=WITHIN)
    assert detail.entries == {entry.id: entry}
    from xinyong.rights.schemas import case_read

    (target,) = case_read(detail).targets
    assert target.list_entry is not None
    assert (target.list_entry.id, target.list_entry.state) == (entry.id, "notified")
    assert target.list_entry.held_by_objection
    assert target.list_entry.objection_until == date(2026, 9, 8)


# --- over HTTP: the API, the portal and the console --------------------------------------------


@dataclass
class City:
    entry_id: int  # the owner's notified entry
    proposed_id: int  # the owner's entry still only proposed
    foreign_id: int  # another subject's notified entry
    record_id: int  # the penalty the notified entry rests on
    uscc: str  # the owner's code, as given at the counter


def _account(session: Session, username: str, **kind: Any) -> None:
    data = {"username": username, "display_name": username, "password": PASSWORD, **kind}
    auth_service.create_account(session, data=AccountCreate(**data))


def _subject_account(session: Session, subject: Subject, username: str) -> None:
    code = auth_service.issue_counter_code(session, subject_code=subject.uscc or "", issued_by=None)
    auth_service.open_subject_account(
        session, code=code, username=username, password=PASSWORD, display_name=username
    )


def _entries(session: Session, subject: Subject, *, notified: int) -> list[ListEntry]:
    """One entry per list, on a recent penalty; the first ``notified`` of them notified."""
    today = date.today()
    made = []
    for index, code in enumerate((LIST, "key_attention_list")):
        penalty = factories.penalty(
            session, subject, decision_date=(today - timedelta(days=20)).isoformat(), today=today
        )
        entry = propose(session, subject, [penalty], list_code=code, today=today)
        if index < notified:
            lists_service.notify(session, entry_id=entry.id, actor=OFFICER, today=today)
        made.append(entry)
    return made


def _build_city() -> City:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        company, other = factories.enterprise(session), factories.enterprise(session)
        notified, proposed = _entries(session, company, notified=1)
        (foreign, _) = _entries(session, other, notified=1)
        _subject_account(session, company, "owner")
        _subject_account(session, other, "other")
        market = factories.department(session).id
        _account(session, "officer", kind="staff", role="department_user", department_id=market)
        (basis,) = lists_service.basis_records(session, notified.id)
        facts = City(notified.id, proposed.id, foreign.id, basis.id, company.uscc or "")
    return facts


@pytest.fixture
def city(live_city: LiveCities) -> Iterator[City]:
    with live_city(extras=_build_city) as built:
        yield built.facts


def _entry(entry_id: int) -> tuple[str, bool]:
    with session_scope() as session:
        entry = lists_service.get(session, entry_id)
        return entry.state, entry.held_by_objection


def _case_count() -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(RightsCase)) or 0)


def _file(client: TestClient, **form: Any) -> Any:
    data = {"ground": "wrongly_listed", "statement": STATEMENT, **form}
    files = [("files", ("复议决定书.pdf", PDF, "application/pdf"))]
    return client.post("/api/v1/objections", data=data, files=files)


def test_the_api_files_and_decides_an_objection_to_a_list_entry(city: City) -> None:
    owner, officer = login("owner", csrf_header=True), login("officer", csrf_header=True)
    for form, status, field in (
        ({"list_entry_ids": [city.foreign_id]}, 403, "list_entry_ids"),
        ({"list_entry_ids": [city.proposed_id]}, 422, "list_entry_ids"),
        ({}, 422, "record_ids"),
        ({"list_entry_ids": [city.entry_id], "record_ids": [city.record_id]}, 422, "record_ids"),
    ):
        refused = _file(owner, **form)
        assert refused.status_code == status, refused.text
        assert refused.json()["details"]["field"] == field
    assert _case_count() == 0 and _entry(city.entry_id) == ("notified", False)

    filed = _file(owner, list_entry_ids=[city.entry_id])
    assert filed.status_code == 201, filed.text
    case = filed.json()
    (target,) = case["targets"]
    assert target["record_id"] == city.record_id
    assert target["list_entry"]["id"] == city.entry_id
    assert target["list_entry"]["held_by_objection"] is True
    assert _entry(city.entry_id) == ("notified", True)
    assert _file(owner, list_entry_ids=[city.entry_id]).status_code == 409

    decision = {
        "version": case["version"],
        "decisions": [
            {"record_id": city.record_id, "outcome": "remove_from_list", "reason": "异议成立"}
        ],
    }
    answer = officer.post(f"/api/v1/cases/{case['id']}/decision", json=decision)
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"] == "upheld"
    assert answer.json()["targets"][0]["list_entry"]["state"] == "rejected"
    assert _entry(city.entry_id) == ("rejected", False)


def test_the_openapi_text_names_list_entries(city: City) -> None:
    schema = TestClient(create_app()).get("/api/v1/openapi.json").json()
    text = str(schema["paths"]["/api/v1/objections"]["post"])
    assert "list_entry_ids" in str(schema["components"]) and "名单异议" in text


def test_the_portal_shows_the_entry_and_files_the_objection(city: City) -> None:
    owner = login("owner", csrf_header=True)
    page = owner.get("/portal/me/records")
    assert page.status_code == 200
    link = f"/portal/rights/list-objection?entry_id={city.entry_id}"
    assert "我的名单记录" in page.text and "严重失信主体名单" in page.text and link in page.text
    assert f"entry_id={city.proposed_id}" not in page.text  # not told yet: not shown
    english = owner.get("/portal/me/records?lang=en").text
    assert "My list entries" in english and "Serious dishonesty list" in english

    form = owner.get(link)
    assert form.status_code == 200 and f'name="entry_id" value="{city.entry_id}"' in form.text
    assert 'value="not_removed"' not in form.text  # a notified entry is not listed yet
    assert (
        owner.get(f"/portal/rights/list-objection?entry_id={city.proposed_id}").status_code == 422
    )
    assert login("other", csrf_header=True).get(link).status_code == 403

    fields = {"csrf_token": csrf_of(form.text), "entry_id": str(city.entry_id), "ground": ""}
    refused = owner.post("/portal/rights/list-objection", data={**fields, "statement": STATEMENT})
    assert refused.status_code == 422 and 'id="ground-error"' in refused.text
    assert "Choose a ground" in refused.text  # the language chosen above (?lang=en) stays
    sent = owner.post(
        "/portal/rights/list-objection",
        data={**fields, "ground": "wrongly_listed", "statement": STATEMENT},
        files=[("files", ("复议决定书.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text[:500]
    case_page = owner.get(sent.headers["location"]).text
    assert "Serious dishonesty list" in case_page and 'data-entry-state="notified"' in case_page
    after = owner.get("/portal/me/records?lang=zh").text
    assert link not in after and "查看申请 YY" in after
    assert _entry(city.entry_id) == ("notified", True)


def test_the_console_shows_the_entry_and_decides_it_on_list_terms(city: City) -> None:
    owner, officer = login("owner", csrf_header=True), login("officer", csrf_header=True)
    case = _file(owner, list_entry_ids=[city.entry_id]).json()
    page = officer.get(f"/console/rights/cases/{case['id']}")
    assert page.status_code == 200
    with session_scope() as session:
        until = lists_service.get(session, city.entry_id).objection_until
    assert until is not None and f'data-objection-until="{until.isoformat()}"' in page.text
    assert "严重失信主体名单" in page.text and 'value="correct"' not in page.text
    data = {
        "csrf_token": csrf_of(page.text),
        "version": str(case["version"]),
        "record_id": str(city.record_id),
        "outcome": "keep",
        "reason": "列入依据充分",
        "changes": "",
    }
    answer = officer.post(
        f"/console/rights/cases/{case['id']}/decide", data=data, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text[:500]
    assert _entry(city.entry_id) == ("notified", False)


def test_counter_staff_file_an_objection_to_a_list_entry(city: City) -> None:
    officer = login("officer", csrf_header=True)
    page = officer.get(f"/console/rights/counter?code={city.uscc}")
    assert page.status_code == 200
    assert f'name="list_entry_ids" value="{city.entry_id}"' in page.text
    assert f'name="list_entry_ids" value="{city.proposed_id}"' not in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "code": city.uscc,
        "kind": "objection",
        "ground": "wrongly_listed",
        "statement": STATEMENT,
    }
    both = {**form, "list_entry_ids": [str(city.entry_id)], "record_ids": [str(city.record_id)]}
    refused = officer.post("/console/rights/counter", data=both)
    assert refused.status_code == 422 and "不能同时针对两者" in refused.text and _case_count() == 0
    filed = officer.post(
        "/console/rights/counter",
        data={**form, "list_entry_ids": [str(city.entry_id)]},
        follow_redirects=False,
    )
    assert filed.status_code == 303, filed.text[:500]
    assert _entry(city.entry_id) == ("notified", True)
    with session_scope() as session:
        case = session.scalars(select(RightsCase)).one()
        assert (case.channel, case.ground) == ("counter", "wrongly_listed")
