"""The portal's covering index over records for its publication pages (the subjects'
search index lives in ``subjects.models``)."""

from __future__ import annotations

from sqlalchemy import Index

from xinyong.records.models import Record

# 双公示 and list publications page through one item's records by (decision_date, id).
# The trailing columns make the index covering for what decides publication, so counts
# and filtered pages read the index alone (SQLite has no INCLUDE; plain key columns work
# on both stores). Declared here because the portal is its reader.
PUBLICATION_INDEX = Index(
    "ix_records_publication",
    Record.item_code,
    Record.decision_date,
    Record.id,
    Record.state,
    Record.disclosure_end,
    Record.is_current,
)
