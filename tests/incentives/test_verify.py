"""Verification at a partner's outlet (both stores): one use per partner, refusals of
replayed, altered, expired and foreign tokens, quotas, the registered query, and an answer
that carries nothing beyond the agreed fields."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.incentives import helpers
from xinyong.auth.models import QueryLog
from xinyong.core.db import utcnow
from xinyong.core.errors import Forbidden, Invalid
from xinyong.core.i18n import t
from xinyong.incentives import service, tokens
from xinyong.incentives import verify as verification
from xinyong.incentives.models import Redemption
from xinyong.subjects.models import Subject

TODAY = date.today()
SCENIC = "xinyiyou_scenic"  # 市文旅集团: grade A or red list; per holder 1 a month
HOSPITAL = "xinyiyi_deposit_free"  # 市第一人民医院: red list or an honour


def _person(session: Session, name: str, grade: str | None, days: int) -> Subject:
    birth = date(1970, 1, 1) + timedelta(days=days)
    subject = factories.person(session, name=name, id_number=factories.id_number(birth=birth))
    if grade is not None:
        helpers.graded(session, subject, grade, TODAY)
    return subject


def check_answer(answer: verification.Answer, subject: Subject | None) -> None:
    """Every key and value of the answer is one the partner may see."""
    shown = answer.as_json()
    assert tuple(shown) == verification.ANSWER_KEYS
    assert shown["status"] in verification.STATUSES
    assert shown["message"] == {
        "zh": t(f"inc.answer.{answer.status}", "zh"),
        "en": t(f"inc.answer.{answer.status}", "en"),
    }
    assert isinstance(shown["checked_at"], str)
    if shown["holder"] is not None:
        assert subject is not None and shown["holder"] == verification.masked_name(subject)
        assert shown["holder"] != subject.name and "*" in str(shown["holder"])
    text = repr(shown)
    for secret in ("grade", "list", "penalty", "record", "A级", "red_list", "honour"):
        assert secret not in text


@pytest.fixture
def scene(session: Session) -> dict[str, object]:
    _, _, scenic = helpers.partner(session, "市文旅集团")
    _, _, hospital = helpers.partner(session, "市第一人民医院")
    good = _person(session, "王守信", "A", 1)
    poor = _person(session, "李一般", "C", 2)
    return {"scenic": scenic, "hospital": hospital, "good": good, "poor": poor}


def _code(session: Session, subject: Subject) -> str:
    return verification.issue_code(session, principal=helpers.holder(subject)).token


def test_eligible_once_then_already_used_and_registered(
    session: Session, scene: dict[str, object]
) -> None:
    good, scenic = scene["good"], scene["scenic"]
    assert isinstance(good, Subject)
    token = _code(session, good)
    first = verification.verify(
        session, principal=scenic, scenario_code=SCENIC, token=token, outlet="古城景区南门"
    )  # type: ignore[arg-type]
    assert first.status == "eligible" and first.holder == "王*信"
    check_answer(first, good)
    replay = verification.verify(session, principal=scenic, scenario_code=SCENIC, token=token)  # type: ignore[arg-type]
    assert replay.status == "already_used" and replay.holder is None
    check_answer(replay, good)
    redeemed = session.scalars(select(Redemption).where(Redemption.subject_id == good.id)).all()
    assert [(r.scenario_code, r.outlet, float(r.value)) for r in redeemed] == [
        (SCENIC, "古城景区南门", 80.0)
    ]
    logged = session.scalars(select(QueryLog).where(QueryLog.subject_id == good.id)).all()
    assert [q.purpose for q in logged] == ["信易+ 信易游 · 景区免票"] * 2
    assert [q.outcome for q in logged] == ["eligible", "already_used"]
    # the holder sees it; the partner's figures count it, the other partner's do not
    assert [r.id for r in service.redemptions_of(session, subject_id=good.id)] == [redeemed[0].id]


def test_altered_expired_and_foreign_tokens_are_refused(
    session: Session, scene: dict[str, object]
) -> None:
    good, scenic, hospital = scene["good"], scene["scenic"], scene["hospital"]
    assert isinstance(good, Subject)
    token = _code(session, good)
    head, _, signature = token.rpartition(".")
    prefix, key_id, payload = head.split(".")
    body = base64.urlsafe_b64decode(payload + "==").replace(b'"exp":', b'"exp":9')
    forged = f"{prefix}.{key_id}.{base64.urlsafe_b64encode(body).rstrip(b'=').decode()}.{signature}"
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    for bad in (forged, flipped, "XYC1.nonsense", token + "x", ""):
        answer = verification.verify(session, principal=scenic, scenario_code=SCENIC, token=bad)  # type: ignore[arg-type]
        assert answer.status == "invalid" and answer.holder is None, bad
        check_answer(answer, None)
    # a genuine signature over an id the platform never issued
    unknown = tokens.make(tokens.new_token_id(), utcnow())
    assert (
        verification.verify(session, principal=scenic, scenario_code=SCENIC, token=unknown).status
        == "invalid"
    )  # type: ignore[arg-type]
    later = utcnow() + tokens.LIFETIME + timedelta(seconds=1)
    expired = verification.verify(
        session, principal=scenic, scenario_code=SCENIC, token=token, now=later
    )  # type: ignore[arg-type]
    assert expired.status == "expired"
    check_answer(expired, good)
    # the hospital may not verify for the scenic spot's scenario
    with pytest.raises(Forbidden):
        verification.verify(session, principal=hospital, scenario_code=SCENIC, token=token)  # type: ignore[arg-type]
    with pytest.raises(Invalid):
        verification.verify(
            session, principal=scenic, scenario_code=SCENIC, token=token, outlet="别家网点"
        )  # type: ignore[arg-type]
    # still unused at the scenic spot after all those refusals
    assert (
        verification.verify(session, principal=scenic, scenario_code=SCENIC, token=token).status
        == "eligible"
    )  # type: ignore[arg-type]


def test_not_eligible_is_neutral_and_each_partner_gets_one_use(
    session: Session, scene: dict[str, object]
) -> None:
    good, poor = scene["good"], scene["poor"]
    scenic, hospital = scene["scenic"], scene["hospital"]
    assert isinstance(good, Subject) and isinstance(poor, Subject)
    answer = verification.verify(
        session, principal=scenic, scenario_code=SCENIC, token=_code(session, poor)
    )  # type: ignore[arg-type]
    assert answer.status == "not_eligible" and answer.holder == "李*般"
    check_answer(answer, poor)
    token = _code(session, good)
    # one token, two partners: each may use it once; the hospital finds no red list / honour
    assert (
        verification.verify(session, principal=scenic, scenario_code=SCENIC, token=token).status
        == "eligible"
    )  # type: ignore[arg-type]
    other = verification.verify(session, principal=hospital, scenario_code=HOSPITAL, token=token)  # type: ignore[arg-type]
    assert other.status == "not_eligible"
    check_answer(other, good)


def test_quota_per_holder_per_month(session: Session, scene: dict[str, object]) -> None:
    good, scenic = scene["good"], scene["scenic"]
    assert isinstance(good, Subject)
    first = verification.verify(
        session, principal=scenic, scenario_code=SCENIC, token=_code(session, good)
    )  # type: ignore[arg-type]
    second = verification.verify(
        session, principal=scenic, scenario_code=SCENIC, token=_code(session, good)
    )  # type: ignore[arg-type]
    assert (first.status, second.status) == ("eligible", "quota_reached")
    check_answer(second, good)
    figures = {f.code: f for f in service.figures(session, organisation_id=scenic.organisation_id)}  # type: ignore[attr-defined]
    assert set(figures) == {SCENIC, "xinyizu_equipment"}  # the partner's own scenarios only
    assert (figures[SCENIC].verifications, figures[SCENIC].redemptions) == (2, 1)
    assert float(figures[SCENIC].value) == 80.0


def test_holder_standings_explain_why_not(session: Session, scene: dict[str, object]) -> None:
    from xinyong.incentives import present

    poor = scene["poor"]
    assert isinstance(poor, Subject)
    standings = {
        s.scenario.code: s for s in service.standings(session, subject_id=poor.id, today=TODAY)
    }
    assert not standings[SCENIC].verdict.eligible
    lines = present.why_not(standings[SCENIC].scenario.spec, standings[SCENIC].verdict, "zh")
    assert lines == ["未满足：满足其一：综合信用评价等级为A级及以上或列入守信激励对象名单"]
    assert standings["xinyixing_bike"].verdict.eligible
    assert present.why_not(
        standings["xinyipi_green_lane"].scenario.spec, standings["xinyipi_green_lane"].verdict, "zh"
    ) == ["本场景不适用于您的主体类型"]
