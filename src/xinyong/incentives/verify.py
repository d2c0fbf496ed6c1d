"""The credit code at the counter: issuing a holder's code, and a partner's verification,
which is also the redemption (one use of the token per partner, quotas taken atomically).

A partner learns only whether the holder qualifies for *its* scenario, the holder's masked
name and a neutral message: never the grade, lists or records behind the answer. Every
verification that reaches a holder is registered (查询登记) with the purpose
"信易+ <scenario>".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from xinyong.auth import policy, queries
from xinyong.auth.principal import Principal
from xinyong.core.db import as_utc, is_postgresql, utcnow
from xinyong.core.errors import Forbidden, Invalid
from xinyong.core.i18n import LANGUAGES, t
from xinyong.identity.names import mask_person_name
from xinyong.incentives import facts, rules, service, tokens
from xinyong.incentives.config import ScenarioSpec
from xinyong.incentives.models import CodeUse, CreditCode, QuotaCounter, Redemption, Verification
from xinyong.subjects.models import Subject

STATUSES = ("eligible", "not_eligible", "quota_reached", "expired", "already_used", "invalid")
ANSWER_KEYS = ("status", "scenario", "holder", "message", "checked_at")


@dataclass(frozen=True)
class IssuedCode:
    token: str
    expires_at: datetime


def issue_code(
    session: Session, *, principal: Principal, now: datetime | None = None
) -> IssuedCode:
    """A fresh credit-code token for the logged-in holder (valid for three minutes)."""
    policy.require(principal, "incentives.code")
    if principal.subject_id is None:
        raise Forbidden(key="inc.err.holders_only")
    now = now or utcnow()
    token_id = tokens.new_token_id()
    code = CreditCode(
        token_id=token_id,
        subject_id=principal.subject_id,
        issued_at=now,
        expires_at=now + tokens.LIFETIME,
    )
    session.add(code)
    session.flush()
    return IssuedCode(tokens.make(token_id, now), code.expires_at)


@dataclass(frozen=True)
class Answer:
    """What the partner is told: nothing beyond these fields (``ANSWER_KEYS``)."""

    status: str
    scenario: str
    holder: str | None
    checked_at: datetime

    def as_json(self) -> dict[str, object]:
        """The agreed fields only; the message in both languages."""
        return {
            "status": self.status,
            "scenario": self.scenario,
            "holder": self.holder,
            "message": {lang: t(f"inc.answer.{self.status}", lang) for lang in LANGUAGES},
            "checked_at": self.checked_at.isoformat(),
        }


def masked_name(subject: Subject) -> str:
    """The holder's name as a partner sees it: 张*伟; 苏州**有限公司 keeps two at each end."""
    if subject.kind == "natural_person":
        return mask_person_name(subject.name)
    name = subject.name
    if len(name) <= 4:
        return name[0] + "*" * (len(name) - 1)
    return name[:2] + "*" * (len(name) - 4) + name[-2:]


def _period(spec: ScenarioSpec, today: date) -> str:
    period = spec.quota.period
    if period == "day":
        return today.isoformat()
    if period == "month":
        return today.strftime("%Y-%m")
    if period == "year":
        return str(today.year)
    return "validity"


def _take(session: Session, code: str, holder: str, period: str, limit: int) -> bool:
    """One more use of a counter if it stays within ``limit`` (a conditional update; the
    counter's first use inserts it, and of two first uses the primary key keeps one)."""
    key = (
        QuotaCounter.scenario_code == code,
        QuotaCounter.holder == holder,
        QuotaCounter.period == period,
    )
    bump = (
        update(QuotaCounter)
        .where(*key, QuotaCounter.used < limit)
        .values(used=QuotaCounter.used + 1)
        .execution_options(synchronize_session=False)
    )
    if session.execute(bump).rowcount == 1:  # type: ignore[attr-defined]
        return True
    values = {"scenario_code": code, "holder": holder, "period": period, "used": 1}
    if _insert_once(session, QuotaCounter, values):
        return True  # the counter's first use
    # it existed (used up), or another redemption inserted it meanwhile: count against it
    return bool(session.execute(bump).rowcount == 1)  # type: ignore[attr-defined]


def take_quotas(session: Session, *, spec: ScenarioSpec, subject_id: int, today: date) -> bool:
    """Take the holder's and the scenario's quotas together, or neither."""
    savepoint = session.begin_nested()
    quota = spec.quota
    ok = True
    if quota.per_holder is not None:
        ok = _take(session, spec.code, f"s:{subject_id}", _period(spec, today), quota.per_holder)
    if ok and quota.total is not None:
        ok = _take(session, spec.code, "total", "validity", quota.total)
    if ok:
        savepoint.commit()
    else:
        savepoint.rollback()
    return ok


def _insert_once(session: Session, table: Any, values: dict[str, Any]) -> bool:
    """Insert a row unless its key exists (INSERT … ON CONFLICT DO NOTHING on both stores):
    whether this call inserted it. Of two concurrent inserts, one inserts and the other,
    after waiting for it, does nothing."""
    dialect = postgresql if is_postgresql(session) else sqlite
    target = table.__table__
    statement = (
        dialect.insert(target)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(*target.primary_key.columns)
    )
    return session.execute(statement).first() is not None


def _claim(session: Session, code: CreditCode, organisation_id: int, scenario: str) -> bool:
    """The token's one use at this partner (the primary key decides between two outlets)."""
    values = {
        "code_id": code.id,
        "organisation_id": organisation_id,
        "scenario_code": scenario,
        "at": utcnow(),
    }
    return _insert_once(session, CodeUse, values)


def _partner_scenario(
    session: Session, principal: Principal, code: str, outlet: str | None
) -> service.Scenario:
    policy.require(principal, "incentives.verify")
    scenario = service.get(session, code)
    if principal.organisation_id is None or scenario.organisation_id != principal.organisation_id:
        raise Forbidden(key="inc.err.not_your_scenario", params={"code": code})
    if outlet is not None and outlet not in scenario.spec.partner.outlets:
        raise Invalid(
            key="inc.err.unknown_outlet", params={"outlet": outlet}, details={"field": "outlet"}
        )
    return scenario


def verify(
    session: Session,
    *,
    principal: Principal,
    scenario_code: str,
    token: str,
    outlet: str | None = None,
    now: datetime | None = None,
) -> Answer:
    """Check a holder's code for the partner's scenario and, when eligible, redeem it."""
    scenario = _partner_scenario(session, principal, scenario_code, outlet)
    org_id = int(principal.organisation_id or 0)
    now = now or utcnow()
    claims = tokens.read(token)
    code = None
    if claims is not None:
        code = session.scalar(select(CreditCode).where(CreditCode.token_id == claims.token_id))
    if claims is None or code is None:
        return _answer(session, principal, scenario, "invalid", None, outlet, now)
    if min(claims.expires_at, as_utc(code.expires_at) or now) < now:
        return _answer(session, principal, scenario, "expired", code, outlet, now)
    if not _claim(session, code, org_id, scenario.code):
        return _answer(session, principal, scenario, "already_used", code, outlet, now)
    today = now.date()
    specs = [scenario.spec]
    held = facts.gather(
        session,
        [code.subject_id],
        items=facts.record_items(specs),
        today=today,
        wanted=facts.needs(specs),
    )[code.subject_id]
    if not rules.check(scenario.spec, held, today=today).eligible:
        return _answer(session, principal, scenario, "not_eligible", code, outlet, now)
    if not take_quotas(session, spec=scenario.spec, subject_id=code.subject_id, today=today):
        return _answer(session, principal, scenario, "quota_reached", code, outlet, now)
    session.add(
        Redemption(
            at=now,
            scenario_code=scenario.code,
            organisation_id=org_id,
            subject_id=code.subject_id,
            code_id=code.id,
            outlet=outlet,
            value=Decimal(str(scenario.spec.value_yuan)),
        )
    )
    return _answer(session, principal, scenario, "eligible", code, outlet, now)


def _answer(
    session: Session,
    principal: Principal,
    scenario: service.Scenario,
    status: str,
    code: CreditCode | None,
    outlet: str | None,
    now: datetime,
) -> Answer:
    subject_id = code.subject_id if code is not None else None
    session.add(
        Verification(
            at=now,
            scenario_code=scenario.code,
            organisation_id=int(principal.organisation_id or 0),
            subject_id=subject_id,
            outlet=outlet,
            outcome=status,
        )
    )
    holder = None
    if subject_id is not None and status in ("eligible", "not_eligible", "quota_reached"):
        subject = session.get(Subject, subject_id)
        holder = masked_name(subject) if subject is not None else None
    if subject_id is not None:
        # Last: the register's audit entry holds the audit chain's lock until the commit.
        queries.register(
            session,
            principal=principal,
            subject_id=subject_id,
            what=[f"incentive_eligibility:{scenario.code}"],
            purpose=f"信易+ {scenario.spec.name.zh}",
            outcome=status,
            detail={"scenario": scenario.code, "outlet": outlet},
        )
    else:
        session.flush()
    return Answer(status, scenario.code, holder, now)
