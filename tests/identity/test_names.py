"""Name folding, organisation-name parsing and person-name masking.

The core tests need nothing but the package. The tests on real names read
``../shared/data/real`` next to the repository and are skipped where it is absent.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.identity.names import (
    fold,
    mask_person_name,
    normalize_org_name,
    normalize_person_name,
    parse_org_name,
)

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"


def real_file(relative: str) -> Path:
    path = REAL / relative
    if not path.exists():
        pytest.skip(f"shared data {relative} is not available")
    return path


# --- fold ---------------------------------------------------------------------------


def test_fold_converts_traditional_to_simplified() -> None:
    assert fold("臺灣聯想電腦有限公司") == "台湾联想电脑有限公司"


def test_fold_keeps_standard_characters_that_opencc_would_change() -> None:
    assert fold("厦门乾照光电股份有限公司") == "厦门乾照光电股份有限公司"
    assert fold("安徽瑞昇食品有限公司") == "安徽瑞昇食品有限公司"


def test_fold_makes_full_width_half_width_and_upper_case() -> None:
    assert fold("ＡＢＣ１２３ｘｙｚ") == "ABC123XYZ"
    assert fold("tcl科技") == "TCL科技"


@pytest.mark.parametrize(
    "text", ["（北京）", "【北京】", "〔北京〕", "[北京]", "〖北京〗", "( 北京 )"]
)
def test_fold_unifies_brackets(text: str) -> None:
    assert fold(text) == "(北京)"


def test_fold_removes_whitespace_but_keeps_one_space_between_latin_words() -> None:
    assert fold("\u3000北京 某某\u00a0科技\t有限公司 ") == "北京某某科技有限公司"
    assert fold("ABC   technology 有限公司") == "ABC TECHNOLOGY有限公司"
    assert fold("3M 中国有限公司") == "3M中国有限公司"


def test_fold_drops_control_and_format_characters() -> None:
    assert fold("某某\u200b科技\x00有限\ufeff公司\u202e") == "某某科技有限公司"


def test_fold_is_idempotent() -> None:
    text = "深圳市振業（集團）股份有限公司　ＡＢＣ Ｔｅｃｈ"
    assert fold(fold(text)) == fold(text)


# Characters of names as departments write them: CJK, ASCII, full-width forms, bracket and
# space variants, zero-width marks. (Outside these, NFKC can leave a combining mark that a
# second fold composes: fold("A\u00b4") is not idempotent.)
NAME_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),
        st.sampled_from("（）【】〔〕〖〗\u3000\u00a0\t\u200b\ufeff"),
    )
)
# Simplified characters common in firm names, with Latin letters, digits and brackets.
FIRM_CHARS = (
    "北京上海深圳苏州南京杭州华东方科技贸易实业发展电子信息网络工程建设环境能源医药食品"
    "服务咨询管理投资集团股份有限公司分厂店中心银行支行新世纪恒达宏远鑫盛隆泰和顺丰华润"
    "联想电脑机械设备制造进出口物流运输广告文化传媒教育培训房地产开发汽车销售"
)
FIRM_TEXT = st.text(alphabet=st.sampled_from(FIRM_CHARS + "ABCXYZabc0123456789 -&.()"))


def full_width(text: str) -> str:
    """ASCII as its full-width forms (space as the ideographic space)."""
    return "".join(
        "\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text
    )


def traditional(text: str) -> str:
    """The text in traditional characters (OpenCC s2t)."""
    return str(_s2t().convert(text))


@lru_cache(maxsize=1)
def _s2t() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


@given(NAME_TEXT)
@settings(max_examples=300)
def test_fold_is_idempotent_on_any_name_text(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(FIRM_TEXT)
@settings(max_examples=300)
def test_fold_ignores_full_width_and_traditional_writing(text: str) -> None:
    assert fold(full_width(text)) == fold(text)
    assert fold(traditional(text)) == fold(text)
    assert fold(traditional(full_width(text))) == fold(text)


@given(FIRM_TEXT)
@settings(max_examples=100)
def test_normalize_org_name_is_idempotent_and_ignores_width_and_script(text: str) -> None:
    normal = normalize_org_name(text)
    assert normalize_org_name(normal) == normal
    assert normalize_org_name(traditional(full_width(text))) == normal


# --- organisation names -----------------------------------------------------------


def test_normalize_writes_the_canonical_legal_form() -> None:
    assert normalize_org_name("某某科技有限责任公司") == "某某科技有限公司"
    assert normalize_org_name("某某科技股份有限公司") == "某某科技股份有限公司"
    assert normalize_org_name("某某有限責任公司北京分公司") == "某某有限公司北京分公司"


def test_normalize_is_conservative_about_regions() -> None:
    assert normalize_org_name("澳妆（上海）国际贸易有限公司") == "澳妆(上海)国际贸易有限公司"
    assert normalize_org_name("上海澳妆国际贸易有限公司") == "上海澳妆国际贸易有限公司"


def test_parse_reads_region_trade_name_industry_and_form() -> None:
    parsed = parse_org_name("广州市天河区棠下丹妮贸易商行")
    assert parsed.region == "广州市天河区"
    assert parsed.region_code == "440106"
    assert (parsed.trade_name, parsed.industry, parsed.form) == ("棠下丹妮", "贸易", "商行")
    assert parsed.branch is None and parsed.head_office is None


def test_parse_individual_business() -> None:
    parsed = parse_org_name("翁源县觉照禅书店")
    assert (parsed.region, parsed.trade_name) == ("翁源县", "觉照禅")
    assert (parsed.industry or "") + (parsed.form or "") == "书店"


def test_region_in_brackets_gives_the_same_key_as_region_first() -> None:
    bracketed = parse_org_name("某某科技（北京）有限公司")
    leading = parse_org_name("北京某某科技有限公司")
    assert bracketed.region_in_brackets and not leading.region_in_brackets
    assert bracketed.region == leading.region == "北京"
    assert bracketed.region_code == leading.region_code == "110000"
    assert bracketed.trade_name == leading.trade_name == "某某"
    assert bracketed.key == leading.key
    assert bracketed.normalized != leading.normalized


def test_limited_liability_forms_are_equivalent_and_joint_stock_is_not() -> None:
    llc = parse_org_name("苏州同建工程管理有限责任公司")
    ltd = parse_org_name("苏州同建工程管理有限公司")
    stock = parse_org_name("苏州同建工程管理股份有限公司")
    assert llc.form == ltd.form == "有限公司"
    assert llc.key == ltd.key
    assert stock.form == "股份有限公司" and stock.key != ltd.key


def test_firms_differing_only_in_trade_name_have_different_keys() -> None:
    assert parse_org_name("苏州同建科技有限公司").key != parse_org_name("苏州同达科技有限公司").key


def test_bank_branch() -> None:
    parsed = parse_org_name("中国建设银行股份有限公司郫县支行")
    assert parsed.head_office == "中国建设银行股份有限公司"
    assert parsed.branch == "郫县支行"
    assert parsed.form == "股份有限公司"
    assert parsed.region == "郫县" and parsed.region_code == "510124"
    assert parsed.key != parse_org_name("中国建设银行股份有限公司").key


def test_company_branch_with_its_own_region() -> None:
    parsed = parse_org_name("苏州同建科技有限责任公司北京分公司")
    assert parsed.head_office == "苏州同建科技有限公司"
    assert (parsed.branch, parsed.region, parsed.region_code) == ("北京分公司", "北京", "110000")
    assert (parsed.trade_name, parsed.industry) == ("同建", "科技")


def test_branch_without_a_written_form() -> None:
    parsed = parse_org_name("泽信控股邯郸分公司")
    assert (parsed.head_office, parsed.branch, parsed.trade_name) == (
        "泽信控股",
        "邯郸分公司",
        "泽信",
    )


def test_group_form_in_brackets() -> None:
    parsed = parse_org_name("深圳市振业（集团）股份有限公司")
    assert (parsed.region, parsed.trade_name) == ("深圳市", "振业")
    assert parsed.form == "(集团)股份有限公司"
    assert parsed.key == parse_org_name("深圳市振业集团股份有限公司").key


def test_region_after_the_trade_name() -> None:
    parsed = parse_org_name("新月能源石家庄公司")
    assert (parsed.trade_name, parsed.industry, parsed.region) == ("新月", "能源", "石家庄")


def test_short_region_forms_and_autonomous_counties() -> None:
    parsed = parse_org_name("新宾满族自治县响水河农机有限公司")
    assert (parsed.region, parsed.region_code) == ("新宾满族自治县", "210422")
    short = parse_org_name("新宾响水河农机有限公司")
    assert (short.region, short.region_code, short.trade_name) == ("新宾", "210422", "响水河")
    assert parse_org_name("广西容县木木三农业有限公司").trade_name == "木木三"


def test_a_short_form_outside_the_region_before_it_is_a_trade_name() -> None:
    parsed = parse_org_name("南宁威宁资产有限责任公司")
    assert (parsed.region, parsed.trade_name, parsed.industry) == ("南宁", "威宁", "资产")


def test_name_without_trade_name() -> None:
    parsed = parse_org_name("无锡市保险公司")
    assert (parsed.region, parsed.trade_name, parsed.industry) == ("无锡市", None, "保险")
    assert parsed.key != parse_org_name("大庆市保险公司").key


def test_town_after_region() -> None:
    parsed = parse_org_name("昆山千灯镇南野智能科技店")
    assert parsed.trade_name == "南野"
    assert parsed.region == "昆山千灯镇" and parsed.region_code == "320583"


def test_parse_survives_odd_input() -> None:
    for text in ["", " ", "公司", "（）", "有限公司分公司", "ABC", "第一名称:某厂 第二名称:某公司"]:
        parsed = parse_org_name(text)
        assert parsed.raw == text


def test_data_files_are_folded_and_free_of_duplicates() -> None:
    folder = resources.files("xinyong.identity").joinpath("data")
    files = [f for f in folder.iterdir() if f.name.startswith("names_")]
    assert len(files) >= 6
    for path in files:
        entries = [
            line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()
        ]
        entries = [e.split("=")[0].strip() for e in entries if e]
        assert all(fold(e) == e for e in entries), path.name
        duplicates = [e for e, n in Counter(entries).items() if n > 1]
        assert not duplicates, (path.name, duplicates)


# --- person names -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张 伟", "张伟"),
        ("張偉", "张伟"),
        ("阿卜杜拉•买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉 ・ 买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉.买买提", "阿卜杜拉·买买提"),
        ("john   smith", "JOHN SMITH"),
    ],
)
def test_normalize_person_name(raw: str, expected: str) -> None:
    assert normalize_person_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("张伟", "张*"),
        ("张小伟", "张*伟"),
        ("欧阳小明", "欧**明"),
        ("阿卜杜拉·买买提", "阿***·**提"),
        ("张", "*"),
        ("", ""),
    ],
)
def test_mask_person_name(raw: str, masked: str) -> None:
    assert mask_person_name(raw) == masked


# --- real names (../shared/data/real) -----------------------------------------------


def test_groundtruth_trade_names() -> None:
    path = real_file("name_matching/companynameparser_groundtruth.txt")
    labelled = [line.split(" ") for line in path.read_text(encoding="utf-8").splitlines()]
    labelled = [parts for parts in labelled if len(parts) == 2]
    misses = [(n, want) for n, want in labelled if parse_org_name(n).trade_name != want]
    share = 1 - len(misses) / len(labelled)
    print(f"\ntrade names: {len(labelled) - len(misses)}/{len(labelled)} = {share:.1%}")
    for name, want in misses:
        print(f"  miss: {name} (label {want}, parsed {parse_org_name(name).trade_name})")
    assert share >= 0.95


def _rows(relative: str) -> list[dict[str, str]]:
    with real_file(relative).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


_ODD_SPACE = re.compile(r"(?<![A-Z0-9.,&'\-]) | (?![A-Z0-9&])")


def test_registry_names_parse_and_normalise() -> None:
    rows = _rows("registry/enterprise_registry_sample.csv")
    agree = compared = 0
    for row in rows:
        parsed = parse_org_name(row["企业名称"])
        assert normalize_org_name(parsed.normalized) == parsed.normalized
        assert not re.search(r"[（）【】〔〕\u3000\u00a0\uff01-\uff5e]", parsed.normalized)
        assert not _ODD_SPACE.search(parsed.normalized), parsed.normalized
        registered = row["统一社会信用代码"][2:8]
        if parsed.region_code and registered.isdigit():
            compared += 1
            agree += parsed.region_code[:2] == registered[:2]
    print(f"\nregistry: {len(rows)} names; region province = USCC province {agree}/{compared}")
    assert len(rows) > 40_000
    assert agree / compared >= 0.98


def test_registry_edge_cases_normalise_as_expected() -> None:
    rows = _rows("registry/enterprise_registry_sample.csv")
    names = {r["企业名称"] for r in rows}
    assert sum(r["stratum"] == "name_edge_case" for r in rows) >= 900
    samples = {
        "云易融（天津）网络科技有限公司": "云易融(天津)网络科技有限公司",
        "山东省 博兴县炬明厨具厂": "山东省博兴县炬明厨具厂",
        "西门子( 中国 )有限公司武汉分公司": "西门子(中国)有限公司武汉分公司",
        "日本ＮＥＣ东金株式会社大连代表处": "日本NEC东金株式会社大连代表处",
        "中国人民健康保险股份有限公司 呼伦贝尔中心支公司": (
            "中国人民健康保险股份有限公司呼伦贝尔中心支公司"
        ),
    }
    for raw, expected in samples.items():
        assert raw in names
        assert normalize_org_name(raw) == expected
    siemens = parse_org_name("西门子( 中国 )有限公司武汉分公司")
    assert (siemens.trade_name, siemens.branch, siemens.region) == ("西门子", "武汉分公司", "武汉")
    assert siemens.region_in_brackets


def test_listed_company_names() -> None:
    rows = _rows("listed/szse_name_variants_with_uscc.csv")
    code_column = next(c for c in rows[0] if c.startswith("统一社会信用代码"))
    agree = compared = with_trade = 0
    for row in rows:
        parsed = parse_org_name(row["公司全称"])
        with_trade += parsed.trade_name is not None
        code = row[code_column]
        if parsed.region_code and len(code) == 18:
            compared += 1
            agree += parsed.region_code[:2] == code[2:4]
    print(
        f"\nSZSE: {len(rows)} names, {with_trade} with a trade name; "
        f"region province = USCC province {agree}/{compared}"
    )
    zhenye = parse_org_name("深圳市振业(集团)股份有限公司")
    assert (zhenye.region_code, zhenye.trade_name) == ("440300", "振业")
    assert with_trade / len(rows) >= 0.9
    assert agree / compared >= 0.98
