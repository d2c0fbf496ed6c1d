"""Shared builders of the commitment tests: a firm and a signed commitment."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from tests import factories
from xinyong.commitments import service
from xinyong.commitments.models import Commitment
from xinyong.subjects.models import Subject


def signed(
    session: Session,
    *,
    template: str = "construction_drawing_review",
    department_kind: str = "housing_construction",
    signed_on: date = date(2026, 9, 29),
    subject: Subject | None = None,
    channel: str = "counter",
) -> Commitment:
    """A commitment of a fresh firm registered by the template's department."""
    firm = subject or factories.enterprise(session)
    dept = factories.department(session, department_kind)
    return service.create(
        session,
        signing_=service.Signing(
            template_code=template,
            subject_id=firm.id,
            department_id=dept.id,
            channel=channel,
            actor="test:counter",
            signed_on=signed_on,
        ),
    )
