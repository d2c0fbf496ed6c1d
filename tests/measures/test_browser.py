"""A credit check at the console in a real browser (Debian's Chromium, headless): a finance
officer checks a supplier on the serious-dishonesty list for a procurement, sees the list
and the constraint with its legal basis, and reports that it was applied.

The result page is kept as a screenshot, ``/tmp/checks-result.png`` (SQLite run) or
``/tmp/checks-result-postgresql.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests import factories
from tests.browserkit import MARKS, chromium, serving
from tests.conftest import LiveCities
from tests.lists.helpers import listed_serious
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.core.db import session_scope
from xinyong.subjects import service as subjects_service

PASSWORD = "Correct-Horse-42"
TODAY = date.today()

pytestmark = MARKS


@dataclass(frozen=True)
class City:
    url: str
    backend: str
    listed_uscc: str
    listed_name: str
    clean_uscc: str


def _populate() -> tuple[str, str, str]:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        finance = factories.department(session, "finance")
        data = AccountCreate(
            username="buyer", display_name="采购科 王敏", password=PASSWORD, kind="staff",
            role="department_user", department_id=finance.id,
        )  # fmt: skip
        auth_service.create_account(session, data=data)
        listed, _, _ = listed_serious(
            session, notified_on=TODAY - timedelta(days=20), listed_on=TODAY - timedelta(days=5)
        )
        clean = factories.enterprise(session, name="苏州市恒达食品贸易有限公司")
        return listed.uscc or "", listed.name, clean.uscc or ""


@pytest.fixture(scope="module")
def city(backend: str, live_city: LiveCities) -> Iterator[City]:
    """A served copy of the city: the server's threads commit, so no rollback here."""
    with live_city(extras=_populate) as built, serving() as served:
        yield City(served, backend, *built.facts)


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


def _login(browser: Any, city: City) -> Any:
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.goto(city.url + "/login")
    page.locator("input[name=username]").fill("buyer")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    return page


def test_a_department_checks_a_supplier_and_reports_the_measure_applied(
    city: City, browser: Any
) -> None:
    page = _login(browser, city)
    page.goto(city.url + "/console/")
    page.get_by_role("link", name="信用核查").first.click()
    page.wait_for_url("**/console/checks")
    page.locator("select[name=matter]").select_option(label="政府采购")
    page.locator("input[name=purpose]").fill("政府采购项目 SZCG-2026-118 供应商资格审查")
    page.locator("textarea[name=subjects]").fill(f"{city.listed_uscc}\n{city.clean_uscc}")
    page.get_by_role("button", name="开始核查").click()
    page.wait_for_url(re.compile(r".*/console/checks/\d+$"))

    hit = page.locator("article[data-measure='C-PROC-01']")
    assert hit.is_visible()
    text = hit.inner_text()
    assert "依法限制参加政府采购活动" in text and "法释〔2017〕7号" in text and "待反馈" in text
    color = hit.locator(".ck-name").evaluate("node => getComputedStyle(node).color")
    assert color == "rgb(166, 27, 27)"  # constraints in red
    first_row = page.locator("#row-1").inner_text()
    assert city.listed_name in first_row and "严重失信主体名单" in first_row
    assert "未列入任何名单" in page.locator("#row-2").inner_text()

    hit.locator("input[name=outcome][value=applied]").check()
    hit.locator("textarea[name=reason]").fill("已取消其本项目投标资格")
    hit.get_by_role("button", name="提交反馈").click()
    page.wait_for_url(re.compile(r".*/console/checks/\d+#row-1$"))
    hit = page.locator("article[data-measure='C-PROC-01']")
    assert "已实施" in hit.inner_text() and "已取消其本项目投标资格" in hit.inner_text()
    suffix = "" if city.backend == "sqlite" else f"-{city.backend}"
    page.screenshot(path=str(Path(f"/tmp/checks-result{suffix}.png")), full_page=True)
