"""The public portal's pages: every page in both languages, filters, pagination, hostile input.

One demo city per backend for the module, plus one hand-made enterprise whose records the
tests know: two penalties (one under objection, one with markup in its facts) and enough
licences to need a second page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import LiveCities
from xinyong.app import create_app
from xinyong.core.db import session_scope
from xinyong.portal import service as portal_service
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.records.schemas import RecordCreate
from xinyong.records.states import RecordState
from xinyong.subjects.models import Department, Subject

TODAY = date.today()
NAME = "苏州市恒达精密机械有限公司"
LICENCES = 21  # one more than a page
HOSTILE_FACTS = "<script>alert('xss')</script>当事人发布虚假宣传内容"


@dataclass
class Site:
    client: TestClient
    code: str
    disputed_number: str


def _licence_payload(subject: Subject, dept: Department, n: int, decided: date) -> dict[str, Any]:
    return {
        "subject_name": subject.name,
        "subject_type": subject.kind,
        "subject_code": subject.uscc,
        "decision_document_name": "准予行政许可决定书",
        "decision_number": f"苏市监许〔{decided.year}〕{n}号",
        "licence_category": "普通",
        "certificate_name": "食品经营许可证",
        "licence_number": f"JY3205{n:010d}",
        "licence_content": "准予核发食品经营许可证",
        "decision_date": decided.isoformat(),
        "valid_from": decided.isoformat(),
        "valid_to": "2099-12-31",
        "authority_name": dept.name_zh,
        "authority_code": dept.code,
        "status": "有效",
        "source_unit": dept.name_zh,
        "source_unit_code": dept.code,
    }


def _submit(session: Session, subject: Subject, item: str, payload: dict[str, Any]) -> int:
    dept = factories.department(session, "market_regulation")
    data = RecordCreate(
        subject_id=subject.id,
        item_code=item,
        department_id=dept.id,
        source_record_id=payload["decision_number"],
        payload=payload,
    )
    return records_service.submit(session, data=data, actor="test", today=TODAY).record.id


def _enterprise(session: Session) -> tuple[str, str]:
    """The enterprise the tests know; returns its code and the disputed decision's number."""
    company = factories.enterprise(session, name=NAME)
    dept = factories.department(session, "market_regulation")
    disputed = factories.penalty_payload(
        company,
        dept,
        decision_date=(TODAY - timedelta(days=40)).isoformat(),
        penalty_types=["警告", "罚款"],
        violation_facts=HOSTILE_FACTS,
    )
    record_id = _submit(session, company, "admin_penalty", disputed)
    records_service.transition(
        session,
        record_id=record_id,
        to_state=RecordState.under_objection,
        reason="当事人提出异议",
        actor="test",
    )
    other = factories.penalty_payload(
        company, dept, decision_date=(TODAY - timedelta(days=100)).isoformat()
    )
    _submit(session, company, "admin_penalty", other)
    for n in range(LICENCES):
        _submit(
            session,
            company,
            "admin_licence",
            _licence_payload(company, dept, n + 1, TODAY - timedelta(days=200 + n)),
        )
    return company.uscc or "", disputed["decision_number"]


@pytest.fixture(scope="module")
def site(live_city: LiveCities) -> Iterator[Site]:
    with live_city(
        departments=True, subjects=150, seed=11, records_per_subject=4, anchor=TODAY,
        search_index=True, extras=_known_enterprise,
    ) as built:  # fmt: skip
        yield Site(TestClient(create_app()), *built.facts)


def _known_enterprise() -> tuple[str, str]:
    with session_scope() as session:
        return _enterprise(session)


def get(site: Site, path: str, **params: Any) -> Any:
    """GET with no language cookie left from an earlier request (Chinese unless ?lang=)."""
    site.client.cookies.clear()
    return site.client.get(path, params=params or None)


PAGES = (
    "/",
    "/search?q=恒达",
    "/subjects/{code}",
    "/subjects/{code}?tab=admin_penalty",
    "/double-publicity/licences",
    "/double-publicity/penalties",
    "/lists",
    "/lists/serious_dishonesty_list",
    "/rules",
    "/rules/admin_penalty",
)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_in_chinese_and_in_english(site: Site, path: str) -> None:
    concrete = path.replace("{code}", site.code)
    joiner = "&" if "?" in concrete else "?"
    for lang, html_lang, brand in (
        ("zh", "zh-CN", "公共信用信息共享平台"),
        ("en", "en", "Public Credit Information Sharing Platform"),
    ):
        page = get(site, f"{concrete}{joiner}lang={lang}")
        assert page.status_code == 200, (path, page.text[:300])
        text = page.text
        assert f'<html lang="{html_lang}">' in text
        assert brand in text and 'class="skip-link" href="#main"' in text
        assert text.count("<h1") == 1 and "<main" in text and "<footer" in text
        assert "<script" not in text  # no script at all, let alone from another host
        assert not re.search(r'(src|href)="(https?:)?//', text)
        switch = re.search(r'class="lang-switch" href="([^"]+)"', text)
        assert switch and ("lang=en" if lang == "zh" else "lang=zh") in switch.group(1)


def test_the_language_choice_is_remembered_and_the_switch_keeps_the_filters(site: Site) -> None:
    client = TestClient(create_app())
    english = client.get("/rules?lang=en")
    assert english.cookies.get("lang") == "en"
    assert "Catalogue of public credit information" in client.get("/rules").text
    page = client.get("/double-publicity/penalties", params={"penalty_category": "罚款"})
    switch = re.search(r'class="lang-switch" href="([^"]+)"', page.text)
    assert switch and "penalty_category=%E7%BD%9A%E6%AC%BE" in switch.group(1)
    assert "lang=zh" in switch.group(1)


def test_home_shows_the_figures_and_both_charts(site: Site) -> None:
    with session_scope() as session:
        figures = portal_service.home_figures(session)
    text = get(site, "/").text
    for key in (
        "subjects",
        "records",
        "list_entries",
        "repairs_completed",
        "departments_reporting",
    ):
        assert f'data-figure="{key}">{getattr(figures, key):,}<' in text
    assert text.count('<svg class="chart"') == 2 and text.count('role="img"') == 2
    assert '<title id="chart-month-title">近12个月新增信用记录</title>' in text
    assert '<desc id="chart-category-desc">' in text and "行政管理信息" in text
    assert len(re.findall(r'<g class="bar"><title>', text)) >= 12 + 1


def test_the_api_and_the_portal_count_the_same_published_records(site: Site) -> None:
    """One definition of published: /api/v1/stats says what the home page says, and both
    leave out records in force whose item is not disclosed to the public."""
    today = date.today()
    with session_scope() as session:
        in_force = session.scalar(
            select(func.count()).select_from(Record).where(*records_service.live_clause(today))
        )
        published = records_service.count_published(session, today=today)
        figures = portal_service.home_figures(session, today=today)
    assert 0 < published < (in_force or 0)  # the demo city has records not for the public
    stats = get(site, "/api/v1/stats").json()
    assert stats["records_published"] == figures.records_published == published
    assert f'data-figure="records_published">{published:,}<' in get(site, "/").text


def test_search_highlights_matches_in_any_script_and_pages(site: Site) -> None:
    for query, marked in (("恒达", "恒达"), ("恆達精密", "恒达精密"), ("恒 达", "恒达")):
        text = get(site, "/search", q=query).text
        hit = re.search(rf'<a href="/subjects/{site.code}">(.*?)</a>', text)
        assert hit, query
        assert f"苏州市<mark>{marked}</mark>" in hit.group(1), (query, hit.group(1))
    by_code = get(site, "/search", q=site.code.lower()).text
    assert f'href="/subjects/{site.code}"' in by_code
    many = get(site, "/search", q="有限公司").text
    assert 'rel="next"' in many and "page=2" in many
    second = get(site, "/search", q="有限公司", page=2)
    assert second.status_code == 200 and 'rel="prev"' in second.text
    assert '<ol class="hits" start="21">' in second.text
    assert "请输入主体名称" in get(site, "/search").text


@pytest.mark.parametrize(
    "query",
    [
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%' UNION SELECT name FROM subjects --",
        "\\x00",
        "恒达\u0000",
        "　　",
        "😀😀",
    ],
)
def test_search_survives_hostile_queries(site: Site, query: str) -> None:
    page = get(site, "/search", q=query)
    assert page.status_code in (200, 422), page.text[:300]
    assert "<script>alert" not in page.text
    if "<script>" in query:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/search", {"q": "恒" * 101}),
        ("/search", {"q": "恒达", "page": "0"}),
        ("/search", {"q": "恒达", "page": "abc"}),
        ("/search", {"q": "恒达", "page": "99999"}),
        ("/subjects/" + "9" * 41, {}),
        ("/subjects/{code}", {"tab": "<script>"}),
        ("/subjects/{code}", {"tab": "admin_penalty", "cursor": "not-a-cursor"}),
        ("/double-publicity/penalties", {"date_from": "2024-13-45"}),
        ("/double-publicity/penalties", {"date_from": "2025-02-01", "date_to": "2025-01-01"}),
        ("/double-publicity/penalties", {"penalty_category": "斩首"}),
        ("/double-publicity/penalties", {"department": "1 OR 1=1"}),
        ("/double-publicity/penalties", {"region": "<b>"}),
        ("/double-publicity/penalties", {"sort": "name"}),
        ("/double-publicity/licences", {"page": "-1"}),
        ("/lists/serious_dishonesty_list", {"page": "0"}),
        ("/subjects/{code}", {"tab": "admin_penalty", "cursor": "\x00"}),
        ("/double-publicity/penalties", {"penalty_category": "罚款\x00"}),
    ],
)
def test_bad_input_gets_a_422_page_not_a_crash(
    site: Site, path: str, params: dict[str, str]
) -> None:
    page = get(site, path.replace("{code}", site.code), **params)
    assert page.status_code == 422, page.text[:300]
    assert "text/html" in page.headers["content-type"] and "出错了" in page.text
    assert "<script>" not in page.text and "<b>" not in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/subjects/913205000000000000",
        "/subjects/<script>alert(1)</script>",
        "/subjects/320508198506150023",  # an ID number: persons have no public page
        "/subjects/{code}?tab=no_such_item",
        "/lists/no_such_list",
        "/rules/no_such_item",
        "/lists/%00",
        "/rules/%00",
        "/subjects/%00",
    ],
)
def test_unknown_codes_are_404_pages(site: Site, path: str) -> None:
    page = get(site, path.replace("{code}", site.code))
    assert page.status_code == 404
    assert "text/html" in page.headers["content-type"]
    assert "<script>alert" not in page.text


def test_subject_page_groups_records_and_marks_the_disputed_one(site: Site) -> None:
    text = get(site, f"/subjects/{site.code}").text
    assert f'<h1 class="subject-name">{NAME}</h1>' in text
    assert "行政管理信息" in text and 'aria-current="page">全部' in text
    assert re.search(r"行政处罚信息 <span class=\"count\">2</span>", text)
    assert re.search(rf"行政许可信息 <span class=\"count\">{LICENCES}</span>", text)
    assert text.count('class="badge objection"') == 1 and "异议处理中" in text
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in text
    assert "<script>" not in text
    assert "信用修复管理办法" in text and "国家发展和改革委员会令第36号" in text
    assert 'href="/rights/objection"' in text and 'href="/rights/repair"' in text
    english = get(site, f"/subjects/{site.code}?lang=en").text
    assert "Under objection" in english and "Administrative licences and penalties" in english


def test_subject_tabs_work_without_script_and_page_through_records(site: Site) -> None:
    penalties = get(site, f"/subjects/{site.code}", tab="admin_penalty").text
    assert penalties.count('<article class="record') == 2
    assert 'aria-current="page">行政处罚信息' in penalties
    assert "行政许可决定文书号" not in penalties
    assert f"行政处罚信息 · {site.disputed_number}" in penalties
    licences = get(site, f"/subjects/{site.code}", tab="admin_licence").text
    assert licences.count('<article class="record') == 20
    more = re.search(r'<a href="([^"]+)" rel="next">', licences)
    assert more and "cursor=" in more.group(1)
    rest = site.client.get(more.group(1).replace("&amp;", "&")).text
    assert rest.count('<article class="record') == LICENCES - 20
    assert "长期" in rest  # valid_to 2099-12-31 reads as open-ended


def _rows(text: str) -> list[str]:
    body = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in text else ""
    return re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)


def _dates(text: str) -> list[str]:
    return re.findall(r'<td class="date"[^>]*>([^<]*)</td>', text)


def test_double_publicity_filters_sort_and_link_to_subjects(site: Site) -> None:
    everything = get(site, "/double-publicity/penalties").text
    rows = _rows(everything)
    assert 0 < len(rows) <= 20
    assert all('<a href="/subjects/' in row or "*" in row for row in rows)
    dates = _dates(everything)
    assert dates == sorted(dates, reverse=True)
    oldest = _dates(get(site, "/double-publicity/penalties", sort="date_asc").text)
    assert oldest == sorted(oldest)
    warned = get(site, "/double-publicity/penalties", penalty_category="警告").text
    assert _rows(warned) and all("警告" in row for row in _rows(warned))
    assert "<option selected>警告</option>" in warned
    since, until = (
        (TODAY - timedelta(days=41)).isoformat(),
        (TODAY - timedelta(days=39)).isoformat(),
    )
    recent = get(site, "/double-publicity/penalties", date_from=since, date_to=until)
    assert all(since <= d <= until for d in _dates(recent.text))
    assert NAME in recent.text and "异议处理中" in recent.text
    blank = get(site, "/double-publicity/penalties", department="", date_from="", region="")
    assert blank.status_code == 200


def test_double_publicity_department_and_region_filters(site: Site) -> None:
    with session_scope() as session:
        market = factories.department(session, "market_regulation")
        dept_id, dept_name = market.id, market.name_zh
    page = get(site, "/double-publicity/licences", department=str(dept_id)).text
    assert f'<option value="{dept_id}" selected>' in page
    assert _rows(page) and all(dept_name in row for row in _rows(page))
    region = get(site, "/double-publicity/licences", region="320505")
    assert region.status_code == 200 and '<option value="320505" selected>' in region.text
    assert NAME in region.text  # the factories register enterprises in 320505


def test_double_publicity_pagination_keeps_the_filters(site: Site) -> None:
    first = get(site, "/double-publicity/licences", sort="date_asc").text
    link = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert link, "the demo city has more than one page of licences"
    target = link.group(1).replace("&amp;", "&")
    assert "sort=date_asc" in target and "page=2" in target
    second = site.client.get(target).text
    assert 'rel="prev"' in second
    assert _dates(second)[0] >= _dates(first)[-1]


def test_lists_show_basis_dates_and_entries(site: Site) -> None:
    with session_scope() as session:
        published = portal_service.public_lists(session)
    text = get(site, "/lists").text
    for info in published.lists:
        assert f'href="/lists/{info.list_code}"' in text
        assert f'data-entries="{info.list_code}">{info.entries:,}' in text
    assert "国办发〔2020〕49号" in text
    one = get(site, "/lists/abnormal_operation").text
    assert "经营异常名录" in one and "认定依据" in one
    assert "<tbody>" in one or "该名单暂无公示条目" in one


def test_rules_publish_fields_openness_periods_and_basis(site: Site) -> None:
    index = get(site, "/rules").text
    assert 'href="/rules/admin_penalty"' in index and 'href="/rules/tax_credit_rating"' in index
    assert "不予公示" in index  # the government-only rating is not published
    penalty = get(site, "/rules/admin_penalty").text
    assert re.search(r"<th scope=\"row\">轻微</th><td>不予公示</td>", penalty)
    assert re.search(r"<th scope=\"row\">一般</th><td>1年</td>", penalty)
    assert re.search(r"<th scope=\"row\">严重</th><td>3年</td>", penalty)
    assert "《中华人民共和国行政处罚法》" in penalty and "7个工作日内" in penalty
    assert "法定代表人证件号码" in penalty and "授权查询" in penalty
    english = get(site, "/rules/admin_penalty?lang=en").text
    assert "General</th><td>1 year</td>" in english and "Restricted" in english
