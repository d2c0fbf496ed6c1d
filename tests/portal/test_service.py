"""The portal's services: subject pages, record pages, 双公示, lists, rules, home figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from tests import factories
from tests.portal import helpers
from tests.portal.helpers import TODAY
from xinyong.core.errors import Invalid, NotFound
from xinyong.lists import service as lists_service
from xinyong.portal import service
from xinyong.subjects.models import Subject

GENERAL = {"penalty_types": ["罚款"], "fine_amount": "5"}  # a general-tier penalty: 1 year


def _firm(session: Session, name: str = "苏州霁璟新材料有限公司", **extra: object) -> Subject:
    return factories.enterprise(
        session, name=name, registration_date=TODAY.replace(year=2019), **extra
    )


def test_profile_shows_public_records_by_category_and_list_entries(session: Session) -> None:
    firm = _firm(session)
    reg = helpers.record(session, firm, "registration", legal_representative="张小明")
    fresh = helpers.record(session, firm, "admin_penalty", days_ago=10, **GENERAL)
    disputed = helpers.record(
        session, firm, "admin_penalty", days_ago=20, state="under_objection", **GENERAL
    )
    helpers.record(session, firm, "admin_penalty", days_ago=500, **GENERAL)  # period over
    helpers.record(session, firm, "admin_penalty", days_ago=40, state="repaired", **GENERAL)
    helpers.record(session, firm, "tax_credit_rating")  # shared with government only
    listed = helpers.record(session, firm, "serious_dishonesty_list", days_ago=60)
    lists_service.import_from_records(session, today=TODAY)  # the daily job lists it
    profile = service.subject_profile(session, code=(firm.uscc or "").lower(), today=TODAY)
    assert (profile.subject_id, profile.name, profile.kind) == (firm.id, firm.name, "legal_person")
    assert profile.basic["legal_representative"] == "张*明"
    assert profile.counts == {"registration": 1, "admin_penalty": 2, "serious_dishonesty_list": 1}
    groups = {g.category: g for g in profile.groups}
    assert list(groups) == ["registration", "administrative", "serious_dishonesty"]
    penalties = groups["administrative"].records
    assert [r.id for r in penalties] == [fresh.id, disputed.id]
    assert [r.under_objection for r in penalties] == [False, True]
    assert all("legal_representative_id_number" not in r.fields for r in penalties)
    assert groups["registration"].records[0].id == reg.id
    [entry] = profile.lists
    assert (entry.list_code, entry.record_id) == ("serious_dishonesty_list", listed.id)
    assert entry.since == listed.decision_date and entry.until == listed.disclosure_end
    assert entry.legal_basis and "国办发〔2020〕49号" in entry.legal_basis[0]


def test_persons_and_unknown_codes_have_no_public_page(session: Session) -> None:
    person, number = helpers.person(session)
    for code in (number, "not a code", factories.uscc()):
        with pytest.raises(NotFound):
            service.subject_profile(session, code=code, today=TODAY)
    with pytest.raises(NotFound):
        service.subject_records(session, subject_id=person.id, today=TODAY)


def test_subject_records_page_by_cursor_and_filter(session: Session) -> None:
    firm = _firm(session)
    made = [
        helpers.record(session, firm, "admin_licence", days_ago=days) for days in (5, 9, 9, 30, 31)
    ]
    helpers.record(session, firm, "admin_penalty", days_ago=3, **GENERAL)
    expected = sorted(made, key=lambda r: (r.decision_date, r.id), reverse=True)
    seen: list[int] = []
    page = service.subject_records(
        session, subject_id=firm.id, item_code="admin_licence", limit=2, today=TODAY
    )
    assert page.total == 5
    while True:
        seen += [r.id for r in page.records]
        if page.next_cursor is None:
            break
        page = service.subject_records(
            session,
            subject_id=firm.id,
            item_code="admin_licence",
            limit=2,
            cursor=page.next_cursor,
            today=TODAY,
        )
    assert seen == [r.id for r in expected]
    everything = service.subject_records(session, subject_id=firm.id, limit=100, today=TODAY)
    assert everything.total == 6
    by_category = service.subject_records(
        session, subject_id=firm.id, category="administrative", limit=100, today=TODAY
    )
    assert by_category.total == 6
    with pytest.raises(Invalid):
        service.subject_records(session, subject_id=firm.id, category="nope", today=TODAY)
    with pytest.raises(NotFound):
        service.subject_records(session, subject_id=firm.id, item_code="nope", today=TODAY)
    with pytest.raises(Invalid):
        service.subject_records(session, subject_id=firm.id, cursor="garbage", today=TODAY)


def _window(days_ago: int) -> dict[str, object]:
    day = TODAY - timedelta(days=days_ago)
    return {"date_from": day, "date_to": day, "today": TODAY}


def test_double_publicity_rows_link_organisations_and_mask_persons(session: Session) -> None:
    firm = _firm(session)
    person, number = helpers.person(session, name="欧阳小明")
    org_row = helpers.record(session, firm, "admin_penalty", days_ago=77, **GENERAL)
    person_row = helpers.record(
        session, person, "admin_penalty", days_ago=77, id_number=number, **GENERAL
    )
    page = service.double_publicity(session, kind="penalty", limit=100, **_window(77))
    rows = {r.id: r for r in page.records}
    assert rows[org_row.id].subject_id == firm.id
    assert rows[org_row.id].subject_code == firm.uscc
    masked = rows[person_row.id]
    assert masked.subject_id is None
    assert masked.subject_name == "欧**明" and masked.fields["subject_name"] == "欧**明"
    assert masked.subject_code == person.id_number_masked
    assert number not in masked.model_dump_json()
    assert "欧阳小明" not in page.model_dump_json()


def test_double_publicity_filters_sorts_and_pages(session: Session) -> None:
    firm = _firm(session, region_code="320505")
    other = _firm(session, name="苏州霁沅新材料有限公司", uscc=factories.uscc("91", "320506"))
    rows = [
        helpers.record(session, firm, "admin_penalty", days_ago=d, **GENERAL) for d in (90, 91, 92)
    ]
    warned = helpers.record(
        session,
        other,
        "admin_penalty",
        days_ago=91,
        penalty_types=["警告", "罚款"],
        fine_amount="2",
    )
    window = {"date_from": TODAY - timedelta(days=92), "date_to": TODAY - timedelta(days=90)}
    page = service.double_publicity(session, kind="penalty", limit=100, today=TODAY, **window)
    ours = [r.id for r in page.records if r.id in {*(x.id for x in rows), warned.id}]
    assert ours == [rows[0].id, max(rows[1].id, warned.id), min(rows[1].id, warned.id), rows[2].id]
    ascending = service.double_publicity(
        session, kind="penalty", limit=100, sort="date_asc", today=TODAY, **window
    )
    assert [r.id for r in ascending.records if r.id in ours] == ours[::-1]
    by_type = service.double_publicity(
        session, kind="penalty", penalty_category="警告", limit=100, today=TODAY, **window
    )
    assert warned.id in [r.id for r in by_type.records]
    assert not {r.id for r in rows} & {r.id for r in by_type.records}
    by_region = service.double_publicity(
        session, kind="penalty", region_code="320506", limit=100, today=TODAY, **window
    )
    assert [r.id for r in by_region.records] == [warned.id]
    city = service.double_publicity(
        session, kind="penalty", region_code="320500", limit=100, today=TODAY, **window
    )
    assert {r.id for r in city.records} >= {warned.id, *(r.id for r in rows)}
    licences = service.double_publicity(session, kind="licence", limit=100, today=TODAY, **window)
    assert not {r.id for r in licences.records} & set(ours)
    _pages_agree(session, window)


def _pages_agree(session: Session, window: dict[str, object]) -> None:
    """Cursor pages and offset pages give the same rows as one page."""
    whole = service.double_publicity(session, kind="penalty", limit=100, today=TODAY, **window)
    seen: list[int] = []
    cursor = None
    for index in range(10):
        page = service.double_publicity(
            session, kind="penalty", limit=2, cursor=cursor, today=TODAY, **window
        )
        by_offset = service.double_publicity(
            session, kind="penalty", limit=2, offset=2 * index, today=TODAY, **window
        )
        assert [r.id for r in page.records] == [r.id for r in by_offset.records]
        seen += [r.id for r in page.records]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [r.id for r in whole.records]
    assert whole.total == len(seen) and not whole.total_capped


def test_double_publicity_refuses_bad_filters(session: Session) -> None:
    for bad in (
        {"kind": "licence", "penalty_category": "罚款"},
        {"kind": "penalty", "penalty_category": "打板子"},
        {"kind": "penalty", "region_code": "32"},
        {"kind": "penalty", "limit": 0},
        {"kind": "penalty", "limit": 101},
        {"kind": "penalty", "date_from": TODAY, "date_to": TODAY - timedelta(days=1)},
        {"kind": "penalty", "cursor": "eyJrIjoicyIsIm8iOjV9"},  # a search cursor
    ):
        with pytest.raises(Invalid):
            service.double_publicity(session, today=TODAY, **bad)  # type: ignore[arg-type]


def test_public_lists_count_and_page_their_entries(session: Session) -> None:
    before = {
        info.list_code: info.entries for info in service.public_lists(session, today=TODAY).lists
    }
    firm = _firm(session)
    person, number = helpers.person(session)
    red_list = {"honour_kind": "守信激励名单"}  # an honour (荣誉) is no red-list entry
    honour = helpers.record(session, firm, "honour", days_ago=12, **red_list)
    helpers.record(session, firm, "honour", days_ago=13, state="revoked", **red_list)
    helpers.record(session, firm, "honour", days_ago=14, honour_kind="荣誉")
    debtor = helpers.record(
        session, person, "dishonest_judgment_debtor", days_ago=12, id_number=number
    )
    lists_service.import_from_records(session, today=TODAY)  # the daily job lists them
    after = service.public_lists(session, today=TODAY)
    counts = {info.list_code: info.entries for info in after.lists}
    assert counts["red_list"] == before["red_list"] + 1
    assert counts["dishonest_judgment_debtor"] == before["dishonest_judgment_debtor"] + 1
    kinds = {info.list_code: info.kind for info in after.lists}
    assert kinds["red_list"] == "red" and kinds["serious_dishonesty_list"] == "black"
    red = service.public_lists(session, list_code="honour", limit=100, today=TODAY)  # old code
    assert red.list_code == "red_list"
    assert red.entries is not None and honour.id in [r.record_id for r in red.entries.entries]
    black = service.public_lists(
        session, list_code="dishonest_judgment_debtor", limit=100, today=TODAY
    )
    assert black.entries is not None
    row = next(r for r in black.entries.entries if r.record_id == debtor.id)
    assert row.subject_id is None and number not in row.model_dump_json()
    with pytest.raises(NotFound):
        service.public_lists(session, list_code="nope", today=TODAY)


def test_catalogue_rules_say_what_is_public_for_how_long_and_why() -> None:
    rules = service.catalogue_rules()
    items = {item.code: item for item in rules.items}
    assert items["tax_credit_rating"].published is False
    penalty = items["admin_penalty"]
    assert penalty.periods == {"minor": "P0M", "general": "P1Y", "serious": "P3Y"}
    assert "不予公示" in penalty.disclosure_zh
    fields = {f.name: f for f in penalty.fields}
    assert fields["decision_number"].public and not fields["legal_representative_id_number"].public
    assert any("行政处罚法" in basis.text for basis in penalty.legal_basis)
    assert all("/" not in layer for layer in rules.layers)  # file names, not server paths
    one = service.catalogue_rules(item_code="honour")
    assert [item.code for item in one.items] == ["honour"]
    with pytest.raises(NotFound):
        service.catalogue_rules(item_code="nope")


def test_home_figures_count_what_changed(session: Session) -> None:
    before = service.home_figures(session, today=TODAY)
    firm = _firm(session)
    helpers.record(session, firm, "admin_penalty", days_ago=40, **GENERAL)
    helpers.record(session, firm, "admin_penalty", days_ago=41, state="repaired", **GENERAL)
    helpers.record(session, firm, "honour", days_ago=400, honour_kind="守信激励名单")
    lists_service.import_from_records(session, today=TODAY)  # the daily job lists it
    after = service.home_figures(session, today=TODAY)
    assert after.subjects == before.subjects + 1
    assert after.records == before.records + 3
    assert after.records_published == before.records_published + 2
    assert after.list_entries == before.list_entries + 1
    assert after.repairs_completed == before.repairs_completed + 1
    assert after.departments_reporting >= 1
    assert [m.month for m in after.by_month][-1] == "2026-11" and len(after.by_month) == 12
    grown = {m.month: m.count for m in after.by_month}
    was = {m.month: m.count for m in before.by_month}
    assert sum(grown.values()) - sum(was.values()) == 2  # the honour is 400 days old
    categories = {c.category: c.count for c in after.by_category}
    old = {c.category: c.count for c in before.by_category}
    assert categories["administrative"] == old["administrative"] + 2
    assert categories["honours"] == old["honours"] + 1


def test_cached_home_figures_are_reused_for_a_while(session: Session) -> None:
    first = service.cached_home_figures(session, today=TODAY)
    assert service.cached_home_figures(session, today=TODAY) is first
    _firm(session)
    fresh = service.cached_home_figures(session, today=TODAY, seconds=0)
    assert fresh.subjects == first.subjects + 1
