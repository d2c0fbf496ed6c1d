"""``xinyong reports issue|verify|batch|keys|revoke``: credit reports from the command line.

The command line acts as the credit office (channel "cli") and issues any version of a report:
government (the default), public, the subject's own, or authorised (for an organisation
holding the subject's live authorisation), in Chinese or English (``--lang``);
``verify`` works offline: the PDF, its detached signature (``FILE.pdf.sig.json``, written by
``issue``) and trusted public keys (``--public-key`` file from ``reports keys``, or the keys
configured here).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth.models import Organisation
from xinyong.auth.principal import Principal
from xinyong.core.db import session_scope
from xinyong.core.errors import Invalid, XinyongError
from xinyong.core.i18n import Language
from xinyong.reports import batch as batches
from xinyong.reports import service, signing, verify
from xinyong.reports.config import Audience
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Department

reports_app = typer.Typer(help="Credit reports (信用报告).", no_args_is_help=True)
console = Console()
TypeOption = Annotated[str, typer.Option("--type", help="Report type (see reports.yaml).")]
PurposeOption = Annotated[str, typer.Option("--purpose", help="Why the report is issued.")]


def cli_principal(session: Session) -> Principal:
    """The credit office acting through the command line."""
    office = session.scalar(select(Department).where(Department.is_credit_office.is_(True)))
    return Principal(
        kind="staff",
        role="admin",
        department_id=office.id if office else None,
        label="xinyong 命令行",
    )


def _fail(message: str) -> None:
    console.print(f"[red]{message}[/red]")
    raise typer.Exit(1)


def _requester(session: Session, audience: Audience, organisation: int | None) -> Principal:
    """Who the report is for: the credit office itself, or (authorised version) the
    organisation whose live authorisation the subject gave."""
    if audience is not Audience.authorised:
        return cli_principal(session)
    found = session.get(Organisation, organisation) if organisation else None
    if found is None:
        raise Invalid(
            "授权版报告须用 --organisation 指定持有主体授权的机构 · "
            "the authorised version needs --organisation (the authorised organisation's id)",
            details={"field": "organisation"},
        )
    return Principal(
        kind="organisation", role="org_user", organisation_id=found.id, label=found.name
    )


@reports_app.command("issue")
def issue(
    subject: Annotated[str, typer.Argument(help="Credit code or ID number of the subject.")],
    type_code: TypeOption,
    purpose: PurposeOption,
    out: Annotated[Path, typer.Option("--out", help="Where to write the PDF.")],
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Also the data annex.")] = None,
    audience: Annotated[
        Audience,
        typer.Option(
            "--as",
            help="The version: public, subject (the subject's own), authorised (an "
            "organisation with the subject's authorisation) or government.",
        ),
    ] = Audience.government,
    organisation: Annotated[
        int | None, typer.Option(help="The authorised organisation's id (--as authorised).")
    ] = None,
    lang: Annotated[str, typer.Option(help="Language of the PDF and annex: zh or en.")] = "zh",
) -> None:
    """Issue a report of any version; writes FILE.pdf and its detached signature
    FILE.pdf.sig.json (and the data annex with --xlsx)."""
    from xinyong.reports import render

    if lang not in ("zh", "en"):
        _fail("--lang: zh 或 en · zh or en")
    language: Language = "en" if lang == "en" else "zh"
    try:
        with session_scope() as session:
            found = subjects_service.get_by_code(session, subject.strip().upper())
            request = service.Request(
                found.id,
                type_code,
                purpose,
                _requester(session, audience, organisation),
                "cli",
                lang=language,
                audience=audience,
            )
            report = service.issue(session, request=request)
            pdf = service.pdf_of(session, report)
            signature = verify.signature_file(report)
            annex = render.xlsx({**report.content, "_digest": report.content_digest}, lang=language)
    except XinyongError as error:
        _fail(error.message)
        return
    out.write_bytes(pdf)
    Path(str(out) + ".sig.json").write_text(
        json.dumps(signature, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    if xlsx is not None:
        xlsx.write_bytes(annex)
    console.print(
        f"{report.number} ({audience.value}) → {out} ({len(pdf)} bytes), signature {out}.sig.json"
    )


def _trusted_keys(path: Path | None) -> dict[str, signing.PublicKey]:
    if path is None:
        return signing.public_keys()
    rows = json.loads(path.read_text(encoding="utf-8"))
    keys = [signing.PublicKey(r["suite"], r["key_id"], r["public_hex"]) for r in rows]
    return {key.key_id: key for key in keys}


@reports_app.command("verify")
def verify_file(
    pdf: Annotated[Path, typer.Argument(help="The report PDF.", exists=True, dir_okay=False)],
    signature: Annotated[
        Path | None, typer.Option("--signature", help="Detached signature (FILE.pdf.sig.json).")
    ] = None,
    public_key: Annotated[
        Path | None, typer.Option("--public-key", help="Trusted keys (JSON from `reports keys`).")
    ] = None,
) -> None:
    """Check a report PDF offline against its signature and trusted public keys."""
    signature = signature or Path(str(pdf) + ".sig.json")
    if not signature.exists():
        _fail(f"缺少签名文件 {signature} · no signature file")
    sig = json.loads(signature.read_text(encoding="utf-8"))
    result = verify.verify_offline(
        pdf.read_bytes(), sig, _trusted_keys(public_key), today=service.beijing_today()
    )
    if not (result.pdf_ok and result.content_ok):
        _fail(f"核验失败：{result.reason}（PDF {result.pdf_ok}，内容 {result.content_ok}）")
    state = "已过有效期 · expired" if result.expired else "有效 · valid"
    console.print(f"{sig['number']}: 签名有效 · signature valid; {state}")


@reports_app.command("batch")
def batch(
    codes_file: Annotated[Path, typer.Argument(help="Codes, one per line.", exists=True)],
    type_code: TypeOption,
    purpose: PurposeOption,
    out: Annotated[Path, typer.Option("--out", help="ZIP of the PDFs and a manifest.")],
) -> None:
    """Issue reports for a list of subjects into a ZIP (commits every 20 reports)."""
    codes = batches.parse_codes(codes_file.read_text(encoding="utf-8-sig"))
    buffer = io.BytesIO()
    problems: list[str] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive, Progress() as progress:
        task = progress.add_task("reports", total=len(codes))
        for offset in range(0, len(codes), batches.COMMIT_EVERY):
            with session_scope() as session:
                principal = cli_principal(session)
                requests = [
                    (
                        code,
                        batches.request_for(
                            session,
                            code,
                            type_code=type_code,
                            purpose=purpose,
                            principal=principal,
                            channel="cli",
                        ),
                    )
                    for code in codes[offset : offset + batches.COMMIT_EVERY]
                ]
                for code, report, reason in batches.issue_chunk(session, requests):
                    if report is None:
                        problems.append(f"{code},{reason}")
                    else:
                        pdf = service.pdf_of(session, report)
                        archive.writestr(f"{code}_{report.number}.pdf", pdf)
                    progress.advance(task)
        archive.writestr("problems.csv", "\ufeff" + "\n".join(problems))
    out.write_bytes(buffer.getvalue())
    console.print(f"{len(codes) - len(problems)} reports → {out}; {len(problems)} not issued")


@reports_app.command("run-batch")
def run_batch(
    batch_id: Annotated[int, typer.Argument(help="A queued batch (console or API).", min=1)],
    chunk: Annotated[int, typer.Option(help="Reports per transaction.", min=1, max=500)] = (
        batches.COMMIT_EVERY
    ),
) -> None:
    """Run one queued report batch in this process (a worker), committing chunk by chunk."""
    try:
        with Progress() as progress:
            task = progress.add_task(f"batch {batch_id}", total=None)
            batches.run(
                batch_id,
                chunk=chunk,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    except XinyongError as error:
        _fail(error.message)
    console.print(f"report batch {batch_id}: done")


@reports_app.command("run-queued")
def run_queued(
    stale_minutes: Annotated[
        float, typer.Option(help="Resume running batches silent this long.", min=0)
    ] = batches.STALE_AFTER.total_seconds() / 60,
) -> None:
    """Run queued report batches and resume those whose process was lost (cron this)."""
    count = batches.run_queued(stale_after=timedelta(minutes=stale_minutes))
    console.print(f"{count} report batches run")


@reports_app.command("keys")
def keys() -> None:
    """The public keys reports are signed with (current and previous), as JSON."""
    rows = [key.__dict__ for key in signing.public_keys().values()]
    print(json.dumps(rows, indent=1))


@reports_app.command("revoke")
def revoke(number: str, reason: Annotated[str, typer.Option("--reason", help="Why.")]) -> None:
    """Revoke a report: it then verifies as revoked."""
    try:
        with session_scope() as session:
            verify.revoke(session, number=number, reason=reason, actor="system:cli")
    except XinyongError as error:
        _fail(error.message)
    console.print(f"{number}: 已撤销 · revoked")
