"""Live commitments and breaches as a credit check shows them (checks are government reads):
社会公开 and 特定范围 ones, and 不公开 ones only to their receiving department. One query for
the commitments of every subject asked and one for their open conditions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from xinyong.commitments.config import Publicity, get_config
from xinyong.commitments.models import Commitment, CommitmentCondition
from xinyong.commitments.performance import OPEN_STATES
from xinyong.commitments.views import kind_label
from xinyong.core.i18n import Language, t
from xinyong.subjects.models import Department

SHOWN = ("in_force", "overdue", "breached")
PER_SUBJECT = 20


@dataclass(frozen=True)
class DueCondition:
    text: str
    deadline: date
    state: str
    state_label: str
    overdue: bool


@dataclass(frozen=True)
class Checked:
    number: str
    template: str
    template_name: str
    kind_label: str
    matter: str
    department: str
    publicity: str
    status: str
    status_label: str
    signed_on: date
    breach_record_id: int | None
    conditions: list[DueCondition] = field(default_factory=list)


def _template_name(code: str, lang: Language) -> str:
    template = get_config().templates.get(code)
    if template is None:  # a template a city has since retired: its code
        return code
    return str(getattr(template.name, lang))


def for_check(
    session: Session,
    *,
    subject_ids: Sequence[int],
    department_id: int | None,
    today: date,
    lang: Language,
) -> dict[int, list[Checked]]:
    """Each subject's live (in force, overdue) and breached commitments a check may show
    (``department_id``: the checking department, which alone sees its 不公开 ones)."""
    ids = sorted(set(subject_ids))
    if not ids:
        return {}
    shared = (Publicity.public.value, Publicity.government.value)
    visible: ColumnElement[bool] = Commitment.publicity.in_(shared)
    if department_id is not None:
        own = and_(
            Commitment.publicity == Publicity.none.value,
            Commitment.department_id == department_id,
        )
        visible = or_(visible, own)
    stmt = (
        select(Commitment)
        .where(Commitment.subject_id.in_(ids), Commitment.status.in_(SHOWN), visible)
        .order_by(Commitment.subject_id, Commitment.signed_on.desc(), Commitment.id.desc())
    )
    found: dict[int, list[Commitment]] = {}
    for c in session.scalars(stmt):
        kept = found.setdefault(c.subject_id, [])
        if len(kept) < PER_SUBJECT:
            kept.append(c)
    commitment_ids = [c.id for rows in found.values() for c in rows]
    due: dict[int, list[DueCondition]] = {}
    if commitment_ids:
        conditions = select(CommitmentCondition).where(
            CommitmentCondition.commitment_id.in_(commitment_ids),
            CommitmentCondition.state.in_((*OPEN_STATES, "not_fulfilled")),
        )
        for k in session.scalars(conditions.order_by(CommitmentCondition.deadline)):
            overdue = k.state in OPEN_STATES and k.deadline < today
            due.setdefault(k.commitment_id, []).append(
                DueCondition(
                    k.text, k.deadline, k.state, t(f"commit.cond.{k.state}", lang), overdue
                )
            )
    dept_ids = {c.department_id for rows in found.values() for c in rows}
    departments = {
        d.id: d for d in session.scalars(select(Department).where(Department.id.in_(dept_ids)))
    }
    result: dict[int, list[Checked]] = {}
    for subject_id, rows in found.items():
        for c in rows:
            dept = departments.get(c.department_id)
            dept_name = (dept.name_zh if lang == "zh" else dept.name_en) if dept else ""
            result.setdefault(subject_id, []).append(
                Checked(
                    number=c.number,
                    template=c.template_code,
                    template_name=_template_name(c.template_code, lang),
                    kind_label=kind_label(c.kind, lang),
                    matter=c.matter,
                    department=dept_name,
                    publicity=c.publicity,
                    status=c.status,
                    status_label=t(f"commit.status.{c.status}", lang),
                    signed_on=c.signed_on,
                    breach_record_id=c.breach_record_id,
                    conditions=due.get(c.id, []),
                )
            )
    return result
