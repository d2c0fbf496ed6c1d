"""subjects.person_names: the Bloom filter screens, the database confirms."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests import factories
from xinyong.subjects import person_names


def test_known_persons_are_found_and_nothing_else(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(person_names, "REFRESH_SECONDS", 0.0)
    factories.person(session, name="司马相如")
    factories.enterprise(session, name="苏州市司马相如科技有限公司")
    candidates = {"司马相如", "司马", "相如", "科技", "苏州市"}
    assert person_names.person_names_among(session, candidates) == {"司马相如"}
    factories.person(session, name="卓文君")  # added to the filter on the next call
    assert person_names.person_names_among(session, {"卓文君", "文君"}) == {"卓文君"}


def test_the_filter_has_no_false_negatives() -> None:
    screen = person_names._Filter()
    names = [f"测试{i}" for i in range(5000)]
    for name in names:
        screen.add(name)
    assert all(name in screen for name in names)
    assert sum(f"其他{i}" in screen for i in range(5000)) < 50  # false positives are rare
