"""Village points at Pingdu's size: a district of 300,000 households with 6.5 million ledger
entries on PostgreSQL (loaded with COPY).

Figures (median of ``--runs`` unless said), each beside a same-run reference:
  close one village   — the month's close of one village (rolled back after each run),
                        beside summing that village's entries in one query;
  close all villages  — one close of every village (committed; target ≤ 60 s), beside one
                        full scan of the ledger (``SELECT count(*), sum(points)``);
  board page          — GET /points/villages/{id}/board through the app, beside GET / (the
                        portal's home page) on the same client;
  balance read        — ``ledger.balance`` of a random household, beside a primary-key read
                        of its account row.

    .venv/bin/python bench/points.py                         # full size (300k / 6.5M)
    .venv/bin/python bench/points.py --scale 0.02            # a fiftieth, for development
    XINYONG_BENCH_PG_URL=postgresql+psycopg://…/postgres .venv/bin/python bench/points.py
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sqlalchemy import text

from xinyong.core import db as core_db
from xinyong.core import migrate
from xinyong.core.config import reset_settings
from xinyong.core.db import Base, scratch_postgresql, session_scope
from xinyong.points import ledger, months, service
from xinyong.points.config import get_schemes

TODAY = date(2026, 12, 7)
PERIOD = "2026-11"
MONTHS = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)][:23]  # to 2026-11
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国文斌宇浩凯"
ENTRY_INDEXES = (
    "ix_points_entries_account_id_status",
    "ix_points_entries_village_id_period_status",
    "ix_points_entries_period_status",
    "ix_points_entries_reverses_id",
)


def _median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _copy(raw: object, table: str, columns: str, lines: Iterator[str]) -> None:
    """COPY rows (tab-separated text lines) into a table in blocks."""
    cursor = raw.cursor()  # type: ignore[attr-defined]
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        block = io.StringIO()
        for count, line in enumerate(lines, start=1):
            block.write(line)
            if count % 50_000 == 0:
                copy.write(block.getvalue())
                block = io.StringIO()
        copy.write(block.getvalue())


def _load(url: str, households: int, entries: int, villages: int, seed: int) -> list[int]:
    """Units, 300k households (subjects, heads, accounts) and the ledger, by COPY."""
    rng = random.Random(seed)
    with session_scope() as session:
        district = service.create_unit(session, code="370283", name="平度市", kind="district")
        towns = [
            service.create_unit(
                session, code=f"370283{t:03d}", name=f"第{t}镇", kind="town", parent=district
            )
            for t in range(1, max(1, villages // 105) + 1)
        ]
        village_ids = []
        for v in range(villages):
            town = towns[v % len(towns)]
            unit = service.create_unit(
                session, code=f"370283{v:06d}",
                name=f"{town.name}{v}村", kind="village", parent=town, scheme="yubei_household",
            )  # fmt: skip
            village_ids.append(unit.id)
    scheme = get_schemes().get("yubei_household")
    items = [(code, item.points) for code, item in scheme.items.items()]
    engine = core_db.get_engine()
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None
        with conn.cursor() as cur:
            for index in ENTRY_INDEXES:
                cur.execute(f"DROP INDEX IF EXISTS {index}")
        now = "2026-01-01 00:00:00+00"

        def subjects() -> Iterator[str]:
            for h in range(households):
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
                yield f"{2 * h + 1}\thousehold\t{name}户\t{name}户\tactive\tt\t{now}\t{now}\n"
                yield f"{2 * h + 2}\tnatural_person\t{name}\t{name}\tactive\tt\t{now}\t{now}\n"

        columns = "id, kind, name, name_normalized, status, verified, created_at, updated_at"
        _copy(conn, "subjects", columns, subjects())
        village_of = [village_ids[h % villages] for h in range(households)]
        _copy(
            conn, "points_accounts",
            "id, kind, subject_id, village_id, scheme, card_code, created_at",
            (f"{h + 1}\thousehold\t{2 * h + 1}\t{village_of[h]}\tyubei_household\tC{h:09d}\t{now}\n"
             for h in range(households)),
        )  # fmt: skip
        _copy(
            conn, "points_members", "id, account_id, person_id, role, valid_from",
            (f"{h + 1}\t{h + 1}\t{2 * h + 2}\thead\t2025-01-01\n" for h in range(households)),
        )  # fmt: skip

        def ledger_rows() -> Iterator[str]:
            for e in range(entries):
                h = rng.randrange(households)
                period = MONTHS[e * len(MONTHS) // entries]
                roll = rng.random()
                if roll < 0.08:
                    kind, item, points, status = (
                        "redemption",
                        "\\N",
                        -rng.choice((5, 10, 30)),
                        "approved",
                    )
                else:
                    kind, (item, points) = "deed", rng.choice(items)
                    status = "rejected" if roll > 0.97 else "approved"
                yield (
                    f"{e + 1}\t{h + 1}\t{2 * h + 1}\t{village_of[h]}\t{period}\t{kind}\t{item}\t"
                    f"{points}\t{period}-15\tvillager\tphone\t{status}\tclerk\t{now}\tcommittee\t{now}\n"
                )

        columns = (
            "id, account_id, subject_id, village_id, period, kind, item_code, points, deed_date, "
            "declared_by, channel, status, recorded_by, recorded_at, approved_by, decided_at"
        )
        _copy(conn, "points_entries", columns, ledger_rows())
        with conn.cursor() as cur:
            for table in ("subjects", "points_accounts", "points_members", "points_entries"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        conn.commit()
    finally:
        raw.close()
    table = Base.metadata.tables["points_entries"]
    with engine.begin() as connection:
        for index in table.indexes:
            index.create(connection)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    return village_ids


def run(url: str, args: argparse.Namespace) -> None:
    households = int(300_000 * args.scale)
    entries = int(6_500_000 * args.scale)
    villages = max(2, int(1_788 * args.scale))
    os.environ["XINYONG_DATABASE_URL"] = url
    reset_settings()
    core_db.dispose_engine()
    migrate.upgrade(url)
    started = time.perf_counter()
    village_ids = _load(url, households, entries, villages, args.seed)
    print(f"loaded {households:,} households, {entries:,} entries, {villages:,} villages "
          f"in {time.perf_counter() - started:.1f} s (COPY)")  # fmt: skip
    rng = random.Random(args.seed)
    chosen = rng.sample(village_ids, min(args.runs, len(village_ids)))

    def close_one() -> None:
        session = core_db.session_factory()()
        try:
            village = service.unit(session, chosen[rng.randrange(len(chosen))])
            months.close_month(session, village=village, period=PERIOD, actor="bench", today=TODAY)
        finally:
            session.rollback()
            session.close()

    def village_sum() -> None:
        with core_db.get_engine().connect() as conn:
            conn.execute(
                text(
                    "SELECT sum(e.points) FROM points_entries e JOIN points_accounts a "
                    "ON a.id = e.account_id WHERE a.village_id = :v AND e.status = 'approved'"
                ),
                {"v": chosen[0]},
            ).all()

    one = _median(close_one, args.runs)
    one_ref = _median(village_sum, args.runs)
    print(f"close one village     median {one * 1000:8.1f} ms   "
          f"(reference: sum of its entries {one_ref * 1000:.1f} ms)")  # fmt: skip

    def close_all() -> None:
        with session_scope() as session:
            everyone = months.villages_under(session, None)
            closed, refused = months.close_months(
                session, villages=everyone, period=PERIOD, actor="bench", today=TODAY
            )
            assert len(closed) == len(everyone) and not refused

    def scan() -> None:
        with core_db.get_engine().connect() as conn:
            conn.execute(text("SELECT count(*), sum(points) FROM points_entries")).all()

    scan_ref = _median(scan, 3)
    started = time.perf_counter()
    close_all()
    every = time.perf_counter() - started
    verdict = "meets" if every <= 60 else "MISSES"
    print(f"close all villages    once   {every:8.1f} s    "
          f"(reference: full ledger scan {scan_ref:.2f} s; target ≤ 60 s: {verdict})")  # fmt: skip

    from fastapi.testclient import TestClient

    from xinyong.app import create_app

    client = TestClient(create_app())
    pages = [f"/points/villages/{v}/board" for v in chosen]
    assert client.get(pages[0]).status_code == 200
    board = _median(lambda: client.get(pages[rng.randrange(len(pages))]), args.runs * 4)
    home = _median(lambda: client.get("/"), args.runs * 4)
    print(
        f"board page            median {board * 1000:8.1f} ms   "
        f"(reference: home page {home * 1000:.1f} ms)"
    )

    def balance() -> None:
        with session_scope() as session:
            account = service.account(session, rng.randrange(1, households + 1))
            ledger.balance(session, account)

    def row() -> None:
        with core_db.get_engine().connect() as conn:
            conn.execute(
                text("SELECT * FROM points_accounts WHERE id = :i"),
                {"i": rng.randrange(1, households + 1)},
            ).all()

    read = _median(balance, args.runs * 10)
    row_ref = _median(row, args.runs * 10)
    print(
        f"balance read          median {read * 1000:8.2f} ms   "
        f"(reference: account row by key {row_ref * 1000:.2f} ms)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of Pingdu's size")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--keep", action="store_true", help="keep the loaded database")
    args = parser.parse_args()
    server = os.environ.get("XINYONG_BENCH_PG_URL") or os.environ.get(
        "XINYONG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    os.environ.setdefault("XINYONG_SECRET_KEY", "bench-secret-key-" + "x" * 32)
    os.environ.setdefault("XINYONG_DATA_KEY", "bench-data-key-" + "x" * 32)
    os.environ.setdefault("XINYONG_LOOKUP_KEY", "bench-lookup-key-" + "x" * 32)
    print(f"village points at {args.scale:g} × Pingdu (300,000 households, 6.5M entries)")
    with scratch_postgresql(server, prefix="xinyong_points_bench_", keep=args.keep) as url:
        run(url, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
