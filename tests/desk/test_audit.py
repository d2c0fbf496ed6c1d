"""The audit viewer reads as sentences: subjects found by code or name, actors as people and
departments, summaries as labelled values, times in Beijing time on one line."""

from __future__ import annotations

import html
import re

from tests.desk.city import City


def _visible(page: str) -> str:
    main = page.split('<main id="main"', 1)[1].split("</main>")[0]
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def test_a_subject_is_found_by_name_or_code(city: City) -> None:
    auditor = city.clients["auditor"]
    by_name = auditor.get("/console/audit", params={"subject": "瑞丰精密"}).text
    by_code = auditor.get("/console/audit", params={"subject": city.firm_code}).text
    for page in (by_name, by_code):
        text = _visible(page)
        assert "正在查看主体：" + city.firm_name in text
        assert "名单 · 提议列入" in text and "严重失信主体名单" in text
    nothing = auditor.get("/console/audit", params={"subject": "不存在的公司"}).text
    assert "没有找到主体" in nothing


def test_rows_name_people_and_read_without_codes(city: City) -> None:
    city.clients["officer"].get("/console/")  # logged in already: the login is in the log
    page = city.clients["auditor"].get("/console/audit", params={"actor": "officer"}).text
    text = _visible(page)
    assert "陈静（" in text and "账号 · 登录" in text
    assert "account:" not in text and "\\u" not in text
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", text)


def test_the_officer_may_not_read_the_audit_log(city: City) -> None:
    assert city.clients["officer"].get("/console/audit").status_code == 403
