"""The landing page in a real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.browserkit import CHROMIUM, CHROMIUM_ARGS, MARKS, serving
from xinyong.demo import loader

pytestmark = MARKS


@pytest.fixture
def server(configured_db: str) -> Iterator[str]:
    loader.load_demo(subjects=200, seed=3, records_per_subject=4, anchor=date(2026, 11, 1))
    with serving() as served:
        yield served


def test_landing_page_in_chromium(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        page.goto(server + "/")
        assert page.title() == "公共信用信息共享平台"
        assert page.locator('[data-figure="subjects"]').inner_text() == "200"
        assert page.get_by_role("heading", name="记录分类").is_visible()
        page.keyboard.press("Tab")  # the first focusable element is the brand link
        page.get_by_role("link", name="English").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="Records by catalogue item").is_visible()
        page.goto(server + "/")  # the language choice is remembered
        assert "Credit subjects" in page.inner_text("main")
        page.screenshot(path=str(tmp_path / "landing.png"), full_page=True)
        browser.close()


def test_login_page_in_chromium(server: str) -> None:
    from playwright.sync_api import sync_playwright

    from tests import factories
    from xinyong.auth import service as auth_service
    from xinyong.auth.schemas import AccountCreate
    from xinyong.core.db import session_scope

    with session_scope() as session:
        dept = factories.department(session)
        data = AccountCreate(
            username="chen.jing",
            display_name="陈静",
            password="Correct-Horse-42",
            kind="staff",
            role="department_user",
            department_id=dept.id,
        )
        auth_service.create_account(session, data=data)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(server + "/console/")  # not logged in: sent to the login page
        assert "/login" in page.url
        page.get_by_label("用户名").fill("chen.jing")
        page.get_by_label("密码").fill("wrong-Password-1")
        page.get_by_role("button", name="登录").click()
        assert "用户名或密码错误" in page.get_by_role("alert").inner_text()
        page.get_by_label("用户名").fill("chen.jing")
        page.get_by_label("密码").fill("Correct-Horse-42")
        page.keyboard.press("Enter")
        page.wait_for_url("**/console/")
        assert page.get_by_role("heading", name="工作台").is_visible()
        cookie = next(c for c in page.context.cookies() if c["name"] == "xinyong_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        page.get_by_role("button", name="退出", exact=True).click()
        page.wait_for_url("**/login")
        browser.close()
