"""The portal publishes the entries truly on a public list today: a platform entry once
listed and until it ends, an imported entry while its record lives; never a proposed or
notified one, never an entry of a list that is not public."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests import factories
from tests.lists import web
from tests.lists.helpers import OFFICER, REASONS, court_record, honour_record, propose
from tests.lists.web import TODAY, City, company, notified_long_ago
from tests.rights.helpers import penalised
from xinyong.core.db import session_scope
from xinyong.core.errors import NotFound
from xinyong.lists import service
from xinyong.lists.models import ListEntry
from xinyong.portal import list_seam
from xinyong.portal import service as portal_service
from xinyong.portal.schemas import PublicListEntry
from xinyong.records import service as records_service
from xinyong.records.states import RecordState

city = web.city  # one database per module (the HTTP test)
SEEN = date(2026, 10, 1)  # the portal is looked at after the listing of 2026-09-15


def _published(session: Session, list_code: str, today: date = SEEN) -> dict[int, PublicListEntry]:
    page = portal_service.public_lists(session, list_code=list_code, limit=100, today=today)
    assert page.entries is not None
    return {row.entry_id: row for row in page.entries.entries}


def _count(session: Session, list_code: str, today: date = SEEN) -> int:
    infos = portal_service.public_lists(session, today=today).lists
    return next(info.entries for info in infos if info.list_code == list_code)


def test_a_platform_entry_is_published_once_listed_and_until_it_ends(session: Session) -> None:
    subject, penalty = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    before = _count(session, "serious_dishonesty_list")
    figures = portal_service.home_figures(session, today=SEEN).list_entries
    entry = propose(session, subject, [penalty])
    assert entry.id not in _published(session, "serious_dishonesty_list")
    service.notify(session, entry_id=entry.id, actor=OFFICER, today=date(2026, 9, 1))
    assert entry.id not in _published(session, "serious_dishonesty_list")
    assert _count(session, "serious_dishonesty_list") == before
    service.list_entry(session, entry_id=entry.id, actor=OFFICER, today=date(2026, 9, 15))
    row = _published(session, "serious_dishonesty_list")[entry.id]
    assert row.model_dump(include={"source", "subject_id", "listed_on", "reasons"}) == {
        "source": "platform",
        "subject_id": subject.id,
        "listed_on": date(2026, 9, 15),
        "reasons": REASONS,
    }
    assert row.term_end == date(2029, 9, 15) and row.record is None
    assert row.subject_code == subject.uscc and row.department_name_zh
    assert _count(session, "serious_dishonesty_list") == before + 1
    assert portal_service.home_figures(session, today=SEEN).list_entries == figures + 1
    profile = portal_service.subject_profile(session, code=subject.uscc or "", today=SEEN)
    assert [(m.list_code, m.entry_id, m.record_id) for m in profile.lists] == [
        ("serious_dishonesty_list", entry.id, None)
    ]
    assert entry.id in _published(session, "serious_dishonesty_list", date(2029, 9, 15))
    assert entry.id not in _published(session, "serious_dishonesty_list", date(2029, 9, 16))
    service.remove(
        session, entry_id=entry.id, reason="obligation_fulfilled", note=None, actor=OFFICER,
        today=date(2026, 9, 20),
    )  # fmt: skip
    assert entry.id not in _published(session, "serious_dishonesty_list")
    assert _count(session, "serious_dishonesty_list") == before
    assert portal_service.subject_profile(session, code=subject.uscc or "", today=SEEN).lists == []


def test_a_hold_shows_the_entry_as_under_objection(session: Session) -> None:
    subject, penalty = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    entry = propose(session, subject, [penalty])
    service.notify(session, entry_id=entry.id, actor=OFFICER, today=date(2026, 9, 1))
    service.list_entry(session, entry_id=entry.id, actor=OFFICER, today=date(2026, 9, 15))
    service.hold(session, entry_id=entry.id, actor=OFFICER, ref="OB-1")
    row = _published(session, "serious_dishonesty_list")[entry.id]
    assert row.under_objection is True


def test_entries_of_a_list_that_is_not_public_never_appear(session: Session) -> None:
    subject, penalty = penalised(session, decided=date(2026, 6, 1), today=date(2026, 7, 1))
    figures = portal_service.home_figures(session, today=SEEN).list_entries
    entry = propose(session, subject, [penalty], list_code="key_attention_list")
    service.notify(session, entry_id=entry.id, actor=OFFICER, today=date(2026, 9, 1))
    service.list_entry(session, entry_id=entry.id, actor=OFFICER, today=date(2026, 9, 15))
    assert service.memberships(session, subject.id, SEEN) == ["key_attention_list"]
    codes = [info.list_code for info in portal_service.public_lists(session, today=SEEN).lists]
    assert "key_attention_list" not in codes and "red_list" in codes
    with pytest.raises(NotFound):
        portal_service.public_lists(session, list_code="key_attention_list", today=SEEN)
    assert portal_service.subject_profile(session, code=subject.uscc or "", today=SEEN).lists == []
    assert portal_service.home_figures(session, today=SEEN).list_entries == figures


def test_an_imported_entry_is_published_while_its_record_lives(session: Session) -> None:
    number = factories.id_number(birth=date(1971, 3, 9))
    person = factories.person(session, name="欧阳澄明", id_number=number)
    record = court_record(session, person, list_end_date="2028-03-01", subject_code=number)
    before = _published(session, "dishonest_judgment_debtor").values()
    assert record.id not in {row.record_id for row in before}
    service.import_from_records(session, today=date(2026, 6, 2))
    (entry,) = session.query(ListEntry).filter_by(subject_id=person.id).all()
    row = _published(session, "dishonest_judgment_debtor")[entry.id]
    assert row.source == "record" and row.record_id == record.id
    assert row.record is not None and row.record.fields["case_number"] == "(2026)苏05执100号"
    assert row.subject_id is None and row.subject_name == "欧**明" and row.reasons is None
    assert "欧阳澄明" not in row.model_dump_json() and number not in row.model_dump_json()
    records_service.transition(
        session, record_id=record.id, to_state=RecordState.revoked, reason="法院删除", actor="t"
    )
    # Off the publication at once, before the daily job reconciles the entry.
    assert entry.id not in _published(session, "dishonest_judgment_debtor")


def test_the_red_list_keeps_its_old_code_and_takes_red_list_honours_only(session: Session) -> None:
    subject = factories.enterprise(session)
    red = honour_record(session, subject, kind="守信激励名单", number="苏发改〔2026〕7号")
    honour_record(session, subject, kind="荣誉", number="苏发改〔2026〕8号")
    service.import_from_records(session, today=date(2026, 6, 2))
    page = portal_service.public_lists(session, list_code="honour", limit=100, today=SEEN)
    assert page.list_code == "red_list" and list_seam.get("honour").code == "red_list"
    assert page.entries is not None
    mine = [row.record_id for row in page.entries.entries if row.subject_id == subject.id]
    assert mine == [red.id]


def _listed_today(city: City) -> tuple[web.Company, int]:
    firm = company()
    entry_id = notified_long_ago(city, firm)
    with session_scope() as session:
        service.list_entry(session, entry_id=entry_id, actor="test", today=TODAY)
    return firm, entry_id


def test_the_portal_pages_and_open_api_show_the_listed_entry(city: City) -> None:
    firm, entry_id = _listed_today(city)
    pending = notified_long_ago(city, company())
    anonymous = city.clients["anonymous"]
    body = anonymous.get("/api/v1/lists/serious_dishonesty_list", params={"limit": 100}).json()
    ids = {row["entry_id"] for row in body["entries"]["entries"]}
    assert entry_id in ids and pending not in ids
    page = anonymous.get("/lists/serious_dishonesty_list").text
    assert f'data-entry="{entry_id}"' in page and firm.name in page and REASONS in page
    assert f'data-entry="{pending}"' not in page
    assert anonymous.get("/lists/key_attention_list").status_code == 404
    assert anonymous.get("/api/v1/lists/key_attention_list").status_code == 404
    red = anonymous.get("/lists/honour")
    assert red.status_code == 200 and "守信激励对象名单" in red.text
    profile = anonymous.get(f"/subjects/{firm.uscc}").text
    assert 'href="/lists/serious_dishonesty_list"' in profile
