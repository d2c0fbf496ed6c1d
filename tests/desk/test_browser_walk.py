"""A walk over every console page for each console role in Chromium, at a desktop width
(1366 px) and a phone width (390 px): no page scrolls sideways, and no visible text holds a
raw code (``word_word`` outside <code> elements, ``\\u`` escapes, ``account:`` actors).

Screenshots are kept under ``$XINYONG_TEST_ARTIFACTS/console/`` (default: the system temp
folder's ``xinyong-test-artifacts``), never in the checkout."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.browserkit import MARKS, chromium, serving
from tests.conftest import ARTIFACTS as TEST_ARTIFACTS
from tests.conftest import LiveCities
from tests.desk.city import PASSWORD, ROLES, City, seed

ARTIFACTS = TEST_ARTIFACTS / "console"
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
FORBIDDEN = (re.compile(r"[a-z]+_[a-z_]+"), re.compile(r"\\u"), re.compile(r"account:"))
# The visible text of the page's main part and header, <code> elements left out.
VISIBLE_TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('code, script, style, .skip-link').forEach(e => e.remove());
  return body.innerText;
}"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"

pytestmark = MARKS


def pages(city: City) -> list[str]:
    """Every console page (one of each kind), with the ids of the seeded city."""
    return [
        "/console/",
        "/console/ingest",
        "/console/ingest/ledger",
        "/console/ingest/review",
        f"/console/ingest/batches/{city.batch_id}",
        "/console/rights",
        "/console/rights/stats",
        "/console/rights/counter",
        f"/console/rights/cases/{city.case_id}",
        "/console/lists",
        "/console/lists/new",
        f"/console/lists/{city.entry_id}",
        "/console/checks",
        "/console/checks/batch",
        f"/console/checks/{city.check_id}",
        "/console/checks/feedback",
        "/console/checks/stats",
        "/console/reports",
        "/console/reports/counter",
        "/console/reports/batch",
        "/console/reports/figures",
        "/console/evaluation",
        "/console/evaluation/subject",
        "/console/audit",
    ]


@dataclass(frozen=True)
class Served:
    url: str
    city: City


@pytest.fixture(scope="module")
def served(backend: str, live_city: LiveCities) -> Iterator[Served]:
    if backend != "sqlite":
        pytest.skip("the walk checks layout and wording, which do not depend on the store")
    with live_city(extras=seed) as built, serving() as url:
        yield Served(url, built.facts)


def _login(browser: Any, url: str, username: str, width: int, height: int) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(url + "/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    return page


def _problems(page: Any, path: str) -> list[str]:
    found = []
    overflow = page.evaluate(OVERFLOW)
    if overflow > 1:
        found.append(f"{path}: scrolls sideways by {overflow}px")
    text = page.evaluate(VISIBLE_TEXT)
    for pattern in FORBIDDEN:
        for hit in sorted(set(pattern.findall(text)))[:5]:
            found.append(f"{path}: shows {hit!r}")
    return found


def _open_the_menu(page: Any, url: str, shot: Any) -> None:
    """On a phone the menu folds under one button; opened, it lists the role's pages."""
    page.goto(url + "/console/")
    menu = page.locator(".console-menu a").first
    assert not menu.is_visible()
    page.locator(".menu-label").click()
    assert menu.is_visible()
    page.screenshot(path=str(shot))


def test_every_console_page_for_every_role_at_two_widths(served: Served) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    visited = 0
    with chromium() as browser:
        for width_name, (width, height) in WIDTHS.items():
            for username, *_ in ROLES:
                page = _login(browser, served.url, username, width, height)
                for path in pages(served.city):
                    answer = page.goto(served.url + path)
                    if answer is None or answer.status == 403:
                        continue  # not this role's page
                    visited += 1
                    where = f"{username}@{width_name} {path} ({answer.status})"
                    problems += _problems(page, where)
                    name = re.sub(r"[^a-z0-9]+", "-", path.strip("/")) or "home"
                    shot = ARTIFACTS / f"{width_name}-{username}-{name}.png"
                    page.screenshot(path=str(shot), full_page=True)
                if width_name == "phone":
                    _open_the_menu(page, served.url, ARTIFACTS / f"phone-{username}-menu.png")
                page.context.close()
    assert visited > 60
    assert not problems, "\n".join(problems)
