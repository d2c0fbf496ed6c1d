"""Cell values to canonical payloads: every spelling departments use, and precise errors."""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.ingest import files
from xinyong.catalog.schemas import CatalogItem, FieldType
from xinyong.identity import codes
from xinyong.ingest.mapping import ColumnMap, map_headers
from xinyong.ingest.readers import IngestFileError, RawRow, open_source
from xinyong.ingest.values import CellError, RowParser, parse_mapping
from xinyong.records.payload import check_payload

TODAY = files.ANCHOR  # 2026-11-01
ITEMS = [
    "admin_penalty", "registration", "admin_licence", "dishonest_judgment_debtor",
    "abnormal_operation", "serious_dishonesty_list", "honour", "credit_commitment",
    "tax_credit_rating", "contract_performance", "professional_qualification",
    "js_environmental_credit_rating",
]  # fmt: skip


def labelled(item: CatalogItem, payload: dict[str, Any]) -> dict[str, Any]:
    return {spec.label.zh: files.cell_text(payload.get(spec.name)) for spec in item.fields}


def parse(
    changes: dict[str, Any], code: str = "admin_penalty", *, seed: int = 3
) -> tuple[dict[str, Any] | None, list[CellError]]:
    """Parse one generated row of an item with some cells (by Chinese header) changed."""
    item = files.item(code)
    cells = labelled(item, files.payloads(code, 1, seed=seed)[0]) | changes
    parser = RowParser(map_headers(item, list(cells)), today=TODAY)
    return parser.parse(RawRow(7, cells))


def reason(header: str, raw: Any, code: str = "admin_penalty", **kw: Any) -> str:
    payload, errors = parse({header: raw}, code, **kw)
    assert payload is None
    mine = [e for e in errors if e.column == header]
    assert mine, errors
    assert mine[0].row == 7 and mine[0].value == str(raw)[:200]
    return mine[0].reason


def english(text: str) -> str:
    """The English half of a reason (``中文 · English``), once its Chinese half is seen."""
    chinese, sep, rest = text.partition(" · ")
    assert sep and chinese and not chinese.isascii(), text
    return rest


def field(code: str, header: str) -> str:
    return next(s.name for s in files.item(code).fields if s.label.zh == header)


def get(header: str, raw: Any, code: str = "admin_penalty", **kw: Any) -> Any:
    payload, errors = parse({header: raw}, code, **kw)
    assert not errors, errors
    assert payload is not None
    return payload.get(field(code, header))


# --- round trip -----------------------------------------------------------------------


@pytest.mark.parametrize("code", ITEMS)
def test_generated_rows_parse_to_exactly_the_canonical_payload(code: str) -> None:
    item = files.item(code)
    rows = files.payloads(code, 150, seed=11)
    parser = RowParser(map_headers(item, [s.label.zh for s in item.fields]), today=TODAY)
    for number, payload in enumerate(rows, start=2):
        parsed, errors = parser.parse(RawRow(number, labelled(item, payload)))
        assert not errors, (payload, errors)
        assert parsed is not None
        assert check_payload(item, parsed) == parsed
        assert parsed == check_payload(item, payload)


# --- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "2024-01-05", "2024/1/5", "2024.1.5", "2024-1-5", "2024年1月5日", "2024年01月05日",
        "２０２４年１月５日", "20240105", "2024-01-05 10:30:00", "2024/01/05 00:00", " 2024-01-05 ",
        "45296", 45296, 45296.75, 20240105, datetime(2024, 1, 5, 9, 30), date(2024, 1, 5),
    ],
)  # fmt: skip
def test_date_forms(raw: Any) -> None:
    assert get("处罚决定日期", raw) == "2024-01-05"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("2024-02-30", "2024-02-30 is not a date: 2024-02 has 29 days"),
        ("2023/2/29", "2023-02 has 28 days"),
        ("2024-13-01", "there is no month 13"),
        ("2024年4月31日", "2024-04 has 30 days"),
        ("20241301", "there is no month 13"),
        ("24/1/5", "is not a date: write it as 2024-01-05"),
        ("2024", "is not a date"),
        ("1899-12-31", "outside the years 1900 to 2099"),
        ("2026-11-02", "2026-11-02 is in the future (today is 2026-11-01)"),
        ("=TODAY()", "a formula, not a value"),
        ("#N/A", "Excel error value #N/A"),
        ("长期", "is not a date"),  # only fields whose catalogue entry says so take 长期
    ],
)
def test_impossible_dates_say_why(raw: str, fragment: str) -> None:
    assert fragment in reason("处罚决定日期", raw)


def test_long_term_words_come_from_the_catalogue() -> None:
    assert get("有效期至", "长期", "admin_licence") == "2099-12-31"
    assert get("有效期至", " 长期有效 ", "admin_licence") == "2099-12-31"
    assert get("处罚有效期", "无期限") == "2099-12-31"
    assert get("营业期限至", "长期", "registration") is None  # 长期的不填


def test_date_order_and_the_future_are_catalogue_rules() -> None:
    payload, errors = parse({"有效期自": "2025-03-01", "有效期至": "2024-03-01"}, "admin_licence")
    assert payload is None
    assert ("有效期至", "2024-03-01 is before 有效期自 2025-03-01") in [
        (e.column, english(e.reason)) for e in errors
    ]
    assert get("有效期至", "2030-01-01", "admin_licence") == "2030-01-01"  # the future is fine
    assert "is in the future" in reason("列入日期", "2027-01-01", "abnormal_operation")


# --- amounts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234.50", "1234.5"), ("1,234.50", "1234.5"), ("1,234.5万元", "1234.5"),
        ("12345元", "1.2345"), ("￥12,345元", "1.2345"), ("¥ 12,345 元", "1.2345"),
        ("１２３４５元", "1.2345"), ("人民币5000元", "0.5"), ("1.5亿元", "15000"), ("3万", "3"),
        ("0", "0"), ("0.00", "0"), ("200", "200"), (12.5, "12.5"), (3, "3"), (0.1 + 0.2, "0.3"),
        ("无", None), ("/", None), ("", None),
    ],
)  # fmt: skip
def test_amounts_in_the_fields_unit(raw: Any, expected: str | None) -> None:
    assert get("罚款金额(万元)", raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("-5", "-5 is negative (at least 0)"),
        ("(1,234.50)", "-1234.50 is negative"),
        ("-3000元", "negative"),
        ("1,23", "is not an amount"),
        ("1.2E+5", "scientific notation"),
        ("12345美元", "an amount in USD: 罚款金额(万元) takes amounts in CNY only"),
        ("五千元", "is not an amount"),
        (True, "expected a number"),
    ],
)
def test_bad_amounts_say_why(raw: Any, fragment: str) -> None:
    assert fragment in reason("罚款金额(万元)", raw)


def test_amount_bounds_and_units_are_catalogue_data() -> None:
    assert "above the maximum 100" in reason("评价得分", "100.5", "tax_credit_rating")
    assert "takes a plain number, not 元" in reason("评价得分", "90元", "tax_credit_rating")
    assert get("评价年度", "2023", "tax_credit_rating") == 2023
    assert get("评价年度", 2023.0, "tax_credit_rating") == 2023
    assert "not a whole number" in reason("评价年度", "2023.5", "tax_credit_rating")


# --- codes ----------------------------------------------------------------------------


def test_codes_are_normalised_and_checked() -> None:
    good = files.payloads("admin_penalty", 1)[0]["authority_code"]
    assert get("处罚机关统一社会信用代码", good.lower()) == good
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in good)
    assert get("处罚机关统一社会信用代码", f" {full_width} ") == good
    wrong = codes.USCC_CHARS[(codes.USCC_CHARS.index(good[17]) + 1) % 31]
    assert "check character is" in reason("处罚机关统一社会信用代码", good[:17] + wrong)
    assert english(reason("处罚机关统一社会信用代码", good[:16])) == "length 16, expected 18"


def test_subject_codes_of_each_kind() -> None:
    rng = random.Random(3)
    person = codes.generate_id_number(rng, region="320505", birth_date=date(1980, 5, 1), sex="F")
    firm = codes.generate_uscc(rng, category="91", region="320505")
    shop = codes.generate_uscc(rng, category="92", region="320505")
    header, kind = "统一社会信用代码(身份证号码)", "行政相对人类别"
    assert parse({header: person, kind: "自然人"})[0]["subject_code"] == person  # type: ignore[index]
    assert parse({header: firm, kind: "法人及非法人组织"})[0]["subject_code"] == firm  # type: ignore[index]
    assert parse({header: shop, kind: "个体工商户"})[0]["subject_code"] == shop  # type: ignore[index]
    bad_person = person[:17] + ("0" if person[17] != "0" else "1")
    assert "check digit" in reason(header, bad_person)
    mismatches = [
        (firm, "自然人"),
        (person, "法人"),
        (firm, "个体工商户"),
        (shop, "法人及非法人组织"),
    ]
    for code, category in mismatches:
        payload, errors = parse({header: code, kind: category})
        assert payload is None and [e.column for e in errors] == [header], (code, category)
    assert "an organisation's code, but the subject category is natural_person" in (
        parse({header: firm, kind: "自然人"})[1][0].reason
    )


def test_codes_stored_as_numbers_in_excel() -> None:
    header = "统一社会信用代码(身份证号码)"
    assert "stored as a number, which loses digits" in reason(header, 3.20505198001011e17)
    rng = random.Random(5)
    number = codes.generate_id_number(rng, region="320505", birth_date=date(1990, 1, 2), sex="M")
    if number[-1] != "X":
        payload, _ = parse({header: int(number), "行政相对人类别": "自然人"})
        assert payload is not None and payload["subject_code"] == number


def test_a_uscc_column_refuses_an_id_number() -> None:
    rng = random.Random(9)
    person = codes.generate_id_number(rng, region="320505", birth_date=date(1980, 5, 1), sex="F")
    text = reason("处罚机关统一社会信用代码", person)
    assert english(text) == "a citizen ID number, expected a unified social credit code"


# --- enumerations and text ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("警告", ["警告"]), ("警告;罚款", ["警告", "罚款"]), ("警告；罚款；警告", ["警告", "罚款"]),
        ("吊销执照、罚款", ["吊销许可证件", "罚款"]), (" 停产停业 ", ["责令停产停业"]),
        (["罚款", "警告"], ["罚款", "警告"]),
    ],
)  # fmt: skip
def test_penalty_categories_and_their_aliases(raw: Any, expected: list[str]) -> None:
    assert get("处罚类别", raw) == expected


def test_enumerations() -> None:
    assert get("行政相对人类别", "法人及非法人 组织", seed=5) in ("legal_person",)
    assert get("当前状态", "1", "admin_licence") == "有效"
    assert get("当前状态", 2, "admin_licence") == "无效"
    assert get("荣誉级别", "县（区）级", "honour") == "县(区)级"
    message = reason("处罚类别", "警告;拘役")
    assert english(message).startswith("'拘役' is not one of 警告, 通报批评, 罚款")
    assert "(or 吊销许可证" in message


def test_text_is_cleaned_but_kept() -> None:
    messy = "\u200b 苏州\u202e华信\x07有限公司\r\n "
    assert get("行政相对人名称", messy) == "苏州华信有限公司"
    assert get("违法事实", "第一行\r\n\t第二行\x0b\u2028第三行") == "第一行\n\t第二行\n第三行"
    assert get("违法行为类型", "甲\n乙\t丙") == "甲 乙 丙"
    assert get("备注", "<script>alert('x')</script>") == "<script>alert('x')</script>"
    assert get("备注", '=HYPERLINK("http://x","y")') == '=HYPERLINK("http://x","y")'
    assert get("备注", "全角\u3000空格") == "全角\u3000空格"
    assert get("许可编号", 12345.0, "admin_licence") == "12345"
    assert "Excel error value #REF!" in reason("备注", "#REF!")


def test_lengths_patterns_and_required_fields() -> None:
    too_long = reason("行政相对人名称", "名" * 201)
    assert english(too_long) == "201 characters, more than the 200 allowed"
    assert "required form" in reason("国民经济行业代码", "Z99", "registration")
    assert get("国民经济行业代码", "F5123", "registration") == "F5123"
    payload, errors = parse({"行政相对人名称": " ", "处罚决定日期": "无", "罚款金额(万元)": "-1"})
    assert payload is None
    assert {(e.column, english(e.reason)) for e in errors} >= {
        ("行政相对人名称", "required"),
        ("处罚决定日期", "required"),
        ("罚款金额(万元)", "-1 is negative (at least 0)"),
    }


# --- JSON records ---------------------------------------------------------------------


def test_parse_mapping_takes_field_names_and_any_header() -> None:
    item = files.item()
    payload = files.payloads("admin_penalty", 1, seed=8)[0]
    record = dict(payload)
    record["罚款金额"] = "5000元"
    record.pop("fine_amount", None)
    record["Decision date"] = record.pop("decision_date").replace("-", "/")
    parsed, errors = parse_mapping(item, record, row=4, today=TODAY)
    assert not errors and parsed is not None
    assert parsed["fine_amount"] == "0.5" and parsed["decision_date"] == payload["decision_date"]
    assert parsed == check_payload(item, parsed)
    partial = {k: v for k, v in payload.items() if k != "authority_code"} | {"colour": "red"}
    parsed, errors = parse_mapping(item, partial, row=5, today=TODAY)
    assert parsed is None
    assert {(e.row, e.column, english(e.reason)) for e in errors} == {
        (5, "authority_code", "required"),
        (5, "colour", "unknown field of admin_penalty"),
    }
    doubled = payload | {"统一社会信用代码": payload["subject_code"]}
    _, errors = parse_mapping(item, doubled, row=6, today=TODAY)
    assert [english(e.reason) for e in errors] == ["subject_code given twice"]


def test_rows_with_keys_outside_the_map_are_refused() -> None:
    item = files.item()
    payload = files.payloads("admin_penalty", 1)[0]
    parser = RowParser(ColumnMap(item, {k: k for k in payload}, []), today=TODAY)
    assert parser.parse(RawRow(2, dict(payload)))[1] == []
    _, errors = parser.parse(RawRow(3, dict(payload) | {"extra": "x"}))
    assert [(e.column, english(e.reason)) for e in errors] == [
        ("extra", "unknown field of admin_penalty")
    ]


# --- headers --------------------------------------------------------------------------


def test_headers_match_labels_aliases_english_and_full_width() -> None:
    item = files.item()
    headers = [s.label.zh for s in item.fields]
    headers[0] = "  行政相对人名称 "
    headers[12] = "罚款金额（万元）"
    headers[3] = "Legal representative"
    headers[6] = "*行政处罚决定书文号（必填）"
    mapped = map_headers(item, ["序号", *headers])
    assert mapped.ignored == ["序号"]
    assert mapped.fields["罚款金额（万元）"] == "fine_amount"
    assert mapped.fields["Legal representative"] == "legal_representative"
    assert mapped.fields["*行政处罚决定书文号（必填）"] == "decision_number"
    assert mapped.fields["  行政相对人名称 "] == "subject_name"


@pytest.mark.parametrize(
    ("change", "reason_", "fragment"),
    [
        ({0: None}, "missing_columns", "missing column(s) '行政相对人名称' (subject_name)"),
        ({1: "处罚决定日期"}, "duplicate_header", "'处罚决定日期' appears twice"),
        ({1: "企业名称"}, "duplicate_field", "'行政相对人名称' and '企业名称' both fill"),
        ({22: "处罚金額"}, "unknown_column", "unknown column '处罚金額'"),
        ({22: ""}, "empty_header", "is empty"),
    ],
)
def test_header_problems_are_named(
    change: dict[int, str | None], reason_: str, fragment: str
) -> None:
    item = files.item()
    headers: list[str | None] = [s.label.zh for s in item.fields]
    for index, header in change.items():
        headers[index] = header
    with pytest.raises(IngestFileError) as caught:
        map_headers(item, [h for h in headers if h is not None])
    assert fragment in caught.value.message, caught.value.message
    reasons = [p["reason"] for p in caught.value.details["problems"]]
    assert reason_ in reasons


def test_english_and_full_width_headers_make_a_whole_file() -> None:
    item = files.item()
    english = map_headers(item, [s.label.en for s in item.fields])
    assert english.fields["Decision date"] == "decision_date" and not english.ignored
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" for c in "Fine (10k yuan)")
    headers = [s.label.zh for s in item.fields]
    headers[12] = wide  # Ｆｉｎｅ　（１０ｋ　ｙｕａｎ）
    assert map_headers(item, headers).fields[wide] == "fine_amount"


def test_a_workbook_of_generated_rows_parses_to_the_same_payloads(tmp_path: Path) -> None:
    item = files.item()
    payloads = files.payloads("admin_penalty", 60, seed=21)
    headers, rows = files.table("admin_penalty", payloads)
    typed: list[list[Any]] = []
    for row in rows:  # dates as date cells, amounts as numbers, as Excel holds them
        cells: list[Any] = list(row)
        for index, spec in enumerate(item.fields):
            if spec.type is FieldType.date and cells[index]:
                cells[index] = datetime.fromisoformat(cells[index])
            elif spec.type is FieldType.decimal and cells[index]:
                cells[index] = float(cells[index])
        typed.append(cells)
    source = open_source(files.write_xlsx(tmp_path / "p.xlsx", headers, typed))
    parser = RowParser(map_headers(item, source.headers), today=TODAY)
    parsed = [parser.parse(row) for row in source.rows()]
    assert [errors for _, errors in parsed if errors] == []
    assert [payload for payload, _ in parsed] == [check_payload(item, p) for p in payloads]
