"""A village clerk on a phone (390×844): declare a deed, a second person reviews, the month
closes and the board is published; then a redemption at the village shop with a receipt."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browserkit import MARKS, chromium, serving
from tests.conftest import ARTIFACTS, LiveCities
from tests.points.helpers import PASSWORD, Town, build

pytestmark = MARKS
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def served(live_city: LiveCities) -> Iterator[tuple[str, Town]]:
    with live_city(extras=build) as city, serving() as url:
        yield url, city.facts


def _phone(browser: Any, url: str, username: str) -> Any:
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto(url + "/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    return page


def _shot(page: Any, backend: str, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{backend}-points-{name}.png"), full_page=True)


def test_clerk_declares_reviewer_closes_board_and_redemption(
    served: tuple[str, Town], backend: str
) -> None:
    url, town = served
    with chromium() as browser:
        clerk = _phone(browser, url, "clerk")
        clerk.goto(f"{url}/console/points/villages/{town.village_id}")
        form = clerk.locator("form#declare")
        form.locator("select[name=account_id]").select_option(str(town.household_id))
        form.locator("select[name=item]").select_option("dz03")
        form.locator("input[name=declared_by]").fill("村民本人")
        form.locator("select[name=channel]").select_option("wechat")
        form.locator("textarea[name=evidence]").fill("失主出具感谢信")
        form.locator("button[type=submit]").click()
        clerk.wait_for_load_state()
        assert "已登记，待审核" in clerk.inner_text("main")
        width = clerk.evaluate("document.documentElement.scrollWidth")
        assert width <= 400  # no sideways scrolling on the phone
        _shot(clerk, backend, "declare")

        reviewer = _phone(browser, url, "reviewer")
        reviewer.goto(f"{url}/console/points/villages/{town.village_id}")
        while reviewer.locator("form[action$='/decide'] button", has_text="通过").count():
            reviewer.locator("form[action$='/decide'] button", has_text="通过").first.click()
            reviewer.wait_for_load_state()
        reviewer.locator("form[action$='/close'] button").click()
        reviewer.wait_for_load_state()
        assert "本月已结账并公示" in reviewer.inner_text("main")
        _shot(reviewer, backend, "closed")

        clerk.goto(f"{url}/points/villages/{town.village_id}/board")
        rows = clerk.locator("#board tbody tr")
        assert rows.count() == 6 and "*" in rows.first.inner_text()
        _shot(clerk, backend, "board")

        clerk.goto(f"{url}/console/points/villages/{town.village_id}/redeem")
        clerk.locator("input[name=card]").fill(town.card)
        clerk.locator("form[method=get] button").click()
        clerk.wait_for_load_state()
        before = int(clerk.inner_text("#balance"))
        clerk.locator("select[name=good_id]").select_option(index=0)
        clerk.locator("main form[method=post] button[type=submit]").click()
        clerk.wait_for_load_state()
        receipt = clerk.inner_text("#receipt")
        assert "兑换凭证" in receipt and "食盐" in receipt
        clerk.goto(f"{url}/console/points/villages/{town.village_id}/redeem?card={town.card}")
        assert int(clerk.inner_text("#balance")) == before - 5
        _shot(clerk, backend, "redeem")
