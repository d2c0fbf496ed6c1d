"""In Chromium (headless): a firm applies to a product and authorises the branch; the
branch's loan officer reads the signed report and risk summary, is refused a grant without
its rate, then grants the loan; the firm sees the outcome and every read of its data.

Screenshots are kept under ``var/test-artifacts/financing/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browserkit import MARKS, chromium, serving
from tests.conftest import FreshDatabase
from tests.financing.conftest import PASSWORD, build
from xinyong.core import db as core_db
from xinyong.core import migrate
from xinyong.core.config import reset_settings
from xinyong.core.db import session_scope
from xinyong.reports.service import beijing_today
from xinyong.subjects import service as subjects_service

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "financing"
pytestmark = MARKS


@pytest.fixture(scope="module")
def served(backend: str, fresh_db: FreshDatabase) -> Iterator[tuple[str, str]]:
    url = fresh_db.new(backend)
    migrate.upgrade(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XINYONG_DATABASE_URL", url)
        reset_settings()
        core_db.dispose_engine()
        with session_scope() as session:
            subjects_service.sync_departments(session)
            build(session)
        with serving() as base:
            yield base, backend
        core_db.dispose_engine()
    reset_settings()


def _login(browser: Any, base: str, username: str) -> Any:
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(base + "/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    return page


def test_apply_authorise_then_the_officer_decides(served: tuple[str, str]) -> None:
    base, backend = served
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        firm = _login(browser, base, "firm")
        firm.goto(base + "/portal/financing")
        firm.locator("#matching").get_by_role("link", name="申请").first.click()
        firm.wait_for_load_state()
        firm.select_option("select[name=branch_id]", label="测试城市商业银行高新支行")
        firm.locator("input[name=amount]").first.fill("500000")
        firm.locator("input[name=term_months]").first.fill("12")
        firm.locator("#apply input[name=purpose]").fill("采购原材料")
        firm.get_by_label("纳税信用评价结果").check()
        firm.get_by_role("button", name="提交申请并授权").click()
        firm.wait_for_load_state()
        assert "申请已提交，授权已生效。" in firm.locator("body").inner_text()
        row = firm.locator("#applications tbody tr").first.inner_text()
        assert "已提交" in row and "有效" in row
        firm.screenshot(path=str(ARTIFACTS / f"{backend}-firm.png"), full_page=True)

        officer = _login(browser, base, "officer")
        officer.goto(base + "/bank/financing")
        officer.locator("#queue").get_by_role("link", name="办理").first.click()
        officer.wait_for_load_state()
        assert officer.locator("#report a").first.inner_text().startswith("XY")
        assert "风险提示" in officer.locator("#risk").inner_text()
        officer.select_option("select[name=outcome]", "granted")
        officer.locator("#decide input[name=amount]").fill("450000")
        officer.locator("#decide input[name=term_months]").fill("12")
        officer.locator("#decide input[name=granted_on]").fill(beijing_today().isoformat())
        officer.get_by_role("button", name="提交反馈").click()
        officer.wait_for_load_state()
        # Refused: the same page again, the refusal by the rate's field, the values kept.
        assert "该反馈结果须填写：年利率（%）" in officer.locator("#decide-error").inner_text()
        assert officer.locator("#rate-error").is_visible()
        assert officer.locator("#decide input[name=amount]").input_value() == "450000"
        assert officer.locator("select[name=outcome]").input_value() == "granted"
        officer.locator("#decide").screenshot(path=str(ARTIFACTS / f"{backend}-refused.png"))
        officer.locator("#decide input[name=rate]").fill("3.85")
        officer.get_by_role("button", name="提交反馈").click()
        officer.wait_for_load_state()
        assert "已放款：450,000 · 3.85%" in officer.locator("#state").inner_text()
        officer.screenshot(path=str(ARTIFACTS / f"{backend}-officer.png"), full_page=True)

        firm.goto(base + "/portal/financing")
        assert "已放款" in firm.locator("#applications tbody tr").first.inner_text()
        firm.goto(base + "/portal/me")
        assert "信易贷贷前审查（申请 1）" in firm.locator("body").inner_text()
