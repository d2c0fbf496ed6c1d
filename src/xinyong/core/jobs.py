"""Platform-wide background jobs (plain functions for the CLI, a scheduler or a worker)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Table, select, update

from xinyong.core.crypto import current_prefix, decrypt_text, encrypt_text
from xinyong.core.db import Base, session_factory

# Every column holding sealed personal identifiers.
SEALED_COLUMNS = (("subjects", "id_number_enc"), ("records", "protected"))


@dataclass
class RotationReport:
    resealed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.resealed.values())


def _reseal_batch(table: Table, column: str, after: int, batch: int) -> tuple[int, int]:
    """Re-seal one batch in its own transaction; returns (rows resealed, last id seen)."""
    token_column, id_column = table.c[column], table.c.id
    prefix = current_prefix()
    with session_factory().begin() as session:
        rows = session.execute(
            select(id_column, token_column)
            .where(id_column > after, token_column.is_not(None))
            .order_by(id_column)
            .limit(batch)
        ).all()
        stale = [(row_id, token) for row_id, token in rows if not token.startswith(prefix)]
        for row_id, token in stale:
            session.execute(
                update(table)
                .where(id_column == row_id, token_column == token)  # unchanged meanwhile
                .values({column: encrypt_text(decrypt_text(token))})
            )
    return len(stale), (rows[-1][0] if rows else after)


def rotate_data_key(*, batch: int = 1000) -> RotationReport:
    """Re-seal every token not under the current data key and suite, batch by batch.

    Readers keep working throughout: old tokens open with the previous keys
    (``XINYONG_DATA_KEYS_PREVIOUS``) until their row is re-sealed; each batch commits on
    its own, so the job can be stopped and resumed.
    """
    report = RotationReport()
    for table_name, column in SEALED_COLUMNS:
        table = Base.metadata.tables[table_name]
        done, after = 0, 0
        while True:
            resealed, last = _reseal_batch(table, column, after, batch)
            done += resealed
            if last == after:
                break
            after = last
        report.resealed[f"{table_name}.{column}"] = done
    return report
