"""Builders of holders' facts in the database: a grade, list entries, penalties, honours;
partner organisations with their accounts and keys."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tests import factories
from xinyong.auth import apikeys
from xinyong.auth import service as auth_service
from xinyong.auth.principal import Principal
from xinyong.auth.schemas import OrganisationCreate
from xinyong.evaluation.models import EvaluationResult, EvaluationRun
from xinyong.lists.models import ListEntry
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.records.schemas import RecordCreate
from xinyong.records.states import RecordState
from xinyong.subjects.models import Subject


def graded(session: Session, subject: Subject, grade: str, today: date) -> None:
    """The subject's current public grade (one run of the city's legal-person model)."""
    run = EvaluationRun(
        model_code="city_legal_person",
        model_version="test",
        as_of=today,
        mode="full",
        engine="polars",
        actor="test",
    )
    session.add(run)
    session.flush()
    score = {"A": 90.0, "B": 75.0, "C": 60.0, "D": 30.0}[grade]
    session.add(
        EvaluationResult(
            run_id=run.id,
            model_code="city_legal_person",
            subject_id=subject.id,
            score=score,
            grade=grade,
            band_grade=grade,
            contributions={},
        )
    )
    session.flush()


def listed(session: Session, subject: Subject, list_code: str, today: date) -> ListEntry:
    """The subject on a list today (a platform entry in force)."""
    dept = factories.department(session, "development_reform")
    entry = ListEntry(
        list_code=list_code,
        subject_id=subject.id,
        department_id=dept.id,
        state="listed",
        source="platform",
        legal_basis="测试依据",
        reasons="测试",
        proposed_by="test",
        proposed_on=today,
        listed_on=today,
    )
    session.add(entry)
    session.flush()
    return entry


def penalty(
    session: Session, subject: Subject, decided: date, *, serious: bool, today: date
) -> Record:
    """An administrative penalty (serious: a fine of 1.5 million yuan; else 50,000)."""
    return factories.penalty(
        session,
        subject,
        today=today,
        decision_date=decided.isoformat(),
        fine_amount="150" if serious else "5",
    )


def repaired(session: Session, record: Record) -> None:
    records_service.transition(
        session, record_id=record.id, to_state=RecordState.repaired, reason="信用修复", actor="t"
    )


def honour(session: Session, subject: Subject, awarded: date, today: date) -> Record:
    dept = factories.department(session, "development_reform")
    number = f"苏发改〔{awarded.year}〕{subject.id}-{awarded.toordinal()}号"
    payload: dict[str, Any] = {
        "subject_name": subject.name,
        "subject_type": subject.kind,
        "subject_code": subject.uscc,
        "honour_kind": "荣誉",
        "honour_name": "守合同重信用企业",
        "award_document_number": number,
        "award_date": awarded.isoformat(),
        "awarding_body": dept.name_zh,
    }
    data = RecordCreate(
        subject_id=subject.id,
        item_code="honour",
        department_id=dept.id,
        source_record_id=number,
        payload=payload,
    )
    return records_service.submit(session, data=data, actor="test", today=today).record


def partner(session: Session, name: str) -> tuple[int, str, Principal]:
    """A partner organisation (by the scenario's partner name), a verify key and its principal."""
    org = auth_service.create_organisation(
        session, data=OrganisationCreate(kind="provider", name=name)
    )
    issued = apikeys.create(
        session, name=f"{name} 核验", scopes=["incentives:verify"], organisation_id=org.id
    )
    return org.id, issued.token, apikeys.authenticate(session, issued.token)


def holder(subject: Subject) -> Principal:
    """The subject's own principal (as its logged-in account)."""
    return Principal(kind="subject", account_id=1, subject_id=subject.id, label=subject.name)
