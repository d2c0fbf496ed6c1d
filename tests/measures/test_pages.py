"""The measures catalogue on the portal and in the open API: both languages, the matter
filter, one measure's page, unknown and hostile input. No database is involved."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from xinyong.app import create_app
from xinyong.core.config import reset_settings
from xinyong.measures.catalog import MeasureKind, get_catalog, reset_catalog

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("XINYONG_MEASURES_FILE", raising=False)
        reset_settings()
        reset_catalog()
        yield TestClient(create_app())
    reset_settings()
    reset_catalog()


def get(client: TestClient, path: str, **params: Any) -> Any:
    """GET with no language cookie left from an earlier request (Chinese unless ?lang=)."""
    client.cookies.clear()
    return client.get(path, params=params or None)


def listed(html: str) -> list[str]:
    return re.findall(r'data-measure="([^"]+)"', html)


# --- the page -----------------------------------------------------------------------------


def test_the_page_lists_every_measure_grouped_by_kind_and_class(client: TestClient) -> None:
    response = get(client, "/measures")
    assert response.status_code == 200
    html = response.text
    assert "<h1>联合奖惩措施清单</h1>" in html
    assert sorted(listed(html)) == sorted(get_catalog().measures)
    constraints, incentives = html.index('id="kind-constraint"'), html.index('id="kind-incentive"')
    assert constraints < incentives
    assert 'id="constraint-public_restriction"' in html and 'id="incentive-market"' in html
    assert "由公共管理机构依法依规实施的减损权益或增加义务的措施" in html
    # triggers, matters, implementing departments and legal basis of one measure
    row = html[html.index('data-measure="C-PROC-02"') :].split("</tr>")[0]
    assert "近3年内有严重等级的行政处罚信息" in row
    assert 'href="/measures?matter=government_procurement">政府采购</a>' in row
    assert "财政部门" in row
    assert "《中华人民共和国政府采购法》 第二十二条第一款第五项" in row
    assert '<a href="/measures" aria-current="page">联合奖惩</a>' in html


def test_the_page_in_english_sets_the_language(client: TestClient) -> None:
    response = get(client, "/measures", lang="en")
    assert response.status_code == 200
    assert "<h1>Joint reward and punishment measures</h1>" in response.text
    assert "Administrative penalty record, serious tier, decided in the last 3 years" in (
        response.text
    )
    assert 'lang="en"' in response.text
    assert response.cookies.get("lang") == "en"
    assert ">Rewards &amp; sanctions</a>" in response.text


def test_the_matter_filter_shows_exactly_that_matters_measures(client: TestClient) -> None:
    catalog = get_catalog()
    for matter in ("civil_service_hiring", "government_procurement", "regulatory_inspection"):
        response = get(client, "/measures", matter=matter)
        assert response.status_code == 200
        expected = [m.code for m in catalog.for_matter(matter)]
        assert sorted(listed(response.text)) == sorted(expected)
        assert f'<option value="{matter}" selected>' in response.text
        assert f"共 {len(expected)} 项措施" in response.text


def test_a_blank_matter_means_every_matter(client: TestClient) -> None:
    response = get(client, "/measures", matter="  ")
    assert len(listed(response.text)) == len(get_catalog().measures)


@pytest.mark.parametrize("matter", ["space_travel", HOSTILE])
def test_an_unknown_matter_is_refused_on_the_page(client: TestClient, matter: str) -> None:
    response = get(client, "/measures", matter=matter)
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert listed(response.text) == []
    assert "<script>alert" not in response.text


def test_a_measure_has_its_own_page(client: TestClient) -> None:
    response = get(client, "/measures/C-HIRE-01")
    assert response.status_code == 200
    html = response.text
    assert "<h1>不得录用为公务员</h1>" in html
    assert "《中华人民共和国公务员法》 第二十六条" in html
    assert "列入严重失信主体名单或失信被执行人名单" in html
    assert "自然人" in html and "人力资源社会保障部门" in html
    english = get(client, "/measures/C-HIRE-01", lang="en").text
    assert "<h1>Not recruited as a civil servant</h1>" in english
    assert "On the serious dishonesty list or list of dishonest judgment debtors" in english


@pytest.mark.parametrize("code", ["C-NOPE-01", "<svg onload=alert(1)>"])
def test_an_unknown_measure_is_not_found(client: TestClient, code: str) -> None:
    response = get(client, f"/measures/{code}")
    assert response.status_code == 404
    assert "清单中没有该措施" in response.text
    assert "<svg" not in response.text


def test_other_portal_pages_link_to_the_measures(client: TestClient) -> None:
    html = get(client, "/rules").text
    assert '<a href="/measures">联合奖惩</a>' in html


# --- the open API ---------------------------------------------------------------------------


def test_the_api_lists_every_measure_constraints_first(client: TestClient) -> None:
    body = get(client, "/api/v1/measures").json()
    catalog = get_catalog()
    assert body["version"] == catalog.version and body["matter"] is None
    codes = [m["code"] for m in body["measures"]]
    assert sorted(codes) == sorted(catalog.measures)
    kinds = [catalog.measures[code].kind for code in codes]
    first_incentive = kinds.index(MeasureKind.incentive)
    assert set(kinds[:first_incentive]) == {MeasureKind.constraint}
    assert set(kinds[first_incentive:]) == {MeasureKind.incentive}
    proc = next(m for m in body["measures"] if m["code"] == "C-PROC-02")
    assert proc["name"] == {
        "zh": "参加政府采购活动前三年内有重大违法记录的不得参加",
        "en": proc["name"]["en"],
    }
    assert proc["label"] == proc["name"]["zh"]
    assert proc["triggers"]["records"] == [
        {"item": "admin_penalty", "tiers": ["serious"], "within": "P3Y"}
    ]
    assert proc["legal_basis"][0]["article"] == "第二十二条第一款第五项"


def test_the_api_filters_by_matter_and_speaks_english(client: TestClient) -> None:
    body = get(client, "/api/v1/measures", matter="high_consumption", lang="en").json()
    assert body["matter"] == "high_consumption"
    assert [m["code"] for m in body["measures"]] == ["C-CONS-01", "C-CONS-02"]
    first = body["measures"][0]
    assert first["label"] == first["name"]["en"]
    assert first["kind_label"] == "Constraints on dishonesty"
    assert first["triggers"]["text"] == ["On the list of dishonest judgment debtors"]


def test_the_api_refuses_an_unknown_matter_naming_the_known_ones(client: TestClient) -> None:
    response = get(client, "/api/v1/measures", matter="space_travel")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert "government_procurement" in body["message"]
    assert set(body["details"]["known"]) == set(get_catalog().matters)


def test_the_api_gives_one_measure_or_404(client: TestClient) -> None:
    body = get(client, "/api/v1/measures/I-APPR-01").json()
    assert body["kind"] == "incentive" and body["type"] == "public_management"
    assert body["triggers"]["lists"] == ["red_list"]
    assert get(client, "/api/v1/measures/I-NOPE-01").status_code == 404
    assert get(client, "/api/v1/measures", lang="fr").status_code == 422


def test_the_api_lists_the_matters_with_their_measures(client: TestClient) -> None:
    body = get(client, "/api/v1/matters", lang="en").json()
    catalog = get_catalog()
    assert [m["code"] for m in body["matters"]] == list(catalog.matters)
    for matter in body["matters"]:
        assert matter["measures"] == len(catalog.for_matter(matter["code"])) > 0
        assert matter["label"] == matter["name"]["en"]
