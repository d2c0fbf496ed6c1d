"""The public portal in a real browser (Debian's Chromium driven by Playwright, headless).

A visitor types a company's name in traditional characters, opens its page, reads its
penalties, filters the 双公示 penalties down to that decision, switches to English and
back, and does it all by keyboard as well; every page fits a phone's width.

Screenshots are kept under ``$XINYONG_TEST_ARTIFACTS/portal/`` (default: the system temp
folder's ``xinyong-test-artifacts``) for people to look at; CI may publish that folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from tests.browserkit import MARKS, chromium, serving
from tests.conftest import ARTIFACTS as TEST_ARTIFACTS
from tests.conftest import LiveCities
from xinyong.core.db import session_scope
from xinyong.portal import service as portal_service
from xinyong.records import service as records_service
from xinyong.records.states import RecordState
from xinyong.subjects import search

ARTIFACTS = TEST_ARTIFACTS / "portal"
PHONE = {"width": 390, "height": 844}

pytestmark = MARKS


@dataclass(frozen=True)
class Portal:
    url: str
    backend: str
    code: str  # an organisation with a published penalty
    name: str
    penalty_type: str
    decided: str  # that penalty's decision date


def _penalised_subject() -> tuple[str, str, str, str]:
    """An organisation of the demo city with a published penalty, which its subject now
    disputes (so the page must mark it 异议处理中)."""
    with session_scope() as session:
        page = portal_service.double_publicity(session, kind="penalty", limit=50)
        record = next(
            r
            for r in page.records
            if r.subject_code and "*" not in r.subject_code and r.decision_date
            if _traditional(r.subject_name or "") != r.subject_name
        )
        records_service.transition(
            session,
            record_id=record.id,
            to_state=RecordState.under_objection,
            reason="当事人对处罚信息提出异议",
            actor="test",
        )
    types = record.fields.get("penalty_types") or ["罚款"]
    kind = types[0] if isinstance(types, list) else str(types)
    assert record.subject_code and record.subject_name and record.decision_date
    return record.subject_code, record.subject_name, kind, record.decision_date.isoformat()


def _indexed_then_penalised_subject() -> tuple[str, str, str, str]:
    """The search index of the demo city, then the disputed subject (in that order)."""
    with session_scope() as session:
        search.rebuild_index(session)
    return _penalised_subject()


@pytest.fixture(scope="module")
def portal(backend: str, live_city: LiveCities) -> Iterator[Portal]:
    """A served copy of the demo city: the server's threads commit, so no rollback here."""
    with (
        live_city(
            departments=True, subjects=200, seed=3, records_per_subject=5, anchor=date.today(),
            extras=_indexed_then_penalised_subject,
        ) as built,
        serving() as served,
    ):  # fmt: skip
        yield Portal(served, backend, *built.facts)


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


def _shot(page: Any, portal: Portal, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{portal.backend}-{name}.png"), full_page=True)


def _traditional(text: str) -> str:
    """The text in traditional characters (OpenCC s2t)."""
    import opencc

    return str(opencc.OpenCC("s2t").convert(text))


def _filter_penalties(page: Any, portal: Portal) -> None:
    """From the main navigation to the penalties of one category decided on one day."""
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="双公示").click()
    page.get_by_role("link", name="行政处罚", exact=True).click()
    page.wait_for_url("**/double-publicity/penalties")
    page.get_by_label("处罚类别").select_option(portal.penalty_type)
    page.get_by_label("决定日期起").fill(portal.decided)
    page.get_by_label("决定日期止").fill(portal.decided)
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**penalty_category=*")
    rows = page.locator("table.records-table tbody tr")
    assert rows.count() >= 1
    for index in range(rows.count()):
        row = rows.nth(index).inner_text()
        assert portal.penalty_type in row and portal.decided in row
    assert "异议处理中" in page.locator("table.records-table").inner_text()


def test_search_subject_penalties_and_a_double_publicity_filter(
    portal: Portal, browser: Any
) -> None:
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page.goto(portal.url + "/")
    assert page.title() == "公共信用信息共享平台"
    assert page.locator("svg.chart[role=img]").count() == 2
    assert page.get_by_role("img", name="近12个月新增信用记录").is_visible()
    _shot(page, portal, "home")
    traditional = _traditional(portal.name)
    assert traditional != portal.name
    page.get_by_label("主体名称或统一社会信用代码").fill(traditional)
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    assert page.locator("ol.hits mark").count() >= 1
    _shot(page, portal, "search")
    page.get_by_role("link", name=portal.name, exact=True).first.click()
    page.wait_for_url(f"**/subjects/{portal.code}")
    assert page.get_by_role("heading", level=1).inner_text() == portal.name
    _shot(page, portal, "subject")
    page.get_by_role("link", name=re.compile(r"^行政处罚信息")).click()
    page.wait_for_url("**tab=admin_penalty*")
    assert page.locator("article.record").count() >= 1
    assert page.locator("article.record.disputed .badge.objection").first.is_visible()
    assert "异议处理中" in page.locator("article.record.disputed").first.inner_text()
    assert page.get_by_role("heading", name=re.compile(r"^行政处罚信息 · ")).first.is_visible()
    _shot(page, portal, "subject-penalties")
    _filter_penalties(page, portal)
    _shot(page, portal, "penalties-filtered")
    page.get_by_role("link", name=portal.name).first.click()
    page.wait_for_url(f"**/subjects/{portal.code}")


def test_language_switch_keeps_the_page_and_is_remembered(portal: Portal, browser: Any) -> None:
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{portal.url}/double-publicity/penalties?penalty_category={portal.penalty_type}")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**lang=en*")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Licences and penalties (双公示)"
    assert page.get_by_label("Penalty type").input_value() == portal.penalty_type
    page.goto(portal.url + "/")
    assert page.get_by_role("heading", name="Records by catalogue category").is_visible()
    _shot(page, portal, "home-en")
    page.get_by_role("link", name="中文").click()
    page.wait_for_url("**lang=zh*")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.get_by_role("heading", name="按目录类别统计").is_visible()


def test_keyboard_skip_link_and_visible_focus(portal: Portal, browser: Any) -> None:
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{portal.url}/subjects/{portal.code}")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "跳到主要内容"
    assert page.locator(".skip-link").is_visible()  # shown while it has the focus
    page.keyboard.press("Enter")
    page.wait_for_url("**#main")  # the jump lands after the key press returns (a busy machine)
    assert page.url.endswith("#main")
    for _ in range(40):  # tab to the penalties tab and open it with the keyboard
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement.textContent.trim()")
        if label.startswith("行政处罚信息"):
            break
    else:
        raise AssertionError("the penalties tab is not reachable by keyboard")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    page.keyboard.press("Enter")
    page.wait_for_url("**tab=admin_penalty*")


PHONE_PAGES = (
    ("home", "/"),
    ("search", "/search?q={name}"),
    ("subject", "/subjects/{code}"),
    ("subject-penalties", "/subjects/{code}?tab=admin_penalty"),
    ("licences", "/double-publicity/licences"),
    ("penalties", "/double-publicity/penalties"),
    ("lists", "/lists"),
    ("list", "/lists/abnormal_operation"),
    ("rules", "/rules"),
    ("rule", "/rules/admin_penalty"),
)


def test_every_page_fits_a_phone(portal: Portal, browser: Any) -> None:
    page = browser.new_page(locale="zh-CN", viewport=PHONE, device_scale_factor=2)
    for name, path in PHONE_PAGES:
        page.goto(portal.url + path.format(code=portal.code, name=portal.name[-6:]))
        width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width <= inner, f"{path} scrolls sideways on a phone ({width} > {inner})"
        _shot(page, portal, f"phone-{name}")
