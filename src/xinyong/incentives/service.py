"""信易+ scenarios: the published catalogue (shipped ∪ partners' approved proposals),
partners' proposals and the credit office's decisions, a holder's eligibility, and figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit_service
from xinyong.auth import policy
from xinyong.auth.models import Organisation
from xinyong.auth.principal import Principal
from xinyong.core.db import utcnow
from xinyong.core.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.incentives import config, facts, rules
from xinyong.incentives.config import ScenarioError, ScenarioSpec
from xinyong.incentives.models import PartnerScenario, Redemption, Verification


@dataclass(frozen=True)
class Scenario:
    """A scenario as the platform runs it: its definition, where it comes from, the partner
    organisation's id (None: no such organisation on the platform yet) and its state."""

    spec: ScenarioSpec
    source: str  # shipped | partner
    organisation_id: int | None
    state: str = "published"
    proposal_id: int | None = None

    @property
    def code(self) -> str:
        return self.spec.code


def _organisations_by_name(session: Session, names: set[str]) -> dict[str, int]:
    if not names:
        return {}
    stmt = select(Organisation.name, Organisation.id).where(
        Organisation.name.in_(sorted(names)), Organisation.active.is_(True)
    )
    return {name: org_id for name, org_id in session.execute(stmt)}


def _from_row(row: PartnerScenario) -> Scenario:
    spec = ScenarioSpec.model_validate(row.definition)
    return Scenario(spec, "partner", row.organisation_id, row.state, row.id)


def catalogue(session: Session) -> dict[str, Scenario]:
    """Every published scenario by code: the shipped ones, then partners' approved ones."""
    shipped = config.shipped()
    orgs = _organisations_by_name(session, {s.partner.name for s in shipped.values()})
    found = {
        code: Scenario(spec, "shipped", orgs.get(spec.partner.name))
        for code, spec in shipped.items()
    }
    rows = session.scalars(
        select(PartnerScenario)
        .where(PartnerScenario.state == "published")
        .order_by(PartnerScenario.id)
    )
    for row in rows:
        found.setdefault(row.code, _from_row(row))
    return found


def get(session: Session, code: str) -> Scenario:
    """One published scenario, or NotFound (reads only that scenario: a scan's first step)."""
    spec = config.shipped().get(code)
    if spec is not None:
        orgs = _organisations_by_name(session, {spec.partner.name})
        return Scenario(spec, "shipped", orgs.get(spec.partner.name))
    row = session.scalar(
        select(PartnerScenario).where(
            PartnerScenario.code == code, PartnerScenario.state == "published"
        )
    )
    if row is None:
        raise NotFound(key="inc.err.no_scenario", params={"code": code})
    return _from_row(row)


# --- proposals -----------------------------------------------------------------------------


def _organisation(session: Session, principal: Principal) -> Organisation:
    if principal.organisation_id is None:
        raise Forbidden(key="inc.err.partners_only")
    organisation = session.get(Organisation, principal.organisation_id)
    if organisation is None or not organisation.active:
        raise Forbidden(key="inc.err.partners_only")
    return organisation


def propose(
    session: Session, *, principal: Principal, definition: dict[str, Any]
) -> PartnerScenario:
    """A partner proposes a scenario of its own (its name as partner); the credit office
    decides. Invalid names the key at fault; a code in use is a conflict."""
    policy.require(principal, "incentives.propose")
    organisation = _organisation(session, principal)
    body = dict(definition)
    given = body.get("partner")
    partner = dict(given) if isinstance(given, dict) else {}
    partner["name"] = organisation.name
    body["partner"] = partner
    try:
        spec = config.validate_one(body, where=str(body.get("code", "")))
    except ScenarioError as error:
        raise Invalid(
            key="inc.err.bad_proposal",
            params={"problem": error.message},
            details={"field": "definition"},
        ) from error
    taken = spec.code in config.shipped() or session.scalar(
        select(PartnerScenario.id).where(PartnerScenario.code == spec.code)
    )
    if taken:
        raise Conflict(key="inc.err.code_taken", params={"code": spec.code})
    row = PartnerScenario(
        code=spec.code,
        organisation_id=organisation.id,
        state="proposed",
        definition=spec.model_dump(mode="json"),
        proposed_by=principal.actor,
    )
    session.add(row)
    session.flush()
    _audit(session, principal, "incentives.propose", row)
    return row


def _audit(session: Session, principal: Principal, action: str, row: PartnerScenario) -> None:
    audit_service.append(
        session,
        actor=principal.actor,
        action=action,
        object_type="incentive_scenario",
        object_id=row.id,
        summary={"code": row.code, "state": row.state, "organisation_id": row.organisation_id},
    )


def decide(
    session: Session, *, principal: Principal, proposal_id: int, publish: bool, note: str | None
) -> PartnerScenario:
    """The credit office publishes or rejects a proposal (a decided one cannot change)."""
    policy.require(principal, "incentives.manage")
    row = session.get(PartnerScenario, proposal_id)
    if row is None:
        raise NotFound(key="inc.err.no_proposal", params={"id": proposal_id})
    if row.state != "proposed":
        raise Conflict(key="inc.err.decided", params={"code": row.code})
    row.state = "published" if publish else "rejected"
    row.decided_by = principal.actor
    row.decided_at = utcnow()
    row.decision_note = (note or "").strip() or None
    session.flush()
    _audit(session, principal, "incentives.publish" if publish else "incentives.reject", row)
    return row


def proposals(session: Session, *, organisation_id: int | None = None) -> list[Scenario]:
    """Partners' proposals, newest first (one partner's only when given)."""
    stmt = select(PartnerScenario).order_by(PartnerScenario.id.desc())
    if organisation_id is not None:
        stmt = stmt.where(PartnerScenario.organisation_id == organisation_id)
    return [_from_row(row) for row in session.scalars(stmt)]


# --- eligibility ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """One scenario and the holder's verdict on it."""

    scenario: Scenario
    verdict: rules.Verdict


def standings(session: Session, *, subject_id: int, today: date) -> list[Standing]:
    """Every published scenario for the holder: eligible ones first, then by code."""
    scenarios = catalogue(session)
    items = facts.record_items(s.spec for s in scenarios.values())
    found = facts.gather(session, [subject_id], items=items, today=today).get(subject_id)
    if found is None:
        raise NotFound(key="inc.err.no_subject", params={"subject": subject_id})
    result = [Standing(s, rules.check(s.spec, found, today=today)) for s in scenarios.values()]
    return sorted(result, key=lambda s: (not s.verdict.eligible, s.scenario.code))


def eligible_population(session: Session, *, today: date) -> dict[str, int]:
    """How many subjects qualify for each published scenario today."""
    scenarios = catalogue(session)
    kinds = {k.value for s in scenarios.values() for k in s.spec.subject_kinds}
    items = facts.record_items(s.spec for s in scenarios.values())
    counts = dict.fromkeys(scenarios, 0)
    ids = facts.all_subject_ids(session, kinds)
    for start in range(0, len(ids), facts.CHUNK):
        gathered = facts.gather(session, ids[start : start + facts.CHUNK], items=items, today=today)
        for holder in gathered.values():
            for code, scenario in scenarios.items():
                if rules.check(scenario.spec, holder, today=today).eligible:
                    counts[code] += 1
    return counts


# --- figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """One scenario's figures: verifications (and how many found the holder eligible),
    redemptions, their value, and the eligible population (None: not computed)."""

    code: str
    name: str
    partner: str
    verifications: int
    eligible_answers: int
    redemptions: int
    value: Decimal
    eligible_population: int | None


def figures(
    session: Session,
    *,
    organisation_id: int | None = None,
    today: date | None = None,
    population: bool = False,
) -> list[Figures]:
    """Per scenario (one partner's only when ``organisation_id`` is given)."""
    scenarios = catalogue(session)
    if organisation_id is not None:
        scenarios = {c: s for c, s in scenarios.items() if s.organisation_id == organisation_id}
    checks = _verification_counts(session, organisation_id)
    granted = _redemption_sums(session, organisation_id)
    pops = eligible_population(session, today=today or date.today()) if population else {}
    return [
        Figures(
            code,
            s.spec.name.zh,
            s.spec.partner.name,
            checks.get(code, (0, 0))[0],
            checks.get(code, (0, 0))[1],
            granted.get(code, (0, Decimal(0)))[0],
            granted.get(code, (0, Decimal(0)))[1],
            pops.get(code) if population else None,
        )
        for code, s in sorted(scenarios.items())
    ]


def _verification_counts(
    session: Session, organisation_id: int | None
) -> dict[str, tuple[int, int]]:
    eligible = func.sum(case((Verification.outcome == "eligible", 1), else_=0))
    stmt = select(Verification.scenario_code, func.count(), eligible).group_by(
        Verification.scenario_code
    )
    if organisation_id is not None:
        stmt = stmt.where(Verification.organisation_id == organisation_id)
    return {code: (int(n), int(e or 0)) for code, n, e in session.execute(stmt)}


def _redemption_sums(
    session: Session, organisation_id: int | None
) -> dict[str, tuple[int, Decimal]]:
    stmt = select(
        Redemption.scenario_code, func.count(), func.coalesce(func.sum(Redemption.value), 0)
    ).group_by(Redemption.scenario_code)
    if organisation_id is not None:
        stmt = stmt.where(Redemption.organisation_id == organisation_id)
    return {code: (int(n), Decimal(str(v))) for code, n, v in session.execute(stmt)}


def redemptions_of(session: Session, *, subject_id: int, limit: int = 200) -> list[Redemption]:
    """A holder's redemptions, newest first."""
    stmt = (
        select(Redemption)
        .where(Redemption.subject_id == subject_id)
        .order_by(Redemption.at.desc(), Redemption.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))
