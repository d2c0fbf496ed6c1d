"""identity.redact: personal numbers and known names masked in free text."""

from __future__ import annotations

import pytest

from xinyong.identity import codes
from xinyong.identity.redact import luhn_valid, name_candidates, redact

ID18 = "320508199003071239"
ID_X = "11010519491231002X"
ID15 = "320508900307123"
CARD = "6222021234567890128"  # Luhn-valid
MOBILE = "13812345678"


def test_the_fixtures_are_what_they_claim() -> None:
    assert codes.is_valid_id_number(ID18) and codes.is_valid_id_number(ID_X)
    assert luhn_valid(CARD) and not luhn_valid(CARD[:-1] + "9")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"身份证号{ID18}。", "身份证号320508********1239。"),
        (f"证号{ID_X.lower()}", "证号110105********002x"),
        ("3205 0819 9003 0712 39号", "3205 08** **** **12 39号"),
        ("320508-19900307-1239", "320508-********-1239"),
        (f"老身份证{ID15}，", "老身份证320508*****7123，"),
        (f"手机{MOBILE}，", "手机138****5678，"),
        ("电话+86 138-1234-5678", "电话+86 138-****-5678"),
        ("+8613812345678", "+86138****5678"),
        ("138 1234 5678 已联系", "138 **** 5678 已联系"),
        (f"卡号{CARD}", "卡号6222***********0128"),
        ("卡号6222 0212 3456 7890 128", "卡号6222 **** **** ***0 128"),
    ],
)
def test_numbers_are_masked_in_any_spelling(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "苏市监罚〔2024〕123号，罚款人民币5万元",
        "统一社会信用代码91320505MA1MXXXX0N",  # letters: not a personal number
        "金额12345678元，2024年1月31日",
        "6222021234567890129",  # 19 digits failing the Luhn check, no birth date
    ],
)
def test_other_numbers_stay(text: str) -> None:
    assert redact(text) == text


def test_known_names_are_masked_longest_first() -> None:
    text = "当事人欧阳小明与李小龙共同经营"
    masked = redact(text, person_names=["李小龙", "欧阳小明", "欧阳"])
    assert masked == "当事人欧**明与李*龙共同经营"


def test_masked_text_is_stable() -> None:
    once = redact(f"李小龙 {ID18} {MOBILE} {CARD}", person_names=["李小龙"])
    assert redact(once, person_names=["李小龙"]) == once
    assert ID18 not in once and MOBILE not in once and CARD not in once


def test_name_candidates_cover_short_runs_of_chinese() -> None:
    found = name_candidates("对李小龙罚款, ok 张伟")
    assert {"李小龙", "小龙", "张伟"} <= found and "ok" not in found
