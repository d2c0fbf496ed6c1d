"""Property-based API testing from our own OpenAPI schema (schemathesis), for anonymous and
authenticated clients: no 5xx, no response that breaks the schema."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests import factories
from tests.conftest import LiveCities
from xinyong.app import create_app
from xinyong.auth import apikeys
from xinyong.core.db import session_scope
from xinyong.financing import institutions

schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app())


@pytest.fixture(scope="module")
def api_city(live_city: LiveCities) -> Iterator[tuple[dict[str, dict[str, str]], Any]]:
    """A small demo city, API keys with every scope (a department's and an organisation's),
    and the app, for the module (one app: building it for every generated case made this
    the slowest test of the suite)."""
    with live_city(
        subjects=60, seed=2, records_per_subject=3, anchor=date(2026, 11, 1), extras=_keys,
        env={"rate_anonymous_per_minute": "100000", "rate_key_per_minute": "100000"},
    ) as built:  # fmt: skip
        tokens: dict[str, str] = built.facts
        yield {who: {"Authorization": f"Bearer {t}"} for who, t in tokens.items()}, create_app()


def _keys() -> dict[str, str]:
    """Tokens of two new API keys holding every scope: a department's and a bank's."""
    with session_scope() as session:
        dept = factories.department(session)
        # a financing institution (信易贷), so the bank's API is exercised past the policy
        bank = institutions.create_bank(session, name="模糊测试银行", short_name="模糊测试")
        every = list(apikeys.SCOPES)
        return {
            "api_key": apikeys.create(
                session, name="fuzz", scopes=every, department_id=dept.id
            ).token,
            "organisation_key": apikeys.create(
                session, name="fuzz-org", scopes=every, organisation_id=bank.id
            ).token,
        }


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.parametrize("who", ["anonymous", "api_key", "organisation_key"])
def test_api_conforms(
    case: schemathesis.Case, who: str, api_city: tuple[dict[str, dict[str, str]], Any]
) -> None:
    key_headers, app = api_city
    headers = key_headers.get(who, {})
    # A schema cannot express check digits: a well-formed but wrong code is rightly refused
    # (422 naming the field), so "schema-valid input must be accepted" does not apply here.
    case.call_and_validate(headers=headers, app=app, excluded_checks=[positive_data_acceptance])
