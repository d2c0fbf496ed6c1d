"""The credit code on a phone (Chromium at 390 px, headless): the holder's page shows a QR
code that a maintained decoder (zxing-cpp) reads back from a screenshot to the very token
the page states; the partner's outlet pastes what was decoded and gets the answer.
Screenshots go to ``var/test-artifacts/incentives/``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browserkit import MARKS, chromium, serving
from tests.conftest import FreshDatabase
from tests.incentives import helpers
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.core import db as core_db
from xinyong.core import migrate
from xinyong.core.config import reset_settings
from xinyong.core.db import session_scope
from xinyong.subjects import service as subjects_service

PASSWORD = "Correct-Horse-42"
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "incentives"
pytestmark = MARKS


def _populate() -> None:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        org_id, _, _ = helpers.partner(session, "市文旅集团")
        person = factories.person(
            session, name="王守信", id_number=factories.id_number(birth=date(1981, 3, 4))
        )
        helpers.graded(session, person, "A", date.today())
        for username, kind, extra in (
            ("holder", "subject", {"subject_id": person.id}),
            ("scenic", "organisation", {"organisation_id": org_id}),
        ):
            data = AccountCreate(
                username=username,
                display_name=username,
                password=PASSWORD,
                kind=kind,
                role="subject" if kind == "subject" else "org_user",
                **extra,
            )
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


def _login(page: Any, base: str, username: str, target: str) -> None:
    page.goto(f"{base}/login?next={target}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()


def decode_png(path: Path) -> str:
    """The text of the QR code in a PNG image (zxing-cpp over the image's grey levels)."""
    import png  # type: ignore[import-untyped]
    import zxingcpp

    width, height, rows, info = png.Reader(filename=str(path)).asDirect()
    planes = int(info["planes"])
    grey = bytearray()
    for row in rows:
        grey.extend(bytes(row)[::planes])
    found = zxingcpp.read_barcodes(memoryview(bytes(grey)).cast("B", shape=[height, width]))
    assert found, f"no QR code found in {path}"
    return str(found[0].text)


def test_phone_shows_a_readable_code_and_the_outlet_verifies_it(served: tuple[str, str]) -> None:
    base, backend = served
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        phone = browser.new_context(
            locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2
        ).new_page()
        _login(phone, base, "holder", "/portal/me/code")
        assert phone.url.endswith("/portal/me/code")
        qr = phone.locator("#code-qr")
        box = qr.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways at 390 px ({width})"
        phone.screenshot(path=str(ARTIFACTS / f"{backend}-code-390.png"), full_page=True)
        shot = ARTIFACTS / f"{backend}-qr.png"
        qr.screenshot(path=str(shot))
        token = phone.locator("#code-token").text_content()
        assert decode_png(shot) == token
        body = phone.locator("main").inner_text()
        assert "我当前可享受的场景" in body and "信易游 · 景区免票" in body
        # the page refreshes the code: a new token and a new picture, again readable
        phone.locator("#code-refresh").click()
        expect(phone.locator("#code-token")).not_to_have_text(str(token))
        qr.screenshot(path=str(shot))
        fresh = decode_png(shot)
        assert fresh != token and fresh == phone.locator("#code-token").text_content()

        outlet = browser.new_context(locale="zh-CN").new_page()
        _login(outlet, base, "scenic", "/partner/scan")
        outlet.locator("select[name=outlet]").select_option("古城景区南门")
        outlet.locator("textarea[name=token]").fill(fresh)
        outlet.locator("form.scan-form button[type=submit]").click()
        outlet.wait_for_load_state()
        answer = outlet.locator(".answer").inner_text()
        assert "符合条件，已核销" in answer and "王*信" in answer
        outlet.screenshot(path=str(ARTIFACTS / f"{backend}-scan.png"), full_page=True)
        outlet.locator("textarea[name=token]").fill(fresh)
        outlet.locator("form.scan-form button[type=submit]").click()
        outlet.wait_for_load_state()
        assert "已在本机构使用过" in outlet.locator(".answer").inner_text()
