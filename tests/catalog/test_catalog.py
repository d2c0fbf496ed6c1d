"""The information catalogue: shipped data, layering, malformed files, severity, periods."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from xinyong.catalog import rules, service
from xinyong.catalog.schemas import (
    DepartmentKind,
    DisclosureAttribute,
    DisclosureKind,
    FieldType,
    NationalCategory,
    Polarity,
    Severity,
    TierPeriods,
    normalize_header,
    period_months,
)
from xinyong.core.config import reset_settings
from xinyong.core.errors import CatalogError, Invalid, NotFound
from xinyong.identity.codes import validate_uscc

EXPECTED_ITEMS = {
    "registration",
    "admin_licence",
    "admin_penalty",
    "dishonest_judgment_debtor",
    "abnormal_operation",
    "serious_dishonesty_list",
    "honour",
    "credit_commitment",
    "tax_credit_rating",
    "contract_performance",
    "inspection_result",
    "professional_qualification",
    "js_environmental_credit_rating",
}


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    service.clear_catalog_cache()
    yield
    service.clear_catalog_cache()
    reset_settings()


@pytest.fixture(scope="module")
def catalog() -> Any:
    return service.load_catalog()


def words(text: str) -> set[str]:
    return set(text.split())


def rows(table: str) -> list[list[str]]:
    return [line.split() for line in table.strip().splitlines()]


# --- the shipped catalogue ------------------------------------------------------------------


def test_shipped_catalogue_loads_national_then_provincial(catalog: Any) -> None:
    assert catalog.version == "2024.1+js-2025.1"
    assert [Path(p).name for p in catalog.layers] == ["national.yaml", "provincial.yaml"]
    assert set(catalog.items) == EXPECTED_ITEMS


@pytest.mark.parametrize("code", sorted(EXPECTED_ITEMS))
def test_every_item_states_what_the_design_lists(catalog: Any, code: str) -> None:
    item = catalog.item(code)
    assert item.name.zh and item.name.en and item.category in NationalCategory
    assert item.subject_kinds and item.source_departments and item.update_frequency
    assert all(basis.title.startswith("《") for basis in item.legal_basis)
    assert item.find_field(item.subject_name_field) is not None
    assert item.field(item.subject_code_field).type in {
        FieldType.uscc,
        FieldType.id_number,
        FieldType.subject_code,
    }
    assert item.decision_date_field and item.field(item.decision_date_field).type is FieldType.date
    assert item.source_record_id_field or item.source_record_key
    for spec in item.fields:
        assert spec.label.zh and spec.label.en
        opened = item.field_disclosure(spec).openness
        assert opened >= item.disclosure_attribute.openness
    if item.polarity is Polarity.negative:
        assert item.severity.default is not None


def test_all_thirteen_national_categories_have_their_names() -> None:
    labels = {category.label_zh for category in NationalCategory}
    assert len(labels) == 13
    assert {"登记注册基本信息", "严重失信主体名单信息", "诚实守信相关荣誉信息"} <= labels


def test_penalty_item_has_the_double_publicity_fields(catalog: Any) -> None:
    item = catalog.item("admin_penalty")
    labels = {spec.label.zh for spec in item.fields}
    published = words(
        "行政相对人名称 行政相对人类别 法定代表人 行政处罚决定书文号 违法行为类型 "
        "违法事实 处罚依据 处罚类别 处罚内容 罚款金额(万元) "
        "暂扣或吊销证照名称及编号 处罚决定日期 处罚有效期 公示截止期 处罚机关 "
        "处罚机关统一社会信用代码 数据来源单位 数据来源单位统一社会信用代码"
    )
    assert published <= labels
    assert item.reporting_deadline_working_days == 7
    assert item.field("fine_amount").unit == "万元"
    assert "吊销许可证件" in item.field("penalty_types").values
    assert item.disclosure.kind is DisclosureKind.tiered


def test_licence_item_has_the_double_publicity_fields(catalog: Any) -> None:
    item = catalog.item("admin_licence")
    labels = {spec.label.zh for spec in item.fields}
    published = words(
        "行政许可决定文书名称 行政许可决定文书号 许可类别 许可证书名称 许可编号 "
        "许可内容 许可决定日期 有效期自 有效期至 许可机关 "
        "许可机关统一社会信用代码 当前状态"
    )
    assert published <= labels
    assert item.field("licence_category").values == ["普通", "特许", "认可", "核准", "登记", "其他"]
    assert item.reporting_deadline_working_days == 7


def test_submission_checks_are_catalogue_data(catalog: Any) -> None:
    licence, penalty = catalog.item("admin_licence"), catalog.item("admin_penalty")
    assert ("valid_from", "valid_to") in {(r.earlier, r.later) for r in licence.date_order}
    assert licence.field("valid_to").date_aliases["长期"] == date(2099, 12, 31)
    assert catalog.item("registration").field("business_term_to").date_aliases["长期"] is None
    assert penalty.field("fine_amount").minimum == 0
    assert penalty.field("confiscated_amount").minimum == 0
    for item in catalog.items.values():
        decision = item.field(item.decision_date_field)
        assert decision.not_future, item.code
        for rule in item.date_order:
            assert item.field(rule.earlier).type is FieldType.date
        for spec in item.fields:
            if spec.unit in ("万元", "元"):
                assert spec.minimum == 0, (item.code, spec.name)


def test_local_file_can_add_ingestion_rules(tmp_path: Path) -> None:
    wage = local_item()
    wage["fields"][3]["minimum"] = 0
    wage["fields"][3]["maximum"] = 5000
    wage["fields"].append(
        {"name": "paid_on", "label": {"zh": "清偿日期", "en": "Paid on"}, "type": "date",
         "date_aliases": {"未清偿": None}}
    )  # fmt: skip
    wage["date_order"] = [{"earlier": "determined_on", "later": "paid_on"}]
    item = service.load_catalog(write_layer(tmp_path, items=[wage])).item("sz_wage_arrears")
    assert (item.field("amount").minimum, item.field("amount").maximum) == (0, 5000)
    assert item.field("paid_on").date_aliases == {"未清偿": None}
    assert [(r.earlier, r.later) for r in item.date_order] == [("determined_on", "paid_on")]


def test_field_visibility_and_header_map(catalog: Any) -> None:
    item = catalog.item("admin_penalty")
    public = {spec.name for spec in item.visible_fields(DisclosureAttribute.public)}
    everything = {spec.name for spec in item.visible_fields(DisclosureAttribute.restricted)}
    assert "legal_representative_id_number" not in public
    assert "legal_representative_id_number" in everything
    headers = item.header_map()
    assert headers[normalize_header("罚款金额（万元）")] == "fine_amount"
    assert (
        headers[normalize_header(" 行政处罚决定书文号（必填） ")] == "decision_number"
    )  # provincial
    assert item.field("subject_type").canonical_value(" 个体工商户 ") == "individual_business"


def test_unknown_item_is_not_found(catalog: Any) -> None:
    with pytest.raises(NotFound, match=r"no item 'admin_penalti'.*admin_penalty"):
        catalog.item("admin_penalti")


def test_departments_cover_every_kind_the_catalogue_names(catalog: Any) -> None:
    departments = service.load_departments()
    assert len(departments) >= 20
    assert all(validate_uscc(d.code).valid and d.code.startswith("11") for d in departments)
    assert all(d.region_code.startswith("3205") for d in departments)
    assert [d.key for d in departments if d.credit_office] == ["sz_fgw"]
    kinds = {d.kind for d in departments}
    named = {kind for item in catalog.items.values() for kind in item.source_departments}
    assert named <= kinds
    assert kinds == set(DepartmentKind)


# --- layering -------------------------------------------------------------------------------


def local_item() -> dict[str, Any]:
    def field(name: str, zh: str, kind: str, **extra: Any) -> dict[str, Any]:
        return {"name": name, "label": {"zh": zh, "en": name}, "type": kind, **extra}

    return {
        "code": "sz_wage_arrears",
        "name": {"zh": "拖欠农民工工资信息", "en": "Unpaid migrant workers' wages"},
        "category": "compliance",
        "subject_kinds": ["legal_person"],
        "disclosure_attribute": "government",
        "polarity": "negative",
        "severity": {
            "default": "general",
            "rules": [{"when": {"field": "amount", "op": "gte", "value": 10}, "tier": "serious"}],
        },
        "disclosure": {"kind": "tiered"},
        "legal_basis": [{"title": "《保障农民工工资支付条例》"}],
        "source_departments": ["human_resources"],
        "update_frequency": "monthly",
        "decision_date_field": "determined_on",
        "source_record_id_field": "notice_number",
        "subject_name_field": "subject_name",
        "subject_code_field": "subject_code",
        "fields": [
            field("subject_name", "用人单位名称", "string", required=True),
            field("subject_code", "统一社会信用代码", "uscc", required=True),
            field("notice_number", "认定文书号", "string", required=True),
            field("amount", "拖欠金额(万元)", "decimal", unit="万元"),
            field("determined_on", "认定日期", "date", required=True),
        ],
    }


def write_layer(tmp_path: Path, **content: Any) -> Path:
    path = tmp_path / "local.yaml"
    body = {"version": "sz-2025.3", "level": "municipal", "region_code": "320500", **content}
    path.write_text(yaml.safe_dump(body, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_local_file_adds_an_item_and_overrides_another(tmp_path: Path) -> None:
    overrides = {
        "admin_penalty": {
            "disclosure": {"periods": {"general": "P6M"}},
            "fields": {"fine_amount": {"aliases": ["罚没金额"]}},
            "add_fields": [
                {"name": "grid_code", "label": {"zh": "网格编码", "en": "Grid"}, "type": "string"}
            ],
        },
        "registration": {"update_frequency": "realtime"},
    }
    path = write_layer(tmp_path, items=[local_item()], overrides=overrides)
    catalog = service.load_catalog(path)
    assert catalog.version == "2024.1+js-2025.1+sz-2025.3"
    assert catalog.layers[-1] == str(path)
    assert catalog.item("sz_wage_arrears").disclosure.periods == TierPeriods()
    penalty = catalog.item("admin_penalty")
    assert penalty.disclosure.periods is not None
    assert (penalty.disclosure.periods.general, penalty.disclosure.periods.serious) == (
        "P6M",
        "P3Y",
    )
    assert penalty.field("fine_amount").aliases == ["罚没金额"]
    assert penalty.field("fine_amount").unit == "万元"
    assert penalty.fields[-1].name == "grid_code"
    assert len(penalty.severity.rules) == 4  # untouched attributes stay
    assert catalog.item("registration").update_frequency == "realtime"


def test_override_changing_the_rule_kind_replaces_the_rule(tmp_path: Path) -> None:
    overrides = {"credit_commitment": {"disclosure": {"kind": "permanent"}}}
    catalog = service.load_catalog(write_layer(tmp_path, overrides=overrides))
    rule = catalog.item("credit_commitment").disclosure
    assert (rule.kind, rule.period) == (DisclosureKind.permanent, None)


def test_get_catalog_reads_the_configured_local_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XINYONG_CATALOG_EXTRA", str(write_layer(tmp_path, items=[local_item()])))
    reset_settings()
    first = service.get_catalog()
    assert "sz_wage_arrears" in first.items
    assert service.get_catalog() is first
    monkeypatch.delenv("XINYONG_CATALOG_EXTRA")
    reset_settings()
    service.clear_catalog_cache()
    assert "sz_wage_arrears" not in service.get_catalog().items


# --- malformed files ------------------------------------------------------------------------

DELETE = object()


def _set(item: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target: Any = item
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value


ITEM_DEFECTS = [  # (attribute path, new value, reported field, message fragment)
    ("polarty", "negative", "polarty", "did you mean 'polarity'"),
    ("fields.3.type", "money", "fields[3].type", "Input should be"),
    ("legal_basis", DELETE, "legal_basis", "Field required"),
    ("fields.4.name", "amount", "fields[4].name", "duplicate field name"),
    ("fields.3.disclosure", "public", "fields[3].disclosure", "more open than its item"),
    ("disclosure.periods", {"general": "P2Y"}, "disclosure.periods.general", "legal bounds"),
    ("disclosure.periods", {"minor": "P30D"}, "disclosure.periods.minor", "years and months"),
    ("severity.rules.0.when.field", "amout", "severity.rules[0].when[0].field", "unknown field"),
    ("severity.rules.0.when.field", "notice_number", "severity.rules[0].when[0].op", "a number"),
    ("decision_date_field", "amount", "decision_date_field", "expected a date"),
    ("disclosure", {"kind": "fixed", "period": "3M"}, "disclosure.period", "ISO 8601"),
    ("fields.2.type", "enum", "fields[2].values", "needs 'values'"),
    ("code", "Wage-Arrears", "code", "should match pattern"),
    ("code", "admin_penalty", "code", "duplicate item code, already defined in"),
    ("code", DELETE, "code", "Field required"),
    ("fields.2.minimum", 0, "fields[2].minimum", "only applies to decimal and integer"),
    ("fields.3.maximum", "lots", "fields[3].maximum", "Input should be"),
    ("fields.3.free_text", True, "fields[3].free_text", "only applies to string and text"),
    ("fields.3.not_future", True, "fields[3].not_future", "only applies to date fields"),
    ("fields.2.currency_field", "amount", "fields[2].currency_field", "only applies to decimals"),
    ("fields.3.currency_field", "determined_on", "fields[3].currency_field",
     "'determined_on' is not a currency field of"),
    ("fields.3.date_aliases", {"长期": "2099-12-31"}, "fields[3].date_aliases", "date fields"),
    ("fields.4.date_aliases", {"长期": "someday"}, "fields[4].date_aliases", "valid date"),
    ("date_order", [{"earlier": "determined_on", "later": "amount"}], "date_order[0].later",
     "'amount' is not a date field"),
    ("date_order", [{"earlier": "determined_on", "later": "determined_on"}],
     "date_order[0].later", "cannot precede itself"),
    ("date_order", [{"earlier": "determined_on", "after": "x"}], "date_order[0]", "Field required"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "value", "field", "fragment"), ITEM_DEFECTS)
def test_malformed_item_names_file_item_and_field(
    tmp_path: Path, path: str, value: Any, field: str, fragment: str
) -> None:
    item = local_item()
    _set(item, path, value)
    layer = write_layer(tmp_path, items=[item])
    with pytest.raises(CatalogError) as caught:
        service.load_catalog(layer)
    message = caught.value.message
    label = f"item '{item['code']}'" if "code" in item else "item #1 (no code)"
    assert message.startswith(f"catalog file {layer}: {label}, field '{field}"), message
    assert fragment in message
    assert caught.value.details["file"] == str(layer)


TYPO_RULE = (
    "{severity: {rules: [{when: {field: penalty_types, op: contains, value: 吊销许可证},"
    " tier: serious}]}}"
)
OVERRIDE_DEFECTS = [  # (item code, override, reported field, message fragment)
    ("no_such", "{polarity: neutral}", "code", "no such item"),
    (
        "admin_penalty",
        "{disclosure: {periods: {serious: P5Y}}}",
        "disclosure.periods.serious",
        "legal",
    ),
    ("admin_penalty", "{fields: {fine: {unit: 元}}}", "fields.fine", "no such field"),
    ("admin_penalty", "{fields: {fine_amount: {name: fine}}}", "fields.fine_amount.name", "rename"),
    ("honour", "{fields: []}", "fields", "changes fields by name"),
    ("admin_penalty", TYPO_RULE, "severity.rules[0].when[0].value", "not one of the values"),
    ("registration", "{update_frequency: hourly}", "update_frequency", "Input should be"),
    ("registration", "{code: registration_2}", "code", "cannot change the item code"),
]


@pytest.mark.parametrize(("code", "override", "field", "fragment"), OVERRIDE_DEFECTS)
def test_malformed_override_names_file_item_and_field(
    tmp_path: Path, code: str, override: str, field: str, fragment: str
) -> None:
    path = tmp_path / "local.yaml"
    path.write_text(
        f"version: sz-1\nlevel: municipal\noverrides: {{{code}: {override}}}\n", "utf-8"
    )
    with pytest.raises(CatalogError) as caught:
        service.load_catalog(path)
    message = caught.value.message
    assert message.startswith(f"catalog file {path}: item '{code}', field '{field}"), message
    assert fragment in message
    assert caught.value.details["item"] == code


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("version: '1'\nlevel: municipal\nitems: [\n", "invalid YAML at line"),
        ("version: '1'\nlevel: municipal\nlevel: district\n", "duplicate key 'level'"),
        ("version: 1.0\nlevel: municipal\n", "field 'version': Input should be a valid string"),
        ("version: '1'\nlevel: city\n", "field 'level'"),
        ("version: '1'\nlevel: district\nitems: [oops]\n", "field 'items[0]': Input should be"),
    ],
)
def test_unreadable_layer_names_the_file(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "local.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=r"catalog file .*local\.yaml") as caught:
        service.load_catalog(path)
    assert fragment in caught.value.message


def test_malformed_department_names_the_department(tmp_path: Path) -> None:
    raw = yaml.safe_load(service.DEPARTMENTS_FILE.read_text(encoding="utf-8"))
    raw["departments"][1]["code"] = "113205000149756850"  # wrong check character
    path = tmp_path / "departments.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        service.load_departments(path)
    assert caught.value.message.startswith(
        f"departments file {path}: department 'sz_scjgj', field 'departments[1].code'"
    )


# --- severity -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "tier"),
    [
        ({"penalty_types": "警告"}, Severity.minor),
        ({"penalty_types": ["警告", "通报批评"]}, Severity.minor),
        ({"penalty_types": "警告；罚款", "fine_amount": "0.2"}, Severity.minor),
        ({"penalty_types": "罚款", "fine_amount": 0.3}, Severity.minor),
        ({"penalty_types": "罚款", "fine_amount": "0.31"}, Severity.general),
        ({"penalty_types": "罚款"}, Severity.general),
        ({"penalty_types": "罚款、没收违法所得", "fine_amount": "0.1"}, Severity.general),
        ({"penalty_types": "罚款", "fine_amount": Decimal("99.99")}, Severity.general),
        ({"penalty_types": "罚款", "fine_amount": Decimal("100")}, Severity.serious),
        ({"penalty_types": "罚款", "fine_amount": "1,000.5"}, Severity.serious),
        ({"penalty_types": "罚款", "fine_amount": "not a number"}, Severity.general),
        ({"penalty_types": "罚款;吊销许可证件", "fine_amount": 1}, Severity.serious),
        ({"penalty_types": "吊销营业执照"}, Severity.serious),
        ({"penalty_types": ["警告", "责令停产停业"]}, Severity.serious),
        ({}, Severity.general),
    ],
)
def test_penalty_severity(catalog: Any, payload: dict[str, Any], tier: Severity) -> None:
    assert rules.derive_severity(catalog.item("admin_penalty"), payload) is tier


def test_items_without_rules_use_their_default(catalog: Any) -> None:
    assert rules.derive_severity(catalog.item("registration"), {}) is None
    assert rules.derive_severity(catalog.item("dishonest_judgment_debtor"), {}) is Severity.serious
    commitment = catalog.item("credit_commitment")
    assert rules.derive_severity(commitment, {"performance_status": "违诺"}) is Severity.general
    assert rules.derive_severity(commitment, {"performance_status": "已履约"}) is None


# --- disclosure periods ---------------------------------------------------------------------


CIVIL_CODE_CASES = rows("""
    2024-01-31  P3M   2024-04-30
    2024-02-29  P1Y   2025-02-28
    2023-11-30  P3M   2024-02-29
    2022-11-30  P3M   2023-02-28
    2024-01-15  P3M   2024-04-15
    2023-12-31  P6M   2024-06-30
    2024-02-29  P3Y   2027-02-28
    2023-02-28  P1Y   2024-02-28
    2024-03-01  P10D  2024-03-11
    2024-03-01  P0M   2024-02-29
""")


@pytest.mark.parametrize(("decision", "period", "last_day"), CIVIL_CODE_CASES)
def test_period_end_follows_the_civil_code(decision: str, period: str, last_day: str) -> None:
    assert rules.period_end(date.fromisoformat(decision), period) == date.fromisoformat(last_day)


@pytest.mark.parametrize(
    ("severity", "decision", "last_day"),
    [
        (Severity.general, date(2024, 2, 29), date(2025, 2, 28)),
        (Severity.general, date(2023, 8, 31), date(2024, 8, 31)),
        (Severity.serious, date(2024, 2, 29), date(2027, 2, 28)),
        (Severity.serious, date(2023, 1, 31), date(2026, 1, 31)),
        (None, date(2024, 2, 29), date(2025, 2, 28)),  # the item's default tier
    ],
)
def test_tiered_disclosure(
    catalog: Any, severity: Severity | None, decision: date, last_day: date
) -> None:
    item = catalog.item("admin_penalty")
    end = rules.disclosure_end(item, decision_date=decision, severity=severity, payload={})
    assert end == last_day
    assert rules.is_published_on(end, last_day)
    assert not rules.is_published_on(end, date.fromordinal(last_day.toordinal() + 1))


def test_minor_penalties_are_not_published(catalog: Any) -> None:
    decision = date(2024, 3, 1)
    item = catalog.item("admin_penalty")
    end = rules.disclosure_end(item, decision_date=decision, severity=Severity.minor, payload={})
    assert end == date(2024, 2, 29)
    assert rules.is_never_published(end, decision)
    assert not rules.is_published_on(end, decision)


def test_local_tier_period_applies(tmp_path: Path) -> None:
    overrides = {"admin_penalty": {"disclosure": {"periods": {"general": "P3M", "minor": "P3M"}}}}
    item = service.load_catalog(write_layer(tmp_path, overrides=overrides)).item("admin_penalty")
    for decision, last_day in [
        (date(2024, 1, 31), date(2024, 4, 30)),
        (date(2023, 11, 30), date(2024, 2, 29)),
    ]:
        for tier in (Severity.minor, Severity.general):
            end = rules.disclosure_end(item, decision_date=decision, severity=tier, payload={})
            assert end == last_day


def test_other_rule_kinds(catalog: Any) -> None:
    def end(code: str, decision: date, **payload: Any) -> date | None:
        item = catalog.item(code)
        return rules.disclosure_end(item, decision_date=decision, severity=None, payload=payload)

    assert end("credit_commitment", date(2024, 2, 29)) == date(2027, 2, 28)  # fixed P3Y
    assert end("tax_credit_rating", date(2023, 4, 30)) == date(2024, 4, 30)  # fixed P1Y
    assert end("admin_licence", date(2024, 1, 5), valid_to="2026/12/31") == date(2026, 12, 31)
    assert end("admin_licence", date(2024, 1, 5), valid_to=date(2025, 1, 4)) == date(2025, 1, 4)
    assert end("admin_licence", date(2024, 1, 5)) is None  # no end given: no end date
    assert end("abnormal_operation", date(2024, 1, 5), removal_date="2024-06-01") == date(
        2024, 6, 1
    )
    assert end("registration", date(2024, 1, 5)) is None  # permanent
    assert rules.is_published_on(None, date(2099, 1, 1))
    with pytest.raises(Invalid, match="valid_to"):
        end("admin_licence", date(2024, 1, 5), valid_to="long-term")


TIER_BOUND_CASES = rows("""
    minor    P0M    in
    minor    P3M    in
    minor    P4M    out
    general  P2M    out
    general  P3M    in
    general  P12M   in
    general  P1Y1M  out
    serious  P11M   out
    serious  P1Y    in
    serious  P36M   in
    serious  P3Y1M  out
""")


@pytest.mark.parametrize(("tier", "period", "bounds"), TIER_BOUND_CASES)
def test_tier_bounds(tier: str, period: str, bounds: str) -> None:
    if bounds == "in":
        assert TierPeriods.model_validate({tier: period}).for_tier(Severity(tier)) == period
    else:
        with pytest.raises(ValidationError, match="legal bounds"):
            TierPeriods.model_validate({tier: period})


def test_period_months() -> None:
    assert period_months("P1Y6M") == 18
    assert period_months("P2W") is None
    with pytest.raises(ValueError, match="ISO 8601"):
        period_months("P")
