"""Amounts as real exports write them (issue 24): units and currencies around the number,
header units, the currency field, placeholders, and the subject category derived from the code.

``FORMS`` is the table of the issue (and the other forms it names); the channel tests
(``test_amount_channels.py``) send the same table through the CLI, the API and the console.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ingest import files
from xinyong.catalog import conventions
from xinyong.identity import codes
from xinyong.ingest.amounts import Money, decimal_converter, header_unit
from xinyong.ingest.cells import CellProblem
from xinyong.ingest.mapping import map_headers
from xinyong.ingest.readers import IngestFileError, RawRow
from xinyong.ingest.values import RowParser, parse_mapping

TODAY = files.ANCHOR
CAPITAL, CURRENCY, FINE = "注册资本(出资额)", "币种", "罚款金额(万元)"

# (as written, registered capital in 万元, currency) — the forms of the issue's table first.
FORMS: list[tuple[str, str, str | None]] = [
    ("100(万元人民币)", "100", "CNY"),
    ("5,000(万元人民币)", "5000", "CNY"),
    ("300(万元)", "300", None),
    ("26(万)", "26", None),
    ("60.2万人民币", "60.2", "CNY"),
    ("2万元人民币", "2", "CNY"),
    ("10(万人民币元)", "10", "CNY"),
    ("80( 万人民币元)", "80", "CNY"),
    ("800(万美元)", "800", "USD"),
    ("280(万美元 )", "280", "USD"),
    ("0（万元）", "0", None),
    ("200()", "200", None),
    ("50(万元(人民币))", "50", "CNY"),
    ("200((万美元))", "200", "USD"),
    ("15(万港币)", "15", "HKD"),
    ("700(万香港元)", "700", "HKD"),
    ("500(万港元)", "500", "HKD"),
    ("164,000(人民币元)", "16.4", "CNY"),
    ("10人民币元", "0.001", "CNY"),
    ("1000万人民币元", "1000", "CNY"),
    ("955(万元美元)", "955", "USD"),
    ("950(万元(港币))", "950", "HKD"),
    ("37(万欧元)", "37", "EUR"),
    ("900(万日元)", "900", "JPY"),
    ("10万英镑", "10", "GBP"),
    ("1,530(万新加坡元)", "1530", "SGD"),
    ("50(万法国法郎)", "50", "FRF"),
    ("1，234.5万元", "1234.5", None),
    ("１２３４５元", "1.2345", None),
    (" 3 亿元 ", "30000", None),
    ("1.5亿", "15000", None),
    ("人民币 5000 元", "0.5", "CNY"),
    ("万元 100", "100", None),
    ("(万元)250", "250", None),
    ("￥12,345", "1.2345", "CNY"),
    ("USD 2,000,000", "200", "USD"),
    ("RMB100万元", "100", "CNY"),
    ("500", "500", None),
    ("12.5", "12.5", None),
]
PLACEHOLDERS = ["N/A", "n/a", "-", "—", "——", "无", "/", "暂无", "", "   ", "－"]


def _row(code: str, changes: dict[str, Any], *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    item = files.item(code)
    payload = files.payloads(code, 1, seed=4)[0]
    cells = {s.label.zh: files.cell_text(payload.get(s.name)) for s in item.fields}
    return {k: v for k, v in (cells | changes).items() if k not in drop}


def parse(
    code: str, changes: dict[str, Any], *, drop: tuple[str, ...] = ()
) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    """One generated row of an item with cells changed (and columns dropped), parsed."""
    cells = _row(code, changes, drop=drop)
    parser = RowParser(map_headers(files.item(code), list(cells)), today=TODAY)
    payload, errors = parser.parse(RawRow(2, cells))
    return payload, [(e.column, e.reason) for e in errors]


def capital(raw: Any, **changes: Any) -> tuple[str | None, str | None]:
    payload, errors = parse("registration", {CAPITAL: raw, CURRENCY: ""} | changes)
    assert not errors and payload is not None, errors
    return payload.get("registered_capital"), payload.get("currency")


@pytest.mark.parametrize(("raw", "amount", "currency"), FORMS)
def test_every_form_of_the_issue(raw: str, amount: str, currency: str | None) -> None:
    assert capital(raw) == (amount, currency)


@pytest.mark.parametrize("raw", PLACEHOLDERS)
def test_placeholders_are_empty(raw: str) -> None:
    assert capital(raw) == (None, None)
    payload, errors = parse("admin_penalty", {FINE: raw})
    assert not errors and payload is not None and "fine_amount" not in payload


@pytest.mark.parametrize(
    ("raw", "amount"),
    [("5000元", "0.5"), ("0.5万元", "0.5"), ("5,000 元", "0.5"), ("5000(元)", "0.5"),
     ("人民币5000元", "0.5"), ("0.5", "0.5"), ("￥5000", "0.5"), ("5000(人民币元)", "0.5"),
     ("０．５（万元）", "0.5"), ("CNY 5,000", "0.5")],
)  # fmt: skip
def test_a_fine_of_5000_yuan_is_half_of_ten_thousand_however_written(raw: str, amount: str) -> None:
    payload, errors = parse("admin_penalty", {FINE: raw})
    assert not errors and payload is not None, errors
    assert payload["fine_amount"] == amount


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("800万美元", "is an amount in USD: 罚款金额(万元) takes amounts in CNY only"),
        ("五千元", "is not an amount: units (元, 千元, 万元, 亿元, 万, 亿) and a currency"),
        ("5000元整", "is not an amount"),
        ("10-20万元", "is not an amount"),
        ("5000万亿", "is not an amount"),
        ("1,23万元", "is not an amount"),
        ("500美元港币", "names two currencies (HKD, USD)"),
    ],
)
def test_what_is_still_not_understood_shows_the_value_and_the_accepted_forms(
    raw: str, fragment: str
) -> None:
    payload, errors = parse("admin_penalty", {FINE: raw})
    assert payload is None
    reason = dict(errors)[FINE]
    chinese, _, english = reason.partition(" · ")
    assert fragment in english, reason
    assert not chinese.isascii() and (raw in reason or repr(raw) in reason)
    if "not an amount" in fragment:
        assert "1,234.5万元" in chinese and "100(万元人民币)" in english


def test_the_currency_field_holds_iso_codes_and_contradictions_are_errors() -> None:
    assert capital("800万美元", **{CURRENCY: "美元"}) == ("800", "USD")
    assert capital("800万", **{CURRENCY: "港元"}) == ("800", "HKD")
    assert capital("800", **{CURRENCY: "usd"}) == ("800", "USD")
    assert capital("", **{CURRENCY: "人民币"}) == (None, "CNY")
    payload, errors = parse("registration", {CAPITAL: "800万美元", CURRENCY: "人民币"})
    assert payload is None
    assert errors == [(CAPITAL, "金额为美元（USD），但币种为人民币（CNY） · "
                                "the amount is in USD but the currency is CNY")]  # fmt: skip
    payload, errors = parse("registration", {CURRENCY: "火星币"})
    assert payload is None and "'火星币' is not a currency" in dict(errors)[CURRENCY]


def test_a_header_carrying_a_unit_applies_it_to_bare_numbers() -> None:
    def fine(header: str, raw: str) -> str:
        payload, errors = parse("admin_penalty", {header: raw}, drop=(FINE,))
        assert not errors and payload is not None, errors
        return str(payload["fine_amount"])

    assert fine("罚款金额(元)", "5000") == "0.5"
    assert fine("罚款金额（元）", "5,000") == "0.5"
    assert fine("罚款金额(元)", "2万元") == "2"  # a unit in the cell wins
    assert fine("罚款金额", "3") == "3"
    label = "没收违法所得、没收非法财物的金额(万元)"
    payload, errors = parse("admin_penalty", {"没收违法所得": "1200元"}, drop=(label,))
    assert not errors and payload is not None and payload["confiscated_amount"] == "0.12"

    def registration(header: str, raw: str) -> tuple[str, str | None]:
        payload, errors = parse("registration", {header: raw, CURRENCY: ""}, drop=(CAPITAL,))
        assert not errors and payload is not None, errors
        return payload["registered_capital"], payload.get("currency")

    assert registration("注册资本（万元人民币）", "100") == ("100", "CNY")
    assert registration("注册资本(万美元)", "100") == ("100", "USD")
    assert registration("注册资金", "100(万元)") == ("100", None)
    assert registration("注册资本(元)", "1000000") == ("100", None)
    assert header_unit("注册资本(出资额)") is None


def test_the_real_exports_headers_are_in_the_shipped_catalogue() -> None:
    item = files.item("registration")
    headers = ["企业名称", "统一社会信用代码", "行政相对人类别", "企业类型", "注册资金",
               "成立日期", "注册地址", "登记机关", "核准时间", "企业状态"]  # fmt: skip
    mapped = map_headers(item, headers)
    assert mapped.fields["注册资金"] == "registered_capital"
    assert mapped.fields["企业状态"] == "registration_status"
    assert mapped.fields["行政相对人类别"] == "subject_type"
    for capital_header in ("注册资本(万元)", "注册资本（万元人民币）", "注册资本"):
        for status in ("登记状态", "经营状态"):
            other = [*headers[:4], capital_header, *headers[5:9], status]
            assert map_headers(item, other).fields[capital_header] == "registered_capital"
    for header in ("注册资本(万元)", "注册资本（万元人民币）", "注册资金"):
        assert (
            header in item.field("registered_capital").aliases
            or header.replace("（", "(").replace("）", ")")
            in item.field("registered_capital").aliases
        )


def test_non_money_numbers_take_no_unit() -> None:
    payload, errors = parse("tax_credit_rating", {"评价得分": "90元"})
    assert payload is None and "takes a plain number, not 元" in dict(errors)["评价得分"]


# --- subject category from the code ---------------------------------------------------


def _code(category: str) -> str:
    return codes.generate_uscc(random.Random(category), category=category, region="320505")


@pytest.mark.parametrize(
    ("category", "kind"),
    [("91", "legal_person"), ("92", "individual_business"), ("93", "legal_person"),
     ("12", "legal_person"), ("51", "legal_person")],
)  # fmt: skip
def test_the_subject_category_is_derived_from_the_uscc_without_a_column(
    category: str, kind: str
) -> None:
    columns = map_headers(files.item("registration"), list(_row("registration", {})))
    assert columns.derived == ()
    cells = _row("registration", {"统一社会信用代码": _code(category)}, drop=("主体类别",))
    columns = map_headers(files.item("registration"), list(cells))
    assert columns.derived == ("subject_type",)
    payload, errors = RowParser(columns, today=TODAY).parse(RawRow(2, cells))
    assert not errors and payload is not None
    assert payload["subject_type"] == kind


def test_a_present_category_column_is_never_overridden() -> None:
    firm, shop = _code("91"), _code("92")
    payload, errors = parse("registration", {"统一社会信用代码": shop, "主体类别": "个体工商户"})
    assert not errors and payload is not None and payload["subject_type"] == "individual_business"
    payload, errors = parse("registration", {"统一社会信用代码": shop, "主体类别": "企业"})
    assert payload is None and "but the subject category is legal_person" in errors[0][1]
    payload, errors = parse("registration", {"统一社会信用代码": firm, "主体类别": ""})
    assert payload is None and errors == [("主体类别", "必填项为空 · required")]


def test_penalties_derive_a_person_from_an_id_number() -> None:
    rng = random.Random(2)
    person = codes.generate_id_number(rng, region="320505", birth_date=date(1985, 3, 3), sex="F")
    header = "统一社会信用代码(身份证号码)"
    payload, errors = parse("admin_penalty", {header: person}, drop=("行政相对人类别",))
    assert not errors and payload is not None and payload["subject_type"] == "natural_person"


def test_without_the_code_column_the_category_column_stays_required() -> None:
    with pytest.raises(IngestFileError) as caught:
        map_headers(files.item("registration"), ["企业名称", "注册资本", "成立日期"])
    assert "主体类别" in caught.value.message


# --- property: any accepted form reads back to the same amount and currency ---------------

_UNITS = [("", 1), ("元", 1), ("千元", 1000), ("万元", 10_000), ("万", 10_000),
          ("亿元", 100_000_000), ("亿", 100_000_000)]  # fmt: skip
_CURRENCY_WORDS = [("", None)] + [
    (word, code)
    for code, spec in conventions.conventions().currencies.items()
    for word in spec.words
]
_WIDE = str.maketrans("0123456789.,()", "０１２３４５６７８９．，（）")


def _grouped(number: Decimal, separator: str) -> str:
    whole, _, fraction = format(number, "f").partition(".")
    text = f"{int(whole):,}".replace(",", separator) if separator else whole
    return text + (f".{fraction}" if fraction else "")


@st.composite
def written_amounts(draw: st.DrawFn) -> tuple[str, Decimal, int, str | None]:
    """(text, number written, scale of its unit, currency) in any accepted form."""
    cents = draw(st.integers(min_value=0, max_value=10**13))
    number = Decimal(cents).scaleb(-draw(st.integers(min_value=0, max_value=2)))
    unit, scale = draw(st.sampled_from(_UNITS))
    word, currency = draw(st.sampled_from(_CURRENCY_WORDS))
    digits = _grouped(number, draw(st.sampled_from(["", ",", "，"])))
    words = draw(st.sampled_from([unit + word, word + unit])) if word else unit
    bracket = draw(st.sampled_from(["", "()", "（）"]))
    if words and bracket:
        words = bracket[0] + words + bracket[1]
    space = draw(st.sampled_from(["", " ", "\u3000"]))
    text = draw(st.sampled_from([digits + space + words, words + space + digits]))
    if draw(st.booleans()):
        text = text.translate(_WIDE)
    if not unit and not word and draw(st.booleans()):
        text += draw(st.sampled_from(["()", "（）"]))
    return draw(st.sampled_from(["", " "])) + text, number, scale if words else 10_000, currency


_CAPITAL_SPEC = files.item("registration").field("registered_capital")
_CONVERT = decimal_converter(_CAPITAL_SPEC)


@settings(max_examples=400, deadline=None)
@given(written_amounts())
def test_any_accepted_form_reads_back_to_the_same_amount_and_currency(
    case: tuple[str, Decimal, int, str | None],
) -> None:
    text, number, scale, currency = case
    try:
        money = _CONVERT(text)
    except CellProblem as problem:  # pragma: no cover - reported with the example
        raise AssertionError(f"{text!r}: {problem.reason}") from None
    assert isinstance(money, Money)
    assert Decimal(money.amount) == number * scale / 10_000, text
    assert money.currency == currency, text


def test_json_records_take_the_same_forms_and_header_units() -> None:
    item = files.item("admin_penalty")
    record = dict(files.payloads("admin_penalty", 1, seed=6)[0])
    record.pop("fine_amount", None)
    for fine in ({"罚款金额(元)": 5000}, {"fine_amount": "人民币5,000元"}):
        parsed, errors = parse_mapping(item, record | fine, row=1, today=TODAY)
        assert not errors and parsed is not None and parsed["fine_amount"] == "0.5"
    registration = files.item("registration")
    capital_record = files.payloads("registration", 1, seed=6)[0] | {"currency": None}
    for raw, expected in (("800(万美元)", ("800", "USD")), (12.5, ("12.5", None))):
        parsed, errors = parse_mapping(
            registration, capital_record | {"registered_capital": raw}, row=1, today=TODAY
        )
        assert not errors and parsed is not None, errors
        assert (parsed["registered_capital"], parsed.get("currency")) == expected
