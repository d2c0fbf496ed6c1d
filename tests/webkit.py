"""Logging in from tests through the real login form, shared by the modules' web tests
(browser tests have theirs in ``tests/browserkit.py``)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.factories import PASSWORD
from xinyong.app import create_app


def csrf_of(page: str) -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def login(username: str, *, csrf_header: bool = False, password: str = PASSWORD) -> TestClient:
    """A client logged in as the account through ``/login``; with ``csrf_header`` it sends the
    session's CSRF token as a header on every request (for JSON calls)."""
    client = TestClient(create_app())
    token = csrf_of(client.get("/login").text)
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:300]
    if csrf_header:
        client.headers["X-CSRF-Token"] = csrf_of(client.get("/login").text)
    return client
