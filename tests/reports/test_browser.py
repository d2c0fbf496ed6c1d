"""Self-service and public verification in a real browser (Debian's Chromium, headless): the
subject logs in, issues its own report, reads it, downloads the PDF; anyone verifies the
number and uploads the file. Screenshots go to ``var/test-artifacts/reports/``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests import factories
from tests.browserkit import MARKS, chromium, serving
from tests.conftest import FreshDatabase
from tests.reports.helpers import ARTIFACTS
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.core import db as core_db
from xinyong.core import migrate
from xinyong.core.config import reset_settings
from xinyong.core.db import session_scope
from xinyong.subjects import service as subjects_service

PASSWORD = "Correct-Horse-42"
pytestmark = MARKS


def _populate() -> str:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        firm = factories.enterprise(session, name="苏州市瑞丰精密机械有限公司")
        decided = (date.today() - timedelta(days=30)).isoformat()
        factories.penalty(session, firm, decision_date=decided, today=date.today())
        data = AccountCreate(username="ruifeng", display_name="瑞丰", password=PASSWORD,
                             kind="subject", role="subject", subject_id=firm.id)  # fmt: skip
        auth_service.create_account(session, data=data)
        return firm.uscc or ""


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


def test_self_service_then_public_verification(served: tuple[str, str], tmp_path: Path) -> None:
    base, backend = served
    with chromium() as browser:
        page = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
        page.goto(base + "/login?next=/portal/me/reports")
        page.locator("input[name=username]").fill("ruifeng")
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_load_state()
        page.goto(base + "/portal/me/reports")
        page.locator("select[name=type]").select_option("public_legal")
        page.locator("input[name=purpose]").fill("政府采购投标")
        page.locator("form.report-form button[type=submit]").click()
        page.wait_for_load_state()
        assert "/reports/XY" in page.url
        number = page.url.rsplit("/", 1)[-1]
        body = page.locator("body").inner_text()
        assert "三、行政处罚信息" in body and "政府采购投标" in body and "暂无信用评价结果" in body
        _shot(page, backend, "report-view")
        with page.expect_download() as download:
            page.locator("a", has_text="下载PDF").click()
        pdf = tmp_path / "report.pdf"
        download.value.save_as(str(pdf))
        assert pdf.read_bytes().startswith(b"%PDF")
        page.goto(base + "/portal/me/reports")
        assert number in page.locator("body").inner_text()

        anyone = browser.new_context(locale="zh-CN").new_page()
        anyone.goto(base + "/verify")
        anyone.locator("input[name=number]").fill(number)
        anyone.locator("form.search button[type=submit]").click()
        anyone.wait_for_load_state()
        facts = anyone.locator("body").inner_text()
        assert "状态：有效" in facts and "苏州市瑞丰精密机械有限公司" in facts
        anyone.locator("input[type=file]").set_input_files(str(pdf))
        anyone.locator("form.report-form button[type=submit]").click()
        anyone.wait_for_load_state()
        assert "完全一致" in anyone.locator(".upload-result").inner_text()
        _shot(anyone, backend, "verify-match")
        altered = tmp_path / "altered.pdf"
        data = pdf.read_bytes()
        altered.write_bytes(data[:500] + b"#" + data[501:])
        anyone.locator("input[type=file]").set_input_files(str(altered))
        anyone.locator("form.report-form button[type=submit]").click()
        anyone.wait_for_load_state()
        assert "不一致" in anyone.locator(".upload-result").inner_text()
        _shot(anyone, backend, "verify-mismatch")
