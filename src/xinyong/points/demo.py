"""A small deterministic points town for the demo city, the tests and the benchmark's
warm-up: one town (大湾镇) with two villages, households with members, a pupil, a month of
reviewed deeds closed and published, and a village shop."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.identity.codes import generate_id_number
from xinyong.points import ledger, months, service, shop
from xinyong.points.models import PointsUnit

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红"
TOWN_CODE = "500112101"
VILLAGES = (("500112101201", "大湾村"), ("500112101202", "石坝村"))
GOODS = (("食盐(400克)", 5, 100), ("酱油(500毫升)", 10, 60), ("洗衣液(2千克)", 30, 20))
CHANNELS = ("in_person", "phone", "wechat")
DEEDS = ("fz01", "dz01", "dz03", "zz01", "zz02", "zz03", "zz04", "dz04")


@dataclass
class DemoTown:
    town_id: int
    village_ids: list[int]
    household_ids: list[int] = field(default_factory=list)
    pupil_ids: list[int] = field(default_factory=list)
    card_codes: list[str] = field(default_factory=list)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _id_number(rng: random.Random, birth_year: int) -> str:
    birth = date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
    return generate_id_number(rng, region="500112", birth_date=birth, sex=rng.choice("MF"))


def seed_demo(
    session: Session, *, today: date, households: int = 6, seed: int = 23
) -> DemoTown | None:
    """Build the demo town (nothing when it exists): households per village, deeds of last
    month reviewed by a second person and closed, this month's deeds waiting for review."""
    if session.scalar(select(PointsUnit.id).where(PointsUnit.code == TOWN_CODE)):
        return None
    rng = random.Random(seed)
    actor, reviewer = "demo:clerk", "demo:committee"
    district = service.create_unit(session, code="500112", name="渝北区", kind="district")
    town = service.create_unit(session, code=TOWN_CODE, name="大湾镇", kind="town", parent=district)
    facts = DemoTown(town_id=town.id, village_ids=[])
    last_month_day = date.fromordinal(today.replace(day=1).toordinal() - 1)
    for code, name in VILLAGES:
        village = service.create_unit(
            session, code=code, name=name, kind="village", parent=town, scheme="yubei_household"
        )
        facts.village_ids.append(village.id)
        for good, price, stock in GOODS:
            shop.add_good(
                session, village_id=village.id, name=good, price=price, stock=stock, actor=actor
            )
        for _ in range(households):
            account = service.create_household(
                session, village_row=village, head_name=_name(rng),
                head_id_number=_id_number(rng, rng.randint(1950, 1985)), actor=actor,
                since=date(today.year - 1, 1, 1),
            )  # fmt: skip
            service.add_member(
                session, household=account, name=_name(rng),
                id_number=_id_number(rng, rng.randint(1950, 1990)), actor=actor,
                since=date(today.year - 1, 1, 1),
            )  # fmt: skip
            facts.household_ids.append(account.id)
            facts.card_codes.append(account.card_code)
            for item in rng.sample(DEEDS, rng.randint(1, 4)):
                row = ledger.declare(
                    session, account=account, item_code=item,
                    deed_date=last_month_day.replace(day=rng.randint(1, 28)),
                    declared_by="村民口头申报", channel=rng.choice(CHANNELS),
                    recorded_by=actor, evidence="村民小组长见证", today=last_month_day,
                )  # fmt: skip
                ledger.decide(session, entry_id=row.id, approve=True, actor=reviewer)
        months.close_month(
            session, village=village, period=service.period_of(last_month_day),
            actor=reviewer, today=today,
        )  # fmt: skip
        first = service.account(session, facts.household_ids[-households])
        pupil = service.create_pupil(
            session, household=first, name=_name(rng), id_number=_id_number(rng, 2014),
            scheme="xinhe_pupil", actor=actor,
        )  # fmt: skip
        facts.pupil_ids.append(pupil.id)
        ledger.declare(
            session, account=first, item_code="zz02", deed_date=today, declared_by="微信申报",
            channel="wechat", recorded_by=actor, evidence="照片已上传", today=today,
        )  # fmt: skip
    return facts
