"""Identity throughput: USCC/ID validation and name folding/parsing, with same-run references.

References: python-stdnum's own USCC and RIC validators over the same codes, and a bare
OpenCC t2s conversion over the same names.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, timedelta

import opencc
from stdnum.cn import ric, uscc

from xinyong.demo.generator import CityGenerator
from xinyong.identity import codes, names


def _rate(label: str, func: Callable[[str], object], values: list[str]) -> float:
    started = time.perf_counter()
    for value in values:
        func(value)
    seconds = time.perf_counter() - started
    rate = len(values) / seconds
    print(f"{label:<44} {rate:>12,.0f} /s  ({len(values):,} in {seconds:.2f} s)")
    return rate


def main() -> None:
    rng = random.Random(1)
    usccs = [codes.generate_uscc(rng, category="91", region="320505") for _ in range(100_000)]
    ids = [
        codes.generate_id_number(
            rng,
            region="320508",
            birth_date=date(1960, 1, 1) + timedelta(days=rng.randrange(20000)),
            sex=rng.choice("MF"),
        )
        for _ in range(100_000)
    ]
    ours = _rate("xinyong validate_uscc", codes.validate_uscc, usccs)
    ref = _rate("reference: stdnum.cn.uscc.is_valid", uscc.is_valid, usccs)
    print(f"  ratio xinyong/stdnum: {ours / ref:.2f}")
    ours = _rate("xinyong validate_id_number", codes.validate_id_number, ids)
    ref = _rate("reference: stdnum.cn.ric.is_valid", ric.is_valid, ids)
    print(f"  ratio xinyong/stdnum: {ours / ref:.2f}")
    generator = CityGenerator(seed=3, region="320500", anchor=date(2026, 11, 1))
    org_names = [s.name for chunk in generator.chunks(40_000) for s in chunk.subjects]
    converter = opencc.OpenCC("t2s")
    ref = _rate("reference: bare OpenCC t2s", converter.convert, org_names)
    ours = _rate("xinyong names.fold", names.fold, org_names)
    print(f"  ratio fold/OpenCC: {ours / ref:.2f}")
    _rate("xinyong names.parse_org_name", names.parse_org_name, org_names)


if __name__ == "__main__":
    main()
