"""Credit checks (逢办必查, 统查) under load: single checks by code, batches of codes and names.

On PostgreSQL (the production store): a synthetic city of ``--subjects`` subjects is loaded
(``load_demo``: records, the list entries the daily job imports from them, the search
index) and analysed. Then:

1. Single checks: a real uvicorn server (``--workers`` processes) serves the app; an
   asyncio + httpx load generator runs ``--users`` clients for ``--seconds`` seconds, each
   sending ``POST /api/v1/checks`` (one subject by USCC, matter government procurement,
   a department's API key) and waiting for the answer, with no pause. Printed: p50, p95,
   p99, throughput, errors — beside the same-run reference of ``GET /bench/constant`` (same
   server, same middleware, no database) under the same load.
2. Batch checks: a CSV of ``--batch`` codes, then one of ``--batch`` names (registered names
   of organisations, a fifth of them written differently: traditional characters,
   full-width brackets, spaces), each submitted and run by ``measures.batch.run`` as the
   background job would; printed: wall time and rows/s.

   The names batch runs against the matching index a server builds over every subject when
   it starts (its build time is printed too); the job refreshes it with the subjects
   registered since.

Targets (issue 7): p99 ≤ 30 ms for single checks; a 100,000-row batch ≤ 120 s.

    .venv/bin/python bench/checks.py                                # 20,000 subjects
    .venv/bin/python bench/checks.py --subjects 1000000 --users 100 --seconds 60 --batch 100000
    .venv/bin/python bench/checks.py --url postgresql+psycopg://…/loaded_db   # reuse a load

PostgreSQL runs when XINYONG_BENCH_PG_URL (or XINYONG_TEST_PG_URL) names a server; the
benchmark creates a scratch database there and drops it afterwards (``--keep`` keeps it
and prints its URL for ``--url``).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import random
import sys
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx2 as httpx
import opencc
from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).parent))
import portal as portal_bench
from xinyong.auth import apikeys
from xinyong.auth.principal import Principal
from xinyong.core import db as core_db
from xinyong.core import migrate
from xinyong.core.config import reset_settings
from xinyong.core.db import session_scope
from xinyong.demo import loader
from xinyong.lists.models import ListEntry
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Department, Subject

ANCHOR = date(2026, 11, 1)
MATTER = "government_procurement"
PURPOSE = "政府采购供应商资格审查(基准测试)"
SAMPLE = 5000


# --- the city -------------------------------------------------------------------------------


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
        subjects=args.subjects,
        seed=args.seed,
        records_per_subject=args.records,
        anchor=ANCHOR,
        progress=args.progress,
        rights_cases=0,
    )
    print(f"[load] {report.summary()}", flush=True)
    engine = core_db.make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _finance() -> Department:
    with session_scope() as session:
        department = session.scalar(
            select(Department).where(Department.kind == "finance").order_by(Department.id)
        )
        assert department is not None, "no finance department in the directory"
        session.expunge(department)
        return department


def _key(department_id: int) -> str:
    with session_scope() as session:
        issued = apikeys.create(
            session, name="bench checks", scopes=["checks:run"], department_id=department_id
        )
        return issued.token


def _codes(seed: int) -> tuple[list[str], float]:
    """USCCs to check (a fifth of them of subjects on a list) and the share of listed ones."""
    rng = random.Random(seed)
    with session_scope() as session:
        listed = session.scalars(
            select(Subject.uscc)
            .join(ListEntry, ListEntry.subject_id == Subject.id)
            .where(Subject.uscc.is_not(None))
            .limit(SAMPLE)
        ).all()
        total = session.scalar(select(Subject.id).order_by(Subject.id.desc()).limit(1)) or 0
        ids = rng.sample(range(1, total + 1), min(SAMPLE * 4, total))
        plain = session.scalars(
            select(Subject.uscc).where(Subject.id.in_(ids), Subject.uscc.is_not(None))
        ).all()
    codes = [c for c in (*listed[: SAMPLE // 5], *plain) if c]
    rng.shuffle(codes)
    share = len(set(listed[: SAMPLE // 5])) / max(1, len(codes))
    return codes, share


# --- single checks under load -----------------------------------------------------------------


async def _client(
    client: httpx.AsyncClient,
    scenario: portal_bench.Scenario,
    request: Any,
    rng: random.Random,
    until: float,
) -> None:
    while time.perf_counter() < until:
        started = time.perf_counter()
        try:
            response = await request(client, rng)
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        if ok:
            scenario.latencies.append(time.perf_counter() - started)
        else:
            scenario.errors += 1


async def _drive(
    base: str, scenario: portal_bench.Scenario, request: Any, users: int, seconds: float
) -> None:
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        warm = random.Random(0)
        for _ in range(20):
            await request(client, warm)
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(
            *(_client(client, scenario, request, random.Random(i), until) for i in range(users))
        )
        scenario.seconds = time.perf_counter() - started


def _single(url: str, token: str, codes: list[str], args: argparse.Namespace) -> None:
    headers = {"Authorization": f"Bearer {token}"}

    async def constant(client: httpx.AsyncClient, _: random.Random) -> httpx.Response:
        return await client.get("/bench/constant", headers=headers)

    async def check(client: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
        body = {"matter": MATTER, "purpose": PURPOSE, "subjects": [{"code": rng.choice(codes)}]}
        return await client.post("/api/v1/checks", json=body, headers=headers)

    core_db.dispose_engine()
    with portal_bench._server(url, args.workers) as base:
        probe = httpx.post(
            base + "/api/v1/checks",
            json={"matter": MATTER, "purpose": PURPOSE, "subjects": [{"code": codes[0]}]},
            headers=headers,
            timeout=60,
        )
        if probe.status_code != 200:
            print(f"[single] the check answers {probe.status_code}: {probe.text[:300]}")
            return
        for label, request in (
            ("reference  GET /bench/constant", constant),
            ("single check POST /api/v1/checks", check),
        ):
            scenario = portal_bench.Scenario(label, ["-"])
            asyncio.run(_drive(base, scenario, request, args.users, args.seconds))
            print(f"[single] {scenario.line()}", flush=True)


# --- batch checks ---------------------------------------------------------------------------


def _written_differently(name: str, rng: random.Random, t2s: opencc.OpenCC) -> str:
    roll = rng.random()
    if roll < 0.07:
        return str(t2s.convert(name))
    if roll < 0.14:
        return name.replace("(", "（").replace(")", "）")
    if roll < 0.20:
        cut = rng.randint(1, max(1, len(name) - 1))
        return f"{name[:cut]} {name[cut:]}"
    return name


def _batch_files(seed: int, rows: int) -> tuple[bytes, bytes]:
    """A CSV of ``rows`` codes and one of ``rows`` organisation names."""
    rng = random.Random(seed)
    with session_scope() as session:
        total = session.scalar(select(Subject.id).order_by(Subject.id.desc()).limit(1)) or 0
        ids = rng.sample(range(1, total + 1), min(total, rows * 2))
        found: list[Any] = []
        for start in range(0, len(ids), 10_000):
            chunk = ids[start : start + 10_000]
            found += session.execute(
                select(Subject.name, Subject.uscc).where(
                    Subject.id.in_(chunk), Subject.uscc.is_not(None)
                )
            ).all()
    found = found[:rows]
    t2s = opencc.OpenCC("s2t")
    codes, names = io.StringIO(), io.StringIO()
    code_writer, name_writer = csv.writer(codes), csv.writer(names)
    code_writer.writerow(["序号", "统一社会信用代码"])
    name_writer.writerow(["序号", "企业名称"])
    for number, (name, uscc) in enumerate(found, start=1):
        code_writer.writerow([number, uscc])
        name_writer.writerow([number, _written_differently(name, rng, t2s)])
    return codes.getvalue().encode("utf-8"), names.getvalue().encode("utf-8")


def _run_batch(label: str, data: bytes, department: Department) -> None:
    from xinyong.checks import batch

    principal = Principal(
        kind="staff", role="department_user", department_id=department.id, label="bench"
    )
    started = time.perf_counter()
    with session_scope() as session:
        check = batch.submit(
            session,
            principal=principal,
            department_id=department.id,
            matter=MATTER,
            purpose=PURPOSE,
            data=data,
            file_name=f"{label}.csv",
            today=ANCHOR,
        )
        check_id = check.id
    submitted = time.perf_counter()
    batch.run(check_id)
    wall = time.perf_counter() - started
    with session_scope() as session:
        done = session.get(type(check), check_id)
        assert done is not None
        print(
            f"[batch] {label}: {done.rows_done:,} rows in {wall:.1f} s "
            f"({done.rows_done / wall:,.0f} rows/s; reading and validating the file "
            f"{submitted - started:.1f} s), state {done.state}, {done.subjects_found:,} "
            f"subjects found, {done.subjects_hit:,} with hits, {done.hits:,} hits"
            + (f", error: {done.error}" if done.error else ""),
            flush=True,
        )


# --- one run --------------------------------------------------------------------------------


def _measure(url: str, args: argparse.Namespace) -> None:
    _use(url)
    department = _finance()
    token = _key(department.id)
    codes, share = _codes(args.seed)
    with session_scope() as session:
        subjects = session.scalar(text("SELECT COUNT(*) FROM subjects"))
        entries = session.scalar(text("SELECT COUNT(*) FROM list_entries"))
    print(
        f"[city] {subjects:,} subjects, {entries:,} list entries; {len(codes):,} codes to "
        f"check ({share:.0%} of them listed); {args.users} clients, {args.seconds:g} s each, "
        f"{args.workers} server worker(s)",
        flush=True,
    )
    if args.users:
        _single(url, token, codes, args)
    if args.batch:
        _use(url)
        code_file, name_file = _batch_files(args.seed, args.batch)
        _run_batch(f"{args.batch:,} codes", code_file, department)
        from xinyong.checks import batch_names

        with session_scope() as session:
            built = batch_names.warm_index(session)
        print(
            f"[batch] matching index over every subject built as a server builds it when it "
            f"starts (setting match_index_at_start): {built:.1f} s; a command-line job "
            f"(`xinyong checks batch`) builds its own first",
            flush=True,
        )
        _run_batch(f"{args.batch:,} names (the server holds the index)", name_file, department)


@contextmanager
def _database(args: argparse.Namespace) -> Any:
    if args.url:
        print(f"[load] reusing the loaded database {args.url.rsplit('/', 1)[-1]}")
        yield args.url
        return
    server = os.environ.get("XINYONG_BENCH_PG_URL") or os.environ.get("XINYONG_TEST_PG_URL")
    if not server:
        yield None
        return
    prefix = "xinyong_bench_checks_" if args.keep else "xinyong_bench_"
    with core_db.scratch_postgresql(server, prefix=prefix, keep=args.keep) as url:
        _load(url, args)
        if args.keep:
            print(f"[load] kept: --url {url}", flush=True)
        yield url


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=20_000)
    parser.add_argument("--records", type=float, default=4.0, help="records per subject")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=10_000, help="rows per batch check")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--progress", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the loaded database")
    parser.add_argument("--url", help="measure an already loaded database (no load, no drop)")
    return parser.parse_known_args()[0]  # run_all passes its own arguments


def main() -> None:
    args = _arguments()
    with _database(args) as url:
        if url is None:
            print("[checks] skipped: set XINYONG_BENCH_PG_URL to a PostgreSQL server URL")
            return
        _measure(url, args)


if __name__ == "__main__":
    main()
