"""Commitment numbers under concurrency: signers in parallel threads (separate connections
and transactions, as the app's writing requests: ``write_session``) never get the same
number, and no serial is skipped."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import select

from tests import factories
from tests.conftest import LiveCities
from xinyong.commitments import service
from xinyong.commitments.models import Commitment
from xinyong.core.db import session_scope, write_session

SIGNERS, EACH = 4, 10


def test_parallel_signers_get_distinct_serial_numbers(live_city: LiveCities) -> None:
    with live_city(departments=True):
        with session_scope() as session:
            firm = factories.enterprise(session).id
            dept = factories.department(session, "housing_construction").id
        errors: list[BaseException] = []

        def sign() -> None:
            try:
                for _ in range(EACH):
                    with write_session() as session, session.begin():
                        service.create(
                            session,
                            signing_=service.Signing(
                                "construction_drawing_review", firm, dept, "counter", "t",
                                date(2026, 9, 29),
                            ),
                        )  # fmt: skip
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=sign) for _ in range(SIGNERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with session_scope() as session:
            numbers = list(session.scalars(select(Commitment.number)))
        assert len(numbers) == len(set(numbers)) == SIGNERS * EACH
        serials = sorted(int(n[-6:]) for n in numbers)
        assert serials == list(range(1, SIGNERS * EACH + 1))
