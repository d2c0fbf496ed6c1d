"""Issue 19: labels, not codes, where people read: industry sections (GB/T 4754), units,
field types on /rules pages."""

from __future__ import annotations

from datetime import date

from xinyong.catalog.labels import field_type_label, format_value, industry_label, unit_label
from xinyong.catalog.schemas import FieldType
from xinyong.core.i18n import has_text
from xinyong.portal.present import field_rows
from xinyong.portal.schemas import PublicRecord


def test_industry_sections_read_by_name() -> None:
    assert industry_label("M", "zh") == "科学研究和技术服务业（M）"
    assert industry_label("M", "en") == "Scientific research and technical services (M)"
    assert industry_label("C3011", "zh") == "制造业（C3011）"
    assert industry_label("Z", "zh") == "Z" and industry_label("", "zh") == ""
    assert format_value("industry_code", "F", "zh") == "批发和零售业（F）"
    assert all(has_text(f"industry.{letter}") for letter in "ABCDEFGHIJKLMNOPQRST")


def test_every_field_type_and_unit_has_a_label() -> None:
    for kind in FieldType:
        assert field_type_label(kind.value, "zh") != kind.value, kind
    assert field_type_label("uscc", "zh") == "统一社会信用代码"
    assert unit_label("万元", "zh") == "万元" and unit_label("万元", "en") == "× 10,000 yuan"


def test_a_record_shows_registered_capital_with_its_unit() -> None:
    record = PublicRecord(
        id=1,
        item_code="registration",
        item_name_zh="登记注册",
        item_name_en="Registration",
        category="basic",
        state="active",
        under_objection=False,
        decision_date=date(2024, 1, 5),
        disclosure_end=None,
        severity=None,
        fields={"registered_capital": "500", "industry_code": "M"},
    )
    rows = dict(field_rows(record, "zh"))
    assert rows["注册资本(出资额)"] == "500 万元"
    assert rows["国民经济行业代码"] == "科学研究和技术服务业（M）"
    assert dict(field_rows(record, "en"))["Registered capital"] == "500 × 10,000 yuan"


def test_the_query_log_names_who_and_what() -> None:
    from xinyong.accounts.views import what_label, who_label

    assert who_label("API key 银行对接 (xy_ab12)", "zh") == "接口密钥 银行对接 (xy_ab12)"
    assert who_label("张三 (zhangsan)", "zh") == "张三 (zhangsan)"
    assert what_label("lists", "zh") == "名单信息"
    assert what_label("report:standard", "zh") == "信用报告"
    assert what_label("admin_penalty", "zh") == "行政处罚信息"
