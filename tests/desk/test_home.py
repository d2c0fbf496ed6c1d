"""The console home (工作台): pending work with figures linking to their queues, links to
every function the role allows, no raw permission codes; the console layout."""

from __future__ import annotations

import re

from tests.desk.city import City


def _figure(page: str, name: str) -> int:
    found = re.search(
        rf'data-figure="{name}"><a href="[^"]+">\s*<span class="figure">([\d,]+)', page
    )
    assert found, name
    return int(found.group(1).replace(",", ""))


def test_the_officer_sees_the_departments_pending_work_and_functions(city: City) -> None:
    page = city.clients["officer"].get("/console/").text
    assert "<h1>工作台</h1>" in page and "陈静" in page
    assert _figure(page, "lists_waiting") == 1
    assert _figure(page, "failed_checks") == 1
    assert _figure(page, "late_rows") == 0 or _figure(page, "late_rows") == 2
    assert 'href="/console/lists"' in page and 'href="/console/checks/feedback"' in page
    assert "/console/audit" not in page  # not an auditor
    assert "records.submit" not in page and "accounts.manage" not in page
    assert "xinyong" not in page.split("<footer")[1]  # the footer names the platform
    assert "公共信用信息共享平台" in page.split("<footer")[1]


def test_each_role_gets_its_own_menu(city: City) -> None:
    reporter = city.clients["reporter"].get("/console/").text
    assert 'href="/console/ingest"' in reporter and 'href="/console/lists"' not in reporter
    auditor = city.clients["auditor"].get("/console/").text
    assert 'href="/console/audit"' in auditor and 'href="/console/ingest"' not in auditor
    admin = city.clients["admin"].get("/console/").text
    assert _figure(admin, "lists_waiting") == 1  # every department's


def test_the_credit_office_sees_every_departments_collection(city: City) -> None:
    page = city.clients["office"].get("/console/").text
    assert "信用办" in page
    assert _figure(page, "late_rows") >= 0
    ledger = city.clients["office"].get("/console/ingest/ledger").text
    assert "市场监督管理局" in ledger
    late = ledger.split('id="late"')[1]
    assert city.firm_name in late and "苏市监罚" in late and ">12<" in late
    own = city.clients["officer"].get("/console/ingest/ledger", params={"late": "true"}).text
    assert "B20261130-LATE" in own and 'name="department"' not in own  # its own only
    other = (
        city.clients["office"]
        .get("/console/ingest/ledger", params={"department": "sz_gaj", "late": "true"})
        .text
    )
    assert "B20261130-LATE" not in other
    refused = city.clients["office"].get(
        "/console/ingest/ledger", params={"since": "2026-12-01", "until": "2026-11-01"}
    )
    assert refused.status_code == 422


def test_console_pages_get_the_layout_with_breadcrumbs(city: City) -> None:
    page = city.clients["officer"].get("/console/lists").text
    assert 'class="console-nav"' in page and 'class="breadcrumbs"' in page
    crumbs = page.split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert 'href="/console/"' in crumbs
    portal = city.clients["officer"].get("/").text
    assert "console-nav" not in portal


def test_the_batch_page_names_its_late_rows(city: City) -> None:
    page = city.clients["officer"].get(f"/console/ingest/batches/{city.batch_id}").text
    late = page.split('id="late"')[1]
    assert city.firm_name in late and "苏市监罚" in late
    assert "行政处罚信息" in page and "admin_penalty" not in page.split("<main")[1]


def test_the_console_reads_in_english_under_lang_en(city: City) -> None:
    officer = city.clients["officer"]
    try:
        page = officer.get("/console/", params={"lang": "en"}).text
        assert "Pending work" in page and "All functions" in page and "List entries" in page
        assert "待办事项" not in page and "Times shown in Beijing time" in page
    finally:
        officer.get("/console/", params={"lang": "zh"})  # the cookie back to Chinese
