"""Chinese entity matching: quality against two peers, and screening against a big index.

Quality: precision and recall on the labelled benchmark of
``bench.sets.matching`` (synthetic city) and ``benchmark_real`` (listed
short names, registry collisions; when ``../shared/data/real`` is present), for xinyong
(a pair is predicted the same subject when the decision is ``match``) and, in the same
run, for nomenklatura's ``logic-v2`` and ``name-based`` algorithms (the same subject when
the score reaches 0.7, yente's default threshold; each peer's best threshold on the same
pairs is printed too). The peers get the same facts: names, and the codes and birth dates
that a pair carries (as registrationNumber / idNumber / birthDate).

Scale: an index over XINYONG_BENCH_MATCH_SUBJECTS generator subjects (default 1,000,000;
no database): build time, memory (the index's own objects, and the process's RSS
growth), then names screened per second (registered names, half of them written
differently), with the share whose best candidate is the right subject.
"""

from __future__ import annotations

import gc
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from followthemoney import model
from followthemoney.proxy import EntityProxy
from nomenklatura.matching import LogicV2, NameMatcher, ScoringAlgorithm

from xinyong.demo.generator import CityGenerator, SubjectRow
from xinyong.identity import codes
from xinyong.identity.matching import Candidate, MatchIndex, match_names, screen

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run directly too

from bench.sets.matching import (
    ANCHOR,
    BenchmarkSet,
    LabelledPair,
    Scores,
    evaluate,
    generator_set,
    written_differently,
)
from bench.sets.matching_real import real_sets

from xinyong.identity.matching.result import Party

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
PEER_THRESHOLD = 0.7
SUBJECTS = int(os.environ.get("XINYONG_BENCH_MATCH_SUBJECTS", "1000000"))
QUERIES = 10_000


# -- peers ---------------------------------------------------------------------------------
def _entity(party: Party, kind: str, key: str) -> EntityProxy:
    entity = model.make_entity("Person" if kind == "person" else "Company")
    entity.id = key
    entity.add("name", party.name)
    birth = party.birth_date
    if party.code:
        found = codes.detect(party.code)
        if found.kind == "id_number":
            entity.add("idNumber", found.code)
            birth = birth or found.birth_date
        else:
            entity.add("registrationNumber", found.code)
    if birth and kind == "person":
        entity.add("birthDate", birth.isoformat())
    return entity


def _peer_scores(algorithm: type[ScoringAlgorithm], pairs: list[LabelledPair]) -> list[float]:
    """Each peer's score for each pair. Entity ids are unique per pair: nomenklatura caches
    name analysis by entity id, so reused ids would compare stale names."""
    config = algorithm.default_config()
    return [
        algorithm.compare(
            _entity(p.a, p.kind, f"a{n}"), _entity(p.b, p.kind, f"b{n}"), config
        ).score
        for n, p in enumerate(pairs)
    ]


def _best_threshold(pairs: list[LabelledPair], scores: list[float]) -> tuple[float, Scores]:
    """The threshold (0.05 steps) with the best F1 for a peer, and its figures."""
    best: tuple[float, float, Scores] | None = None
    for step in range(1, 21):
        threshold = step / 20
        result = evaluate(pairs, _predictor(pairs, scores, threshold))
        f1 = 2 * result.precision * result.recall / (result.precision + result.recall or 1)
        if best is None or f1 > best[1]:
            best = (threshold, f1, result)
    assert best is not None
    return best[0], best[2]


def _predictor(
    pairs: list[LabelledPair], scores: list[float], threshold: float
) -> Callable[[LabelledPair], bool]:
    by_pair = {id(p): s for p, s in zip(pairs, scores, strict=True)}
    return lambda pair: by_pair[id(pair)] >= threshold


# -- quality -------------------------------------------------------------------------------
def _row(label: str, scores: Scores) -> str:
    return (
        f"  {label:<34} precision {scores.precision:6.4f}  recall {scores.recall:6.4f}"
        f"  (tp {scores.tp}, fp {scores.fp}, fn {scores.fn}, tn {scores.tn})"
    )


def _ours(bench: BenchmarkSet) -> Callable[[LabelledPair], bool]:
    def predict(pair: LabelledPair) -> bool:
        return match_names(pair.a, pair.b, kind=pair.kind, index=bench.index).decision == "match"

    return predict


def _quality(sets: list[BenchmarkSet]) -> None:
    pooled: dict[str, Scores] = {}
    for bench in sets:
        pairs = bench.pairs
        cases = Counter((p.case.split("+")[0], p.same) for p in pairs)
        print(f"\n{bench.name}: {len(pairs):,} pairs ({bench.note})")
        print(
            "  cases: "
            + ", ".join(f"{c}{'+' if s else '-'} {n}" for (c, s), n in sorted(cases.items()))
        )
        started = time.perf_counter()
        results = {"xinyong": evaluate(pairs, _ours(bench))}
        ours_seconds = time.perf_counter() - started
        for algorithm in (LogicV2, NameMatcher):
            scores = _peer_scores(algorithm, pairs)
            results[algorithm.NAME] = evaluate(pairs, _predictor(pairs, scores, PEER_THRESHOLD))
            threshold, best = _best_threshold(pairs, scores)
            results[f"{algorithm.NAME} (best, >= {threshold:.2f})"] = best
        for label, scores in results.items():
            print(_row(label, scores))
            total = pooled.setdefault(label.split(" (")[0], Scores())
            if "(best" not in label:
                for name in ("tp", "fp", "fn", "tn"):
                    setattr(total, name, getattr(total, name) + getattr(scores, name))
        print(f"  xinyong compared {len(pairs) / ours_seconds:,.0f} pairs/s")
        _print_errors(results["xinyong"])
    print("\nall sets pooled (peers at 0.7):")
    for label, scores in pooled.items():
        print(_row(label, scores))


def _print_errors(scores: Scores, limit: int = 8) -> None:
    for pair, predicted in scores.errors[:limit]:
        verdict = "predicted same" if predicted else "missed"
        print(f"    {verdict}: [{pair.case}] {pair.a.name} / {pair.b.name}")


# -- scale ---------------------------------------------------------------------------------
def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _queries(rng: random.Random, rows: list[SubjectRow]) -> list[tuple[str, int, bool]]:
    """(name, subject id, is an organisation): registered names, half written differently."""
    chosen = rng.sample(rows, min(QUERIES, len(rows)))
    queries = []
    for row in chosen:
        is_org = row.kind in ("legal_person", "individual_business")
        name = row.name
        if is_org and rng.random() < 0.5:
            variants = sorted(written_differently(rng, name).values())
            name = rng.choice(variants) if variants else name
        queries.append((name, row.id, is_org))
    return queries


def _scale() -> None:
    print(f"\nindex over {SUBJECTS:,} generator subjects (no database)")
    generator = CityGenerator(seed=20261121, region="320500", anchor=ANCHOR)
    started = time.perf_counter()
    rows = [row for chunk in generator.chunks(SUBJECTS) for row in chunk.subjects]
    print(f"  generated in {time.perf_counter() - started:.1f} s")
    del generator
    gc.collect()
    rss_before = _rss_mb()
    started = time.perf_counter()
    index = MatchIndex.build_from_rows(rows)
    build_seconds = time.perf_counter() - started
    gc.collect()
    print(f"  built in {build_seconds:.1f} s ({SUBJECTS / build_seconds:,.0f} subjects/s)")
    print(f"  index objects {index.memory_bytes() / 2**20:,.0f} MiB; process RSS grew by "
          f"{_rss_mb() - rss_before:,.0f} MiB; {index.stats()}")  # fmt: skip
    queries = _queries(random.Random(7), rows)
    del rows
    wall, cpu = time.perf_counter(), time.process_time()
    outcomes: Counter[str] = Counter()
    for name, subject_id, is_org in queries:
        found = screen(index, name, limit=5)
        if is_org:
            outcomes[_outcome(found, subject_id)] += 1
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"  screened {len(queries):,} names: {len(queries) / wall:,.0f} names/s "
          f"({len(queries) / cpu:,.0f} per CPU second)")  # fmt: skip
    total = sum(outcomes.values())
    print("  organisation names: " + ", ".join(
        f"{label} {count / total:.2%}" for label, count in outcomes.most_common()
    ))  # fmt: skip


def _outcome(found: list[Candidate], subject_id: int) -> str:
    """How screening answered for a name whose subject is known."""
    if not found:
        return "nothing found"
    top = found[0]
    if top.result.decision == "match":
        return "right match" if top.subject_id == subject_id else "WRONG match"
    if any(c.subject_id == subject_id for c in found):
        return "ambiguous (possible), right one listed"
    return "ambiguous (possible), right one not listed"


def main() -> None:
    sets = [generator_set(subjects=20_000, per_case=300)]
    if REAL.exists():
        sets += real_sets(REAL)
    else:
        print(f"({REAL} is absent: real sets skipped)")
    _quality(sets)
    _scale()


if __name__ == "__main__":
    main()
