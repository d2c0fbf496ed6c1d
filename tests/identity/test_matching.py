"""Name matching rules: organisations, persons, codes; scores, decisions, explanations."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import pytest

from xinyong.identity import codes
from xinyong.identity.matching import MatchIndex, MatchResult, Party, match_names
from xinyong.identity.matching.config import default_config
from xinyong.identity.matching.orgs import compare_orgs, may_match
from xinyong.identity.matching.parts import org_parts, short_core

_rng = random.Random(20261121)


@dataclass
class _Row:
    id: int
    kind: str
    name: str
    uscc: str | None = None
    id_number: str | None = None


def _index(*names: str) -> MatchIndex:
    return MatchIndex.build_from_rows(
        _Row(i, "legal_person", name) for i, name in enumerate(names, start=1)
    )


def _parts(result: MatchResult) -> dict[str, str]:
    return {e.part: e.outcome for e in result.evidence}


def _uscc(region: str = "320505") -> str:
    return codes.generate_uscc(_rng, category="91", region=region)


def _id_number(birth: date = date(1988, 3, 9)) -> str:
    return codes.generate_id_number(_rng, region="320508", birth_date=birth, sex="M")


# --- organisations ---------------------------------------------------------------------


def test_a_different_trade_name_is_a_different_firm() -> None:
    result = match_names("深圳市易连科技开发有限公司", "深圳市易达科技开发有限公司")
    assert result.decision == "no_match"
    assert result.score < default_config().thresholds.possible
    assert _parts(result) == {"trade_name": "differ"}
    assert result.kind == "organisation"


@pytest.mark.parametrize(
    "other",
    [
        "某某科技（北京）有限公司",
        "某某科技(北京)有限公司",
        "某某科技有限公司",
        "北京市某某科技有限公司",
    ],
)
def test_region_absent_or_in_brackets_is_the_same_firm(other: str) -> None:
    result = match_names("北京某某科技有限公司", other)
    assert result.decision == "match", result.explanation
    assert _parts(result)["trade_name"] == "agree"


def test_region_absent_is_ambiguous_when_the_registry_holds_another_region() -> None:
    lonely = _index("北京某某科技有限公司", "苏州同建工程管理有限公司")
    crowded = _index("北京某某科技有限公司", "上海某某科技有限公司")
    alone = match_names("某某科技有限公司", "北京某某科技有限公司", index=lonely)
    assert alone.decision == "match"
    shared = match_names("某某科技有限公司", "北京某某科技有限公司", index=crowded)
    assert shared.decision == "possible"
    assert _parts(shared)["region"] == "ambiguous"


def test_different_regions_are_different_firms() -> None:
    result = match_names("北京某某科技有限公司", "上海某某科技有限公司")
    assert result.decision == "no_match"
    assert _parts(result)["region"] == "differ"


def test_nested_regions_match_unless_the_registry_holds_both() -> None:
    assert match_names("苏州市卓琅咨询有限公司", "常熟市卓琅咨询有限公司").decision == "match"
    both = _index("苏州市卓琅咨询有限公司", "常熟市卓琅咨询有限公司")
    result = match_names("苏州市卓琅咨询有限公司", "常熟市卓琅咨询有限公司", index=both)
    assert result.decision == "no_match"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("苏州同建工程管理有限责任公司", "苏州同建工程管理有限公司"),
        ("蘇州市鑫韻生物科技有限公司", "苏州市鑫韵生物科技有限公司"),
        ("苏州市 鑫韵生物\u3000科技有限公司", "苏州市鑫韵生物科技有限公司"),
        ("ＡＢＣ科技（苏州）有限公司", "苏州ABC科技有限公司"),
        ("相城區張春乾洗店", "相城区张春干洗店"),
        ("平安银行", "平安银行股份有限公司"),
    ],
)
def test_the_same_name_written_differently_matches(a: str, b: str) -> None:
    result = match_names(a, b)
    assert result.decision == "match", result.explanation


def test_same_trade_name_in_another_industry_is_another_firm() -> None:
    result = match_names("苏州同建科技有限公司", "苏州同建物流有限公司")
    assert result.decision == "no_match"
    assert _parts(result)["industry"] == "differ"


def test_joint_stock_against_limited_company_is_only_possible() -> None:
    result = match_names("苏州同建科技股份有限公司", "苏州同建科技有限公司")
    assert result.decision == "possible"
    assert _parts(result)["form"] == "differ"


def test_a_branch_is_related_to_its_head_office_but_not_the_same() -> None:
    for branch_word in ("北京分公司", "营业部", "吴中支行", "分店", "上海办事处"):
        result = match_names(f"苏州同建科技有限公司{branch_word}", "苏州同建科技有限公司")
        assert result.decision == "no_match", branch_word
        assert result.relation == "a_branch_of_b"
        assert _parts(result)["branch"] == "related"
    reverse = match_names("苏州同建科技有限公司", "苏州同建科技有限公司北京分公司")
    assert reverse.relation == "b_branch_of_a"


def test_two_branches_of_one_head_office_are_siblings() -> None:
    result = match_names("苏州同建科技有限公司北京分公司", "苏州同建科技有限公司上海分公司")
    assert result.decision == "no_match"
    assert result.relation == "same_head_office"


def test_the_same_branch_written_differently_matches() -> None:
    pairs = [
        ("中国电信集团有限公司广宗分公司府前街营业厅", "中国电信集团公司广宗县分公司府前街营业厅"),
        ("华安财产保险股份有限公司都安支公司", "华安财产保险股份有限公司广西分公司都安支公司"),
        ("苏州同建科技有限公司北京分公司", "蘇州同建科技有限責任公司北京分公司"),
    ]
    for a, b in pairs:
        result = match_names(a, b)
        assert result.decision == "match", result.explanation
        assert result.relation is None


def test_a_branch_of_another_firm_is_unrelated() -> None:
    result = match_names("苏州同达科技有限公司北京分公司", "苏州同建科技有限公司")
    assert result.decision == "no_match" and result.relation is None


def test_short_names_need_the_registry_to_be_unambiguous() -> None:
    full = "深圳市振业(集团)股份有限公司"
    assert match_names("深振业Ａ", full).decision == "possible"
    unique = _index(full, "深圳市物业发展(集团)股份有限公司", "苏州同建科技有限公司")
    resolved = match_names("深振业Ａ", full, index=unique)
    assert resolved.decision == "match", resolved.explanation
    assert _parts(resolved) == {"short_name": "agree"}
    twins = _index(full, "深圳振业地产股份有限公司")
    assert match_names("深振业Ａ", full, index=twins).decision == "possible"
    elsewhere = match_names("深振业Ａ", "深圳振业地产股份有限公司", index=unique)
    assert elsewhere.decision == "no_match"


def test_short_names_may_start_with_a_region_abbreviation() -> None:
    full = "康佳集团股份有限公司"
    index = _index(full, "深圳市康达尔(集团)股份有限公司", "苏州同建科技有限公司")
    assert match_names("深康佳Ａ", full, index=index).decision == "match"
    assert short_core("*ST生物") == "生物" and short_core("万科A") == "万科"


# --- persons ---------------------------------------------------------------------------


def test_same_characters_are_a_weak_person_match() -> None:
    result = match_names("张伟", "张 伟")
    assert result.kind == "person"
    assert result.decision == "possible"
    assert _parts(result)["name"] == "agree"
    assert match_names("張偉", "张伟").decision == "possible"


def test_an_agreeing_id_number_or_birth_date_makes_a_person_match() -> None:
    number = _id_number()
    same_id = match_names(Party("张伟", number), Party("张 伟", number))
    assert same_id.decision == "match" and _parts(same_id)["id_number"] == "agree"
    assert number not in same_id.explanation  # ID numbers are shown masked
    by_birth = match_names(Party("张伟", number), Party("張偉", birth_date=date(1988, 3, 9)))
    assert by_birth.decision == "match" and _parts(by_birth)["birth_date"] == "agree"


def test_a_disagreeing_id_number_or_birth_date_is_no_match() -> None:
    other = match_names(Party("张伟", _id_number()), Party("张伟", _id_number(date(1990, 1, 1))))
    assert other.decision == "no_match" and _parts(other)["id_number"] == "differ"
    born = match_names(
        Party("张伟", birth_date=date(1988, 3, 9)), Party("张伟", birth_date=date(1989, 3, 9))
    )
    assert born.decision == "no_match" and _parts(born)["birth_date"] == "differ"


def test_same_pinyin_different_characters_is_no_match() -> None:
    result = match_names("张伟", "张玮")
    assert result.decision == "no_match"
    assert "same pinyin" in result.explanation


def test_kind_is_read_from_the_names_when_not_given() -> None:
    assert match_names("王雨花", "王雨花").kind == "person"
    assert match_names("阿卜杜拉·买买提", "阿卜杜拉•买买提").kind == "person"
    assert match_names("全新好", "深圳市全新好股份有限公司").kind == "organisation"
    assert match_names("张伟", "张伟", kind="organisation").kind == "organisation"


# --- codes -----------------------------------------------------------------------------


def test_the_same_code_matches_whatever_the_names() -> None:
    code = _uscc()
    result = match_names(Party("苏州同建科技有限公司", code), Party("苏州新名贸易有限公司", code))
    assert result.decision == "match" and result.score == 1.0
    assert _parts(result)["code"] == "agree"
    assert _parts(result)["trade_name"] == "differ"  # the names' evidence is kept


def test_two_different_valid_codes_are_two_subjects() -> None:
    name = "苏州同建科技有限公司"
    result = match_names(Party(name, _uscc()), Party(name, _uscc()))
    assert result.decision == "no_match"
    assert _parts(result)["code"] == "differ"


def test_a_uscc_and_the_organisation_code_inside_it_agree() -> None:
    code = _uscc()
    result = match_names(Party("甲公司", code), Party("乙公司", code[8:17]))
    assert result.decision == "match"


def test_an_invalid_code_is_ignored_and_said_so() -> None:
    result = match_names(Party("苏州同建科技有限公司", "91320505XXXXXXXX"), "苏州同建科技有限公司")
    assert result.decision == "match"
    assert any(e.part == "code" and "not a valid code" in e.note for e in result.evidence)


# --- results -----------------------------------------------------------------------------


def test_result_json_has_the_documented_keys() -> None:
    data = match_names("苏州同建科技有限公司北京分公司", "苏州同建科技有限公司").to_dict()
    assert {"a", "b", "score", "decision", "explanation"} <= set(data)
    assert 0.0 <= data["score"] <= 1.0
    assert all({"part", "outcome", "a", "b", "note"} == set(e) for e in data["explanation"])
    assert data["relation"] == "a_branch_of_b"
    assert "branch related" in data["text"]


def test_may_match_never_hides_a_possible_or_related_pair() -> None:
    """``may_match`` lets screening skip pairs; it must only skip sure non-matches."""
    config = default_config()
    names = [
        "苏州同建科技有限公司", "苏州同达科技有限公司", "上海同建科技有限公司", "同建科技有限公司",
        "苏州同建物流有限公司", "苏州同建科技股份有限公司", "苏州同建科技有限公司北京分公司",
        "同建科技(苏州)有限公司", "苏州同建科技发展有限公司", "昆山同建科技有限公司", "同建科技",
        "苏州同建", "平安银行", "平安银行股份有限公司", "苏州市同建科技有限公司上海分公司",
    ]  # fmt: skip
    for a in names:
        for b in names:
            parts_a, parts_b = org_parts(a), org_parts(b)
            verdict = compare_orgs(parts_a, parts_b, config)
            if not may_match(parts_a, parts_b):
                assert verdict.final() < config.thresholds.possible, (a, b)
                assert verdict.relation is None, (a, b)
