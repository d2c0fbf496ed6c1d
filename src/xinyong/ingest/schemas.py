"""What a submission answers: the batch report, its errors, and the department ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class RowError(BaseModel):
    row: int
    column: str
    value: str
    reason: str


class BatchReport(BaseModel):
    """Every input row is counted in exactly one of accepted/corrected/unchanged/rejected."""

    batch_id: str
    status: str = Field(description="loaded | partial | refused")
    kind: str
    item_code: str
    department: str
    mode: str
    channel: str
    filename: str | None
    file_format: str | None
    encoding: str | None
    sheet: str | None
    sha256: str | None
    rows: int
    accepted: int
    corrected: int
    unchanged: int
    rejected: int
    late: int
    new_subjects: int
    to_review: int
    error: str | None = Field(description="why the whole batch was refused, if it was")
    notes: list[str]
    received_at: datetime
    finished_at: datetime | None
    errors: list[RowError]
    errors_total: int
    report_url: str | None = None


class RecordsSubmission(BaseModel):
    """An array of records of one catalogue item (keys: field names or template headers)."""

    item: str = Field(description="catalogue item code, e.g. admin_penalty")
    department: str | None = Field(
        default=None, description="department key; API keys of a department may omit it"
    )
    mode: str = Field(default="strict", pattern="^(strict|partial)$")
    records: list[Any] = Field(max_length=10_000)


class Withdrawal(BaseModel):
    source_record_id: str = Field(min_length=1, max_length=128)
    reason: str = Field(min_length=1, max_length=1000)


class WithdrawalSubmission(BaseModel):
    """Records to revoke (撤销), each with its reason: nothing is deleted."""

    item: str
    department: str | None = None
    withdrawals: list[Withdrawal] = Field(min_length=1, max_length=10_000)


class LedgerRow(BaseModel):
    """One department's submissions of one item (归集台账)."""

    department_key: str
    department_name: str
    item_code: str
    item_name: str
    submissions: int
    refused: int
    rows: int
    accepted: int
    corrected: int
    unchanged: int
    rejected: int
    late: int
    last_submission: datetime | None
