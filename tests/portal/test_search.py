"""Name and code search: normalisation, ranking, pages, highlights and index upkeep, both stores."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories
from xinyong.portal import service
from xinyong.subjects import search
from xinyong.subjects.models import SearchGram, Subject, SubjectSearch

# Trade names from characters the demo city never combines this way, so that other
# tests' subjects sharing the database cannot enter these results.
HEAD = "苏州璟澜智能科技有限公司"
OTHER_FORM = "璟澜(苏州)贸易有限公司"
LONGER = "新璟澜科技有限公司"
UNRELATED = "苏州霁沅贸易有限公司"


def _firms(session: Session) -> dict[str, Subject]:
    firms = {name: factories.enterprise(session, name=name) for name in (HEAD, OTHER_FORM, LONGER)}
    firms[UNRELATED] = factories.enterprise(session, name=UNRELATED)
    search.index_subjects(session, [s.id for s in firms.values()])
    return firms


def _names(session: Session, query: str, **kw: int) -> list[str]:
    return [hit.name for hit in service.search_subjects(session, query=query, **kw).hits]


@pytest.mark.parametrize(
    "typed",
    [
        HEAD,
        "蘇州璟瀾智能科技有限公司",  # traditional characters
        "苏州璟澜智能科技有限责任公司",  # the same legal form spelt long
        "  苏州 璟澜智能  科技有限公司 ",  # extra spaces
        "ＳＵ苏州璟澜智能科技有限公司"[2:],  # full-width text folds
    ],
)
def test_a_name_as_typed_finds_the_firm_first(session: Session, typed: str) -> None:
    firms = _firms(session)
    page = service.search_subjects(session, query=typed)
    assert page.hits[0].subject_id == firms[HEAD].id
    assert page.hits[0].match == "name"


def test_full_width_brackets_and_moved_region_find_the_firm(session: Session) -> None:
    firms = _firms(session)
    page = service.search_subjects(session, query="璟澜（蘇州）貿易有限公司")
    assert page.hits[0].subject_id == firms[OTHER_FORM].id
    assert page.hits[0].match == "name"
    moved = service.search_subjects(session, query="苏州璟澜贸易有限公司")
    assert moved.hits[0].subject_id == firms[OTHER_FORM].id  # trade name + more grams
    assert UNRELATED not in [h.name for h in moved.hits]


def test_trade_name_finds_every_firm_of_that_name_ranked(session: Session) -> None:
    _firms(session)
    page = service.search_subjects(session, query="璟澜")
    # trade-name matches (shorter name first), then the firm whose trade name only holds it
    assert [h.name for h in page.hits] == [OTHER_FORM, HEAD, LONGER]
    assert [h.match for h in page.hits] == ["trade_name", "trade_name", "partial"]
    assert page.total == 3


def test_part_of_a_name_finds_the_firm(session: Session) -> None:
    firms = _firms(session)
    assert _names(session, "澜智能") == [HEAD]
    assert _names(session, "智能科") == [HEAD]
    assert firms[HEAD].id in [
        h.subject_id for h in service.search_subjects(session, query="璟澜智").hits
    ]


def test_more_of_the_query_ranks_higher(session: Session) -> None:
    _firms(session)
    # Trade-name matches first, among them the one holding more of the query (贸易 / 科技);
    # LONGER holds every gram of 璟澜科技 but its trade name is 新璟澜.
    assert _names(session, "璟澜贸易") == [OTHER_FORM, HEAD, LONGER]
    assert _names(session, "璟澜科技") == [HEAD, OTHER_FORM, LONGER]


def test_a_code_finds_exactly_its_subject(session: Session) -> None:
    firms = _firms(session)
    code = firms[LONGER].uscc or ""
    for typed in (code, code.lower(), f" {code[:8]} {code[8:]} "):
        page = service.search_subjects(session, query=typed)
        assert [(h.subject_id, h.match) for h in page.hits] == [(firms[LONGER].id, "code")]
        assert page.total == 1
    other = factories.uscc()
    assert service.search_subjects(session, query=other).hits == []


def test_old_registration_number_finds_its_subject(session: Session) -> None:
    number = factories.registration_number()
    firm = factories.enterprise(
        session, name="苏州霁璟机械制造有限公司", registration_number=number
    )
    search.index_subjects(session, [firm.id])
    assert [h.subject_id for h in service.search_subjects(session, query=number).hits] == [firm.id]


def test_persons_are_never_found(session: Session) -> None:
    person = factories.person(session, name="璟澜生")
    search.index_subjects(session, [person.id])
    assert service.search_subjects(session, query="璟澜生").hits == []
    number = factories.id_number(birth=date(1990, 1, 2))
    factories.person(session, name="欧阳霁沅", id_number=number)
    assert service.search_subjects(session, query=number).total == 0
    held = session.scalar(select(func.count()).where(SubjectSearch.subject_id == person.id))
    assert held == 0


def test_pages_are_stable_and_cursor_continues(session: Session) -> None:
    firms = [
        factories.enterprise(session, name=f"苏州霁沅{word}有限公司")
        for word in ("机械", "电子", "纺织", "食品", "物流", "软件", "贸易")
    ]
    search.index_subjects(session, [f.id for f in firms])
    whole = service.search_subjects(session, query="霁沅", limit=100)
    assert whole.total == 7
    seen: list[int] = []
    page = service.search_subjects(session, query="霁沅", limit=3)
    while True:
        seen += [h.subject_id for h in page.hits]
        if page.next_cursor is None:
            break
        page = service.search_subjects(session, query="霁沅", limit=3, cursor=page.next_cursor)
    assert seen == [h.subject_id for h in whole.hits]
    by_offset = service.search_subjects(session, query="霁沅", limit=3, offset=3)
    assert [h.subject_id for h in by_offset.hits] == seen[3:6]


def test_highlights_cover_the_matched_text_as_displayed(session: Session) -> None:
    firm = factories.enterprise(session, name="璟澜（蘇州）智能科技有限公司")
    search.index_subjects(session, [firm.id])
    hit = service.search_subjects(session, query="苏州智能").hits[0]
    assert hit.subject_id == firm.id
    assert [hit.name[a:b] for a, b in hit.highlights] == ["蘇州", "智能"]


def test_too_short_or_empty_queries_find_nothing(session: Session) -> None:
    _firms(session)
    for typed in ("璟", "  ", "()", "·"):
        page = service.search_subjects(session, query=typed)
        assert page.total == 0 and page.hits == []


def test_renaming_and_rebuilding_keep_the_index_exact(session: Session) -> None:
    firms = _firms(session)
    before = service.search_subjects(session, query="璟澜").model_dump()
    renamed = firms[LONGER]
    renamed.name = "新霁沅科技有限公司"
    session.flush()
    search.index_subjects(session, [renamed.id])
    assert LONGER not in _names(session, "璟澜")
    assert _names(session, "新霁沅") == ["新霁沅科技有限公司"]
    ids = [s.id for s in firms.values()]
    incremental = _postings(session, ids)
    search.rebuild_index(session)
    assert _postings(session, ids) == incremental
    renamed.name = LONGER
    search.index_subjects(session, [renamed.id])
    assert service.search_subjects(session, query="璟澜").model_dump() == before


def _postings(session: Session, ids: list[int]) -> list[tuple[str, int]]:
    stmt = select(SearchGram.gram, SearchGram.subject_id).where(SearchGram.subject_id.in_(ids))
    return sorted((gram, subject_id) for gram, subject_id in session.execute(stmt))


def test_query_parsing_requires_the_trade_name_grams() -> None:
    parsed = search.parse_query("苏州市恒达科技有限公司")
    assert parsed.trade_key == "恒达"
    assert parsed.required == ["恒达"]
    assert "科技" in parsed.optional and "苏州" in parsed.optional
    whole = search.parse_query("达科技")
    assert set(whole.required) <= set(search.grams_of(whole.key))
    assert search.search_key("恒達（蘇州）科技 有限公司") == "恒达苏州科技有限公司"


def test_a_broad_query_ranks_exact_matches_first_and_says_it_is_capped(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    firms = [
        factories.enterprise(session, name=f"苏州霁沅{word}有限公司")
        for word in ("机械", "电子", "纺织", "食品", "物流")
    ]
    exact = factories.enterprise(session, name="霁沅有限公司")  # highest id
    search.index_subjects(session, [f.id for f in [*firms, exact]])
    monkeypatch.setattr(search, "CANDIDATE_CAP", 3)
    page = service.search_subjects(session, query="霁沅有限公司")
    assert page.total_capped
    assert [h.subject_id for h in page.hits[:2]] == [exact.id, firms[0].id]
    assert page.hits[0].match == "name"
    monkeypatch.setattr(search, "CANDIDATE_CAP", 100)
    assert not service.search_subjects(session, query="霁沅有限公司").total_capped
