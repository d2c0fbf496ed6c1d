"""The one place that decides who may do what and see which fields.

Routes and services ask this module; they never re-implement a check. Decisions:

* **Actions** — what a principal may do (submit records, read the audit log, manage
  accounts …), by kind, role and, for API keys, scope.
* **Records** — whether a principal sees a record at all and which of its fields, from the
  catalogue's disclosure attributes (public / shared with government / restricted), the
  record's state, the department that submitted it, and — for banks and providers — the
  subject's live authorisation. Reading anything beyond public fields must be registered
  with a purpose (查询登记); ``RecordView.registered`` says when — and so is every read of
  a natural person's record beyond the public's masked view. ``RecordView.redacted`` says
  whether free text must be redacted (every reader outside government).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xinyong.auth.principal import Principal
from xinyong.catalog.schemas import CatalogItem, DisclosureAttribute
from xinyong.core.errors import Forbidden, Unauthorized, label

# action -> (staff roles allowed, API scope allowed, other principal kinds allowed)
ACTIONS: dict[str, tuple[frozenset[str], str | None, frozenset[str]]] = {
    "records.submit": (frozenset({"admin", "reporter"}), "records:submit", frozenset()),
    "records.read": (
        frozenset({"admin", "reporter", "department_user"}),
        "records:read",
        frozenset({"organisation", "subject"}),
    ),
    # Batches, reports and the ledger of collection (a department sees its own only).
    "ingest.read": (
        frozenset({"admin", "reporter", "department_user", "auditor"}),
        "records:submit",
        frozenset(),
    ),
    # Objection and repair: subjects apply for themselves, counter staff on their behalf; the
    # department that reported a record decides (rights.service checks which department).
    "rights.apply": (frozenset(), None, frozenset({"subject"})),
    "rights.counter": (frozenset({"admin", "department_user"}), None, frozenset()),
    "rights.read": (
        frozenset({"admin", "department_user", "auditor"}),
        "rights:decide",
        frozenset({"subject"}),
    ),
    "rights.decide": (frozenset({"admin", "department_user"}), "rights:decide", frozenset()),
    # List entries (红黑名单): a department reads and decides its own (lists.access checks which).
    "lists.read": (
        frozenset({"admin", "department_user", "auditor"}),
        "lists:decide",
        frozenset(),
    ),
    "lists.decide": (frozenset({"admin", "department_user"}), "lists:decide", frozenset()),
    "checks.run": (frozenset({"admin", "department_user"}), "checks:run", frozenset()),
    # Reading checks, their hits and figures (a department its own; admins and auditors all).
    "checks.read": (
        frozenset({"admin", "department_user", "auditor"}),
        "checks:run",
        frozenset(),
    ),
    # Credit reports: subjects ask for their own, organisations with an authorisation,
    # department staff and their API keys for their work; counter staff issue to walk-ins.
    "reports.request": (
        frozenset({"admin", "department_user"}),
        "reports:request",
        frozenset({"organisation", "subject"}),
    ),
    "reports.counter": (frozenset({"admin", "department_user"}), None, frozenset()),
    "reports.batch": (frozenset({"admin", "department_user"}), "reports:request", frozenset()),
    # The register of issued reports and their figures (staff; a department sees its own).
    "reports.register": (frozenset({"admin", "auditor", "department_user"}), None, frozenset()),
    "reports.revoke": (frozenset({"admin"}), None, frozenset()),
    # 双随机 inspection plans: a department's staff plan, draw and record results (its own).
    "supervision.plan": (frozenset({"admin", "department_user"}), None, frozenset()),
    # Grades are shared with government: staff read them for a purpose (registered).
    "evaluations.read": (
        frozenset({"admin", "department_user", "auditor"}),
        "evaluations:read",
        frozenset(),
    ),
    # Village points (积分制): clerks record and redeem, a second person reviews and closes;
    # points.service narrows staff to the units they are assigned to. Villagers: their own.
    "points.record": (frozenset({"admin", "department_user"}), None, frozenset()),
    "points.review": (frozenset({"admin", "department_user"}), None, frozenset()),
    "points.read": (
        frozenset({"admin", "department_user", "auditor"}),
        None,
        frozenset(),
    ),
    "points.own": (frozenset(), None, frozenset({"subject"})),
    # Credit commitments (信用承诺): subjects sign their own; departments register counter and
    # approval-system commitments, record performance and decide breaches of their own.
    "commitments.sign": (frozenset(), None, frozenset({"subject"})),
    "commitments.register": (
        frozenset({"admin", "department_user"}),
        "commitments:write",
        frozenset(),
    ),
    "commitments.read": (
        frozenset({"admin", "department_user", "auditor"}),
        "commitments:write",
        frozenset(),
    ),
    "audit.read": (frozenset({"admin", "auditor"}), None, frozenset()),
    "accounts.manage": (frozenset({"admin"}), None, frozenset()),
    "apikeys.manage": (frozenset({"admin"}), None, frozenset()),
    "counter.issue_code": (frozenset({"admin", "department_user"}), None, frozenset()),
    "authorisations.manage": (frozenset(), None, frozenset({"subject"})),
    "queries.read_own": (frozenset(), None, frozenset({"subject"})),
    # 信易贷: firms apply for themselves; banks' staff by role (ORGANISATION_ROLES) and
    # banks' systems with the financing scope; the credit office oversees and runs the fund.
    "financing.apply": (frozenset(), None, frozenset({"subject"})),
    "financing.products": (frozenset(), "financing:bank", frozenset({"organisation"})),
    "financing.review": (frozenset(), "financing:bank", frozenset({"organisation"})),
    "financing.claim": (frozenset(), "financing:bank", frozenset({"organisation"})),
    "financing.oversee": (frozenset({"admin", "auditor"}), None, frozenset()),
    "financing.fund": (frozenset({"admin"}), None, frozenset()),
    # 信易+: holders show their credit code; partners (organisations) verify it at their
    # outlets and propose scenarios; the credit office publishes scenarios and reads figures.
    "incentives.code": (frozenset(), None, frozenset({"subject"})),
    "incentives.verify": (frozenset(), "incentives:verify", frozenset({"organisation"})),
    "incentives.propose": (frozenset(), None, frozenset({"organisation"})),
    "incentives.manage": (frozenset({"admin"}), None, frozenset()),
    "incentives.figures": (frozenset({"admin", "auditor"}), None, frozenset()),
}

# Actions open to organisation accounts only in some roles (信易贷 bank staff); an
# organisation account's action not named here is open to every role.
ORGANISATION_ROLES: dict[str, frozenset[str]] = {
    "financing.products": frozenset({"product_manager", "branch_admin"}),
    "financing.review": frozenset({"loan_officer", "branch_admin"}),
    "financing.claim": frozenset({"branch_admin"}),
}


def can(principal: Principal, action: str) -> bool:
    """Whether the principal may perform the action (unknown actions: never).

    An API key acts within its owner's scope only: a department's key needs the action's
    scope; an organisation's key needs the scope *and* an action open to organisations; a
    key owned by neither (a platform key) may do nothing until the credit office grants it
    a department."""
    rule = ACTIONS.get(action)
    if rule is None:
        return False
    roles, scope, kinds = rule
    if principal.kind == "staff":
        return principal.role in roles
    if principal.kind == "apikey":
        if scope is None or scope not in principal.scopes:
            return False
        if principal.department_id is not None:
            return True
        return principal.organisation_id is not None and "organisation" in kinds
    if principal.kind == "organisation" and action in ORGANISATION_ROLES:
        return principal.role in ORGANISATION_ROLES[action]
    return principal.kind in kinds


def require(principal: Principal, action: str) -> None:
    """Raise Unauthorized for anonymous callers and Forbidden for others not allowed."""
    if can(principal, action):
        return
    if principal.kind == "anonymous":
        raise Unauthorized(key="auth.err.login_or_key")
    raise Forbidden(
        key="auth.err.may_not",
        params={"principal_label": principal.label, "action": label(f"auth.action.{action}")},
    )


@dataclass(frozen=True)
class RecordFacts:
    """What the policy needs to know about one record."""

    item: CatalogItem
    # The record's state lets it be shared or published (records.states.PUBLISHABLE_STATES:
    # not expired, repaired, revoked or superseded); the disclosure period is checked here.
    live: bool
    department_id: int
    subject_id: int
    disclosure_end: date | None
    # A natural person's record: any read beyond the public's masked view is registered.
    subject_is_person: bool = False


@dataclass(frozen=True)
class RecordView:
    """Whether a record is visible, which fields, and whether the read must be registered."""

    visible: bool
    fields: tuple[str, ...] = ()
    registered: bool = False
    # Public audience: natural persons' names must be shown masked (张*伟).
    public_only: bool = False
    # Outside government (the public, organisations, subjects): free text is redacted
    # (ID, mobile and card numbers, persons' names; see identity.redact).
    redacted: bool = True


HIDDEN = RecordView(False)


def _published(facts: RecordFacts, today: date) -> bool:
    in_period = facts.disclosure_end is None or facts.disclosure_end >= today
    return facts.live and in_period


def _audience(
    principal: Principal, facts: RecordFacts, today: date, authorised: frozenset[str]
) -> DisclosureAttribute | None:
    """The widest disclosure level this principal reaches for this record (None: nothing)."""
    own_department = principal.department_id == facts.department_id
    if principal.kind == "subject" and principal.subject_id == facts.subject_id:
        return DisclosureAttribute.restricted  # a subject sees all of its own data
    if principal.is_government and can(principal, "records.read") and own_department:
        return DisclosureAttribute.restricted  # the source department sees what it sent
    if not _published(facts, today):
        return None  # expired, repaired, revoked, superseded: no longer shared or published
    if principal.is_government and can(principal, "records.read"):
        return DisclosureAttribute.government
    if principal.kind == "organisation" and authorised & {"*", facts.item.code}:
        return DisclosureAttribute.government
    return DisclosureAttribute.public


def record_view(
    principal: Principal,
    facts: RecordFacts,
    *,
    today: date,
    authorised: frozenset[str] = frozenset(),
) -> RecordView:
    """Which fields of a record a principal sees; ``authorised`` = items the subject
    authorised the principal's organisation to read (see auth.authorisations)."""
    audience = _audience(principal, facts, today, authorised)
    if audience is None or facts.item.disclosure_attribute.openness > audience.openness:
        return HIDDEN
    specs = facts.item.visible_fields(audience)
    fields = tuple(spec.name for spec in specs)
    own = principal.kind == "subject" and principal.subject_id == facts.subject_id
    beyond_public = any(
        facts.item.field_disclosure(spec) is not DisclosureAttribute.public for spec in specs
    )
    public_only = audience is DisclosureAttribute.public
    # A person's record read unmasked (by staff, keys or an authorised organisation) needs
    # a purpose and is registered, even when every field shown is public.
    personal = facts.subject_is_person and not public_only
    return RecordView(
        True,
        fields,
        registered=(beyond_public or personal) and not own,
        public_only=public_only,
        redacted=not principal.is_government,
    )
