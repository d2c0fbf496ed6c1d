"""The synthetic city: deterministic, valid, realistic — and loadable on both stores."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from xinyong.catalog import service as catalog_service
from xinyong.core.db import session_scope
from xinyong.demo import loader, rows
from xinyong.demo.fields import DepartmentInfo
from xinyong.demo.generator import CityGenerator, SubjectRow
from xinyong.identity import codes
from xinyong.records import protect
from xinyong.records.models import Record, RecordEvent
from xinyong.records.payload import check_payload
from xinyong.rights import stats as rights_stats
from xinyong.subjects.models import Subject, SubjectRelation

ANCHOR = date(2026, 11, 1)


def _city(seed: int, size: int) -> list[SubjectRow]:
    generator = CityGenerator(seed=seed, region="320500", anchor=ANCHOR)
    return [row for chunk in generator.chunks(size) for row in chunk.subjects]


def test_same_seed_same_city_other_seed_other_city() -> None:
    first, second, other = _city(11, 3000), _city(11, 3000), _city(12, 3000)
    assert first == second
    assert [r.name for r in first] != [r.name for r in other]


def test_every_generated_code_validates_and_is_unique() -> None:
    city = _city(3, 12_000)  # more than one chunk
    usccs = [r.uscc for r in city if r.uscc]
    ids = [r.id_number for r in city if r.id_number]
    assert len(set(usccs)) == len(usccs) and len(set(ids)) == len(ids)
    for code in usccs:
        result = codes.validate_uscc(code)
        assert result.valid, (code, result.reason)
    for number in ids:
        assert codes.validate_id_number(number).valid, number
    organisations = [r.name for r in city if r.uscc]
    assert len(set(organisations)) == len(organisations)  # people may share names; firms not
    assert [r.id for r in city] == list(range(1, len(city) + 1))


def test_city_looks_like_a_city() -> None:
    city = _city(5, 10_000)
    kinds = Counter(r.kind for r in city)
    assert 0.45 < kinds["legal_person"] / len(city) < 0.65
    assert 0.2 < kinds["individual_business"] / len(city) < 0.3
    assert 0.1 < kinds["natural_person"] / len(city) < 0.2
    assert kinds["household"] > 0
    categories = Counter(r.category for r in city)
    for category in ("91", "92", "93", "12", "N2"):
        assert categories[category] > 0, category
    names = [r.name for r in city]
    assert any("分公司" in n or "营业部" in n for n in names)
    assert any(" " in n for n in names)
    assert any(re.search("[貿與們東網廣華]", n) for n in names)  # traditional characters
    assert any("(苏州)" in n for n in names) and any("（苏州）" in n for n in names)
    assert all(
        r.region_code and r.region_code.startswith("3205")
        for r in city
        if r.kind != "natural_person"
    )


@pytest.mark.parametrize("parallel", [False, True], ids=["inline", "producer-process"])
def test_loaded_demo_is_valid_against_the_catalogue(configured_db: str, parallel: bool) -> None:
    report = loader.load_demo(
        subjects=600, seed=9, records_per_subject=6, anchor=ANCHOR, parallel=parallel,
        rights_cases=0,
    )  # fmt: skip
    assert report.subjects == 600 and report.records > 1000
    catalog = catalog_service.get_catalog()
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Subject)) == 600
        assert session.scalar(select(func.count()).select_from(SubjectRelation)) == report.relations
        kinds = dict(session.execute(select(Subject.id, Subject.kind)).all())
        records = list(session.scalars(select(Record)))
        assert len(records) == report.records
        for record in records:
            item = catalog.item(record.item_code)
            clear = protect.reveal(record.payload, record.protected)
            assert check_payload(item, clear) == clear
            assert kinds[record.subject_id] in {k.value for k in item.subject_kinds}
            assert record.decision_date is None or record.decision_date <= ANCHOR
            if record.state in ("active", "under_objection") and record.disclosure_end:
                assert record.disclosure_end >= ANCHOR
        states = Counter(r.state for r in records)
        assert states["expired"] == report.expired > 0
        assert states["corrected"] > 0 and states["active"] > 0
        logged = session.scalar(select(func.count()).select_from(RecordEvent))
        assert logged == sum(v for k, v in states.items() if k != "active")
        person_ids = {i for i, kind in kinds.items() if kind == "natural_person"}
        person_records = [r for r in records if r.subject_id in person_ids]
        assert person_records
        for record in person_records:  # ID numbers only masked in payloads, sealed beside
            assert "*" in record.payload["subject_code"] and record.protected
        persons = session.scalars(select(Subject).where(Subject.kind == "natural_person")).all()
        assert persons and all(
            p.id_number_hash and "*" in (p.id_number_masked or "") for p in persons
        )


def test_rows_are_the_same_however_they_are_made() -> None:
    spec = rows.CitySpec(
        subjects=400, seed=4, region="320500", anchor=ANCHOR, records_per_subject=5,
        first_subject_id=1, first_record_id=1, departments=_departments(), postgres=False,
    )  # fmt: skip

    def stable(chunks: list[rows.ChunkRows]) -> list[tuple[object, ...]]:
        # Drop timestamps and the randomised ciphertexts (their clear values are compared
        # through the keyed hash and the masked form).
        return [
            tuple(v for i, v in enumerate(row) if i not in (5, 14, 15))
            for chunk in chunks
            for row in chunk.subjects
        ] + [row[:13] for chunk in chunks for row in chunk.records]

    assert stable(list(rows.generate(spec))) == stable(list(rows.generate(spec)))


def _departments() -> dict[str, list[DepartmentInfo]]:
    out: dict[str, list[DepartmentInfo]] = {}
    for index, spec in enumerate(catalog_service.load_departments(), start=1):
        out.setdefault(spec.kind.value, []).append(
            DepartmentInfo(index, spec.kind.value, spec.name.zh, spec.code)
        )
    return out


def test_the_demo_files_rights_cases_through_the_service(configured_db: str) -> None:
    report = loader.load_demo(subjects=600, seed=9, records_per_subject=6, anchor=ANCHOR)
    assert report.rights_cases >= 10
    with session_scope() as session:
        figures = rights_stats.figures(session, today=ANCHOR)
        assert sum(kind.total for kind in figures.kinds) == report.rights_cases
        assert figures.subjects_repaired > 0 and figures.records_under_objection > 0
        assert {kind.kind: kind.open > 0 for kind in figures.kinds} == {
            "objection": True,
            "repair": True,
        }


def test_the_demo_city_gets_an_evaluation_run(configured_db: str) -> None:
    from xinyong.evaluation import service as evaluation_service

    report = loader.load_demo(subjects=300, seed=11, records_per_subject=6, anchor=ANCHOR)
    assert report.evaluated > 0 and "evaluation" in report.phases
    with session_scope() as session:
        runs = evaluation_service.runs(session)
        assert {run.model_code for run in runs} == {
            "city_legal_person",
            "individual_business",
            "transport",
        }
        assert all(run.as_of == ANCHOR and run.mode == "full" for run in runs)
        from xinyong.supervision import service as supervision_service

        counts = supervision_service.class_counts(session, code="market_regulation")
        assert sum(counts.values()) > 0 and report.inspections > 0
