from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import LiveCities
from tests.desk.city import ROLES, City, login, seed


@pytest.fixture(scope="module")
def city(live_city: LiveCities) -> Iterator[City]:
    """One seeded database and a logged-in client per console role, for the module."""
    with live_city(extras=seed) as built:
        city = built.facts
        city.clients = {name: login(name) for name, *_ in ROLES}
        city.clients["ruifeng"] = login("ruifeng")
        yield city
