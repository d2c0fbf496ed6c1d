"""Figures of credit checks: checks, subjects, hits and feedback by department, matter and
measure, the reward side (incentives applied: fast tracks, eased requirements) beside
the punishment side."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from xinyong.checks.models import CheckHit, CreditCheck


@dataclass
class Figures:
    """One line of the statistics."""

    key: str
    checks: int = 0
    subjects: int = 0
    subjects_hit: int = 0
    hits: int = 0
    applied: int = 0
    not_applied: int = 0
    pending: int = 0
    overdue: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return dict(self.__dict__)


@dataclass
class CheckStats:
    """All the figures, platform-wide or for one department."""

    total: Figures
    by_department: list[Figures] = field(default_factory=list)
    by_matter: list[Figures] = field(default_factory=list)
    by_measure: list[Figures] = field(default_factory=list)
    by_kind: list[Figures] = field(default_factory=list)  # incentive / constraint


def _hit_columns(today: date) -> list[Any]:
    return [
        func.count(CheckHit.id),
        func.sum(case((CheckHit.feedback == "applied", 1), else_=0)),
        func.sum(case((CheckHit.feedback == "not_applied", 1), else_=0)),
        func.sum(case((CheckHit.feedback == "pending", 1), else_=0)),
        func.sum(
            case(((CheckHit.feedback == "pending") & (CheckHit.feedback_due < today), 1), else_=0)
        ),
    ]


def _hit_figures(
    session: Session, key: Any, department_id: int | None, today: date
) -> dict[str, Figures]:
    stmt = select(key, *_hit_columns(today)).group_by(key)
    if department_id is not None:
        stmt = stmt.where(CheckHit.department_id == department_id)
    found: dict[str, Figures] = {}
    for row_key, total, applied, not_applied, pending, overdue in session.execute(stmt):
        found[str(row_key)] = Figures(
            str(row_key),
            hits=int(total or 0),
            applied=int(applied or 0),
            not_applied=int(not_applied or 0),
            pending=int(pending or 0),
            overdue=int(overdue or 0),
        )
    return found


def _check_figures(session: Session, key: Any, department_id: int | None) -> dict[str, Figures]:
    stmt = select(
        key,
        func.count(CreditCheck.id),
        func.sum(CreditCheck.subjects_found),
        func.sum(CreditCheck.subjects_hit),
    ).group_by(key)
    if department_id is not None:
        stmt = stmt.where(CreditCheck.department_id == department_id)
    return {
        str(k): Figures(str(k), checks=int(n or 0), subjects=int(s or 0), subjects_hit=int(h or 0))
        for k, n, s, h in session.execute(stmt)
    }


def _merged(checks: dict[str, Figures], hits: dict[str, Figures]) -> list[Figures]:
    merged = dict(checks)
    for key, figures in hits.items():
        line = merged.setdefault(key, Figures(key))
        line.hits, line.applied, line.not_applied = (
            figures.hits,
            figures.applied,
            figures.not_applied,
        )
        line.pending, line.overdue = figures.pending, figures.overdue
    return sorted(merged.values(), key=lambda f: (-f.checks, -f.hits, f.key))


def _sum(lines: list[Figures]) -> Figures:
    total = Figures("all")
    for line in lines:
        for name in ("checks", "subjects", "subjects_hit", "hits", "applied", "not_applied"):
            setattr(total, name, getattr(total, name) + getattr(line, name))
        total.pending += line.pending
        total.overdue += line.overdue
    return total


def figures(session: Session, *, today: date, department_id: int | None = None) -> CheckStats:
    """The statistics of checks (one department's, or all)."""
    by_department = _merged(
        _check_figures(session, CreditCheck.department_id, department_id),
        _hit_figures(session, CheckHit.department_id, department_id, today),
    )
    return CheckStats(
        total=_sum(by_department),
        by_department=by_department,
        by_matter=_merged(
            _check_figures(session, CreditCheck.matter_code, department_id),
            _hit_figures(session, CheckHit.matter_code, department_id, today),
        ),
        by_measure=_merged({}, _hit_figures(session, CheckHit.measure_code, department_id, today)),
        by_kind=_merged({}, _hit_figures(session, CheckHit.measure_kind, department_id, today)),
    )
