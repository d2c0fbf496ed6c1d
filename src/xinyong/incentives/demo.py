"""The demo city's 信易+: the shipped scenarios' partner organisations, one partner's
proposed scenario awaiting the credit office, and a few real scans (through the same
verification as the counter) so the figures are not empty."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth import service as auth_service
from xinyong.auth.models import Organisation
from xinyong.auth.principal import Principal
from xinyong.auth.schemas import OrganisationCreate
from xinyong.incentives import config, service
from xinyong.incentives import verify as verification
from xinyong.subjects.models import Subject

SCANS = 12
PROPOSAL = {
    "code": "xinyiyue_library",
    "category": "xinyiyue",
    "name": {
        "zh": "信易阅 · 图书馆免押金借阅",
        "en": "Credit-easy reading: library loans without deposit",
    },
    "partner": {"outlets": ["市图书馆总馆"]},
    "benefit": {
        "zh": "守信个人免押金办理借阅证，可借图书增至20册",
        "en": "Library card without deposit; up to 20 books",
    },
    "value_yuan": 100,
    "validity": {"start": "2026-01-01"},
    "quota": {"per_holder": 1, "period": "validity"},
    "subject_kinds": ["natural_person"],
    "rule": {"all": [{"not_on_list": "serious_dishonesty_list"}, {"grade_at_least": "B"}]},
    "legal_basis": [
        {
            "title": "《国务院关于建立完善守信联合激励和失信联合惩戒制度"
            "加快推进社会诚信建设的指导意见》",
            "document_number": "国发〔2016〕33号",
        }
    ],
}


def _organisation(session: Session, name: str) -> int:
    found = session.scalar(select(Organisation.id).where(Organisation.name == name))
    if found is not None:
        return int(found)
    created = auth_service.create_organisation(
        session, data=OrganisationCreate(kind="provider", name=name)
    )
    return created.id


def _partner(org_id: int, name: str) -> Principal:
    return Principal(kind="organisation", organisation_id=org_id, label=f"{name}(演示)")


def seed_demo(session: Session, *, now: datetime) -> int:
    """Partners, one proposal and up to SCANS redemptions; returns the redemptions made."""
    partners = {
        spec.partner.name: _organisation(session, spec.partner.name)
        for spec in config.shipped().values()
    }
    library = _organisation(session, "市图书馆")
    if not service.proposals(session, organisation_id=library):
        service.propose(session, principal=_partner(library, "市图书馆"), definition=PROPOSAL)
    spec = config.shipped()["xinyixing_bike"]
    scanner = _partner(partners[spec.partner.name], spec.partner.name)
    people = session.scalars(
        select(Subject).where(Subject.kind == "natural_person").order_by(Subject.id).limit(SCANS)
    )
    redeemed = 0
    for person in people:
        holder = Principal(kind="subject", subject_id=person.id, label=person.name)
        token = verification.issue_code(session, principal=holder, now=now).token
        answer = verification.verify(
            session,
            principal=scanner,
            scenario_code=spec.code,
            token=token,
            outlet=spec.partner.outlets[0],
            now=now,
        )
        redeemed += answer.status == "eligible"
    return redeemed
