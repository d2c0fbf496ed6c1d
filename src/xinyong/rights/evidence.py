"""Evidence files of a case: type recognised by content, size and count limits, safe names."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from sqlalchemy.orm import Session

from xinyong.core.config import get_settings
from xinyong.core.errors import Invalid
from xinyong.rights.config import get_config
from xinyong.rights.models import CaseFile, RightsCase
from xinyong.web.limits import BodyCap

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "ofd": "application/ofd",
}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


@dataclass(frozen=True)
class Upload:
    """A file as received: its name, its bytes and what it is meant to show."""

    filename: str
    content: bytes
    kind: str = "evidence"  # evidence | proof | material


class Received(Protocol):
    """A file part as a web framework hands it over (e.g. FastAPI's UploadFile)."""

    @property
    def filename(self) -> str | None: ...

    @property
    def file(self) -> BinaryIO: ...


def read_uploads(files: Sequence[Received] | None, *, kind: str, field: str) -> list[Upload]:
    """The received files' bytes, each read no further than one byte past the size limit.

    A part without a name and without bytes is an empty file input and is skipped.
    """
    limit = get_config().evidence.max_file_bytes
    uploads = []
    for index, received in enumerate(files or []):
        content = received.file.read(limit + 1)
        if not received.filename and not content:
            continue
        filename = received.filename or "file"
        if len(content) > limit:
            name = safe_name(filename)
            raise Invalid(
                key="rights.err.file_large",
                params={"name": name, "limit_1024_1024": limit / 1024 / 1024},
                details={"field": f"{field}[{index}]", "file": name, "limit": limit},
            )
        uploads.append(Upload(filename, content, kind))
    return uploads


def _is_ofd(content: bytes) -> bool:
    """OFD (GB/T 33190) is a ZIP package with OFD.xml at its root."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            return "OFD.xml" in package.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def sniff(content: bytes) -> str | None:
    """The file type by its first bytes (never by its name), or None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"PK\x03\x04") and _is_ofd(content):
        return "ofd"
    return None


def safe_name(filename: str) -> str:
    """The file's own name without folders or control characters, at most 200 characters."""
    base = re.split(r"[/\\]", filename or "")[-1]
    cleaned = _UNSAFE_NAME.sub("_", unicodedata.normalize("NFC", base)).strip(" .")
    return (cleaned or "file")[-200:]


def check(uploads: list[Upload], *, already: int = 0) -> list[tuple[Upload, str]]:
    """Each upload with its type; Invalid naming the file for any that breaks the rules."""
    rules = get_config().evidence
    if already + len(uploads) > rules.max_files:
        raise Invalid(
            key="rights.err.files_count",
            params={"rules_max_files": rules.max_files, "already": already},
            details={"field": "files"},
        )
    checked = []
    for index, upload in enumerate(uploads):
        name = safe_name(upload.filename)
        field = {"field": f"files[{index}]", "file": name}
        if not upload.content:
            raise Invalid(key="rights.err.file_empty", params={"name": name}, details=field)
        if len(upload.content) > rules.max_file_bytes:
            limit_mib = rules.max_file_bytes / 1024 / 1024
            raise Invalid(
                key="rights.err.file_large_mib",
                params={"name": name, "limit_mib": limit_mib},
                details=field,
            )
        kind = sniff(upload.content)
        if kind is None or kind not in rules.types:
            allowed = ", ".join(t.upper() for t in rules.types)
            raise Invalid(
                key="rights.err.file_type", params={"name": name, "allowed": allowed}, details=field
            )
        if upload.kind not in {"evidence", "proof", "material"}:
            raise Invalid(
                key="rights.err.file_kind", params={"upload_kind": upload.kind}, details=field
            )
        checked.append((upload, kind))
    return checked


def attach(
    session: Session, case: RightsCase, uploads: list[Upload], *, actor: str
) -> list[CaseFile]:
    """Check and store files with the case (in the caller's transaction)."""
    existing = session.query(CaseFile).filter(CaseFile.case_id == case.id).count()
    stored = []
    for upload, kind in check(uploads, already=existing):
        row = CaseFile(
            case_id=case.id,
            kind=upload.kind,
            filename=safe_name(upload.filename),
            content_type=CONTENT_TYPES[kind],
            size=len(upload.content),
            sha256=hashlib.sha256(upload.content).hexdigest(),
            content=upload.content,
            uploaded_by=actor,
        )
        session.add(row)
        stored.append(row)
    session.flush()
    return stored


def request_allowance() -> int:
    """The largest request carrying evidence: the case's whole allowance, plus form fields."""
    rules = get_config().evidence
    allowance = rules.max_files * rules.max_file_bytes + 1024 * 1024
    return max(allowance, get_settings().max_request_bytes)


# Rights applications carry evidence files: up to the case's whole allowance in one request.
BODY_CAP: BodyCap = (
    re.compile(
        r"/(api/v1/(objections|repairs|cases/\d+/material)"
        r"|portal/rights/(objection|repair)|portal/me/cases/\d+/material|console/rights/counter\S*)"
    ),
    request_allowance,
)
