"""Synthetic credit records: realistic payloads for each catalogue item, driven by its fields.

Every field of an item gets a value from a generator chosen by field name (where the
name says what it holds) or by field type; the item's own rules then derive severity and
disclosure end exactly as for submitted records.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from xinyong.catalog.schemas import Catalog, CatalogItem
from xinyong.demo import fields
from xinyong.demo.fields import DepartmentInfo
from xinyong.demo.generator import Chunk, SubjectRow
from xinyong.records import protect
from xinyong.records import service as records_service


@dataclass
class RecordRow:
    id: int
    subject_id: int
    item_code: str
    department_id: int
    source_record_id: str
    version: int
    is_current: bool
    state: str
    decision_date: date | None
    severity: str | None
    polarity: str
    disclosure_end: date | None
    payload: dict[str, Any]
    batch_id: str | None
    supersedes_id: int | None = None
    state_reason: str | None = None
    protected: str | None = None


# Expected records per subject of each kind, before scaling to the requested average.
BASE_RATES: dict[str, dict[str, float]] = {
    "enterprise": {
        "registration": 1.0,
        "admin_licence": 3.0,
        "admin_penalty": 1.0,
        "dishonest_judgment_debtor": 0.05,
        "abnormal_operation": 0.15,
        "serious_dishonesty_list": 0.01,
        "honour": 0.15,
        "credit_commitment": 2.0,
        "tax_credit_rating": 4.0,
        "contract_performance": 0.3,
        "js_environmental_credit_rating": 0.3,
    },
    "individual": {
        "registration": 1.0,
        "admin_licence": 1.5,
        "admin_penalty": 0.5,
        "dishonest_judgment_debtor": 0.02,
        "abnormal_operation": 0.2,
        "credit_commitment": 0.5,
        "tax_credit_rating": 2.0,
    },
    "person": {
        "admin_penalty": 0.2,
        "dishonest_judgment_debtor": 0.03,
        "professional_qualification": 0.6,
        "credit_commitment": 0.2,
        "admin_licence": 0.2,
        "honour": 0.02,
    },
    "organisation": {"admin_licence": 1.0, "admin_penalty": 0.1, "credit_commitment": 0.5},
}
KIND_SHARES = {"enterprise": 0.535, "individual": 0.25, "person": 0.15, "organisation": 0.04}


def _kind_key(row: SubjectRow) -> str | None:
    if row.kind == "natural_person":
        return "person"
    if row.kind == "individual_business":
        return "individual"
    if row.kind == "legal_person":
        return "enterprise" if row.category == "91" else "organisation"
    return None


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


class RecordFactory:
    """Makes the records of a chunk of subjects; ids are assigned in order."""

    def __init__(
        self,
        *,
        catalog: Catalog,
        departments: dict[str, list[DepartmentInfo]],
        anchor: date,
        records_per_subject: float,
        first_record_id: int,
        seed: int,
    ) -> None:
        self.catalog = catalog
        self.departments = departments
        self.anchor = anchor
        self.seed = seed
        self.next_id = first_record_id
        base = sum(KIND_SHARES[k] * sum(rates.values()) for k, rates in BASE_RATES.items())
        self.scale = records_per_subject / base
        self.rates = {
            kind: {code: rate * self.scale for code, rate in rates.items() if code in catalog.items}
            for kind, rates in BASE_RATES.items()
        }
        self.makers = {code: self._field_makers(item) for code, item in catalog.items.items()}
        # Items evaluated once a year (one record per subject and year).
        self.yearly = {
            code for code, item in catalog.items.items() if item.find_field("evaluation_year")
        }

    # -- public -----------------------------------------------------------------------
    def records_for_chunk(self, chunk: Chunk) -> list[RecordRow]:
        """All records of the chunk's subjects (deterministic for the chunk)."""
        rng = random.Random(f"xinyong-records:{self.seed}:{chunk.index}")
        out: list[RecordRow] = []
        for subject in chunk.subjects:
            kind = _kind_key(subject)
            if kind is None:
                continue
            for code, rate in self.rates[kind].items():
                count = 1 if code == "registration" else _poisson(rng, rate)
                for n in range(count):
                    out.extend(self._record(rng, self.catalog.items[code], subject, n))
        return out

    # -- one record -------------------------------------------------------------------
    def submission_payload(
        self,
        rng: random.Random,
        item: CatalogItem,
        subject: SubjectRow,
        department: DepartmentInfo,
        decided: date,
    ) -> dict[str, Any]:
        """A clear payload of the item as the department would submit it (also used to
        write submission files for tests and benchmarks)."""
        context = fields.FieldContext(rng, subject, department, decided, self.next_id)
        payload = context.values
        for name, make in self.makers[item.code]:
            value = make(context)
            if value is not None:
                payload[name] = value
        return payload

    def _department(self, rng: random.Random, item: CatalogItem) -> DepartmentInfo | None:
        kinds = [k for k in item.source_departments if k in self.departments]
        if not kinds:
            return None
        # The first listed department kind is the item's main source.
        main = kinds[0] if rng.random() < 0.5 else rng.choice(kinds)
        return rng.choice(self.departments[main])

    def _decision_date(
        self, rng: random.Random, item: CatalogItem, subject: SubjectRow, n: int
    ) -> date:
        if item.code == "registration" and subject.registration_date:
            return subject.registration_date
        if item.code in self.yearly:
            # Yearly evaluations, published once a year for the year before.
            month, day = (4, 20) if item.code == "tax_credit_rating" else (6, 30)
            latest = self.anchor.year - (self.anchor < date(self.anchor.year, month, day))
            return date(latest - n, month, day)
        earliest = subject.registration_date or self.anchor - timedelta(days=5 * 365)
        span = max(1, min(5 * 365, (self.anchor - earliest).days))
        return self.anchor - timedelta(days=rng.randrange(span))

    def _record(
        self, rng: random.Random, item: CatalogItem, subject: SubjectRow, n: int
    ) -> list[RecordRow]:
        department = self._department(rng, item)
        if department is None:
            return []
        decided = self._decision_date(rng, item, subject, n)
        payload = self.submission_payload(rng, item, subject, department, decided)
        derived = records_service.derive(item, payload)
        source_id = self._source_id(item, payload, subject, decided)
        masked, clear = protect.split_personal(
            item, payload, subject_is_person=subject.kind == "natural_person"
        )
        row = RecordRow(
            id=self.next_id,
            subject_id=subject.id,
            item_code=item.code,
            department_id=department.id,
            source_record_id=source_id,
            version=1,
            is_current=True,
            state="active",
            decision_date=derived.decision_date,
            severity=derived.severity,
            polarity=derived.polarity,
            disclosure_end=derived.disclosure_end,
            payload=masked,
            batch_id=f"demo-{self.seed}",
            protected=protect.seal(clear),
        )
        self.next_id += 1
        rows = [row]
        draw = rng.random()
        if item.code == "registration":
            return rows
        if draw < 0.015:
            rows = self._with_old_version(row)
        elif draw < 0.025:
            row.state, row.state_reason = "revoked", "原决定经行政复议被撤销"
        elif draw < 0.05 and row.polarity == "negative" and (self.anchor - decided).days > 100:
            row.state, row.state_reason = "repaired", "已履行法定义务，经申请完成信用修复"
        return rows

    def _with_old_version(self, row: RecordRow) -> list[RecordRow]:
        old = RecordRow(**{**row.__dict__, "payload": dict(row.payload)})
        old.is_current, old.state, old.state_reason = False, "corrected", "数据来源单位更正"
        for key in ("remarks", "violation_facts", "licence_content", "commitment_content"):
            if key in old.payload:
                old.payload[key] = str(old.payload[key]) + "（原报送内容有误）"
                break
        else:
            name = str(old.payload.get("subject_name", ""))
            old.payload["subject_name"] = name[:-1] or name + "?"  # a typo, fixed in v2
        row.id, row.version, row.supersedes_id = self.next_id, 2, old.id
        self.next_id += 1
        return [old, row]

    def _source_id(
        self, item: CatalogItem, payload: dict[str, Any], subject: SubjectRow, decided: date
    ) -> str:
        key = item.source_record_id(payload)
        return key or f"{item.code}:{subject.uscc or subject.id}:{decided.isoformat()}"

    # -- field makers -----------------------------------------------------------------
    def _field_makers(self, item: CatalogItem) -> list[tuple[str, fields.Maker]]:
        return [(spec.name, fields.maker_for(item, spec)) for spec in item.fields]
