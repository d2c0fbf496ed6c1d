"""Tests for xinyong.identity.codes: real test vectors, real registry codes, generated codes."""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.core.config import reset_settings
from xinyong.identity import codes, regions

REAL_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"
PROVINCES = ("110000", "320000", "350000", "440000", "510000", "650000")

# Labels used by the test-vector files, mapped to the verdict this platform gives.
USCC_LABELS = {
    "valid": True,
    "valid_after_compact": True,  # spaces are removed by normalisation
    "invalid": False,
    "fails_checksum_but_legitimately_issued": True,  # shipped in uscc_exceptions.txt
    "check_digit_of_17": False,  # a 17-character body is no code; its check char is tested
}
RIC_LABELS = {
    "valid": True,
    "valid_after_upper": True,  # lower-case x is normalised
    "invalid": False,
    # stdnum's get_birth_place() fails because the county did not exist in the birth year.
    # Numbers are assigned at registration, not at birth, so the number stands (with a note).
    "invalid_birth_place": True,
}


def read_rows(*parts: str) -> list[dict[str, str]]:
    path = REAL_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path}")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(autouse=True)
def _fresh_exceptions() -> Iterator[None]:
    codes.clear_cache()
    yield
    reset_settings()
    codes.clear_cache()


def county_regions() -> list[str]:
    return [r.code for p in PROVINCES for r in regions.current_children(p)]


def generated_usccs(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    categories = [a + k for a, (_, kinds) in codes.AUTHORITIES.items() for k in kinds]
    places = [*county_regions(), "320594", "610131"]  # two development zones outside GB/T 2260
    return [
        codes.generate_uscc(rng, category=rng.choice(categories), region=rng.choice(places))
        for _ in range(count)
    ]


def generated_ids(count: int, seed: int) -> list[tuple[str, str, date, str]]:
    rng = random.Random(seed)
    places = county_regions()
    span = (date.today() - date(1900, 1, 1)).days
    out = []
    for _ in range(count):
        region, sex = rng.choice(places), rng.choice("MF")
        born = date(1900, 1, 1) + timedelta(days=rng.randrange(span + 1))
        out.append(
            (
                codes.generate_id_number(rng, region=region, birth_date=born, sex=sex),
                region,
                born,
                sex,
            )
        )
    return out


def with_check(partial: str) -> str:
    return partial + codes.uscc_check_character(partial)


# --- real test vectors ------------------------------------------------------------------


def test_uscc_test_vectors_get_the_expected_verdict() -> None:
    rows = read_rows("test_vectors", "uscc_test_vectors.csv")
    wrong = []
    for row in rows:
        label, raw = row["expected_by_source"], row["code"]
        result = codes.validate_uscc(raw)
        if label == "unlabelled":
            # No verdict asserted by the source: never valid beyond what the checksum allows.
            if result.valid and not (
                row["gb32100_checksum_ok(computed here)"] == "yes" or result.exception
            ):
                wrong.append((raw, label, result.reason))
            continue
        assert label in USCC_LABELS, f"unmapped label {label!r}"
        if result.valid != USCC_LABELS[label] or codes.detect(raw).valid != USCC_LABELS[label]:
            wrong.append((raw, label, result.reason))
        if label == "fails_checksum_but_legitimately_issued" and not result.exception:
            wrong.append((raw, label, "not flagged as exception"))
        if label == "check_digit_of_17":
            quoted = re.search(r'== "(.)"', row["source_detail"])
            assert quoted and codes.uscc_check_character(result.code) == quoted.group(1)
    assert not wrong


def test_uscc_checksum_agrees_with_the_vector_file() -> None:
    for row in read_rows("test_vectors", "uscc_test_vectors.csv"):
        code = codes.normalize_code(row["code"])
        shaped = len(code) == 18 and set(code) <= set(codes.USCC_CHARS)
        passes = shaped and codes.uscc_check_character(code[:17]) == code[17]
        assert passes == (row["gb32100_checksum_ok(computed here)"] == "yes"), code


def test_citizen_id_test_vectors_get_the_expected_verdict() -> None:
    for row in read_rows("test_vectors", "cn_ric_test_vectors.csv"):
        label, raw = row["expected_by_source"], row["id_number"]
        assert label in RIC_LABELS, f"unmapped label {label!r}"
        result = codes.validate_id_number(raw)
        assert result.valid == RIC_LABELS[label], (raw, result.reason)
        assert codes.detect(raw).valid == RIC_LABELS[label], raw
        shaped = re.fullmatch(r"\d{17}[\dX]", result.code) is not None
        passes = shaped and codes.id_check_digit(result.code[:17]) == result.code[17]
        assert passes == (row["gb11643_checksum_ok(computed here)"] == "yes"), raw
        if label == "valid_after_upper":
            assert result.code == raw.upper()
        if label == "invalid_birth_place":
            assert any("was not in use" in note for note in result.notes)


# --- real registry data -----------------------------------------------------------------


def test_real_registry_codes_validate() -> None:
    rows = read_rows("registry", "enterprise_registry_sample.csv")
    failures = [c for c in (r["统一社会信用代码"] for r in rows) if not codes.detect(c).valid]
    assert not failures
    assert all(codes.detect(r["统一社会信用代码"]).kind == "uscc" for r in rows[:2000])


def test_dirty_registry_codes() -> None:
    rows = read_rows("registry", "enterprise_registry_dirty_codes.csv")
    by_defect: dict[str, list[str]] = {}
    for row in rows:
        by_defect.setdefault(row["defect"], []).append(row["统一社会信用代码"])
    for number in by_defect["len15_old_regno_digits"]:
        result = codes.detect(number)
        assert result.kind == "registration_number" and result.valid, number
    for code in by_defect["lowercase_valid_after_upper"]:
        assert codes.detect(code).valid, code
    for code in by_defect["checksum_mismatch"]:
        assert not codes.validate_uscc(code).valid, code


# --- generated codes --------------------------------------------------------------------


CATEGORIES = [a + k for a, (_, kinds) in codes.AUTHORITIES.items() for k in kinds]
# Counties of six provinces and two development zones outside GB/T 2260.
PLACES = [*county_regions(), "320594", "610131"]
COUNTIES = county_regions()
FIRST_BIRTH_DATE = date(1900, 1, 1)


@given(
    rng=st.randoms(use_true_random=False),
    category=st.sampled_from(CATEGORIES),
    region=st.sampled_from(PLACES),
)
@settings(max_examples=400)
def test_a_generated_uscc_validates_with_its_category(
    rng: random.Random, category: str, region: str
) -> None:
    code = codes.generate_uscc(rng, category=category, region=region)
    result = codes.validate_uscc(code)
    assert result.valid, (code, result.reason)
    assert result.category == category and result.category_name and result.authority
    assert codes.detect(code).valid
    assert codes.is_valid_uscc(code)


@given(st.text(alphabet=codes.USCC_CHARS, min_size=17, max_size=17), st.data())
def test_the_check_character_catches_every_single_substitution(
    body: str, data: st.DataObject
) -> None:
    code = body + codes.uscc_check_character(body)
    assert codes.uscc_check_character(code[:17]) == code[17]
    position = data.draw(st.integers(0, 17), label="position")
    other = data.draw(st.sampled_from(codes.USCC_CHARS.replace(code[position], "")), label="ch")
    mutated = code[:position] + other + code[position + 1 :]
    assert codes.uscc_check_character(mutated[:17]) != mutated[17]


@given(
    rng=st.randoms(use_true_random=False),
    region=st.sampled_from(COUNTIES),
    born=st.dates(FIRST_BIRTH_DATE, date.today()),
    sex=st.sampled_from("MF"),
)
@settings(max_examples=400)
def test_a_generated_id_number_round_trips_region_birth_date_and_sex(
    rng: random.Random, region: str, born: date, sex: str
) -> None:
    number = codes.generate_id_number(rng, region=region, birth_date=born, sex=sex)
    result = codes.detect(number)
    assert result.valid and result.kind == "id_number", (number, result.reason)
    assert (result.region, result.birth_date, result.sex) == (region, born, sex)
    assert codes.is_valid_id_number(number)


@given(
    rng=st.randoms(use_true_random=False),
    region=st.sampled_from(COUNTIES),
    born=st.dates(FIRST_BIRTH_DATE, date.today()),
    sex=st.sampled_from("MF"),
)
@settings(max_examples=40)
def test_every_single_substitution_in_an_id_number_is_caught(
    rng: random.Random, region: str, born: date, sex: str
) -> None:
    number = codes.generate_id_number(rng, region=region, birth_date=born, sex=sex)
    for position in range(18):
        for digit in "0123456789X".replace(number[position], ""):
            changed = number[:position] + digit + number[position + 1 :]
            assert not codes.validate_id_number(changed).valid, changed


@given(
    rng=st.randoms(use_true_random=False),
    category=st.sampled_from(CATEGORIES),
    region=st.sampled_from(PLACES),
)
@settings(max_examples=40)
def test_every_single_substitution_in_a_uscc_is_caught(
    rng: random.Random, category: str, region: str
) -> None:
    code = codes.generate_uscc(rng, category=category, region=region)
    for position in range(18):
        for ch in codes.USCC_CHARS.replace(code[position], ""):
            mutated = codes.validate_uscc(code[:position] + ch + code[position + 1 :])
            assert not mutated.valid or mutated.exception, mutated.code


def test_organisation_code_substitutions_are_caught_except_its_mod_11_blind_spot() -> None:
    rng = random.Random(13)
    for _ in range(40):
        body = "".join(rng.choice(codes.ORG_CHARS) for _ in range(8))
        code = body + codes.organization_check_digit(body)
        assert codes.validate_organization_code(code).valid
        for position in range(8):
            for ch in codes.ORG_CHARS.replace(code[position], ""):
                mutated = code[:position] + ch + code[position + 1 :]
                delta = codes.ORG_CHARS.index(ch) - codes.ORG_CHARS.index(code[position])
                assert codes.validate_organization_code(mutated).valid == (delta % 11 == 0)


def test_registration_number_substitutions_are_caught() -> None:
    rng = random.Random(17)
    for _ in range(40):
        body = "".join(rng.choice("0123456789") for _ in range(14))
        number = body + codes.registration_check_digit(body)
        assert codes.validate_registration_number(number).valid
        for position in range(15):
            for ch in "0123456789".replace(number[position], ""):
                mutated = number[:position] + ch + number[position + 1 :]
                assert not codes.validate_registration_number(mutated).valid


# --- rules and reasons ------------------------------------------------------------------


def test_embedded_organisation_code_rule() -> None:
    new_style = with_check("91320505MA1234567")  # check digit 7 is wrong for MA123456
    legacy = with_check("91320505123456780")  # 12345678 -> 9, so 0 is wrong
    legacy_unknown_region = with_check("91999999123456780")
    assert codes.organization_check_digit("MA123456") != "7"
    reason = codes.validate_uscc(new_style).reason or ""
    assert reason.startswith("embedded organisation code")
    accepted = codes.validate_uscc(legacy)
    assert accepted.valid and "legacy organisation code" in accepted.notes[-1]
    assert not codes.validate_uscc(legacy_unknown_region).valid


def test_uscc_reasons_are_specific() -> None:
    code = generated_usccs(1, seed=19)[0]
    assert codes.validate_uscc(code[:17]).reason == "length 17, expected 18"
    assert codes.validate_uscc(code[:4] + "I" + code[5:]).reason == (
        "character 'I' at position 5 is not allowed"
    )
    wrong = codes.USCC_CHARS[(codes.USCC_CHARS.index(code[17]) + 1) % 31]
    assert codes.validate_uscc(code[:17] + wrong).reason == (
        f"check character is {wrong!r}, expected {code[17]!r}"
    )
    assert "authority 'B'" in (codes.validate_uscc(with_check("B1320505MA1234568")).reason or "")
    assert "kind '4'" in (codes.validate_uscc(with_check("94320505MA1234568")).reason or "")


def test_letter_led_codes_validate() -> None:
    rng = random.Random(23)
    for category in ("N2", "Y1", "A1", "N9"):
        result = codes.validate_uscc(codes.generate_uscc(rng, category=category, region="320505"))
        assert result.valid and result.category_name and result.region_name


def test_id_number_reasons() -> None:
    def make(body: str) -> str:
        return body + codes.id_check_digit(body)

    assert codes.validate_id_number(make("36042619910230001")).reason == (
        "birth date 19910230 is not a date"
    )
    assert codes.validate_id_number(make("99999919910101001")).reason == (
        "region 999999 is unknown"
    )
    future = (date.today() + timedelta(days=400)).strftime("%Y%m%d")
    assert "in the future" in (codes.validate_id_number(make(f"320505{future}001")).reason or "")
    assert "before 1890" in (codes.validate_id_number(make("32050518800101001")).reason or "")
    number = make("32050519800101001")
    other = "X" if number[17] != "X" else "0"
    assert "check digit" in (codes.validate_id_number(number[:17] + other).reason or "")


def test_detect_resolves_eighteen_digit_ambiguity() -> None:
    both = next(n for n, *_ in generated_ids(20000, seed=29) if codes.validate_uscc(n).valid)
    result = codes.detect(both)
    assert result.kind == "id_number" and "also a valid USCC" in result.notes
    number = generated_ids(1, seed=31)[0][0]
    typo = number[:17] + ("0" if number[17] != "0" else "1")
    if not codes.validate_uscc(typo).valid:
        assert codes.detect(typo).kind == "id_number"
    assert codes.detect("12345").kind == "unknown"
    assert codes.detect("").reason == "empty"


def test_normalisation_of_case_spacing_and_width() -> None:
    code = generated_usccs(1, seed=37)[0]
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code)
    variants = [code.lower(), f" {code[:2]} {code[2:8]}\u3000{code[8:]}\t", full_width]
    for variant in variants:
        assert codes.normalize_code(variant) == code
        assert codes.detect(variant).valid
    org = code[8:17]
    assert codes.normalize_code(f"{org[:8]}-{org[8]}") == org
    assert codes.normalize_code(f"{org[:8]}－{org[8]}") == org
    assert codes.detect(f"{org[:8]}-{org[8]}").kind == "organization_code"
    assert codes.normalize_code("9-1") == "9-1"  # only the organisation-code hyphen goes


# --- exceptions -------------------------------------------------------------------------


def test_shipped_exceptions_all_fail_the_checksum() -> None:
    shipped = codes.load_exceptions()
    assert shipped
    for code in shipped:
        assert codes.uscc_check_character(code[:17]) != code[17]
        result = codes.validate_uscc(code.lower())
        assert result.valid and result.exception and result.reason is None


def test_city_exceptions_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = generated_usccs(1, seed=41)[0]
    broken = code[:17] + codes.USCC_CHARS[(codes.USCC_CHARS.index(code[17]) + 5) % 31]
    assert not codes.validate_uscc(broken).valid
    extra = tmp_path / "extra.txt"
    extra.write_text(f"# city list\n{broken}  # issued 2015\n", encoding="utf-8")
    monkeypatch.setenv("XINYONG_USCC_EXCEPTIONS", str(extra))
    reset_settings()
    codes.clear_cache()
    assert codes.validate_uscc(broken).exception
    extra.write_text("not-a-code\n", encoding="utf-8")
    codes.clear_cache()
    with pytest.raises(ValueError, match=r"extra\.txt:1"):
        codes.load_exceptions()


# --- helpers ----------------------------------------------------------------------------


def test_to_dict_mask_and_validate_many() -> None:
    number, _, born, _ = generated_ids(1, seed=43)[0]
    data = codes.detect(number).to_dict()
    assert {"input", "code", "valid", "kind", "category", "region", "reason"} <= data.keys()
    assert data["birth_date"] == born.isoformat()
    masked = codes.mask_id_number(number)
    assert masked == number[:6] + "*" * 8 + number[-4:]
    inputs = [number, "12345", generated_usccs(1, seed=47)[0]]
    assert [r.input for r in codes.validate_many(inputs)] == inputs


def test_generators_refuse_bad_arguments() -> None:
    rng = random.Random(53)
    with pytest.raises(ValueError):
        codes.generate_uscc(rng, category="94", region="320505")
    with pytest.raises(ValueError):
        codes.generate_uscc(rng, region="3205")
    with pytest.raises(ValueError):
        codes.generate_id_number(rng, region="320505", birth_date=date(1990, 1, 1), sex="X")


# --- fast checks ------------------------------------------------------------------------


def _variants(code: str) -> list[str]:
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code)
    return [code, code.lower(), f" {code[:6]} {code[6:]}", full_width]


def _mutations(code: str, alphabet: str) -> list[str]:
    return [
        code[:position] + ch + code[position + 1 :]
        for position in range(len(code))
        for ch in alphabet.replace(code[position], "")
    ]


def _agree(raw: str) -> list[tuple[str, str]]:
    """Where the fast checks disagree with the explaining validators for ``raw``."""
    wrong = []
    if codes.is_valid_uscc(raw) != codes.validate_uscc(raw).valid:
        wrong.append((raw, "uscc"))
    if codes.is_valid_id_number(raw) != codes.validate_id_number(raw).valid:
        wrong.append((raw, "id_number"))
    found, detected = codes.valid_kind(raw), codes.detect(raw)
    if found != ((detected.kind, detected.code) if detected.valid else None):
        wrong.append((raw, "valid_kind"))
    return wrong


def test_fast_checks_agree_on_the_test_vectors() -> None:
    usccs = [row["code"] for row in read_rows("test_vectors", "uscc_test_vectors.csv")]
    ids = [row["id_number"] for row in read_rows("test_vectors", "cn_ric_test_vectors.csv")]
    wrong = [w for raw in usccs + ids for w in _agree(raw)]
    assert not wrong


def test_fast_checks_agree_on_generated_and_mutated_codes() -> None:
    rng = random.Random(61)
    usccs = generated_usccs(300, seed=59)
    letter_led = [
        codes.generate_uscc(rng, category=c, region="320505") for c in ("N2", "Y1", "A1") * 5
    ]
    legacy = [with_check("91320505123456780"), with_check("91999999123456780")]
    ids = [number for number, *_ in generated_ids(300, seed=67)]
    samples = [*usccs, *letter_led, *legacy, *ids, *codes.load_exceptions()]
    wrong = [w for code in samples for raw in _variants(code) for w in _agree(raw)]
    for code in usccs[:15] + letter_led[:3] + legacy:
        wrong += [w for raw in _mutations(code, codes.USCC_CHARS + "IOSVZ*") for w in _agree(raw)]
    for number in ids[:15]:
        wrong += [w for raw in _mutations(number, "0123456789X") for w in _agree(raw)]
    odd = ["", "9", "12345", "123456789012345678", "91320505MA1234567", "9132O505MA12345678X"]
    wrong += [w for raw in odd for w in _agree(raw)]
    assert not wrong


def test_fast_checks_honour_the_city_exceptions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = generated_usccs(1, seed=71)[0]
    broken = code[:17] + codes.USCC_CHARS[(codes.USCC_CHARS.index(code[17]) + 3) % 31]
    assert not codes.is_valid_uscc(broken)
    extra = tmp_path / "extra.txt"
    extra.write_text(f"{broken}\n", encoding="utf-8")
    monkeypatch.setenv("XINYONG_USCC_EXCEPTIONS", str(extra))
    reset_settings()
    codes.clear_cache()
    assert codes.is_valid_uscc(broken) and codes.valid_kind(broken) == ("uscc", broken)
