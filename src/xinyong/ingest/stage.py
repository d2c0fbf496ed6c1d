"""From a parsed row to a staging row: everything the set-based merge needs, computed once.

This is the per-row Python half of a load (the other half is SQL in ``merge.py``): the
source record id, how the subject is looked up, what the platform derives from the item's
rules (decision date, tier, disclosure end, initial state), the masked payload with the
clear personal numbers sealed beside it, the content digest and the timeliness flag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson

from xinyong.catalog import rules
from xinyong.catalog.schemas import CatalogItem, Severity
from xinyong.core.crypto import encrypt_text, lookup_hash
from xinyong.core.text import kept
from xinyong.core.workdays import WorkCalendar
from xinyong.identity import codes
from xinyong.identity.kinds import SubjectKind
from xinyong.ingest.values import CellError
from xinyong.records import protect
from xinyong.records.payload import decision_date_of
from xinyong.records.states import RecordState

STAGE_COLUMNS = (
    "row_number", "outcome", "errors", "cells", "source_record_id", "code_kind", "lookup",
    "subject_code", "subject_kind", "subject_name", "decision_date", "severity", "polarity",
    "disclosure_end", "state", "payload", "protected", "content_hash", "late", "workdays",
)  # fmt: skip


def dumps(value: Any) -> str:
    """Compact JSON text (non-ASCII kept) for staging columns; a NUL or a lone surrogate in
    a rejected row's cells is kept as U+FFFD (no store keeps either in JSON)."""
    try:
        text = _json_text(value)
    except TypeError:  # a lone surrogate: orjson writes UTF-8 only
        return _json_text(kept(value))
    return _json_text(kept(value)) if "\\u0000" in text else text


def _json_text(value: Any) -> str:
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


# A row's reason a clerk reads: Chinese first, then the English text.
TO_REVIEW = (
    "未填写主体代码：已转入人工复核队列，由人工选定主体 · "
    "no subject code: sent to the review queue to choose the subject"
)

# Six region digits, a birth date (19xx/20xx), then the rest of a citizen ID number.
_ID_LIKE = re.compile(r"\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{2,3}[\dXx]?")


def shown_value(value: str) -> str:
    """An error's value as kept and shown: anything shaped like a citizen ID number is
    masked (a mistyped number is still a person's number)."""
    return _ID_LIKE.sub(lambda m: codes.mask_id_number(m.group(0)), value)


def error_dicts(errors: list[CellError]) -> list[dict[str, Any]]:
    """Errors in the report's JSON shape (ID-shaped values masked)."""
    return [
        {"row": e.row, "column": e.column, "value": shown_value(e.value), "reason": e.reason}
        for e in errors
    ]


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


@dataclass
class Stager:
    """Turns parsed payloads of one item into staging tuples."""

    item: CatalogItem
    today: date
    calendar: WorkCalendar
    # The severity rules read a few fields only: their values decide the tier (memoised).
    _rule_fields: tuple[str, ...] = field(init=False, default=())
    _tiers: dict[tuple[Any, ...], Severity | None] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        used = {c.field for case in self.item.severity.rules for c in case.when}
        self._rule_fields = tuple(sorted(used))

    def severity(self, payload: dict[str, Any]) -> Severity | None:
        """The payload's tier (memoised on the fields the item's rules read)."""
        key = tuple(_hashable(payload.get(name)) for name in self._rule_fields)
        if key in self._tiers:
            return self._tiers[key]
        tier = rules.derive_severity(self.item, payload)
        if len(self._tiers) < 100_000:
            self._tiers[key] = tier
        return tier

    def rejected(self, row: int, cells: dict[str, Any], errors: list[CellError]) -> tuple[Any, ...]:
        """A row that failed validation: kept with its cells and every reason."""
        return (row, "rejected", dumps(error_dicts(errors)), dumps(cells), *([None] * 16))

    def review(
        self, row: int, cells: dict[str, Any], payload: dict[str, Any], name: str
    ) -> tuple[Any, ...]:
        """A row naming its subject only by name: waits for a person to pick the subject."""
        column = self.item.field(self.item.subject_code_field).label.zh
        errors = [{"row": row, "column": column, "value": "", "reason": TO_REVIEW}]
        staged: list[Any] = [row, "review", dumps(errors), dumps(cells)]
        staged += [None] * 5 + [kept(name)] + [None] * 5 + [dumps(payload)] + [None] * 4
        return tuple(staged)

    def staged(self, row: int, cells: dict[str, Any], payload: dict[str, Any]) -> tuple[Any, ...]:
        """A valid row, ready for the merge (a person's ID number staged encrypted only; the
        original cells are not staged: the rare set-based rejection reads them again)."""
        item = self.item
        code = str(payload[item.subject_code_field])
        subject_kind = _subject_kind(item, payload, code)
        kind, lookup = _lookup(code, subject_kind)
        decided = decision_date_of(item, payload)
        severity = self.severity(payload)
        end = (
            rules.disclosure_end(item, decision_date=decided, severity=severity, payload=payload)
            if decided is not None
            else None
        )
        state = RecordState.expired if end is not None and end < self.today else RecordState.active
        person = subject_kind == SubjectKind.natural_person.value
        masked, clear = protect.split_personal(item, payload, subject_is_person=person)
        workdays, late = self._timeliness(decided)
        body = protect.payload_json(masked)
        return (
            row, None, None, None, item.source_record_id(payload), kind, lookup,
            encrypt_text(code) if person else code, subject_kind,
            str(payload.get(item.subject_name_field) or ""), _iso(decided),
            severity.value if severity else None, item.polarity.value, _iso(end), state.value,
            body.decode(), protect.seal(clear),
            protect.content_hash(masked, clear, decided, masked_json=body),
            int(late), workdays,
        )  # fmt: skip

    def _timeliness(self, decided: date | None) -> tuple[int | None, bool]:
        """Working days from decision to receipt, and whether that passes the deadline."""
        deadline = self.item.reporting_deadline_working_days
        if decided is None:
            return None, False
        days = self.calendar.workdays_between(decided, self.today)
        return days, deadline is not None and days > deadline


def _lookup(code: str, subject_kind: str) -> tuple[str, str]:
    """The code's kind and the value subjects are looked up by (ID numbers by keyed hash).

    The code was validated by the parser; the declared subject category tells a citizen ID
    number from an all-digit USCC, and the length tells the older codes apart.
    """
    if subject_kind == SubjectKind.natural_person.value:
        return "id_number", lookup_hash(code)
    kinds = {18: "uscc", 15: "registration_number"}
    return kinds.get(len(code), "organization_code"), code


def _subject_kind(item: CatalogItem, payload: dict[str, Any], code: str) -> str:
    """The subject's kind: the row's declared category, else what the code says."""
    declared = payload.get(item.subject_type_field) if item.subject_type_field else None
    if isinstance(declared, str) and declared:
        return declared
    if codes.detect(code).kind == "id_number":
        return SubjectKind.natural_person.value
    if code[:2] == "92":
        return SubjectKind.individual_business.value
    return SubjectKind.legal_person.value


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
