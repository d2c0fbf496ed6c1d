"""Units, ledger accounts (households and pupils), members and moves, and who sees which
unit. Persons are subjects of kind ``natural_person`` (ID numbers sealed by subjects)."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.auth.principal import Principal
from xinyong.core.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.identity.kinds import SubjectKind
from xinyong.points.config import Scheme, get_schemes
from xinyong.points.models import (
    PointsAccount,
    PointsMember,
    PointsMove,
    PointsStaff,
    PointsUnit,
)
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject
from xinyong.subjects.schemas import SubjectCreate

SHANGHAI = ZoneInfo("Asia/Shanghai")
CARD_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def beijing_today() -> date:
    """Today's date in Beijing (months and deeds are counted by it)."""
    return datetime.now(SHANGHAI).date()


def period_of(day: date) -> str:
    """The month (YYYY-MM) a day falls in."""
    return f"{day.year:04d}-{day.month:02d}"


def next_period(period: str) -> str:
    """The month after ``period``."""
    year, month = int(period[:4]), int(period[5:7])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def create_unit(
    session: Session,
    *,
    code: str,
    name: str,
    kind: str,
    parent: PointsUnit | None = None,
    scheme: str | None = None,
    actor: str = "system",
) -> PointsUnit:
    """A district, town or village (a village names the scheme its households follow)."""
    if kind == "village":
        if parent is None or parent.kind != "town":
            raise Invalid(key="pts.err.village_parent", details={"field": "parent"})
        get_schemes().get(scheme or "")
    if session.scalar(select(PointsUnit.id).where(PointsUnit.code == code)):
        raise Conflict(key="pts.err.unit_exists", params={"code": code})
    unit = PointsUnit(
        code=code, name=name, kind=kind, parent_id=parent.id if parent else None, scheme=scheme
    )
    session.add(unit)
    session.flush()
    audit_service.append(
        session, actor=actor, action="points.unit.create", object_type="points_unit",
        object_id=unit.id, summary={"code": code, "kind": kind, "scheme": scheme},
    )  # fmt: skip
    return unit


def unit(session: Session, unit_id: int) -> PointsUnit:
    """The unit with this id, or NotFound."""
    found = session.get(PointsUnit, unit_id)
    if found is None:
        raise NotFound(key="pts.err.no_unit", params={"id": unit_id})
    return found


def village(session: Session, ref: int | str) -> PointsUnit:
    """A village by id or code, or NotFound."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit() and len(ref) < 9):
        found = session.get(PointsUnit, int(ref))
    else:
        found = session.scalar(select(PointsUnit).where(PointsUnit.code == str(ref)))
    if found is None or found.kind != "village":
        raise NotFound(key="pts.err.no_village", params={"id": ref})
    return found


def chain(session: Session, unit_row: PointsUnit) -> list[PointsUnit]:
    """The unit and its parents, the unit first."""
    found = [unit_row]
    while found[-1].parent_id is not None:
        found.append(unit(session, found[-1].parent_id))
    return found


def scheme_of(session: Session, village_row: PointsUnit, code: str | None = None) -> Scheme:
    """The scheme (or ``code``) as it applies in this village: town, then village layers."""
    units = tuple(u.code for u in reversed(chain(session, village_row)))
    return get_schemes().get(code or village_row.scheme or "", units=units)


def children(session: Session, parent_id: int) -> list[PointsUnit]:
    """The units directly under one unit, by code."""
    stmt = select(PointsUnit).where(PointsUnit.parent_id == parent_id).order_by(PointsUnit.code)
    return list(session.scalars(stmt))


# --- who sees which unit -----------------------------------------------------------------


def staff_units(session: Session, principal: Principal) -> list[PointsUnit] | None:
    """The units a staff member is assigned to; None: the whole district (admins and
    auditors without an assignment)."""
    if principal.kind != "staff" or principal.account_id is None:
        raise Forbidden(key="pts.err.staff_only")
    stmt = (
        select(PointsUnit)
        .join(PointsStaff, PointsStaff.unit_id == PointsUnit.id)
        .where(PointsStaff.account_id == principal.account_id)
    )
    assigned = list(session.scalars(stmt))
    if assigned or principal.role not in ("admin", "auditor"):
        return assigned
    return None


def check_unit(session: Session, principal: Principal, target: PointsUnit) -> None:
    """Forbidden unless the unit is (under) one the caller is assigned to."""
    assigned = staff_units(session, principal)
    if assigned is None:
        return
    ids = {u.id for u in chain(session, target)}
    if not any(a.id in ids for a in assigned):
        raise Forbidden(key="pts.err.not_your_unit", params={"name": target.name})


def assign_staff(session: Session, *, account_id: int, unit_row: PointsUnit, actor: str) -> None:
    """Make a staff account the clerk/officer of a unit (and its subtree)."""
    session.add(PointsStaff(account_id=account_id, unit_id=unit_row.id))
    session.flush()
    audit_service.append(
        session, actor=actor, action="points.staff.assign", object_type="points_unit",
        object_id=unit_row.id, summary={"account_id": account_id},
    )  # fmt: skip


# --- accounts, members, moves --------------------------------------------------------------


def _new_card_code(session: Session) -> str:
    while True:
        code = "".join(secrets.choice(CARD_ALPHABET) for _ in range(10))
        if not session.scalar(select(PointsAccount.id).where(PointsAccount.card_code == code)):
            return code


def person(session: Session, *, name: str, id_number: str, actor: str) -> Subject:
    """The natural person with this ID number (created, sealed, if new)."""
    found = subjects_service.find_by_code(session, id_number)
    if found is not None:
        if found.kind != SubjectKind.natural_person:
            raise Invalid(key="pts.err.not_a_person", details={"field": "id_number"})
        return found
    data = SubjectCreate(kind=SubjectKind.natural_person, name=name, id_number=id_number)
    return subjects_service.create(session, data=data, actor=actor)


def create_household(
    session: Session,
    *,
    village_row: PointsUnit,
    head_name: str,
    head_id_number: str,
    actor: str,
    since: date | None = None,
) -> PointsAccount:
    """A household (subject of kind household, named after its head) with its head."""
    head = person(session, name=head_name, id_number=head_id_number, actor=actor)
    if current_membership(session, head.id) is not None:
        raise Conflict(key="pts.err.already_member", details={"field": "head_id_number"})
    subject = subjects_service.create(
        session,
        data=SubjectCreate(kind=SubjectKind.household, name=head.name + "户"),
        actor=actor,
    )
    account = PointsAccount(
        kind="household", subject_id=subject.id, village_id=village_row.id,
        scheme=village_row.scheme or "", card_code=_new_card_code(session),
    )  # fmt: skip
    session.add(account)
    session.flush()
    session.add(
        PointsMember(
            account_id=account.id,
            person_id=head.id,
            role="head",
            valid_from=since or beijing_today(),
        )
    )
    session.flush()
    audit_service.append(
        session, actor=actor, action="points.household.create", object_type="points_account",
        object_id=account.id, subject_id=subject.id, summary={"village_id": village_row.id},
    )  # fmt: skip
    return account


def create_pupil(
    session: Session,
    *,
    household: PointsAccount,
    name: str,
    id_number: str,
    scheme: str,
    actor: str,
) -> PointsAccount:
    """A pupil's ledger under a pupil scheme, linked to the household's account."""
    village_row = unit(session, household.village_id)
    if scheme_of(session, village_row, scheme).subject != "pupil":
        raise Invalid(key="pts.err.not_pupil_scheme", details={"field": "scheme"})
    pupil = person(session, name=name, id_number=id_number, actor=actor)
    account = PointsAccount(
        kind="pupil", subject_id=pupil.id, village_id=household.village_id, scheme=scheme,
        card_code=_new_card_code(session), linked_account_id=household.id,
    )  # fmt: skip
    session.add(account)
    session.flush()
    audit_service.append(
        session, actor=actor, action="points.pupil.create", object_type="points_account",
        object_id=account.id, subject_id=pupil.id, summary={"household": household.id},
    )  # fmt: skip
    return account


def account(session: Session, account_id: int) -> PointsAccount:
    """The ledger account with this id, or NotFound."""
    found = session.get(PointsAccount, account_id)
    if found is None:
        raise NotFound(key="pts.err.no_account", params={"id": account_id})
    return found


def account_by_card(session: Session, card_code: str) -> PointsAccount:
    """The account whose card carries this code, or NotFound."""
    code = card_code.strip().upper()
    found = session.scalar(select(PointsAccount).where(PointsAccount.card_code == code))
    if found is None:
        raise NotFound(key="pts.err.no_card", params={"code": card_code[:20]})
    return found


def current_membership(session: Session, person_id: int) -> PointsMember | None:
    """A person's current household membership."""
    stmt = select(PointsMember).where(
        PointsMember.person_id == person_id, PointsMember.valid_to.is_(None)
    )
    return session.scalar(stmt)


def members(session: Session, account_id: int) -> list[tuple[PointsMember, Subject]]:
    """A household's current members (head first)."""
    stmt = (
        select(PointsMember, Subject)
        .join(Subject, Subject.id == PointsMember.person_id)
        .where(PointsMember.account_id == account_id, PointsMember.valid_to.is_(None))
        .order_by(PointsMember.role.desc(), PointsMember.id)
    )
    return [(m, s) for m, s in session.execute(stmt)]


def head_name(session: Session, account_row: PointsAccount) -> str:
    """The household head's (or pupil's) name."""
    if account_row.kind == "pupil":
        return subjects_service.get(session, account_row.subject_id).name
    for membership, subject in members(session, account_row.id):
        if membership.role == "head":
            return subject.name
    return subjects_service.get(session, account_row.subject_id).name


def add_member(
    session: Session,
    *,
    household: PointsAccount,
    name: str,
    id_number: str,
    actor: str,
    since: date | None = None,
) -> PointsMember:
    """Join a person to a household; a current member elsewhere moves (history kept)."""
    found = person(session, name=name, id_number=id_number, actor=actor)
    day = since or beijing_today()
    current = current_membership(session, found.id)
    if current is not None:
        if current.account_id == household.id:
            raise Conflict(key="pts.err.already_member", details={"field": "id_number"})
        if current.role == "head":
            raise Conflict(key="pts.err.head_cannot_move", details={"field": "id_number"})
        current.valid_to = day
    membership = PointsMember(
        account_id=household.id, person_id=found.id, role="member", valid_from=day
    )
    session.add(membership)
    session.flush()
    audit_service.append(
        session, actor=actor, action="points.member.add", object_type="points_account",
        object_id=household.id, subject_id=household.subject_id,
        summary={"person": found.id, "moved_from": current.account_id if current else None},
    )  # fmt: skip
    return membership


def move_household(
    session: Session, *, household: PointsAccount, to_village: PointsUnit, actor: str,
    on: date | None = None,
) -> PointsMove:  # fmt: skip
    """Move a household (and its pupils) to another village; its ledger goes with it."""
    if to_village.kind != "village" or to_village.id == household.village_id:
        raise Invalid(key="pts.err.bad_move", details={"field": "village"})
    move = PointsMove(
        account_id=household.id, from_village_id=household.village_id,
        to_village_id=to_village.id, moved_on=on or beijing_today(), recorded_by=actor,
    )  # fmt: skip
    session.add(move)
    pupils = select(PointsAccount).where(PointsAccount.linked_account_id == household.id)
    for row in [household, *session.scalars(pupils)]:
        row.village_id = to_village.id
    session.flush()
    audit_service.append(
        session, actor=actor, action="points.household.move", object_type="points_account",
        object_id=household.id, subject_id=household.subject_id,
        summary={"from": move.from_village_id, "to": to_village.id},
    )  # fmt: skip
    return move


def household_of_person(session: Session, person_id: int) -> PointsAccount | None:
    """The household a person currently belongs to (for the villager's own pages)."""
    membership = current_membership(session, person_id)
    return account(session, membership.account_id) if membership else None
