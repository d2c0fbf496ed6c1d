"""The measures catalogue: the shipped file, every validation rule, city layering."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import DepartmentKind
from xinyong.core import yamlio
from xinyong.core.config import reset_settings
from xinyong.core.i18n import t
from xinyong.measures import catalog
from xinyong.measures.catalog import (
    LIST_CODES,
    SHIPPED,
    MeasureKind,
    MeasuresError,
    MeasureType,
    get_catalog,
    load,
    reset_catalog,
)

BASIS = [{"title": "《中华人民共和国政府采购法》", "article": "第二十二条第一款第五项"}]


@pytest.fixture(autouse=True)
def shipped_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("XINYONG_MEASURES_FILE", raising=False)
    reset_settings()
    reset_catalog()
    yield
    reset_settings()
    reset_catalog()


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def base() -> dict[str, Any]:
    """A small valid file: two matters, one constraint, one incentive."""
    return {
        "version": "test-1",
        "matters": [
            {"code": "procurement", "name": {"zh": "政府采购", "en": "Procurement"}},
            {"code": "approval", "name": {"zh": "行政审批", "en": "Approval"}},
        ],
        "measures": [
            {
                "code": "C-T-01",
                "name": {"zh": "限制参加政府采购", "en": "No procurement"},
                "kind": "constraint",
                "type": "public_restriction",
                "triggers": {
                    "lists": ["serious_dishonesty_list"],
                    "records": [{"item": "admin_penalty", "tiers": ["serious"], "within": "P3Y"}],
                },
                "matters": ["procurement"],
                "departments": ["finance"],
                "legal_basis": BASIS,
            },
            {
                "code": "I-T-01",
                "name": {"zh": "绿色通道", "en": "Green channel"},
                "kind": "incentive",
                "type": "public_management",
                "triggers": {"lists": ["red_list"], "grades": ["A"]},
                "matters": ["approval"],
                "departments": ["development_reform"],
                "legal_basis": BASIS,
            },
        ],
    }


# --- the shipped file -----------------------------------------------------------------------


def test_the_shipped_catalogue_loads_with_enough_measures() -> None:
    shipped = get_catalog()
    assert len(shipped.measures) >= 30
    assert shipped.layers == [str(SHIPPED)]
    assert {m.kind for m in shipped.measures.values()} == set(MeasureKind)
    assert {m.type for m in shipped.measures.values()} == set(MeasureType)
    for required in (
        "government_procurement",
        "bidding",
        "fiscal_funds",
        "awards",
        "administrative_approval",
        "civil_service_hiring",
        "state_land_transfer",
        "credit_lending",
        "public_resource_trading",
        "market_access",
        "qualification_licensing",
        "tax_services",
        "customs_clearance",
        "public_sector_appointment",
        "social_security_subsidies",
        "public_services",
    ):
        assert required in shipped.matters


def test_shipped_codes_are_unique_and_every_measure_is_grounded() -> None:
    raw = yamlio.read_yaml(SHIPPED)
    codes = [entry["code"] for entry in raw["measures"]]
    assert len(codes) == len(set(codes))
    matter_codes = [entry["code"] for entry in raw["matters"]]
    assert len(matter_codes) == len(set(matter_codes))
    for measure in get_catalog().measures.values():
        assert measure.legal_basis and all(b.title.startswith("《") for b in measure.legal_basis)
        assert measure.matters and measure.departments
        assert not measure.triggers.empty


def test_every_matter_has_measures_and_every_list_is_used() -> None:
    shipped = get_catalog()
    for code in shipped.matters:
        assert shipped.for_matter(code), f"matter {code} has no measure"
    used = {code for m in shipped.measures.values() for code in m.triggers.lists}
    assert used == set(LIST_CODES)


def test_every_label_the_page_needs_exists() -> None:
    for kind in DepartmentKind:
        assert t(f"ms.dept.{kind.value}", "zh") != f"ms.dept.{kind.value}"
    for code in LIST_CODES:
        assert t(f"ms.list.{code}", "en") != f"ms.list.{code}"


# --- malformed files ------------------------------------------------------------------------


def _measure(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(m for m in data["measures"] if m["code"] == code)


def _set(code: str, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        _measure(data, code)[key] = value

    return change


def _triggers(code: str, **triggers: Any) -> Callable[[dict[str, Any]], None]:
    return _set(code, "triggers", triggers)


def _duplicate_measure(data: dict[str, Any]) -> None:
    data["measures"].append(copy.deepcopy(data["measures"][0]))


def _duplicate_matter(data: dict[str, Any]) -> None:
    data["matters"].append(copy.deepcopy(data["matters"][0]))


MALFORMED = [
    ("unknown matter", _set("C-T-01", "matters", ["nowhere"]), "C-T-01", "matters[0]", "nowhere"),
    ("no matter", _set("C-T-01", "matters", []), "C-T-01", "matters", "at least one matter"),
    (
        "unknown list",
        _triggers("C-T-01", lists=["grey_list"]),
        "C-T-01",
        "triggers.lists[0]",
        "unknown list code 'grey_list'",
    ),
    (
        "unknown item",
        _triggers("C-T-01", records=[{"item": "no_such_item"}]),
        "C-T-01",
        "triggers.records[0].item",
        "unknown catalogue item 'no_such_item'",
    ),
    ("no trigger", _triggers("C-T-01"), "C-T-01", "triggers", "at least one trigger"),
    (
        "incentive by a black list",
        _triggers("I-T-01", lists=["red_list", "dishonest_judgment_debtor"]),
        "I-T-01",
        "triggers.lists[1]",
        "black list 'dishonest_judgment_debtor'",
    ),
    (
        "incentive by a warning list",
        _triggers("I-T-01", lists=["abnormal_operation"]),
        "I-T-01",
        "triggers.lists[0]",
        "warning list 'abnormal_operation'",
    ),
    (
        "constraint by the red list",
        _triggers("C-T-01", lists=["red_list"]),
        "C-T-01",
        "triggers.lists[0]",
        "red list",
    ),
    (
        "incentive by grade D",
        _triggers("I-T-01", grades=["D"]),
        "I-T-01",
        "triggers.grades[0]",
        "D",
    ),
    (
        "constraint by grade A",
        _triggers("C-T-01", grades=["A"]),
        "C-T-01",
        "triggers.grades[0]",
        "A",
    ),
    ("unknown grade", _triggers("C-T-01", grades=["E"]), "C-T-01", "triggers.grades[0]", "'A'"),
    (
        "incentive by a negative item",
        _triggers("I-T-01", records=[{"item": "admin_penalty"}]),
        "I-T-01",
        "triggers.records[0].item",
        "negative item 'admin_penalty'",
    ),
    (
        "constraint by a positive item",
        _triggers("C-T-01", records=[{"item": "honour"}]),
        "C-T-01",
        "triggers.records[0].item",
        "positive item 'honour'",
    ),
    (
        "tiers of an untiered item",
        _triggers("I-T-01", records=[{"item": "honour", "tiers": ["serious"]}]),
        "I-T-01",
        "triggers.records[0].tiers",
        "no severity tier",
    ),
    (
        "unknown tier",
        _triggers("C-T-01", records=[{"item": "admin_penalty", "tiers": ["grave"]}]),
        "C-T-01",
        "triggers.records[0].tiers[0]",
        "serious",
    ),
    (
        "bad period",
        _triggers("C-T-01", records=[{"item": "admin_penalty", "within": "3 years"}]),
        "C-T-01",
        "triggers.records[0].within",
        "ISO 8601",
    ),
    (
        "empty period",
        _triggers("C-T-01", records=[{"item": "admin_penalty", "within": "P0D"}]),
        "C-T-01",
        "triggers.records[0].within",
        "zero length",
    ),
    ("typo in a key", _set("C-T-01", "trigers", {}), "C-T-01", "trigers", "Extra inputs"),
    ("unknown department", _set("C-T-01", "departments", ["army"]), "C-T-01", "departments[0]", ""),
    (
        "no legal basis",
        _set("C-T-01", "legal_basis", []),
        "C-T-01",
        "legal_basis",
        "at least one legal basis",
    ),
    (
        "basis without title",
        _set("C-T-01", "legal_basis", [{}]),
        "C-T-01",
        "legal_basis[0].title",
        "",
    ),
    ("code of the other kind", _set("I-T-01", "code", "C-T-02"), "C-T-02", "code", "'I-'"),
    ("malformed code", _set("C-T-01", "code", "c_t_01"), "c_t_01", "code", "pattern"),
    ("unknown kind", _set("C-T-01", "kind", "reward"), "C-T-01", "kind", "incentive"),
    ("unknown type", _set("C-T-01", "type", "moral"), "C-T-01", "type", "public_restriction"),
    (
        "unknown subject kind",
        _set("C-T-01", "subject_kinds", ["alien"]),
        "C-T-01",
        "subject_kinds[0]",
        "",
    ),
    ("duplicate measure", _duplicate_measure, "C-T-01", "code", "duplicate measure code 'C-T-01'"),
]


@pytest.mark.parametrize(
    ("change", "code", "key", "fragment"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_a_malformed_measure_is_refused_naming_the_measure_and_the_key(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], code: str, key: str, fragment: str
) -> None:
    data = base()
    change(data)
    path = write(tmp_path / "measures.yaml", data)
    with pytest.raises(MeasuresError) as caught:
        load([path])
    message = caught.value.message
    assert str(path) in message
    assert f"measure '{code}'" in message
    assert f"key '{key}'" in message
    assert fragment in message
    assert caught.value.details["key"] == key


def test_a_duplicate_matter_is_refused(tmp_path: Path) -> None:
    data = base()
    _duplicate_matter(data)
    with pytest.raises(MeasuresError, match=r"matter 'procurement', key 'code': duplicate"):
        load([write(tmp_path / "m.yaml", data)])


def test_a_malformed_matter_is_refused(tmp_path: Path) -> None:
    data = base()
    data["matters"][1]["code"] = "Not An Identifier"
    with pytest.raises(MeasuresError, match=r"matter 'Not An Identifier', key 'code'"):
        load([write(tmp_path / "m.yaml", data)])


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("version: [unclosed\n", "invalid YAML"),
        ("version: a\nversion: b\n", "duplicate key 'version'"),
        ("- just\n- a list\n", "expected a mapping"),
        ("measures: []\n", "key 'version'"),
        ("version: x\nmeasure: []\n", "key 'measure'"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_file(
    tmp_path: Path, text: str, fragment: str
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MeasuresError) as caught:
        load([path])
    assert str(path) in caught.value.message and fragment in caught.value.message


def test_record_triggers_are_checked_against_the_given_catalogue_items(tmp_path: Path) -> None:
    path = write(tmp_path / "m.yaml", base())
    items = catalog_service.get_catalog().items
    load([path], items=items)
    without_penalties = {code: item for code, item in items.items() if code != "admin_penalty"}
    with pytest.raises(MeasuresError, match="unknown catalogue item 'admin_penalty'"):
        load([path], items=without_penalties)


# --- city layering --------------------------------------------------------------------------


def city_file(tmp_path: Path) -> Path:
    replaced = copy.deepcopy(_measure(yamlio.read_yaml(SHIPPED), "C-PROC-01"))
    replaced["name"] = {"zh": "本市限制参加政府采购", "en": "City procurement ban"}
    return write(
        tmp_path / "city.yaml",
        {
            "version": "suzhou-2026",
            "matters": [{"code": "talent_housing", "name": {"zh": "人才公寓", "en": "Housing"}}],
            "measures": [
                replaced,
                {
                    "code": "C-SZ-01",
                    "name": {"zh": "暂停申请人才公寓", "en": "No talent housing"},
                    "kind": "constraint",
                    "type": "public_management",
                    "triggers": {"lists": ["dishonest_judgment_debtor"]},
                    "matters": ["talent_housing"],
                    "departments": ["housing_construction"],
                    "subject_kinds": ["natural_person"],
                    "legal_basis": [{"title": "《苏州市社会信用条例》"}],
                },
            ],
            "disabled": ["I-MKT-01"],
        },
    )


def test_a_city_file_replaces_adds_and_disables(tmp_path: Path) -> None:
    shipped = get_catalog()
    layered = load([SHIPPED, city_file(tmp_path)])
    assert layered.version == f"{shipped.version}+suzhou-2026"
    assert layered.measures["C-PROC-01"].name.zh == "本市限制参加政府采购"
    assert layered.measures["C-SZ-01"].matters == ["talent_housing"]
    assert "I-MKT-01" in shipped.measures and "I-MKT-01" not in layered.measures
    assert set(layered.measures) == set(shipped.measures) - {"I-MKT-01"} | {"C-SZ-01"}
    assert set(layered.matters) == set(shipped.matters) | {"talent_housing"}


def test_the_city_file_comes_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = city_file(tmp_path)
    monkeypatch.setenv("XINYONG_MEASURES_FILE", str(path))
    reset_settings()
    assert "C-SZ-01" in get_catalog().measures
    assert get_catalog() is get_catalog()
    data = yamlio.read_yaml(path)
    data["disabled"] = ["I-MKT-01", "C-PROC-02"]
    write(path, data)
    assert "C-PROC-02" in get_catalog().measures  # cached until reset
    catalog.reset_catalog()
    assert "C-PROC-02" not in get_catalog().measures


def test_a_city_measure_is_checked_in_its_own_file(tmp_path: Path) -> None:
    data = yamlio.read_yaml(city_file(tmp_path))
    _measure(data, "C-SZ-01")["matters"] = ["talent_flats"]
    path = write(tmp_path / "city.yaml", data)
    with pytest.raises(MeasuresError) as caught:
        load([SHIPPED, path])
    assert caught.value.details["file"] == str(path)
    assert "measure 'C-SZ-01', key 'matters[0]': unknown matter 'talent_flats'" in str(caught.value)


@pytest.mark.parametrize(
    ("disabled", "fragment"),
    [(["C-NOPE-01"], "no measure 'C-NOPE-01'"), (["C-SZ-01"], "both defined and disabled")],
)
def test_disabling_names_a_measure_of_the_lower_layers(
    tmp_path: Path, disabled: list[str], fragment: str
) -> None:
    data = yamlio.read_yaml(city_file(tmp_path))
    data["disabled"] = disabled
    path = write(tmp_path / "city.yaml", data)
    with pytest.raises(MeasuresError, match=r"key 'disabled\[0\]'") as caught:
        load([SHIPPED, path])
    assert fragment in caught.value.message


def test_disabling_a_measure_a_city_still_names_elsewhere_is_fine(tmp_path: Path) -> None:
    data = yamlio.read_yaml(city_file(tmp_path))
    data["disabled"] = ["C-PROC-02", "C-PROC-03"]
    layered = load([SHIPPED, write(tmp_path / "city.yaml", data)])
    assert {"C-PROC-02", "C-PROC-03"}.isdisjoint(layered.measures)
    assert layered.for_matter("government_procurement")
