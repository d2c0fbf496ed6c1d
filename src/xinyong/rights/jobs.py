"""Daily rights work: remind departments of cases due by the next working day or overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from xinyong.core.workdays import next_workday
from xinyong.rights import cases, effects
from xinyong.rights.models import RightsCase
from xinyong.rights.states import OPEN_STATES


@dataclass(frozen=True)
class ReminderReport:
    due: int
    overdue: int


def remind(
    session: Session, *, today: date | None = None, actor: str = "system:remind"
) -> ReminderReport:
    """Notify each department of its open cases due by the next working day or overdue.

    Safe to run more than once a day: a case is reminded at most once per day.
    """
    today = today or date.today()
    horizon = next_workday(today)
    stmt = select(RightsCase).where(
        RightsCase.state.in_([s.value for s in OPEN_STATES]),
        RightsCase.due_on.is_not(None),
        RightsCase.due_on <= horizon,
        or_(RightsCase.reminded_on.is_(None), RightsCase.reminded_on < today),
    )
    due = overdue = 0
    for case in session.scalars(stmt.order_by(RightsCase.due_on, RightsCase.id)):
        late = cases.is_overdue(case, today)
        effects.remind(session, case, overdue=late)
        case.reminded_on = today
        cases.log(
            session,
            case,
            actor=actor,
            action="reminded",
            data={"due_on": case.due_on, "overdue": late},
        )
        overdue += late
        due += not late
    session.flush()
    return ReminderReport(due=due, overdue=overdue)
