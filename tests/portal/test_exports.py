"""Exports (CSV/XLSX) of search results, 双公示 and list publications; the 双公示 detail page;
the national portal's filters; ingest templates per catalogue item. One demo city per store
plus a hand-made enterprise (a penalty whose content looks like a formula, licences) and a
natural person with a penalty (masked as the public view masks it)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests import factories
from tests.conftest import LiveCities
from xinyong.app import create_app
from xinyong.catalog import service as catalog_service
from xinyong.core.db import session_scope
from xinyong.ingest.mapping import map_headers
from xinyong.portal.exports import rows as export_rows
from xinyong.records import service as records_service
from xinyong.records.schemas import RecordCreate
from xinyong.subjects.models import Department, Subject
from xinyong.web import exports

TODAY = date.today()
NAME = "苏州市导出测试精密机械有限公司"
FORMULA = '=HYPERLINK("http://evil.example","点击")'
PERSON = "欧阳导出"


@dataclass
class Site:
    client: TestClient
    uscc: str
    penalty_id: int
    person_penalty_id: int
    tax_id: int


def _submit(
    session: Any, subject: Subject, dept: Department, item: str, payload: dict[str, Any]
) -> int:
    source = payload.get("decision_number") or payload["licence_number"]
    data = RecordCreate(
        subject_id=subject.id, item_code=item, department_id=dept.id,
        source_record_id=source, payload=payload,
    )  # fmt: skip
    return records_service.submit(session, data=data, actor="test", today=TODAY).record.id


def _licence(subject: Subject, dept: Department, n: int, category: str) -> dict[str, Any]:
    decided = (TODAY - timedelta(days=30 + n)).isoformat()
    return {
        "subject_name": subject.name, "subject_type": subject.kind, "subject_code": subject.uscc,
        "decision_document_name": "准予行政许可决定书",
        "decision_number": f"苏市监许〔2026〕导{n}号",
        "licence_category": category, "certificate_name": "食品经营许可证",
        "licence_number": f"JY9{n:012d}", "licence_content": "准予核发食品经营许可证",
        "decision_date": decided, "valid_from": decided, "valid_to": "2099-12-31",
        "authority_name": dept.name_zh, "authority_code": dept.code, "status": "有效",
        "source_unit": dept.name_zh, "source_unit_code": dept.code,
    }  # fmt: skip


def _known() -> tuple[str, int, int, int]:
    with session_scope() as session:
        company = factories.enterprise(session, name=NAME)
        number = factories.id_number(birth=date(1979, 2, 3))
        person = factories.person(session, name=PERSON, id_number=number)
        dept = factories.department(session, "market_regulation")
        recent = (TODAY - timedelta(days=20)).isoformat()
        penalty = factories.penalty_payload(
            company,
            dept,
            decision_date=recent,
            penalty_content=FORMULA,
            penalty_types=["警告", "罚款"],
        )
        penalty_id = _submit(session, company, dept, "admin_penalty", penalty)
        personal = factories.penalty_payload(person, dept, decision_date=recent)
        personal.update(subject_code=number, subject_type="natural_person")
        person_penalty_id = _submit(session, person, dept, "admin_penalty", personal)
        for n, category in enumerate(("特许", "普通", "普通")):
            _submit(session, company, dept, "admin_licence", _licence(company, dept, n, category))
        tax = factories.department(session, "tax")
        rating = {
            "subject_name": company.name, "subject_code": company.uscc, "grade": "A",
            "evaluation_year": TODAY.year - 1, "score": "95",
            "evaluation_date": (TODAY - timedelta(days=10)).isoformat(),
            "evaluating_body": tax.name_zh,
        }  # fmt: skip
        tax_data = RecordCreate(
            subject_id=company.id, item_code="tax_credit_rating", department_id=tax.id,
            source_record_id="t-1", payload=rating,
        )  # fmt: skip
        tax_id = records_service.submit(session, data=tax_data, actor="test").record.id
        return company.uscc or "", penalty_id, person_penalty_id, tax_id


@pytest.fixture(scope="module")
def site(live_city: LiveCities) -> Iterator[Site]:
    with live_city(
        departments=True, subjects=60, seed=17, records_per_subject=4, anchor=TODAY,
        search_index=True, extras=_known,
    ) as built:  # fmt: skip
        yield Site(TestClient(create_app()), *built.facts)


def _csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.text[:300]
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response: Any) -> list[list[Any]]:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith(exports.XLSX_TYPE)
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _total(page: str) -> int:
    found = re.search(r"共 ([\d,]+) 条", page)
    assert found
    return int(found.group(1).replace(",", ""))


def test_penalties_export_in_both_formats_matches_the_page(site: Site) -> None:
    page = site.client.get("/double-publicity/penalties")
    assert 'href="/double-publicity/penalties/export?format=csv"' in page.text
    assert "最多 10,000 条" in page.text
    table = _csv(site.client.get("/double-publicity/penalties/export"))
    header = table[0]
    assert header[:3] == ["公示编号", "主体名称", "统一社会信用代码"]
    assert "行政处罚决定书文号" in header and "处罚内容" in header and "公示截止日期" in header
    assert len(table) - 1 == _total(page.text)
    sheet = _xlsx(site.client.get("/double-publicity/penalties/export", params={"format": "xlsx"}))
    assert sheet[0] == header and len(sheet) == len(table)
    mine = next(r for r in table if r[0] == str(site.penalty_id))
    content = mine[header.index("处罚内容")]
    assert content == "'" + FORMULA  # never a formula in a spreadsheet
    assert (
        next(r for r in sheet if r[0] == str(site.penalty_id))[header.index("处罚内容")] == content
    )
    disposition = site.client.get("/double-publicity/penalties/export").headers[
        "content-disposition"
    ]
    assert "filename*=UTF-8''" in disposition and ".csv" in disposition


def test_a_persons_penalty_is_masked_in_the_export_as_on_the_page(site: Site) -> None:
    table = _csv(site.client.get("/double-publicity/penalties/export"))
    row = next(r for r in table if r[0] == str(site.person_penalty_id))
    assert PERSON not in "".join(row) and "欧" in row[1] and "*" in row[1]
    assert "*" in row[2]  # the ID number masked


def test_exports_follow_the_filters(site: Site) -> None:
    client = site.client
    warned = _csv(
        client.get("/double-publicity/penalties/export", params={"penalty_category": "警告"})
    )
    column = warned[0].index("处罚类别")
    assert len(warned) > 1 and all("警告" in r[column] for r in warned[1:])
    people = _csv(
        client.get("/double-publicity/penalties/export", params={"subject_kind": "natural_person"})
    )
    assert [r[0] for r in people[1:]] == [str(site.person_penalty_id)]
    special = client.get("/double-publicity/licences", params={"licence_category": "特许"})
    assert special.status_code == 200 and 'value="natural_person"' in special.text
    assert _total(special.text) >= 1
    licences = _csv(
        client.get("/double-publicity/licences/export", params={"licence_category": "特许"})
    )
    assert len(licences) - 1 == _total(special.text)
    category = licences[0].index("许可类别")
    assert all(r[category] == "特许" for r in licences[1:])
    unknown = client.get("/double-publicity/licences", params={"licence_category": "不存在"})
    assert unknown.status_code == 422
    bad_kind = client.get(
        "/double-publicity/penalties/export", params={"subject_kind": "household"}
    )
    assert bad_kind.status_code == 422
    assert (
        client.get("/double-publicity/penalties/export", params={"format": "pdf"}).status_code
        == 422
    )


def test_exports_are_bounded(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export_rows, "MAX_ROWS", 3)
    monkeypatch.setattr(exports, "MAX_ROWS", 3)
    monkeypatch.setattr(export_rows, "BATCH", 2)  # the bound holds across pages too
    assert len(_csv(site.client.get("/double-publicity/licences/export"))) == 4
    assert (
        len(_xlsx(site.client.get("/search/export", params={"q": "公司", "format": "xlsx"}))) == 4
    )


def test_search_export(site: Site) -> None:
    page = site.client.get("/search", params={"q": "导出测试"})
    assert "/search/export?q=" in page.text
    table = _csv(site.client.get("/search/export", params={"q": "导出测试"}))
    assert table[0] == ["主体名称", "统一社会信用代码", "主体类别", "所在地区", "登记状态"]
    assert [NAME, site.uscc, "法人和非法人组织"] == table[1][:3]
    english = _csv(site.client.get("/search/export", params={"q": "导出测试", "lang": "en"}))
    assert english[0][0] == "Name"
    site.client.cookies.clear()
    assert site.client.get("/search/export").status_code == 422


def test_list_export_matches_the_list_page(site: Site) -> None:
    lists = site.client.get("/lists").text
    codes = sorted(set(re.findall(r'href="/lists/([a-z_]+)"', lists)))
    assert codes
    for code in codes:
        page = site.client.get(f"/lists/{code}")
        table = _csv(site.client.get(f"/lists/{code}/export"))
        assert table[0][:3] == ["主体名称", "统一社会信用代码", "列入事由"]
        assert len(table) - 1 == min(_total(page.text), exports.MAX_ROWS), code
    assert site.client.get("/lists/no_such_list/export").status_code == 404


def test_the_detail_page_of_a_penalty(site: Site) -> None:
    listing = site.client.get("/double-publicity/penalties").text
    assert f'href="/double-publicity/records/{site.penalty_id}"' in listing
    page = site.client.get(f"/double-publicity/records/{site.penalty_id}")
    assert page.status_code == 200
    text = page.text
    assert NAME in text and "处罚依据" in text and "公示期限" in text and "公示依据" in text
    assert "《中华人民共和国反不正当竞争法》第二十条" in text
    assert f'href="/subjects/{site.uscc}"' in text
    person = site.client.get(f"/double-publicity/records/{site.person_penalty_id}").text
    assert PERSON not in person and "/subjects/" not in person.split("<main")[1]
    english = site.client.get(f"/double-publicity/records/{site.penalty_id}", params={"lang": "en"})
    assert "Publication period" in english.text
    site.client.cookies.clear()  # the language choice is remembered: back to Chinese
    for record_id in (site.tax_id, 999_999_999):  # not a 双公示 record / no record
        missing = site.client.get(f"/double-publicity/records/{record_id}")
        assert missing.status_code == 404 and "未找到该公示信息" in missing.text


def test_ingest_templates_for_every_item(site: Site) -> None:
    catalog = catalog_service.get_catalog()
    rule = site.client.get("/rules/admin_penalty").text
    assert 'href="/rules/admin_penalty/template.xlsx"' in rule
    for code, item in catalog.items.items():
        response = site.client.get(f"/rules/{code}/template.xlsx")
        assert response.status_code == 200, code
        book = load_workbook(io.BytesIO(response.content))
        data, notes = book["数据"], book["填写说明"]
        headers = [c.value for c in data[1]]
        examples = [c.value for c in data[2]]
        assert len(headers) == len(item.fields) == len(examples)
        mapped = map_headers(item, [str(h) for h in headers])
        assert sorted(mapped.fields.values()) == sorted(f.name for f in item.fields), code
        for spec, head in zip(item.fields, headers, strict=True):
            assert head.startswith("*") == spec.required, (code, head)
        assert all(e not in (None, "") for e in examples), code
        noted = {row[0].value: row for row in notes.iter_rows(min_row=6)}
        for spec in item.fields:
            if spec.values:
                row = noted[("*" if spec.required else "") + spec.label.zh]
                first = spec.values[0]
                words = [first, *(w for w, c in spec.value_aliases.items() if c == first)]
                assert any(w in str(row[3].value) for w in words), (code, spec.name)
    penalty = load_workbook(
        io.BytesIO(site.client.get("/rules/admin_penalty/template.xlsx").content)
    )
    notes_text = " ".join(
        str(c.value) for row in penalty["填写说明"].iter_rows() for c in row if c.value
    )
    assert "YYYY-MM-DD" in notes_text and "警告" in notes_text and "必填" in notes_text
    assert site.client.get("/rules/nope/template.xlsx").status_code == 404
    assert load_workbook(
        io.BytesIO(
            site.client.get("/rules/admin_penalty/template.xlsx", params={"lang": "en"}).content
        )
    ).sheetnames == ["data", "notes"]


def test_the_ingest_console_links_every_template(site: Site) -> None:
    from xinyong.auth import service as auth_service
    from xinyong.auth.schemas import AccountCreate

    with session_scope() as session:
        dept = factories.department(session, "market_regulation")
        auth_service.create_account(session, data=AccountCreate(
            username="export.reporter", display_name="报送员", password="Correct-Horse-42",
            kind="staff", role="reporter", department_id=dept.id,
        ))  # fmt: skip
    client = TestClient(create_app())
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    login = {
        "username": "export.reporter",
        "password": "Correct-Horse-42",
        "csrf_token": token.group(1),
    }
    client.post("/login", data=login)
    page = client.get("/console/ingest")
    assert page.status_code == 200 and 'href="/rules/admin_penalty/template.xlsx"' in page.text


def test_cells_and_times_for_people() -> None:
    assert [exports.safe_cell(v) for v in ("=1+1", "+86", "-3", "@SUM(A1)", "\tx", "正常")] == [
        "'=1+1", "'+86", "'-3", "'@SUM(A1)", "'\tx", "正常",
    ]  # fmt: skip
    assert exports.safe_cell(["警告", "罚款"]) == "警告、罚款"
    assert exports.safe_cell(date(2026, 12, 7)) == "2026-12-07"
    moment = datetime(2026, 12, 7, 13, 50, tzinfo=UTC)
    assert exports.safe_cell(moment) == "2026-12-07 21:50"  # Beijing time
    assert exports.safe_cell(None) == "" and exports.safe_cell(True) == "是"


def test_the_open_api_has_the_same_filters(site: Site) -> None:
    people = site.client.get(
        "/api/v1/double-publicity/penalty", params={"subject_kind": "natural_person"}
    ).json()
    assert [r["id"] for r in people["records"]] == [site.person_penalty_id]
    special = site.client.get(
        "/api/v1/double-publicity/licence", params={"licence_category": "特许许可"}
    ).json()
    assert special["records"] and all(
        r["fields"]["licence_category"] == "特许" for r in special["records"]
    )
    wrong = site.client.get("/api/v1/double-publicity/penalty", params={"licence_category": "特许"})
    assert wrong.status_code == 422
