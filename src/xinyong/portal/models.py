"""The portal's search index: bigram postings over organisations' normalised names.

``subject_search`` holds one row per indexed subject (organisations only: legal persons
and individual businesses; natural persons and households are never indexed) with the
keys ranking compares; ``subject_search_grams`` holds one row per distinct character
bigram of the name. Both are derived data: ``portal.search.rebuild_index`` recreates
them from ``subjects`` at any time.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base
from xinyong.records.models import Record


class SubjectSearch(Base):
    """The ranking keys of one indexed subject."""

    __tablename__ = "subject_search"

    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), primary_key=True)
    # Normalised name without brackets, spaces or punctuation (what grams are cut from).
    name_key: Mapped[str] = mapped_column(String(255), index=True)
    # The trade name (字号) read from the name, same folding; None when none is found.
    trade_key: Mapped[str | None] = mapped_column(String(255), index=True)


class SearchGram(Base):
    """One distinct bigram of an indexed subject's ``name_key``.

    The primary key (gram, subject_id) is the postings list: a gram's subjects are one
    index range, and "does subject S hold gram G" is one probe. No foreign key, so that
    a rebuild of millions of rows is one COPY; ``subject_search`` carries the key.
    """

    __tablename__ = "subject_search_grams"
    __table_args__ = ({"sqlite_with_rowid": False},)

    gram: Mapped[str] = mapped_column(String(4), primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


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
