"""Synthetic credit records: realistic payloads for each catalogue item, driven by its fields.

Every field of an item gets a value from a generator chosen by field name (where the
name says what it holds) or by field type; the item's own rules then derive severity and
disclosure end exactly as for submitted records.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from xinyong.catalog.schemas import Catalog, CatalogItem, FieldSpec, FieldType
from xinyong.demo import vocabulary as vocab
from xinyong.demo.generator import Chunk, SubjectRow
from xinyong.records import service as records_service


@dataclass(frozen=True)
class DepartmentInfo:
    id: int
    kind: str
    name: str
    code: str


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

VIOLATIONS = (
    "虚假宣传",
    "未按规定公示年度报告",
    "销售不合格产品",
    "无证经营",
    "超标排放污染物",
    "未按规定申报纳税",
    "违法建设",
    "安全生产违规",
    "拖欠劳动报酬",
    "违规使用医保基金",
    "食品安全违规",
    "价格违法行为",
    "商标侵权",
    "未取得施工许可擅自施工",
    "超限运输",
)
PENALTY_TYPES = (
    ("警告", 0.30),
    ("通报批评", 0.05),
    ("罚款", 0.50),
    ("没收违法所得", 0.08),
    ("暂扣许可证件", 0.02),
    ("吊销许可证件", 0.02),
    ("责令停产停业", 0.02),
    ("责令关闭", 0.005),
    ("限制从业", 0.005),
)
LICENCES = (
    "食品经营许可证",
    "排污许可证",
    "建筑工程施工许可证",
    "道路运输经营许可证",
    "危险化学品经营许可证",
    "药品经营许可证",
    "出版物经营许可证",
    "人力资源服务许可证",
)
QUALIFICATIONS = (
    "一级建造师",
    "注册会计师",
    "执业医师",
    "教师资格",
    "注册安全工程师",
    "法律职业资格",
)


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
    def _department(self, rng: random.Random, item: CatalogItem) -> DepartmentInfo | None:
        kinds = [k for k in item.source_departments if k in self.departments]
        if not kinds:
            return None
        return rng.choice(self.departments[rng.choice(kinds)])

    def _decision_date(
        self, rng: random.Random, item: CatalogItem, subject: SubjectRow, n: int
    ) -> date:
        if item.code == "registration" and subject.registration_date:
            return subject.registration_date
        if any(spec.name == "evaluation_year" for spec in item.fields):
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
        context = _Context(rng, subject, department, decided, self.next_id)
        payload = {
            name: value
            for name, make in self.makers[item.code]
            if (value := make(context)) is not None
        }
        derived = records_service.derive(item, payload)
        source_id = self._source_id(item, payload, subject, decided)
        row = RecordRow(
            self.next_id,
            subject.id,
            item.code,
            department.id,
            source_id,
            1,
            True,
            "active",
            derived.decision_date,
            derived.severity,
            derived.polarity,
            derived.disclosure_end,
            payload,
            f"demo-{self.seed}",
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
    def _field_makers(self, item: CatalogItem) -> list[tuple[str, Callable[[_Context], Any]]]:
        makers = []
        for spec in item.fields:
            make = _maker_for(item, spec)
            if not spec.required:
                make = _sometimes(make, 0.6)
            makers.append((spec.name, make))
        return makers


@dataclass
class _Context:
    rng: random.Random
    subject: SubjectRow
    department: DepartmentInfo
    decided: date
    serial: int


Maker = Callable[[_Context], Any]


def _sometimes(make: Maker, share: float) -> Maker:
    def maybe(ctx: _Context) -> Any:
        return make(ctx) if ctx.rng.random() < share else None

    return maybe


def _document_number(ctx: _Context, word: str = "决") -> str:
    short = ctx.department.name.removeprefix("国家税务总局").removeprefix("中华人民共和国")
    return f"{short[:2]}{short[3:5]}{word}〔{ctx.decided.year}〕{ctx.serial}号"


def _after(ctx: _Context, low: int, high: int) -> str:
    return (ctx.decided + timedelta(days=ctx.rng.randint(low, high))).isoformat()


def _weighted(ctx: _Context, pairs: tuple[tuple[str, float], ...], allowed: list[str]) -> str:
    usable = [(v, w) for v, w in pairs if v in allowed] or [(v, 1.0) for v in allowed]
    return ctx.rng.choices([v for v, _ in usable], weights=[w for _, w in usable])[0]


def _person_name(ctx: _Context) -> str:
    surname = ctx.rng.choice([s for s, _ in vocab.SURNAMES[:20]])
    return surname + "".join(
        ctx.rng.choice(vocab.GIVEN_CHARS) for _ in range(ctx.rng.randint(1, 2))
    )


def _amount(ctx: _Context, low: float, high: float, places: int = 2) -> str:
    """A log-uniform amount in canonical decimal form (no trailing zeros), as stored."""
    value = math.exp(ctx.rng.uniform(math.log(low), math.log(high)))
    return format(Decimal(f"{value:.{places}f}").normalize(), "f")


_NAMED: dict[str, Maker] = {
    "subject_name": lambda c: c.subject.name,
    "subject_code": lambda c: c.subject.uscc or c.subject.id_number,
    "legal_representative": _person_name,
    "legal_representative_id_type": lambda c: "身份证",
    "legal_representative_id_number": lambda c: None,
    "establishment_date": lambda c: (c.subject.registration_date or c.decided).isoformat(),
    "business_term_from": lambda c: (c.subject.registration_date or c.decided).isoformat(),
    "business_term_to": lambda c: None,
    "valid_from": lambda c: c.decided.isoformat(),
    "valid_to": lambda c: _after(c, 365, 5 * 365),
    "filing_date": lambda c: (c.decided - timedelta(days=c.rng.randint(30, 200))).isoformat(),
    "signing_date": lambda c: (c.decided - timedelta(days=c.rng.randint(30, 600))).isoformat(),
    "deadline": lambda c: _after(c, 30, 365),
    "verified_date": lambda c: None,
    "penalty_valid_to": lambda c: None,
    "publication_end": lambda c: None,
    "removal_date": lambda c: None,
    "planned_removal_date": lambda c: _after(c, 365, 3 * 365),
    "list_end_date": lambda c: _after(c, 2 * 365, 5 * 365) if c.rng.random() < 0.5 else None,
    "violation_type": lambda c: c.rng.choice(VIOLATIONS),
    "certificate_name": lambda c: c.rng.choice(LICENCES),
    "qualification_name": lambda c: c.rng.choice(QUALIFICATIONS),
    "list_name": lambda c: "严重失信主体名单",
    "currency": lambda c: "人民币",
    "industry_code": lambda c: c.subject.industry,
    "entity_type": lambda c: "有限责任公司" if c.subject.category == "91" else "个体工商户",
    "province": lambda c: "江苏",
    "honour_name": lambda c: c.rng.choice(
        ("守合同重信用企业", "纳税信用A级纳税人", "诚信经营示范单位")
    ),
    "registered_capital": lambda c: _amount(c, 10, 10000),
    "fine_amount": lambda c: _amount(c, 0.05, 150),
    "confiscated_amount": lambda c: _amount(c, 0.01, 20),
    "contract_amount": lambda c: _amount(c, 5, 5000),
    "score": lambda c: _amount(c, 55, 100, 1),
    "evaluation_year": lambda c: c.decided.year - 1,
    "address": lambda c: (
        f"{c.department.name[:3]}{c.rng.choice('东西南北中')}环路{c.rng.randint(1, 999)}号"
    ),
    "counterparty": lambda c: c.department.name,
    "counterparty_code": lambda c: c.department.code,
    "court_name": lambda c: c.department.name,
    "basis_issuer": lambda c: c.department.name,
}
_ENUM_WEIGHTS: dict[str, tuple[tuple[str, float], ...]] = {
    "grade": (("A", 0.2), ("B", 0.45), ("M", 0.2), ("C", 0.1), ("D", 0.05)),
    "rating": (("绿色", 0.2), ("蓝色", 0.55), ("黄色", 0.15), ("红色", 0.07), ("黑色", 0.03)),
    "status": (("有效", 0.9), ("无效", 0.1)),
    "honour_kind": (("荣誉", 0.8), ("守信激励名单", 0.2)),
    "performance_status": (
        ("履约中", 0.3),
        ("已履约", 0.6),
        ("未履约", 0.1),
        ("正常履约", 0.5),
        ("履约完成", 0.4),
        ("违约", 0.08),
        ("合同解除", 0.02),
        ("全部未履行", 0.7),
        ("部分未履行", 0.3),
    ),
    "registration_status": (("存续", 0.95), ("注销", 0.04), ("吊销", 0.01)),
}


def _enum_maker(item: CatalogItem, spec: FieldSpec) -> Maker:
    if spec.name == "subject_type":
        return lambda c: c.subject.kind if c.subject.kind in spec.values else spec.values[0]
    if spec.multiple:

        def several(c: _Context) -> list[str]:
            first = _weighted(c, PENALTY_TYPES, spec.values)
            if c.rng.random() < 0.2:
                second = _weighted(c, PENALTY_TYPES, spec.values)
                return list(dict.fromkeys([first, second]))
            return [first]

        return several
    pairs = _ENUM_WEIGHTS.get(spec.name, ())
    return lambda c: _weighted(c, pairs, spec.values)


def _maker_for(item: CatalogItem, spec: FieldSpec) -> Maker:
    if spec.name in _NAMED:
        return _NAMED[spec.name]
    if spec.name == item.decision_date_field:
        return lambda c: c.decided.isoformat()
    if spec.name == item.source_record_id_field or spec.name.endswith("_number"):
        word = {
            "admin_penalty": "罚",
            "admin_licence": "许",
            "dishonest_judgment_debtor": "执",
        }.get(item.code, "决")
        return lambda c: _document_number(c, word)
    if spec.type == FieldType.enum:
        return _enum_maker(item, spec)
    if spec.type in (FieldType.uscc, FieldType.subject_code):
        return lambda c: c.department.code
    if spec.type == FieldType.date:
        return lambda c: c.decided.isoformat()
    if spec.type == FieldType.decimal:
        return lambda c: _amount(c, 1, 500)
    if spec.type == FieldType.integer:
        return lambda c: c.rng.randint(1, 100)
    if spec.type == FieldType.boolean:
        return lambda c: c.rng.random() < 0.5
    if spec.name.endswith(("_body", "_authority", "authority_name", "_unit", "_name")):
        return lambda c: c.department.name
    label = spec.label.zh
    return lambda c: f"{label}：{c.subject.name[:12]}相关事项（{c.decided.year}）"
