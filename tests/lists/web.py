"""A city for the lists' web tests: departments' officers, an admin, an auditor, API keys and
logged-in clients, on one database per module; each test makes its own companies."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from tests import factories, webkit
from tests.conftest import LiveCities
from tests.lists.helpers import BASIS, REASONS
from tests.webkit import PASSWORD
from xinyong.app import create_app
from xinyong.auth import apikeys
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.core.db import session_scope
from xinyong.lists import service
from xinyong.subjects import service as subjects_service

TODAY = date.today()
# username, role, department kind
STAFF = (
    ("officer", "department_user", "market_regulation"),
    ("stranger", "department_user", "ecology_environment"),
    ("taxman", "department_user", "tax"),
    ("admin", "admin", "development_reform"),
    ("auditor", "auditor", "ecology_environment"),
)
_serial = itertools.count(1)


@dataclass
class City:
    market_key: str
    market_id: int
    key: str  # an API key of the market regulator with the lists:decide scope
    read_key: str  # an API key of the market regulator with records:read only
    clients: dict[str, TestClient] = field(default_factory=dict)


@dataclass(frozen=True)
class Company:
    """An enterprise with a recent penalty of the market regulator (a basis for entries)."""

    id: int
    uscc: str
    name: str
    penalty: int


def _seed() -> City:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        for username, role, kind in STAFF:
            dept = factories.department(session, kind)
            auth_service.create_account(
                session,
                data=AccountCreate(
                    username=username, display_name=username, password=PASSWORD, kind="staff",
                    role=role, department_id=dept.id,
                ),
            )  # fmt: skip
        market = factories.department(session, "market_regulation")
        key = apikeys.create(session, name="l", scopes=["lists:decide"], department_id=market.id)
        read = apikeys.create(session, name="r", scopes=["records:read"], department_id=market.id)
        return City(market.key, market.id, key.token, read.token)


@pytest.fixture(scope="module")
def city(live_city: LiveCities) -> Iterator[City]:
    """One seeded database and one logged-in client per account for the module."""
    with live_city(extras=_seed) as built:
        city = built.facts
        city.clients = {name: login(name) for name, _, _ in STAFF}
        city.clients["anonymous"] = TestClient(create_app())
        yield city


def company(*, decided_days_ago: int = 20) -> Company:
    """A new enterprise with one penalty of the market regulator."""
    with session_scope() as session:
        firm = factories.enterprise(session, name=f"苏州澄霁第{next(_serial)}号贸易有限公司")
        decided = (TODAY - timedelta(days=decided_days_ago)).isoformat()
        penalty = factories.penalty(session, firm, decision_date=decided, today=TODAY)
        return Company(firm.id, firm.uscc or "", firm.name, penalty.id)


def notified_long_ago(city: City, firm: Company, *, days: int = 30) -> int:
    """A market entry on the serious-dishonesty list, notified ``days`` ago (listable now)."""
    with session_scope() as session:
        entry = service.propose(
            session, list_code="serious_dishonesty_list", subject_id=firm.id,
            basis_record_ids=[firm.penalty], legal_basis=BASIS, reasons=REASONS,
            actor="test", department_id=city.market_id, today=TODAY - timedelta(days=days),
        )  # fmt: skip
        service.notify(session, entry_id=entry.id, actor="test", today=TODAY - timedelta(days=days))
        return entry.id


def login(username: str) -> TestClient:
    """A client logged in as the account, sending the session's CSRF token as a header."""
    return webkit.login(username, csrf_header=True)


csrf_of = webkit.csrf_of  # the CSRF token a page's forms carry
