"""信易贷 speed on SQLite: applications/s through the service (authorisation, event, audit,
webhook queue), matching per firm, the figures over every application, and webhook delivery
to a local receiver. Same-run reference: the bare driver read of the application rows.
Sizes: XINYONG_BENCH_FIN_FIRMS (default 300 subjects in the demo city) and
XINYONG_BENCH_FIN_APPS (default 400 applications)."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import select, text

from xinyong import registry
from xinyong.auth.models import Organisation
from xinyong.auth.principal import Principal
from xinyong.core import db as core_db
from xinyong.core import migrate
from xinyong.core.config import reset_settings
from xinyong.core.db import session_scope
from xinyong.demo import financing as demo_financing
from xinyong.demo import loader
from xinyong.financing import applications, figures, products, webhooks
from xinyong.financing.models import Product
from xinyong.financing.schemas import ApplicationCreate
from xinyong.subjects.models import Subject

FIRMS = int(os.environ.get("XINYONG_BENCH_FIN_FIRMS", "300"))
APPS = int(os.environ.get("XINYONG_BENCH_FIN_APPS", "400"))


class _Ok(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        return


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="xinyong-bench-fin-"))
    url = f"sqlite:///{folder / 'fin.db'}"
    registry.wire_effects()
    os.environ["XINYONG_DATABASE_URL"] = url
    reset_settings()
    core_db.dispose_engine()
    migrate.upgrade(url)
    loader.load_demo(subjects=FIRMS, seed=7, records_per_subject=3, anchor=date(2026, 11, 1))
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    with session_scope() as session:
        demo_financing.build_sandbox(session, password="Bench-Password-42")
        bank_a = session.scalars(
            select(Organisation.id).where(Organisation.name == demo_financing.BANK_A)
        ).one()
        bank_key = Principal(
            kind="organisation", role="branch_admin", organisation_id=bank_a, label="b"
        )
        webhooks.register(
            session, principal=bank_key, url=f"http://127.0.0.1:{receiver.server_address[1]}/h"
        )
    with session_scope() as session:
        firms = list(session.scalars(select(Subject.id).where(Subject.kind == "legal_person")))
        product = session.scalars(select(Product).where(Product.kind == "tax")).one()
        product_id, low, term = product.id, product.amount_min, product.term_min_months
    started = time.perf_counter()
    with session_scope() as session:
        for i in range(APPS):
            firm = firms[i % len(firms)]
            principal = Principal(kind="subject", subject_id=firm, label="f")
            data = ApplicationCreate(
                product_id=product_id, amount=low, term_months=term, purpose="补充流动资金"
            )
            applications.apply(session, principal=principal, data=data)
    apply_s = time.perf_counter() - started
    started = time.perf_counter()
    with session_scope() as session:
        for firm in firms[:100]:
            products.matching(session, subject_id=firm, today=date(2026, 11, 1))
    match_ms = (time.perf_counter() - started) * 1000 / min(100, len(firms))
    timings = {}
    with session_scope() as session:
        figures.compute(session, group="bank")  # warm: texts and rules load on first use
        for group in figures.GROUPS:
            started = time.perf_counter()
            figures.compute(session, group=group)
            timings[group] = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        rows = session.execute(text("SELECT * FROM financing_applications")).all()
        bare_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    with session_scope() as session:
        counts = webhooks.deliver_due(session)
    deliver_s = time.perf_counter() - started
    receiver.shutdown()
    print(f"firms in the city: {len(firms):,}; applications: {APPS:,}")
    print(f"apply (authorise, event, audit, webhook queue): {APPS / apply_s:,.0f} applications/s")
    print(f"matching (grade, years, lists, every product): {match_ms:.1f} ms per firm")
    for group, ms in timings.items():
        print(f"figures by {group} over {len(rows):,} applications: {ms:.1f} ms")
    print(f"reference: bare driver read of {len(rows):,} application rows: {bare_ms:.1f} ms")
    print(
        f"webhooks: {counts['delivered']:,} delivered to a local receiver in {deliver_s:.2f} s "
        f"({counts['delivered'] / deliver_s:,.0f}/s)"
    )


if __name__ == "__main__":
    main()
