"""Bulk feedback on the check feedback queue: one answer for every ticked hit, all or none."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from tests.desk.city import City
from xinyong.checks.models import CheckHit
from xinyong.core.db import session_scope


def _ticks(page: str) -> list[str]:
    return re.findall(r'form="bulk" name="hit" value="([\d:]+)"', page)


def test_the_officer_answers_two_measures_at_once_or_none(city: City) -> None:
    officer = city.clients["officer"]
    page = officer.get("/console/checks/feedback", params={"status": "overdue"}).text
    ticks = _ticks(page)
    assert len(ticks) == 2 and 'action="/console/checks/feedback/bulk"' in page
    hit_id, _ = ticks[0].split(":")
    stale = [f"{hit_id}:99", ticks[1]]  # one box from a page that is out of date
    refused = officer.post(
        "/console/checks/feedback/bulk",
        data={"hit": stale, "outcome": "applied", "on": city.at.date().isoformat()},
    )
    assert "其中有措施已由他人反馈" in refused.text
    with session_scope() as session:
        assert set(session.scalars(select(CheckHit.feedback))) == {"pending"}
    no_reason = officer.post(
        "/console/checks/feedback/bulk", data={"hit": ticks, "outcome": "not_applied", "on": ""}
    )
    assert "请填写日期" in no_reason.text or "说明原因" in no_reason.text
    done = officer.post(
        "/console/checks/feedback/bulk",
        data={"hit": ticks, "outcome": "not_applied", "on": "", "reason": "已另行处理"},
    )
    assert "请填写日期" in done.text
    saved = officer.post(
        "/console/checks/feedback/bulk",
        data={"hit": ticks, "outcome": "applied", "on": date.today().isoformat()},
    )
    assert "已为2项措施保存反馈" in saved.text
    with session_scope() as session:
        assert set(session.scalars(select(CheckHit.feedback))) == {"applied"}


def test_an_auditor_sees_no_bulk_form(city: City) -> None:
    page = city.clients["auditor"].get("/console/checks/feedback").text
    assert 'action="/console/checks/feedback/bulk"' not in page
