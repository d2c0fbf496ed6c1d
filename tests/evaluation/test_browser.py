"""The subject's explanation page and the console's run page in Chromium (headless).

Screenshots are kept under ``var/test-artifacts/evaluation/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
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
from xinyong.evaluation import service
from xinyong.subjects import service as subjects_service

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "evaluation"
PASSWORD = "Correct-Horse-42"
pytestmark = MARKS


def _populate() -> str:
    today = date.today()
    with session_scope() as session:
        subjects_service.sync_departments(session)
        firm = factories.enterprise(session, name="苏州市明远物流有限公司",
                                    registration_date=date(2012, 4, 1))  # fmt: skip
        for days in (20, 80, 140):
            factories.penalty(session, firm, today=today,
                              decision_date=(today - timedelta(days=days)).isoformat())  # fmt: skip
        for username, binding in (
            ("mingyuan", {"kind": "subject", "role": "subject", "subject_id": firm.id}),
            ("analyst", {"kind": "staff", "role": "department_user",
                         "department_id": factories.department(session).id}),
        ):  # fmt: skip
            data = AccountCreate(
                username=username, display_name=username, password=PASSWORD, **binding
            )
            auth_service.create_account(session, data=data)
        service.evaluate(session, as_of=today, actor="test")
        service.evaluate(session, as_of=today, actor="test", model_code="city_legal_person")
        assert firm.uscc
        return firm.uscc


@pytest.fixture(scope="module")
def served(backend: str, fresh_db: FreshDatabase) -> Iterator[tuple[str, str, str]]:
    url = fresh_db.new(backend)
    migrate.upgrade(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XINYONG_DATABASE_URL", url)
        reset_settings()
        core_db.dispose_engine()
        code = _populate()
        with serving() as base:
            yield base, code, backend
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


def test_subject_sees_its_grade_explained(served: tuple[str, str, str]) -> None:
    base, _, backend = served
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = _login(browser, base, "mingyuan")
        page.goto(base + "/portal/me")
        page.get_by_role("link", name="我的信用评价").click()
        page.wait_for_load_state()
        heading = page.locator("section.evaluation h2").first.inner_text()
        assert "公共信用综合评价(法人和非法人组织)" in heading and "级" in heading
        negatives = page.locator("ul.ev-negatives li").all_inner_texts()
        assert "近12个月一般行政处罚3次，扣12分" in negatives
        changes = page.locator("ul.ev-changes li").all_inner_texts()
        assert any("不再计入" in line for line in changes)
        page.screenshot(path=str(ARTIFACTS / f"{backend}-me.png"), full_page=True)
        page.goto(base + "/portal/me/evaluation?lang=en")
        assert "3 general administrative penalties in the last 12 months: 12 points off" in (
            page.locator("ul.ev-negatives").inner_text()
        )


def test_staff_read_needs_a_purpose_and_run_page_draws_charts(served: tuple[str, str, str]) -> None:
    base, code, backend = served
    with chromium() as browser:
        page = _login(browser, base, "analyst")
        page.goto(base + "/console/evaluation")
        page.locator("tbody a").first.click()
        page.wait_for_load_state()
        assert page.locator("svg#grades").count() == 1 and page.locator("#psi").count() == 1
        page.screenshot(path=str(ARTIFACTS / f"{backend}-run.png"), full_page=True)
        refused = page.goto(f"{base}/console/evaluation/subject?code={code}&purpose=")
        assert refused is not None and refused.status == 422
        page.goto(f"{base}/console/evaluation/subject?code={code}&purpose=行政许可审查")
        assert "近12个月一般行政处罚3次" in page.locator("ul.ev-negatives").inner_text()


def test_the_models_are_published(served: tuple[str, str, str]) -> None:
    base, _, _ = served
    with chromium() as browser:
        page = browser.new_context(locale="zh-CN").new_page()
        page.goto(base + "/evaluation-models")
        text = page.locator("main, body").first.inner_text()
        assert "近12个月内一般失信等级的行政处罚次数，每次扣4分，最多扣16分。" in text
        assert page.locator("section h3").count() >= 7
        page.goto(base + "/evaluation-models?lang=en")
        assert "Public credit grade" in page.locator("body").inner_text()
