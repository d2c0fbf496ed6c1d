"""The sign flow and the browse page in a real browser (Debian's Chromium, headless), on a
desktop and on a 390 px phone window. Screenshots go to ``var/test-artifacts/commitments/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import factories
from tests.browserkit import MARKS, chromium, serving
from tests.conftest import FreshDatabase
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.core import db as core_db
from xinyong.core import migrate
from xinyong.core.config import reset_settings
from xinyong.core.db import session_scope
from xinyong.subjects import service as subjects_service

PASSWORD = "Correct-Horse-42"
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "commitments"
pytestmark = MARKS


def _populate() -> None:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        firm = factories.enterprise(session, name="苏州市诚信建设工程有限公司")
        data = AccountCreate(username="chengxin", display_name="诚信建设", password=PASSWORD,
                             kind="subject", role="subject", subject_id=firm.id)  # fmt: skip
        auth_service.create_account(session, data=data)


@pytest.fixture(scope="module")
def served(backend: str, fresh_db: FreshDatabase) -> Iterator[tuple[str, str]]:
    url = fresh_db.new(backend)
    migrate.upgrade(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XINYONG_DATABASE_URL", url)
        reset_settings()
        core_db.dispose_engine()
        _populate()
        with serving() as base:
            yield base, backend
        core_db.dispose_engine()
    reset_settings()


def _shot(page: Any, backend: str, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{backend}-{name}.png"), full_page=True)


def test_sign_then_browse_on_desktop_and_phone(served: tuple[str, str]) -> None:
    base, backend = served
    with chromium() as browser:
        page = browser.new_context(locale="zh-CN").new_page()
        page.goto(base + "/login?next=/portal/me/commitments")
        page.locator("input[name=username]").fill("chengxin")
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_load_state()
        page.goto(base + "/portal/me/commitments")
        page.locator(
            "a[href='/portal/commitments/sign?template=construction_drawing_review']"
        ).click()
        page.wait_for_load_state()
        text = page.locator("#commitment-text").inner_text()
        assert "苏州市诚信建设工程有限公司" in text and "施工图审查合格书" in text
        _shot(page, backend, "sign")
        page.locator("input[name=confirm]").check()
        page.locator("form.report-form button[type=submit]").click()
        page.wait_for_load_state()
        assert "/commitments/" in page.url
        number = page.url.rsplit("/", 1)[-1]
        assert page.locator("[data-signature=valid]").count() == 1
        assert text.strip() == page.locator("blockquote.commitment-text").inner_text().strip()
        _shot(page, backend, "signed")

        phone = browser.new_context(
            locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2
        ).new_page()
        phone.goto(base + "/commitments")
        assert number in phone.locator("body").inner_text()
        phone.locator("#f-kind").select_option("容缺受理")
        phone.locator(".filters button[type=submit]").click()
        phone.wait_for_load_state()
        assert number in phone.locator("body").inner_text()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
        _shot(phone, backend, "browse-390")
        phone.locator("#f-kind").select_option("行业自律")
        phone.locator(".filters button[type=submit]").click()
        phone.wait_for_load_state()
        assert number not in phone.locator("body").inner_text()
