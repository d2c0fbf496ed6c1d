"""The public grade scope is data in the model: a grade is on the public subject page and the
open API only where the model publishes it (the city grade of organisations), never a
government-only grade (individual businesses); the subject's own page says which."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests import factories
from xinyong.evaluation import access, config, service
from xinyong.evaluation.config import EvaluationConfigError
from xinyong.identity.kinds import SubjectKind
from xinyong.portal import service as portal_service
from xinyong.subjects import service as subjects_service
from xinyong.subjects.schemas import SubjectCreate

AS_OF = date(2026, 12, 1)
HEAD = "models:\n  {code}:\n"


def _with(tmp_path: Path, code: str, text: str) -> config.EvaluationModels:
    path = tmp_path / "city.yaml"
    path.write_text(HEAD.format(code=code) + text, encoding="utf-8")
    return config.load([*config.shipped_files(), path])


def test_publication_is_data_and_checked(tmp_path: Path) -> None:
    models = config.load(config.shipped_files())
    city, small = models.get("city_legal_person"), models.get("individual_business")
    assert city.is_public("legal_person", "A") and city.is_public("legal_person", "D")
    assert not city.is_public("natural_person", "A")
    assert not small.is_public("individual_business", "A")  # shared with government only
    only_good = _with(
        tmp_path,
        "city_legal_person",
        "    publication: {subject_kinds: [legal_person], grades: [A]}\n",
    )
    model = only_good.get("city_legal_person")
    assert model.is_public("legal_person", "A") and not model.is_public("legal_person", "C")
    with pytest.raises(EvaluationConfigError, match="disclosure: public"):
        _with(
            tmp_path,
            "individual_business",
            "    publication: {subject_kinds: [individual_business]}\n",
        )
    with pytest.raises(EvaluationConfigError, match="not kinds of the model"):
        _with(tmp_path, "city_legal_person", "    publication: {subject_kinds: [natural_person]}\n")
    with pytest.raises(EvaluationConfigError, match="unknown grade"):
        _with(
            tmp_path,
            "city_legal_person",
            "    publication: {subject_kinds: [legal_person], grades: [Z]}\n",
        )


def test_public_page_shows_only_published_grades(session: Session) -> None:
    firm = factories.enterprise(session, registration_date=date(2015, 1, 1))
    shop = subjects_service.create(
        session,
        data=SubjectCreate(
            kind=SubjectKind.individual_business,
            name="苏州市测试小吃店",
            uscc=factories.uscc("92"),
            registration_date=date(2015, 1, 1),
        ),
    )
    service.evaluate(session, as_of=AS_OF, actor="test")
    profile = portal_service.subject_profile(session, code=firm.uscc or "", today=AS_OF)
    assert [g.model_code for g in profile.grades] == ["city_legal_person"]
    grade = profile.grades[0]
    assert grade.grade in {"A", "B", "C", "D"} and grade.as_of == AS_OF and grade.label_zh
    assert service.current_results(session, subject_id=shop.id)  # graded, yet not published
    shop_profile = portal_service.subject_profile(session, code=shop.uscc or "", today=AS_OF)
    assert shop_profile.grades == []  # individual businesses' grades stay with government
    own = access.explained(session, subject_id=firm.id, lang="zh")
    assert [e.public for e in own] == [True]
    assert [e.public for e in access.explained(session, subject_id=shop.id, lang="zh")] == [False]
