"""Both rights flows end to end in a real browser (Debian's Chromium, headless).

Objection: the subject objects on the portal → the public page marks the record 异议处理中 →
the market-regulation officer corrects it in the console → the public page shows the
corrected fine and no mark. Repair: the subject sees it is eligible and applies with proof
and its commitment → the officer accepts and repairs → the penalty and the list entry that
rested on it leave the public pages, and the subject's own page shows 已修复.

Screenshots are kept under ``$XINYONG_TEST_ARTIFACTS/rights/`` (default: the system temp
folder's ``xinyong-test-artifacts``), never in the checkout.
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
from tests.conftest import ARTIFACTS as TEST_ARTIFACTS
from tests.conftest import LiveCities
from tests.rights.helpers import PDF, serious_listing
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.core.db import session_scope
from xinyong.subjects import search
from xinyong.subjects import service as subjects_service

ARTIFACTS = TEST_ARTIFACTS / "rights"
PASSWORD = "Correct-Horse-42"

pytestmark = MARKS


@dataclass(frozen=True)
class City:
    url: str
    backend: str
    disputed_code: str  # an enterprise whose recent penalty it disputes
    disputed_number: str
    repaired_code: str  # an enterprise that repairs an older penalty (and leaves a list)
    repaired_number: str
    listing_number: str


def _account(session: Any, username: str, **binding: Any) -> None:
    data = AccountCreate(username=username, display_name=username, password=PASSWORD, **binding)
    auth_service.create_account(session, data=data)


def _populate() -> tuple[str, str, str, str, str]:
    today = date.today()
    with session_scope() as session:
        subjects_service.sync_departments(session)
        recent = (today - timedelta(days=30)).isoformat()
        older = (today - timedelta(days=200)).isoformat()
        disputed = factories.enterprise(session, name="苏州市瑞丰精密机械有限公司")
        penalty = factories.penalty(session, disputed, decision_date=recent, today=today)
        repaired = factories.enterprise(session, name="苏州市恒达食品贸易有限公司")
        old = factories.penalty(session, repaired, decision_date=older, today=today)
        listing = serious_listing(session, repaired, old)
        department = factories.department(session)
        _account(session, "officer", kind="staff", role="department_user",
                 department_id=department.id)  # fmt: skip
        _account(session, "ruifeng", kind="subject", role="subject", subject_id=disputed.id)
        _account(session, "hengda", kind="subject", role="subject", subject_id=repaired.id)
        search.rebuild_index(session)
        assert disputed.uscc and repaired.uscc
        return (disputed.uscc, penalty.source_record_id, repaired.uscc, old.source_record_id,
                listing.source_record_id)  # fmt: skip


@pytest.fixture(scope="module")
def city(backend: str, live_city: LiveCities) -> Iterator[City]:
    """A served copy of the city: the server's threads commit, so no rollback here."""
    with live_city(extras=_populate) as built, serving() as served:
        yield City(served, backend, *built.facts)


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


def _shot(page: Any, city: City, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{city.backend}-{name}.png"), full_page=True)


def _login(browser: Any, city: City, username: str) -> Any:
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(city.url + "/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    return page


def _public_penalties(browser: Any, city: City, code: str) -> tuple[str, int]:
    """The subject's published penalties as text, and how many are marked 异议处理中."""
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{city.url}/subjects/{code}?tab=admin_penalty")
    records = page.locator("article.record")
    text = "\n".join(records.nth(i).inner_text() for i in range(records.count()))
    disputed = page.locator("article.record.disputed .badge.objection").count()
    page.close()
    return text, disputed


def _evidence(tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(PDF)
    return str(path)


def _my_record_row(page: Any, city: City, number: str) -> Any:
    page.goto(city.url + "/portal/me/records")
    return page.locator("tr", has_text=number).first


def _officer_opens(browser: Any, city: City, code: str) -> Any:
    officer = _login(browser, city, "officer")
    officer.goto(city.url + "/console/rights")
    officer.locator("tr", has_text=code).first.get_by_role("link").first.click()
    officer.wait_for_url("**/console/rights/cases/*")
    return officer


def test_objection_marks_the_record_and_the_correction_reaches_the_portal(
    city: City, browser: Any, tmp_path: Path
) -> None:
    subject = _login(browser, city, "ruifeng")
    row = _my_record_row(subject, city, city.disputed_number)
    row.get_by_role("link", name="提出异议").click()
    subject.wait_for_url("**/portal/rights/objection*")
    subject.locator("select[name=ground]").select_option("wrong_information")
    subject.locator("textarea[name=statement]").fill("罚款金额应为3万元，见处罚决定书第2页")
    subject.locator("input[name=files]").set_input_files(_evidence(tmp_path, "处罚决定书.pdf"))
    _shot(subject, city, "objection-form")
    subject.get_by_role("button", name="提交异议申请").click()
    subject.wait_for_url(re.compile(r".*/portal/me/cases/\d+$"))
    assert "异议处理中" in subject.locator("main").inner_text()
    _shot(subject, city, "objection-case")
    text, disputed = _public_penalties(browser, city, city.disputed_code)
    assert disputed == 1 and "异议处理中" in text

    officer = _officer_opens(browser, city, city.disputed_code)
    _shot(officer, city, "console-objection")
    form = officer.locator("form[action$='/decide']")
    form.locator("select[name=outcome]").select_option("correct")
    form.locator("textarea[name=reason]").fill("经核对处罚决定书，罚款金额更正为3万元")
    form.locator("textarea[name=changes]").fill("fine_amount=3")
    form.locator("button[type=submit]").click()
    officer.wait_for_load_state()
    assert "已办结" in officer.locator("main").inner_text()
    _shot(officer, city, "console-objection-decided")

    text, disputed = _public_penalties(browser, city, city.disputed_code)
    assert disputed == 0 and "异议处理中" not in text and re.search(r"\b3\b", text)
    subject.reload()
    assert "异议成立" in subject.locator("main").inner_text()
    subject.goto(city.url + "/portal/me")
    assert "异议成立" in subject.locator("main").inner_text()  # the notice of the outcome


def test_repair_ends_publication_and_takes_the_listing_off(
    city: City, browser: Any, tmp_path: Path
) -> None:
    assert city.listing_number in _public_penalties_and_lists(browser, city)
    subject = _login(browser, city, "hengda")
    row = _my_record_row(subject, city, city.repaired_number)
    row.get_by_role("link", name="信用修复").click()
    subject.wait_for_url("**/portal/rights/repair*")
    assert subject.locator(".status-box.ok").is_visible()  # eligibility shown first
    subject.locator("textarea[name=statement]").fill("罚款已于上月全额缴纳，违法行为已整改完毕")
    subject.locator("input[name=proof]").set_input_files(_evidence(tmp_path, "缴款凭证.pdf"))
    subject.locator("input[name=commitment]").check()
    _shot(subject, city, "repair-form")
    subject.get_by_role("button", name="提交修复申请").click()
    subject.wait_for_url(re.compile(r".*/portal/me/cases/\d+$"))

    officer = _officer_opens(browser, city, city.repaired_code)
    officer.locator("form[action$='/accept'] button[type=submit]").click()
    officer.wait_for_load_state()
    form = officer.locator("form[action$='/decide']")
    form.locator("input[name=outcome][value=repaired]").check()
    form.locator("textarea[name=reason]").fill("已核实罚款缴清、整改到位，予以修复")
    form.locator("button[type=submit]").click()
    officer.wait_for_load_state()
    assert "予以修复" in officer.locator("main").inner_text()
    _shot(officer, city, "console-repair-decided")

    assert city.repaired_number not in _public_penalties(browser, city, city.repaired_code)[0]
    assert city.listing_number not in _public_penalties_and_lists(browser, city)
    row = _my_record_row(subject, city, city.repaired_number)
    assert "已修复" in row.inner_text()
    _shot(subject, city, "repair-my-records")
    home = browser.new_page(locale="zh-CN")
    home.goto(city.url + "/")
    assert re.search(r"已信用修复主体\s*1\b", home.locator("main").inner_text())


def _public_penalties_and_lists(browser: Any, city: City) -> str:
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{city.url}/lists/serious_dishonesty_list")
    text = str(page.locator("main").inner_text())
    page.goto(f"{city.url}/subjects/{city.repaired_code}")
    text += str(page.locator("main").inner_text())
    page.close()
    return text
