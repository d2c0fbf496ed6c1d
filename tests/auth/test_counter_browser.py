"""Opening a subject's account with a counter code, in Chromium: from the portal's login link
to the subject's own page, on a phone-sized screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import factories
from tests.browserkit import MARKS, chromium, serving
from xinyong.auth import counter
from xinyong.core.db import session_scope
from xinyong.subjects import service as subjects_service

pytestmark = MARKS
PASSWORD = "Correct-Horse-42"


@pytest.fixture
def server(configured_db: str) -> Iterator[tuple[str, str, str]]:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        company = factories.enterprise(session, name="苏州市开户测试科技有限公司")
        uscc = company.uscc or ""
        code = counter.issue(session, subject_code=uscc, issued_by=None)
    with serving() as served:
        yield served, uscc, code


def test_a_subject_opens_its_account_in_chromium(
    server: tuple[str, str, str], tmp_path: Path
) -> None:
    url, uscc, code = server
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(url + "/")
        page.locator("header").get_by_role("link", name="登录").click()
        page.get_by_role("link", name="首次使用？凭窗口验证码开通账户").click()
        assert page.get_by_role("heading", name="开通账户").is_visible()
        page.get_by_label("统一社会信用代码或身份证号码").fill(uscc)
        page.get_by_label("窗口验证码").fill("0000-0000-0000")
        page.get_by_label("用户名").fill("kaihu.test")
        page.get_by_label("账户名称（单位或姓名）").fill("开户测试")
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        page.get_by_label("再次输入密码").fill(PASSWORD)
        page.get_by_role("button", name="开通账户").click()
        assert "不正确" in page.get_by_role("alert").inner_text()
        assert page.get_by_label("用户名").input_value() == "kaihu.test"  # kept for the retry
        page.screenshot(path=str(tmp_path / "refused.png"), full_page=True)
        page.get_by_label("窗口验证码").fill(code.lower())
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        page.get_by_label("再次输入密码").fill(PASSWORD)
        page.get_by_role("button", name="开通账户").click()
        assert page.get_by_role("status").inner_text() == "账户已开通，请登录。"
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        page.screenshot(path=str(tmp_path / "opened.png"), full_page=True)
        assert not overflow
        page.locator("main").get_by_role("link", name="登录").click()
        page.get_by_label("用户名").fill("kaihu.test")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(url + "/portal/me")
        assert page.get_by_role("heading", name="我的信用信息").is_visible()
