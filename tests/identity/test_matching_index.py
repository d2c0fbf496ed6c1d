"""The match index (from generator rows and from the database) and screening against it."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests import factories
from xinyong.demo.generator import CityGenerator
from xinyong.identity import codes
from xinyong.identity.matching import MatchIndex, screen
from xinyong.identity.matching.identifiers import id_digest
from xinyong.identity.matching.postings import CodeTable, Postings
from xinyong.subjects import matching as subjects_matching

_rng = random.Random(88)


@dataclass
class _Row:
    id: int
    kind: str
    name: str
    uscc: str | None = None
    id_number: str | None = None


def _uscc() -> str:
    return codes.generate_uscc(_rng, category="91", region="320505")


def _person_id(birth: date = date(1980, 5, 6)) -> str:
    return codes.generate_id_number(_rng, region="320508", birth_date=birth, sex="F")


# --- storage structures ------------------------------------------------------------------


def test_postings_keep_single_ids_unboxed_and_grow_and_shrink() -> None:
    postings = Postings()
    postings.add("k", 7)
    assert list(postings.get("k")) == [7] and postings.size("k") == 1
    postings.add("k", 9)
    postings.add("k", 11)
    assert list(postings.get("k")) == [7, 9, 11]
    postings.remove("k", 9)
    postings.remove("k", 7)
    assert list(postings.get("k")) == [11]
    postings.remove("k", 11)
    assert postings.get("k") == () and len(postings) == 0
    postings.remove("absent", 1)  # no error
    assert postings.memory_bytes() > 0


def test_code_table_bulk_overlay_remove_and_compaction(monkeypatch: pytest.MonkeyPatch) -> None:
    table = CodeTable()
    with table.bulk():
        for n in range(1000):
            table.add(f"uscc:{n}", n)
    assert len(table) == 1000 and table.get("uscc:500") == 500
    assert table.get("uscc:1000") is None
    table.remove("uscc:500")
    assert table.get("uscc:500") is None and len(table) == 999
    table.add("uscc:500", 5000)  # re-added, with another subject
    table.add("uscc:2000", 2000)
    assert table.get("uscc:500") == 5000 and table.get("uscc:2000") == 2000
    assert len(table) == 1001
    monkeypatch.setattr(CodeTable, "_OVERLAY_LIMIT", 2)
    table.add("uscc:3000", 3000)  # the overlay is now merged into the sorted arrays
    assert table.get("uscc:500") == 5000 and table.get("uscc:3000") == 3000
    assert table.get("uscc:1") == 1 and len(table) == 1002


# --- the index ---------------------------------------------------------------------------


def test_index_from_generator_rows_finds_names_and_codes() -> None:
    generator = CityGenerator(seed=4, region="320500", anchor=date(2026, 11, 1))
    rows = [row for chunk in generator.chunks(2000) for row in chunk.subjects]
    index = MatchIndex.build_from_rows(rows)
    assert len(index) == len(rows)
    company = next(r for r in rows if r.kind == "legal_person" and r.uscc)
    person = next(r for r in rows if r.kind == "natural_person" and r.id_number)
    assert company.uscc and person.id_number
    assert index.find_code("uscc", company.uscc) == company.id
    assert index.find_code("id_number", id_digest(person.id_number)) == person.id
    found = screen(index, company.name)
    assert found and found[0].subject_id == company.id
    assert found[0].result.decision == "match"
    stats = index.stats()
    coded = sum(1 for r in rows if r.uscc or r.id_number)
    assert stats["subjects"] == len(rows) and stats["codes"] == coded
    assert index.memory_bytes() > 0


def test_add_update_and_remove_keep_the_index_current() -> None:
    code = _uscc()
    index = MatchIndex.build_from_rows([_Row(1, "legal_person", "苏州同建科技有限公司", code)])
    assert screen(index, "苏州同建科技有限公司")[0].subject_id == 1
    index.update(1, kind="legal_person", name="苏州新程科技有限公司", uscc=code)
    assert screen(index, "苏州同建科技有限公司") == []
    assert screen(index, "苏州新程科技有限公司")[0].subject_id == 1
    index.add(2, kind="legal_person", name="苏州同建科技有限公司", uscc=_uscc())
    assert [c.subject_id for c in screen(index, "同建科技有限公司")] == [2]
    assert index.remove(2) and not index.remove(2)
    assert screen(index, "同建科技有限公司") == [] and 2 not in index
    assert index.find_code("uscc", code) == 1
    index.remove(1)
    assert index.find_code("uscc", code) is None and len(index) == 0


def test_screen_lets_codes_decide() -> None:
    code, other = _uscc(), _uscc()
    index = MatchIndex.build_from_rows(
        [
            _Row(1, "legal_person", "苏州同建科技有限公司", code),
            _Row(2, "legal_person", "苏州旧名贸易有限公司", other),
        ]
    )
    by_code = screen(index, "苏州全新名称有限公司", code=other)
    assert [c.subject_id for c in by_code] == [2]
    assert by_code[0].result.decision == "match"
    assert by_code[0].code == other
    assert screen(index, "苏州同建科技有限公司", code=other)[0].subject_id == 2


def test_screen_reports_branches_and_flags_equal_matches() -> None:
    index = MatchIndex.build_from_rows(
        [
            _Row(1, "legal_person", "苏州同建科技有限公司", _uscc()),
            _Row(2, "legal_person", "苏州同建科技有限公司北京分公司", _uscc()),
            _Row(3, "legal_person", "苏州鑫达贸易有限公司", _uscc()),
            _Row(4, "legal_person", "鑫达贸易(苏州)有限公司", _uscc()),
        ]
    )
    found = screen(index, "苏州同建科技有限公司")
    assert [(c.subject_id, c.result.decision) for c in found] == [(1, "match"), (2, "no_match")]
    assert found[1].result.relation == "b_branch_of_a"
    assert [c.subject_id for c in screen(index, "苏州同建科技有限公司", include_related=False)] == [
        1
    ]
    tied = screen(index, "苏州鑫达贸易有限公司")
    assert {c.subject_id for c in tied} == {3, 4}
    assert all(c.result.decision == "possible" for c in tied)
    assert "match equally" in tied[0].result.explanation


def test_screen_persons_by_name_and_id_number() -> None:
    number, other = _person_id(), _person_id(date(1991, 2, 3))
    index = MatchIndex.build_from_rows(
        [
            _Row(1, "natural_person", "张伟", id_number=number),
            _Row(2, "natural_person", "张伟", id_number=other),
        ]
    )
    by_name = screen(index, "张 伟")
    assert {c.subject_id for c in by_name} == {1, 2}
    assert all(c.result.decision == "possible" for c in by_name)
    by_id = screen(index, "张伟", code=number)
    assert by_id[0].subject_id == 1 and by_id[0].result.decision == "match"
    assert [c.subject_id for c in by_id] == [1]  # the other 张伟's ID number differs
    by_birth = screen(index, "张伟", birth_date=date(1991, 2, 3))
    assert [c.subject_id for c in by_birth] == [2]
    assert screen(index, "张玮") == []


def test_index_from_the_database_with_incremental_refresh(session: Session) -> None:
    company = factories.enterprise(session, name="苏州同建科技有限公司")
    person = factories.person(session, name="李小红", id_number=_person_id())
    registered = factories.registration_number()
    old = factories.enterprise(
        session, name="苏州老字号商贸有限公司", registration_number=registered
    )
    index = subjects_matching.build_index(session)
    assert len(index) >= 3
    assert company.uscc and index.find_code("uscc", company.uscc) == company.id
    assert (
        person.id_number_hash and index.find_code("id_number", person.id_number_hash) == person.id
    )
    assert index.find_code("registration_number", registered) == old.id
    assert screen(index, "同建科技(苏州)有限公司")[0].subject_id == company.id
    company.name = "苏州新程科技有限公司"
    added = factories.enterprise(session, name="苏州后来居上科技有限公司")
    session.flush()
    assert subjects_matching.refresh_index(index, session) >= 2
    assert screen(index, "苏州新程科技有限公司")[0].subject_id == company.id
    assert not any(c.subject_id == company.id for c in screen(index, "苏州同建科技有限公司"))
    assert screen(index, "苏州后来居上科技有限公司")[0].subject_id == added.id
