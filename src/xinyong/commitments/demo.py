"""The demo city's commitments: a few of every template, some fulfilled, some overdue
(deterministic: the first legal persons by id, dates counted back from the anchor)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.commitments import performance, service
from xinyong.commitments.config import get_config
from xinyong.subjects.models import Subject


def seed_demo(session: Session, *, today: date, count: int) -> int:
    """Sign ``count`` commitments for the first legal persons; returns how many."""
    templates = list(get_config().templates.values())
    firms = list(
        session.scalars(
            select(Subject.id)
            .where(Subject.kind == "legal_person", Subject.uscc.is_not(None))
            .order_by(Subject.id)
            .limit(count)
        )
    )
    departments = {t.code: service.default_department(session, t) for t in templates}
    for n, subject_id in enumerate(firms):
        template = templates[n % len(templates)]
        c = service.create(
            session,
            signing_=service.Signing(
                template_code=template.code,
                subject_id=subject_id,
                department_id=departments[template.code].id,
                channel=("online", "counter", "api")[n % 3],
                actor="demo",
                signed_on=today - timedelta(days=7 * n),
            ),
        )
        if n % 4 == 1:
            for condition in template.conditions:
                performance.record(
                    session, c=c, condition_code=condition.code, outcome="fulfilled",
                    evidence="演示：材料已核验", actor="demo", department_id=None, today=today,
                )  # fmt: skip
    performance.mark_overdue(session, today=today)
    return len(firms)
