"""Portal speed: name search and subject pages under 50 concurrent users, SQLite and PostgreSQL.

Per store: a synthetic city of ``--subjects`` subjects (``--records`` records per subject)
is loaded (``load_demo`` rebuilds the search index: its "search index" phase) and
analysed; one call each of the heavier listings is timed; a real uvicorn server process
serves the app; an asyncio + httpx load generator (in this process) runs ``--users``
virtual users for ``--seconds`` seconds per scenario. Each user sends a request, waits
for the answer, then thinks ``--think`` seconds on average (uniform 0.5x–1.5x; 0 = no
pause, i.e. a saturation test). Printed per scenario: p50/p95/p99 latency, throughput
and errors, beside the same-run reference of a constant-response endpoint on the same
server (same middleware, no database).

Scenarios: ``GET /api/v1/subjects?q=`` with names as people type them (trade names,
full names, parts of names, traditional characters, full-width brackets and spaces,
codes) and ``GET /api/v1/subjects/{code}`` (the subject page's data); with ``--pages``
also the HTML pages ``/search?q=`` and ``/subjects/{code}`` when the portal serves them.
Targets (issue 5): search p95 ≤ 100 ms, subject page p95 ≤ 50 ms, at 1,000,000 subjects
on PostgreSQL and 100,000 on SQLite.

    .venv/bin/python bench/portal.py                       # both stores, 20,000 subjects
    .venv/bin/python bench/portal.py --store postgresql --subjects 1000000

PostgreSQL runs when XINYONG_BENCH_PG_URL (or XINYONG_TEST_PG_URL) names a server; the
benchmark creates a scratch database there and drops it afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx2 as httpx
import opencc
from sqlalchemy import select, text

from xinyong.core import db as core_db
from xinyong.core import migrate
from xinyong.core.config import reset_settings
from xinyong.core.db import scratch_postgresql, session_scope
from xinyong.demo import loader
from xinyong.identity import names
from xinyong.portal import service
from xinyong.subjects import search
from xinyong.subjects.models import Subject

ANCHOR = date(2026, 11, 1)
SAMPLE = 3000


@dataclass
class Scenario:
    label: str
    paths: list[str]
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        if not self.latencies:
            return f"{self.label}: no answers ({self.errors} errors)"
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

        return (
            f"{self.label}: p50 {pct(0.50):.1f} ms  p95 {pct(0.95):.1f} ms  "
            f"p99 {pct(0.99):.1f} ms  {len(ordered) / self.seconds:,.1f} req/s  "
            f"({len(ordered):,} answers, {self.errors} errors)"
        )


# --- the server ---------------------------------------------------------------------------


def bench_app() -> object:
    """The platform's app plus a constant-response route (the reference)."""
    from xinyong.app import create_app

    app = create_app()

    def constant() -> dict[str, str]:
        return {"status": "constant"}

    app.add_api_route("/bench/constant", constant, methods=["GET"])
    return app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _server(url: str, workers: int) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "XINYONG_DATABASE_URL": url,
        "XINYONG_RATE_ANONYMOUS_PER_MINUTE": "100000000",
        "XINYONG_RATE_KEY_PER_MINUTE": "100000000",
        # Measured requests do not share the cores with the batch checks' index build (the
        # checks benchmark times that build and the batches on their own).
        "XINYONG_MATCH_INDEX_AT_START": "false",
    }
    command = [sys.executable, __file__, "--serve", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError("the bench server exited; see its error above")
            try:
                if httpx.get(base + "/bench/constant", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the bench server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _serve(port: int, workers: int) -> None:
    import uvicorn

    app_dir = str(Path(__file__).parent)
    uvicorn.run(
        "portal:bench_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        app_dir=app_dir,
    )


# --- the load -----------------------------------------------------------------------------


async def _user(
    client: httpx.AsyncClient, scenario: Scenario, rng: random.Random, think: float, until: float
) -> None:
    await asyncio.sleep(think * rng.random())  # users arrive spread over one think time
    while time.perf_counter() < until:
        path = rng.choice(scenario.paths)
        started = time.perf_counter()
        try:
            response = await client.get(path)
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        if ok:
            scenario.latencies.append(time.perf_counter() - started)
        else:
            scenario.errors += 1
        if think:
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))


async def _run(base: str, scenario: Scenario, users: int, seconds: float, think: float) -> None:
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        for path in scenario.paths[:20]:  # warm up
            await client.get(path)
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(
            *(_user(client, scenario, random.Random(i), think, until) for i in range(users))
        )
        scenario.seconds = time.perf_counter() - started


# --- the workload -------------------------------------------------------------------------


def _spaced(name: str, rng: random.Random) -> str:
    wide = name.replace("(", "（").replace(")", "）")
    cut = rng.randint(1, max(1, len(wide) - 1))
    return f" {wide[:cut]}  {wide[cut:]} "


def _query_makers(
    t2s: opencc.OpenCC,
) -> list[tuple[float, Callable[[str, str, random.Random], str]]]:
    def part(name: str, _: str, rng: random.Random) -> str:
        key = search.search_key(name)
        size = rng.randint(3, min(5, max(3, len(key))))
        start = rng.randint(0, max(0, len(key) - size))
        return key[start : start + size]

    return [
        (0.30, lambda name, _, __: names.parse_org_name(name).trade_name or name),
        (0.20, lambda name, _, __: name),
        (0.15, part),
        (0.10, lambda name, _, __: str(t2s.convert(name))),
        (0.10, lambda name, _, rng: _spaced(name, rng)),
        (0.15, lambda _, code, __: code),
    ]


def _workload(seed: int) -> tuple[list[str], list[str]]:
    """Search texts and subject codes drawn from the loaded city."""
    rng = random.Random(seed)
    with session_scope() as session:
        rows = session.execute(
            select(Subject.name, Subject.uscc)
            .where(Subject.kind.in_(search.INDEXED_KINDS), Subject.uscc.is_not(None))
            .order_by(Subject.id)
        ).all()
    chosen = rng.sample(rows, min(SAMPLE, len(rows)))
    makers = _query_makers(opencc.OpenCC("s2t"))
    weights = [w for w, _ in makers]
    queries = []
    for name, code in chosen:
        make = rng.choices([m for _, m in makers], weights)[0]
        queries.append(make(name, code or "", rng))
    return queries, [code for _, code in chosen if code]


def _paths(queries: list[str], codes: list[str], pages: bool) -> list[Scenario]:
    out = [
        Scenario("reference  GET /bench/constant", ["/bench/constant"]),
        Scenario(
            "name search GET /api/v1/subjects?q=",
            [str(httpx.URL("/api/v1/subjects", params={"q": q})) for q in queries],
        ),
        Scenario(
            "subject page GET /api/v1/subjects/{code}", [f"/api/v1/subjects/{c}" for c in codes]
        ),
    ]
    if pages:
        out.append(
            Scenario(
                "search page GET /search?q=",
                [str(httpx.URL("/search", params={"q": q})) for q in queries],
            )
        )
        out.append(Scenario("subject page GET /subjects/{code}", [f"/subjects/{c}" for c in codes]))
    return out


# --- one store ----------------------------------------------------------------------------


def _load(url: str, label: str, args: argparse.Namespace) -> None:
    os.environ["XINYONG_DATABASE_URL"] = url
    reset_settings()
    core_db.dispose_engine()
    migrate.upgrade(url)
    report = loader.load_demo(
        subjects=args.subjects,
        seed=args.seed,
        records_per_subject=args.records,
        anchor=ANCHOR,
        progress=args.progress,
    )
    print(f"[{label}] {report.summary()}", flush=True)
    with session_scope() as session:  # load_demo rebuilt the search index ("search index")
        indexed = session.scalar(text("SELECT COUNT(*) FROM subject_search"))
        grams = session.scalar(text("SELECT COUNT(*) FROM subject_search_grams"))
    print(f"[{label}] search index: {indexed:,} organisations, {grams:,} postings", flush=True)
    _settle(url)
    _single_calls(label)


def _settle(url: str) -> None:
    """VACUUM ANALYZE after the bulk load, as autovacuum would on a live server."""
    if not url.startswith("postgresql"):
        with session_scope() as session:
            session.execute(text("ANALYZE"))
        return
    engine = core_db.make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _single_calls(label: str) -> None:
    """One call each of the heavier listings (not under load): what a cache must absorb."""
    timings = []
    with session_scope() as session:
        for name, call in (
            ("home figures", lambda: service.home_figures(session, today=ANCHOR)),
            ("双公示 first page", lambda: service.double_publicity(session, kind="penalty")),
            ("lists overview", lambda: service.public_lists(session)),
        ):
            started = time.perf_counter()
            call()
            timings.append(f"{name} {1000 * (time.perf_counter() - started):,.0f} ms")
    print(f"[{label}] single calls: " + ", ".join(timings), flush=True)


def _measure(url: str, label: str, args: argparse.Namespace) -> None:
    queries, codes = _workload(args.seed)
    scenarios = _paths(queries, codes, args.pages)
    core_db.dispose_engine()
    with _server(url, args.workers) as base:
        for scenario in scenarios:
            status = httpx.get(base + scenario.paths[0], timeout=60).status_code
            if status != 200:
                print(f"[{label}] {scenario.label}: skipped (answers {status})")
                continue
            asyncio.run(_run(base, scenario, args.users, args.seconds, args.think))
            print(f"[{label}] {scenario.line()}", flush=True)


def _store(url: str, label: str, args: argparse.Namespace) -> None:
    label = f"{label} {args.subjects:,} subjects"
    if args.url:
        os.environ["XINYONG_DATABASE_URL"] = url
        reset_settings()
        core_db.dispose_engine()
        print(f"[{label}] reusing the loaded database {args.url.rsplit('/', 1)[-1]}")
    else:
        _load(url, label, args)
    print(
        f"[{label}] load: {args.users} users, think {args.think:g} s, {args.seconds:g} s per "
        f"scenario, {args.workers} server worker(s), asyncio+httpx load generator",
        flush=True,
    )
    _measure(url, label, args)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--subjects", type=int, default=20_000)
    parser.add_argument("--records", type=float, default=4.0, help="records per subject")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--pages", action="store_true", help="also the HTML pages")
    parser.add_argument("--progress", action="store_true")
    parser.add_argument("--url", help="measure an already loaded database (no load, no drop)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    return parser.parse_known_args()[0]  # run_all passes its own arguments


def main() -> None:
    args = _arguments()
    if args.serve:
        _serve(args.serve, args.workers)
        return
    if args.url:
        _store(args.url, args.url.split(":", 1)[0].split("+")[0], args)
        return
    if args.store in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            _store(f"sqlite:///{Path(tmp) / 'portal.db'}", "sqlite", args)
    if args.store in ("postgresql", "both"):
        server = os.environ.get("XINYONG_BENCH_PG_URL") or os.environ.get("XINYONG_TEST_PG_URL")
        if not server:
            print("[postgresql] skipped: set XINYONG_BENCH_PG_URL to a PostgreSQL server URL")
            return
        with scratch_postgresql(server, prefix="xinyong_bench_") as url:
            _store(url, "postgresql", args)


if __name__ == "__main__":
    main()
