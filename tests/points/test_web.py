"""Points pages through the app: clerk declares, a second person reviews, the month closes,
the board is published (HTML, PDF poster, PNG); scoping by unit; the villager's own page;
redemption with a receipt."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import ARTIFACTS, LiveCities
from tests.points.helpers import Town, build, login, token
from xinyong.auth.models import QueryLog
from xinyong.core.db import session_scope
from xinyong.points import service
from xinyong.points.models import PointsAccount


@pytest.fixture
def town(live_city: LiveCities) -> Iterator[Town]:
    with live_city(extras=build) as city:
        yield city.facts


def test_declare_review_close_and_publish(town: Town, backend: str) -> None:
    clerk, reviewer = login("clerk"), login("reviewer")
    page = clerk.get(f"/console/points/villages/{town.village_id}")
    assert page.status_code == 200 and "登记积分事项" in page.text
    today = service.beijing_today().isoformat()
    form = {
        "csrf_token": token(page.text), "account_id": str(town.household_id), "item": "dz03",
        "deed_date": today, "declared_by": "村民本人", "channel": "phone", "evidence": "",
    }  # fmt: skip
    refused = clerk.post(f"/console/points/villages/{town.village_id}/declare", data=form)
    assert refused.status_code == 422 and "需要提供佐证" in refused.text
    form["evidence"] = "失主证明"
    done = clerk.post(f"/console/points/villages/{town.village_id}/declare", data=form)
    assert done.status_code == 200 and "已登记，待审核" in done.text
    assert "本人登记，待他人审核" in done.text  # the clerk cannot approve their own entries
    queue = reviewer.get(f"/console/points/villages/{town.village_id}")
    ids = [int(x) for x in re.findall(r"/console/points/entries/(\d+)/decide", queue.text)]
    assert len(set(ids)) == 2  # the demo's pending deed and this one
    for entry_id in sorted(set(ids)):
        answer = reviewer.post(
            f"/console/points/entries/{entry_id}/decide",
            data={"csrf_token": token(queue.text), "decision": "approve"},
        )
        assert answer.status_code == 200
    closed = reviewer.post(
        f"/console/points/villages/{town.village_id}/close",
        data={
            "csrf_token": token(queue.text),
            "period": service.period_of(service.beijing_today()),
        },
    )
    assert closed.status_code == 200 and "本月已结账并公示" in closed.text
    board = clerk.get(f"/points/villages/{town.village_id}/board")
    assert board.status_code == 200 and "诚信积分公示" in board.text and "*" in board.text
    assert "月度十佳诚信户表彰" in board.text
    english = clerk.get(f"/points/villages/{town.village_id}/board?lang=en")
    assert "Honesty points board" in english.text
    pdf = clerk.get(f"/points/villages/{town.village_id}/board.pdf?lang=zh")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    png = clerk.get(f"/points/villages/{town.village_id}/board.png?lang=zh")
    assert png.content.startswith(b"\x89PNG")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{backend}-points-poster"
    Path(str(target) + ".pdf").write_bytes(pdf.content)
    Path(str(target) + "-wechat.png").write_bytes(png.content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(target) + ".pdf", str(target)],
        check=True,
    )
    assert Path(str(target) + ".png").stat().st_size > 5000
    data = clerk.get(f"/api/v1/points/villages/{town.village_id}/board").json()
    assert data["rows"] and all("*" in row["name"] for row in data["rows"])


def test_units_bound_what_staff_see(town: Town) -> None:
    outsider = login("outsider")
    assert outsider.get(f"/console/points/villages/{town.village_id}").status_code == 403
    assert outsider.get(f"/console/points/villages/{town.other_village_id}").status_code == 200
    assert outsider.get(f"/api/v1/points/accounts/{town.household_id}").status_code == 403
    reviewer = login("reviewer")
    dashboard = reviewer.get("/console/points/dashboard")
    assert dashboard.status_code == 200 and "<svg" in dashboard.text
    assert "大湾村" in dashboard.text and "石坝村" in dashboard.text
    assert reviewer.get("/console/points/dashboard?unit=1").status_code == 403  # the district
    boss = login("boss")
    assert "大湾镇" in boss.get("/console/points/dashboard").text
    account = reviewer.get(f"/api/v1/points/accounts/{town.household_id}").json()
    with session_scope() as session:
        registered = session.scalars(select(QueryLog.purpose)).all()
        assert "村民积分管理" in registered
    assert account["balance"] == account["base"] + sum(
        e["points"] for e in account["entries"] if e["status"] == "approved"
    )


def test_villager_declares_and_clerk_redeems(town: Town) -> None:
    villager = login("villager")
    page = villager.get("/portal/me/points")
    assert page.status_code == 200 and "我家的诚信积分" in page.text
    done = villager.post(
        "/portal/me/points/declare",
        data={"csrf_token": token(page.text), "item": "fz01",
              "deed_date": service.beijing_today().isoformat(), "evidence": ""},
    )  # fmt: skip
    assert done.status_code == 200 and "申报已提交" in done.text
    negative = villager.post(
        "/portal/me/points/declare",
        data={"csrf_token": token(page.text), "item": "ng05",
              "deed_date": service.beijing_today().isoformat(), "evidence": "照片"},
    )  # fmt: skip
    assert negative.status_code == 422 and "不能自行申报" in negative.text
    clerk = login("clerk")
    counter = clerk.get(f"/console/points/villages/{town.village_id}/redeem?card={town.card}")
    assert counter.status_code == 200 and 'id="balance"' in counter.text
    good = re.search(r'<option value="(\d+)"', counter.text)
    assert good
    receipt = clerk.post(
        f"/console/points/villages/{town.village_id}/redeem",
        data={"csrf_token": token(counter.text), "card": town.card, "good_id": good.group(1),
              "quantity": "1"},
    )  # fmt: skip
    assert receipt.status_code == 200 and "兑换凭证" in receipt.text
    too_many = clerk.post(
        f"/console/points/villages/{town.village_id}/redeem",
        data={"csrf_token": token(counter.text), "card": town.card, "good_id": good.group(1),
              "quantity": "99"},
    )  # fmt: skip
    assert too_many.status_code == 409 and "积分不足" in too_many.text
    mine = villager.get("/portal/me/points").text
    assert "积分兑换" in mine or "食盐" in mine


def test_objection_to_the_board_and_its_answer(town: Town) -> None:
    public = login("villager")
    board = public.get(f"/points/villages/{town.village_id}/board")
    assert "提出异议" in board.text
    filed = public.post(
        f"/points/villages/{town.village_id}/objections",
        data={
            "csrf_token": token(board.text),
            "text": "第3名的积分与实际不符",
            "contact": "13800000000",
            "rank": "3",
        },
    )
    assert filed.status_code == 200 and "异议已提交" in filed.text
    reviewer = login("reviewer")
    page = reviewer.get(f"/console/points/villages/{town.village_id}")
    assert "第3名的积分与实际不符" in page.text
    found = re.search(r"/console/points/objections/(\d+)/answer", page.text)
    assert found
    answered = reviewer.post(
        f"/console/points/objections/{found.group(1)}/answer",
        data={"csrf_token": token(page.text), "answer": "经核实，积分无误。"},
    )
    assert answered.status_code == 200 and "已答复异议" in answered.text
    assert "第3名的积分与实际不符" not in answered.text


def test_clerk_registers_a_household_adds_a_member_and_moves_it(town: Town) -> None:
    clerk = login("clerk")
    page = clerk.get(f"/console/points/villages/{town.village_id}")
    csrf = token(page.text)
    bad = clerk.post(
        f"/console/points/villages/{town.village_id}/households",
        data={"csrf_token": csrf, "head_name": "郑国强", "head_id_number": "500112198506150028"},
    )
    assert bad.status_code == 422  # a wrong check digit: refused, nothing stored
    made = clerk.post(
        f"/console/points/villages/{town.village_id}/households",
        data={"csrf_token": csrf, "head_name": "郑国强", "head_id_number": "500112198506150029"},
    )
    assert made.status_code == 200 and "已新建农户" in made.text and "郑国强" in made.text
    assert "500112198506150029" not in made.text  # the number is never shown in clear
    with session_scope() as session:
        household = session.scalars(
            select(PointsAccount).order_by(PointsAccount.id.desc()).limit(1)
        ).one()
        other = service.unit(session, town.other_village_id)
        household_id, other_code = household.id, other.code
    member = clerk.post(
        f"/console/points/accounts/{household_id}/members",
        data={"csrf_token": csrf, "name": "郑小红", "id_number": "500112201001010041"},
    )
    assert member.status_code == 200 and "已添加成员" in member.text
    moved = clerk.post(
        f"/console/points/accounts/{household_id}/move",
        data={"csrf_token": csrf, "village_code": other_code},
    )
    assert moved.status_code == 200 and "已整户迁移" in moved.text
    assert "郑国强" not in moved.text  # it now belongs to the other village
    assert (
        login("outsider")
        .get(f"/console/points/villages/{town.other_village_id}")
        .text.count("郑国强")
    )
