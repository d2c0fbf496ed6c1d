"""A served points town for the web and browser tests: the demo town plus staff accounts
(a village clerk, a town reviewer, a clerk of the other village, an admin) and a villager."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from tests import webkit
from tests.webkit import PASSWORD
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.core.db import session_scope
from xinyong.points import service
from xinyong.points.demo import seed_demo
from xinyong.points.models import PointsMember
from xinyong.subjects import service as subjects_service


@dataclass
class Town:
    village_id: int
    other_village_id: int
    town_id: int
    card: str
    household_id: int


def _account(session: object, username: str, **binding: object) -> int:
    data = AccountCreate(username=username, display_name=username, password=PASSWORD, **binding)
    return auth_service.create_account(session, data=data).id  # type: ignore[arg-type]


def build() -> Town:
    """The demo town with its people (run once per template database)."""
    with session_scope() as session:
        subjects_service.sync_departments(session)
        town = seed_demo(session, today=service.beijing_today())
        assert town is not None
        dept_id = subjects_service.list_departments(session)[0].id
        village = service.unit(session, town.village_ids[0])
        other = service.unit(session, town.village_ids[1])
        town_unit = service.unit(session, town.town_id)
        for username, unit in (("clerk", village), ("reviewer", town_unit), ("outsider", other)):
            account_id = _account(
                session, username, kind="staff", role="department_user", department_id=dept_id
            )
            service.assign_staff(session, account_id=account_id, unit_row=unit, actor="test")
        _account(session, "boss", kind="staff", role="admin", department_id=dept_id)
        head = session.scalar(
            select(PointsMember.person_id).where(
                PointsMember.account_id == town.household_ids[1], PointsMember.role == "head"
            )
        )
        _account(session, "villager", kind="subject", role="subject", subject_id=head)
        return Town(
            village_id=village.id, other_village_id=other.id, town_id=town.town_id,
            card=town.card_codes[1], household_id=town.household_ids[1],
        )  # fmt: skip


login = webkit.login  # a client logged in as the account
token = webkit.csrf_of  # the CSRF token a page's forms carry
