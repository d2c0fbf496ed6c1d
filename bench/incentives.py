"""信易+ verification under load: ``POST /api/v1/incentives/verify`` from 50 concurrent clients.

A demo city of ``--subjects`` subjects is loaded (PostgreSQL when XINYONG_BENCH_PG_URL or
XINYONG_TEST_PG_URL names a server, else a SQLite file); the bus company (partner of the
shipped scenario 信易行 · 公共自行车免押金) gets an API key; fresh credit codes are issued to
the city's natural persons just before each phase (a code lives 3 minutes). A real uvicorn
server (``--workers`` processes) serves the app; an asyncio + httpx load generator runs
``--users`` clients for ``--seconds`` seconds:

1. paced: the clients together send ``--rate`` verifications per second (the target load);
2. saturated: each client sends its next call as soon as the last is answered;
3. one client, one call at a time (the service time without queueing).

Every call uses an unused token while the pool lasts (so the full path runs: signature,
one use per partner, eligibility over grade, lists and records, quota counters, redemption,
the registered query and its audit entry); answers are eligible, quota_reached (a holder
redeems once) or, past the pool, already_used. Printed: p50, p95, p99 and throughput, beside
the same-run reference ``GET /bench/constant`` (same server and middleware, no database)
under the same clients.

Target (issue 21): p99 ≤ 50 ms at 100 verifications/s on this 2-core machine.

    .venv/bin/python bench/incentives.py                       # 2,000 subjects, 8 s a phase
    .venv/bin/python bench/incentives.py --subjects 20000 --seconds 30 --rate 100
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx2 as httpx
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent))
import portal as portal_bench
from xinyong.auth import apikeys
from xinyong.auth.models import Organisation
from xinyong.auth.principal import Principal
from xinyong.core import db as core_db
from xinyong.core import migrate
from xinyong.core.config import reset_settings
from xinyong.core.db import session_scope
from xinyong.demo import loader
from xinyong.incentives import config
from xinyong.incentives import verify as verification
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject

ANCHOR = date(2026, 11, 1)
SCENARIO = "xinyixing_bike"


def _use(url: str) -> None:
    os.environ["XINYONG_DATABASE_URL"] = url
    reset_settings()
    core_db.dispose_engine()


def _load(url: str, args: argparse.Namespace) -> None:
    _use(url)
    migrate.upgrade(url)
    with session_scope() as session:
        subjects_service.sync_departments(session)
    report = loader.load_demo(
        subjects=args.subjects, seed=args.seed, records_per_subject=4, anchor=ANCHOR, rights_cases=0
    )
    print(f"[load] {report.summary()}", flush=True)


def _partner_key() -> str:
    name = config.shipped()[SCENARIO].partner.name
    with session_scope() as session:
        org = session.scalar(select(Organisation).where(Organisation.name == name))
        assert org is not None, f"the demo has no partner {name}"
        issued = apikeys.create(
            session, name="bench incentives", scopes=["incentives:verify"], organisation_id=org.id
        )
        return issued.token


def _tokens(count: int) -> list[str]:
    """Fresh codes of the city's natural persons (round-robin), issued now."""
    with session_scope() as session:
        people = list(session.scalars(select(Subject.id).where(Subject.kind == "natural_person")))
        tokens = []
        for index in range(count):
            holder = Principal(kind="subject", subject_id=people[index % len(people)])
            tokens.append(verification.issue_code(session, principal=holder).token)
    return tokens


async def _client(
    client: httpx.AsyncClient,
    scenario: portal_bench.Scenario,
    request: Any,
    until: float,
    interval: float,
    counts: dict[str, int],
) -> None:
    next_at = time.perf_counter() + random.random() * interval
    while True:
        if interval:
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            next_at += interval
        if time.perf_counter() >= until:
            return
        started = time.perf_counter()
        try:
            response = await request(client)
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        if ok:
            scenario.latencies.append(time.perf_counter() - started)
            status = response.json().get("status", "constant")
            counts[status] = counts.get(status, 0) + 1
        else:
            scenario.errors += 1


async def _drive(
    base: str, scenario: portal_bench.Scenario, request: Any, args: argparse.Namespace, rate: float
) -> dict[str, int]:
    limits = httpx.Limits(max_connections=args.users, max_keepalive_connections=args.users)
    interval = args.users / rate if rate else 0.0
    counts: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        started = time.perf_counter()
        until = started + args.seconds
        await asyncio.gather(
            *(
                _client(client, scenario, request, until, interval, counts)
                for _ in range(args.users)
            )
        )
        scenario.seconds = time.perf_counter() - started
    return counts


def _phase(base: str, key: str, args: argparse.Namespace, rate: float, label: str) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    wanted = int((rate or 400) * args.seconds * 1.1) + 50
    pool = iter(_tokens(wanted))
    spare = next(pool)

    async def constant(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get("/bench/constant", headers=headers)

    async def verify(client: httpx.AsyncClient) -> httpx.Response:
        body = {"scenario": SCENARIO, "token": next(pool, spare), "outlet": "公共自行车服务中心"}
        return await client.post("/api/v1/incentives/verify", json=body, headers=headers)

    for name, request in (("reference GET /bench/constant", constant), ("verify", verify)):
        scenario = portal_bench.Scenario(f"{label} {name}", ["-"])
        counts = asyncio.run(_drive(base, scenario, request, args, rate))
        answers = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        print(f"[{label}] {scenario.line()}  [{answers}]", flush=True)


def _measure(url: str, args: argparse.Namespace) -> None:
    _use(url)
    key = _partner_key()
    core_db.dispose_engine()
    print(
        f"[city] {args.subjects:,} subjects on {url.split(':', 1)[0]}; {args.users} clients, "
        f"{args.seconds:g} s a phase, {args.workers} server worker(s)",
        flush=True,
    )
    with portal_bench._server(url, args.workers) as base:
        probe = httpx.post(
            base + "/api/v1/incentives/verify",
            json={"scenario": SCENARIO, "token": _tokens(1)[0]},
            headers={"Authorization": f"Bearer {key}"},
            timeout=60,
        )
        print(f"[probe] {probe.status_code} {probe.text[:200]}", flush=True)
        if probe.status_code != 200:
            return
        _phase(base, key, args, args.rate, f"paced {args.rate:g}/s")
        _phase(base, key, args, 0, "saturated")
        # One client, one call at a time: the service time without queueing (a reference
        # for how much of the figures above is waiting on a shared machine).
        alone = argparse.Namespace(**{**vars(args), "users": 1, "seconds": min(args.seconds, 4)})
        _phase(base, key, alone, 0, "one client")


@contextmanager
def _database(args: argparse.Namespace) -> Iterator[str]:
    server = os.environ.get("XINYONG_BENCH_PG_URL") or os.environ.get("XINYONG_TEST_PG_URL")
    if server:
        with core_db.scratch_postgresql(server, prefix="xinyong_bench_") as url:
            _load(url, args)
            yield url
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/incentives.db"
        _load(url, args)
        yield url


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--subjects", type=int, default=2000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rate", type=float, default=100.0, help="paced phase: calls per second")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20261207)
    return parser.parse_known_args()[0]  # run_all passes its own arguments


def main() -> None:
    from xinyong import registry

    registry.wire_effects()
    args = _arguments()
    with _database(args) as url:
        _measure(url, args)


if __name__ == "__main__":
    main()
