"""Schemes as data: Yubei's structure ships; a broken file is refused naming file, scheme, key."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from xinyong.points.config import SHIPPED, PointsConfigError, load


def test_yubei_structure_and_pupils_variant() -> None:
    schemes = load([SHIPPED])
    yubei = schemes.get("yubei_household")
    groups = Counter(item.group for item in yubei.items.values())
    assert yubei.base_points == 60 and groups["negative"] == 9
    assert groups["fazhi"] + groups["dezhi"] + groups["zizhi"] == 25
    assert all(groups[g] for g in ("fazhi", "dezhi", "zizhi"))
    assert yubei.publication.mask_names and yubei.publication.objection_days == 5
    assert [level.stars for level in yubei.star_levels] == [1, 2, 3, 4, 5]
    assert yubei.star_level(59) is None and yubei.star_level(100).stars == 5  # type: ignore[union-attr]
    pupils = schemes.get("xinhe_pupil")
    assert pupils.subject == "pupil" and not pupils.uses.star_level_shared
    layered = schemes.get("yubei_household", units=("500112", "500112101", "500112101201"))
    assert layered.items["zz01"].points == 3 and yubei.items["zz01"].points == 2


@pytest.mark.parametrize(
    ("layer", "named"),
    [
        (
            "schemes:\n  yubei_household:\n    base_points: -5\n",
            "scheme yubei_household: base_points",
        ),
        (
            "schemes:\n  yubei_household:\n    items:\n      fz01: {points: -2}\n",
            "scheme yubei_household: items.fz01",
        ),
        (
            'units:\n  "500112101":\n    xinhe_pupil:\n      items:\n'
            "        pu01: {cap: {per: week}}\n",
            "scheme xinhe_pupil (unit 500112101): items.pu01.cap.per",
        ),
        ("schemes:\n  yubei_household:\n    nonsense: 1\n", "scheme yubei_household: nonsense"),
    ],
)
def test_errors_name_file_scheme_and_key(tmp_path: Path, layer: str, named: str) -> None:
    city = tmp_path / "city-points.yaml"
    city.write_text(layer, encoding="utf-8")
    with pytest.raises(PointsConfigError) as refused:
        load([SHIPPED, city])
    assert str(city) in refused.value.message and named in refused.value.message
