"""The policy decides record and field visibility and actions for every kind of principal."""

from __future__ import annotations

from datetime import date

import pytest

from xinyong.auth import policy
from xinyong.auth.principal import ANONYMOUS, Principal
from xinyong.catalog import service as catalog_service
from xinyong.core.errors import Forbidden, Unauthorized
from xinyong.records.states import PUBLISHABLE_STATES, RecordState

TODAY = date(2025, 6, 1)
SOURCE_DEPT, OTHER_DEPT, SUBJECT, OTHER_SUBJECT, BANK = 1, 2, 10, 11, 7

PRINCIPALS = {
    "anonymous": ANONYMOUS,
    "admin": Principal("staff", "admin", account_id=1, department_id=OTHER_DEPT),
    "reporter_source": Principal("staff", "reporter", account_id=2, department_id=SOURCE_DEPT),
    "user_other": Principal("staff", "department_user", account_id=3, department_id=OTHER_DEPT),
    "auditor": Principal("staff", "auditor", account_id=4, department_id=OTHER_DEPT),
    "bank": Principal("organisation", "org_user", account_id=5, organisation_id=BANK),
    "owner": Principal("subject", "subject", account_id=6, subject_id=SUBJECT),
    "other_subject": Principal("subject", "subject", account_id=7, subject_id=OTHER_SUBJECT),
    "key_read": Principal(
        "apikey", api_key_id=1, department_id=OTHER_DEPT, scopes=frozenset({"records:read"})
    ),
    "key_submit": Principal(
        "apikey", api_key_id=2, department_id=SOURCE_DEPT, scopes=frozenset({"records:submit"})
    ),
}


def _facts(item_code: str, state: str = "active") -> policy.RecordFacts:
    item = catalog_service.get_catalog().item(item_code)
    live = RecordState(state) in PUBLISHABLE_STATES
    return policy.RecordFacts(item, live, SOURCE_DEPT, SUBJECT, date(2026, 1, 1))


# principal -> (visible, registered) for a government-shared item (tax credit rating)
GOVERNMENT_ITEM = {
    "anonymous": (False, False),
    "admin": (True, True),
    "reporter_source": (True, True),
    "user_other": (True, True),
    "auditor": (False, False),
    "bank": (False, False),
    "owner": (True, False),
    "other_subject": (False, False),
    "key_read": (True, True),
    "key_submit": (False, False),
}


@pytest.mark.parametrize("who", sorted(PRINCIPALS))
def test_government_item_visibility(who: str) -> None:
    view = policy.record_view(PRINCIPALS[who], _facts("tax_credit_rating"), today=TODAY)
    assert (view.visible, view.registered) == GOVERNMENT_ITEM[who]


def test_bank_needs_a_live_authorisation_for_the_item() -> None:
    facts = _facts("tax_credit_rating")
    bank = PRINCIPALS["bank"]
    assert not policy.record_view(
        bank, facts, today=TODAY, authorised=frozenset({"honour"})
    ).visible
    view = policy.record_view(bank, facts, today=TODAY, authorised=frozenset({"tax_credit_rating"}))
    assert view.visible and view.registered
    assert "score" not in view.fields  # restricted field stays with the source department
    assert policy.record_view(bank, facts, today=TODAY, authorised=frozenset({"*"})).visible


def test_restricted_fields_only_for_source_department_and_subject() -> None:
    facts = _facts("admin_penalty")
    public = policy.record_view(ANONYMOUS, facts, today=TODAY)
    assert public.visible and not public.registered
    assert "legal_representative_id_number" not in public.fields
    for who in ("user_other", "admin", "bank"):
        assert (
            "legal_representative_id_number"
            not in policy.record_view(PRINCIPALS[who], facts, today=TODAY).fields
        )
    for who in ("reporter_source", "owner"):
        assert (
            "legal_representative_id_number"
            in policy.record_view(PRINCIPALS[who], facts, today=TODAY).fields
        )


@pytest.mark.parametrize("state", ["repaired", "revoked", "expired", "corrected"])
def test_records_out_of_publication_are_not_shared(state: str) -> None:
    facts = _facts("admin_penalty", state)
    for who in ("anonymous", "user_other", "admin", "bank", "other_subject", "key_read"):
        assert not policy.record_view(PRINCIPALS[who], facts, today=TODAY).visible, who
    for who in ("reporter_source", "owner"):
        assert policy.record_view(PRINCIPALS[who], facts, today=TODAY).visible, who


def test_disclosure_end_stops_publication() -> None:
    facts = _facts("admin_penalty")
    assert policy.record_view(ANONYMOUS, facts, today=date(2026, 1, 1)).visible
    assert not policy.record_view(ANONYMOUS, facts, today=date(2026, 1, 2)).visible


ACTION_MATRIX = {
    "records.submit": {"admin", "reporter_source", "key_submit"},
    "records.read": {
        "admin",
        "reporter_source",
        "user_other",
        "bank",
        "owner",
        "other_subject",
        "key_read",
    },
    "audit.read": {"admin", "auditor"},
    "accounts.manage": {"admin"},
    "checks.run": {"admin", "user_other"},
    "authorisations.manage": {"owner", "other_subject"},
}


@pytest.mark.parametrize("action", sorted(ACTION_MATRIX))
def test_action_matrix(action: str) -> None:
    allowed = {who for who, principal in PRINCIPALS.items() if policy.can(principal, action)}
    assert allowed == ACTION_MATRIX[action]


def test_require_says_who_may_not() -> None:
    with pytest.raises(Unauthorized):
        policy.require(ANONYMOUS, "audit.read")
    with pytest.raises(Forbidden):
        policy.require(PRINCIPALS["user_other"], "audit.read")
    assert not policy.can(PRINCIPALS["admin"], "no.such.action")


# principal -> (registered, public_only, redacted) for a person's published penalty whose
# every field shown to the principal is public: an unmasked read of a person is registered.
PERSON_PENALTY = {
    "anonymous": (False, True, True),
    "admin": (True, False, False),
    "reporter_source": (True, False, False),
    "user_other": (True, False, False),
    "bank": (False, True, True),
    "owner": (False, False, True),
    "other_subject": (False, True, True),
    "key_read": (True, False, False),
}


@pytest.mark.parametrize("who", sorted(PERSON_PENALTY))
def test_unmasked_reads_of_a_persons_record_are_registered(who: str) -> None:
    item = catalog_service.get_catalog().item("admin_penalty")
    facts = policy.RecordFacts(item, True, SOURCE_DEPT, SUBJECT, None, subject_is_person=True)
    view = policy.record_view(PRINCIPALS[who], facts, today=TODAY)
    assert view.visible
    assert (view.registered, view.public_only, view.redacted) == PERSON_PENALTY[who]
