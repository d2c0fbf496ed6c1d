"""Run every benchmark under bench/ (``make bench``); each prints its own figures."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))  # benchmarks import shared sets as bench.sets.*


def main() -> int:
    chosen = sys.argv[1:]
    for path in sorted(HERE.glob("*.py")):
        if path.name == Path(__file__).name:
            continue
        if chosen and path.stem not in chosen:
            continue
        print(f"\n=== {path.stem} ===", flush=True)
        runpy.run_path(str(path), run_name="__main__")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
