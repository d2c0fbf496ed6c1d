"""Credit reports: one report for a subject with 50 records, and a batch of 1,000 reports.

Single report (``--runs`` times, after one warm-up): median and p95 of
  html       — content from the database through the policy + the HTML view,
  pdf        — the full issue (checks, content, signatures, Typst PDF, storage, query
               register) for another subject with 50 records each run, and again for the
               same subject (Typst's memo reuses what it laid out before),
  signature  — canonical JSON, digest and signature of the content and of the PDF's digest,
beside the same-run reference of laying out the same print data with the same Typst
template, no data access (the renderer's own floor): with every record's text changed each
run, and the very same data again. For comparison, WeasyPrint (the former renderer) lays out
the report's HTML view (5 runs). A batch of ``--batch`` reports (subjects with a few records
each) runs as the department batch job does: content on one connection, PDFs laid out on
``XINYONG_REPORT_WORKERS`` processes, committed every 20. Targets (issue 18): PDF median
≤ 300 ms; a batch of 1,000 ≤ 120 s on 2 cores.

    .venv/bin/python bench/reports.py                    # SQLite, 30 runs, batch of 1,000
    .venv/bin/python bench/reports.py --runs 5 --batch 50
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from xinyong.auth.principal import Principal
from xinyong.core import db as core_db
from xinyong.core import migrate
from xinyong.core.config import reset_settings
from xinyong.core.db import session_scope
from xinyong.identity import codes
from xinyong.identity.kinds import SubjectKind
from xinyong.records import service as records_service
from xinyong.records.schemas import RecordCreate
from xinyong.reports import batch as batches
from xinyong.reports import content as content_mod
from xinyong.reports import render, service, signing
from xinyong.reports.config import Audience, get_config
from xinyong.subjects import service as subjects_service
from xinyong.subjects.schemas import SubjectCreate
from xinyong.web import render as web_render


def _firm(session: object, n: int, records: int, today: date) -> int:
    from random import Random

    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    rng = Random(n)
    uscc = codes.generate_uscc(rng, category="91", region="320505")
    subject = subjects_service.create(
        session,
        data=SubjectCreate(
            kind=SubjectKind.legal_person, name=f"苏州市基准{n}号科技有限公司", uscc=uscc
        ),
    )
    dept = next(
        d for d in subjects_service.list_departments(session) if d.kind == "market_regulation"
    )
    for i in range(records):
        decided = today - timedelta(days=20 + i * 7)
        payload = {
            "subject_name": subject.name,
            "subject_type": "legal_person",
            "subject_code": uscc,
            "legal_representative": "王建国",
            "decision_number": f"苏市监罚〔{decided.year}〕{n}-{i}号",
            "violation_type": "虚假宣传",
            "violation_facts": "当事人在其网站发布虚假宣传内容，误导消费者",
            "penalty_basis": "《中华人民共和国反不正当竞争法》第二十条",
            "penalty_types": ["罚款"],
            "penalty_content": "责令停止违法行为，罚款人民币5万元",
            "fine_amount": "5",
            "decision_date": decided.isoformat(),
            "authority_name": dept.name_zh,
            "authority_code": dept.code,
            "source_unit": dept.name_zh,
            "source_unit_code": dept.code,
        }
        data = RecordCreate(
            subject_id=subject.id,
            item_code="admin_penalty",
            department_id=dept.id,
            source_record_id=payload["decision_number"],
            payload=payload,
        )
        records_service.submit(session, data=data, actor="bench", today=today)
    return subject.id


def _stats(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms"


def _time(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm-up (fonts, templates, caches)
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def single(runs: int, keep: str | None = None) -> bytes:
    """One subject with 50 records: html, pdf (full issue), signature, and the reference."""
    today = service.beijing_today()
    with session_scope() as session:
        subject_id = _firm(session, 1, 50, today)
        # Others like it, so that each timed issue lays out records Typst has not seen.
        others = [_firm(session, 2 + n, 50, today) for n in range(runs + 1)]
        office = next(d for d in subjects_service.list_departments(session) if d.is_credit_office)
    staff = Principal(
        kind="staff", role="admin", account_id=1, department_id=office.id, label="bench"
    )
    spec = get_config().get("public_legal")
    request = service.Request(subject_id, "public_legal", "基准测试", staff, "api")

    def html() -> str:
        with session_scope() as session:
            subject = subjects_service.get(session, subject_id)
            reader = content_mod.Reader(Audience.government, staff)
            sections, _ = content_mod.build(
                session, subject=subject, spec=spec, reader=reader, as_of=today
            )
            return render.html(
                {
                    "number": "XY0",
                    "type_name": {"zh": "", "en": ""},
                    "subject": {},
                    "audience_name": {"zh": "", "en": ""},
                    "sections": sections,
                    "watermark": {"zh": "", "en": ""},
                    "period": None,
                },
            )

    def full() -> None:
        with session_scope() as session:
            service.issue(session, request=request)

    queue = iter(others)

    def fresh() -> None:
        asked = service.Request(next(queue), "public_legal", "基准测试", staff, "api")
        with session_scope() as session:
            service.issue(session, request=asked)

    with session_scope() as session:
        prepared = service.prepare(session, request=request)
    page = prepared.page
    pdf = render.pdf(page)
    pages = _pages(pdf)
    if keep:
        Path(keep).write_bytes(pdf)
    shown = {**prepared.body, "_digest": prepared.content_digest, "_digest_algorithm": "SHA256"}
    screen = render.html(shown)

    def sign() -> None:
        service._signed_content(prepared.body)
        digest = signing.digest(prepared.algorithm, pdf)
        signing.sign(signing.pdf_message("XY0", digest), suite=prepared.suite)

    print(
        f"single report: 50 records, {pages} pages, {len(pdf) // 1024} KiB, suite {prepared.suite}"
    )
    print(f"  html       {_stats(_time(html, runs))}")
    print(f"  pdf        {_stats(_time(fresh, runs))}   (full issue, another subject each run)")
    print(f"  pdf again  {_stats(_time(full, runs))}   (full issue, the same subject again)")
    print(f"  signature  {_stats(_time(sign, runs))}")
    changed = iter(_changed(page, n) for n in range(runs + 1))
    print(
        f"  reference  {_stats(_time(lambda: render.pdf(next(changed)), runs))}"
        "   (same print data, every record's text changed each run → PDF, no data access)"
    )
    print(
        f"  ref. again {_stats(_time(lambda: render.pdf(page), runs))}"
        "   (the very same print data → PDF: Typst's memo at work)"
    )
    few = min(runs, 5)
    print(
        f"  weasyprint {_stats(_time(lambda: web_render.html_pdf(screen), few))}"
        f"   (the report's HTML view → PDF, the former renderer; {few} runs)"
    )
    return page


def _changed(page: bytes, n: int) -> bytes:
    """The print data with the number and every record field's text changed (nothing the
    Typst compiler laid out before), prepared before the timing."""
    data = orjson.loads(page)
    data["content"]["number"] = f"XY{n:016d}"
    for section in data["content"]["sections"]:
        for row in section.get("rows") or []:
            for field in row.get("fields") or []:
                field["value"] = {k: f"{v}·{n}" for k, v in field["value"].items()}
    return orjson.dumps(data)


def _pages(pdf: bytes) -> str:
    """The page count pdfinfo reads (poppler), or ? without it."""
    import shutil
    import subprocess

    if not shutil.which("pdfinfo"):
        return "?"
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=False).stdout
    lines = out.decode().splitlines()
    return next((line.split()[-1] for line in lines if line.startswith("Pages:")), "?")


def batch(size: int, warm: bytes) -> None:
    """A batch of ``size`` special reports for subjects with 0-3 records each."""
    today = service.beijing_today()
    with session_scope() as session:
        ids = [_firm(session, 1000 + n, n % 4, today) for n in range(size)]
        office = next(d for d in subjects_service.list_departments(session) if d.is_credit_office)
        principal = Principal(
            kind="staff", role="admin", account_id=1, department_id=office.id, label="bench"
        )
        code_of = {s: subjects_service.get(session, s).uscc for s in ids}
    render.pdf_many([warm] * max(render.workers(), 1))  # start the workers
    start = time.perf_counter()
    issued = 0
    for offset in range(0, size, batches.COMMIT_EVERY):
        with session_scope() as session:
            requests = [
                (str(code_of[s]), service.Request(s, "special", "评优评先", principal, "batch"))
                for s in ids[offset : offset + batches.COMMIT_EVERY]
            ]
            issued += sum(r is not None for _, r, _ in batches.issue_chunk(session, requests))
    elapsed = time.perf_counter() - start
    print(
        f"batch: {issued}/{size} reports in {elapsed:.1f} s ({size / elapsed:.1f} reports/s) "
        f"on {render.workers()} worker processes, {os.cpu_count()} cores"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--pdf", help="write the 50-record report's PDF here (to look at it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        os.environ["XINYONG_DATABASE_URL"] = url
        reset_settings()
        core_db.dispose_engine()
        migrate.upgrade(url)
        with session_scope() as session:
            subjects_service.sync_departments(session)
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        page = single(args.runs, args.pdf)
        if args.batch:
            batch(args.batch, page)
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        core_db.dispose_engine()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
