"""Field values for synthetic records: a maker per catalogue field, by name or by type.

Makers run in field order and may read what earlier makers produced (``ctx.values``), so
that a penalty's content, fine and revoked licence agree with its penalty types.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from xinyong.catalog.schemas import CatalogItem, FieldSpec, FieldType
from xinyong.demo import vocabulary as vocab


@dataclass(frozen=True)
class DepartmentInfo:
    id: int
    kind: str
    name: str
    code: str


@dataclass
class FieldContext:
    rng: random.Random
    subject: Any  # generator.SubjectRow
    department: DepartmentInfo
    decided: date
    serial: int
    values: dict[str, Any] = field(default_factory=dict)


Maker = Callable[[FieldContext], Any]

# (violation type, the law it breaches)
VIOLATIONS = (
    ("虚假宣传", "《中华人民共和国反不正当竞争法》第八条"),
    ("销售不合格产品", "《中华人民共和国产品质量法》第三十九条"),
    ("无证经营", "《无证无照经营查处办法》第二条"),
    ("超标排放污染物", "《中华人民共和国大气污染防治法》第十八条"),
    ("未按规定申报纳税", "《中华人民共和国税收征收管理法》第二十五条"),
    ("违法建设", "《中华人民共和国城乡规划法》第四十条"),
    ("未落实安全生产责任制", "《中华人民共和国安全生产法》第二十二条"),
    ("拖欠劳动报酬", "《保障农民工工资支付条例》第三条"),
    ("违规使用医保基金", "《医疗保障基金使用监督管理条例》第十五条"),
    ("经营超过保质期的食品", "《中华人民共和国食品安全法》第三十四条"),
    ("不明码标价", "《中华人民共和国价格法》第十三条"),
    ("侵犯注册商标专用权", "《中华人民共和国商标法》第五十七条"),
    ("未取得施工许可擅自施工", "《建筑工程施工许可管理办法》第三条"),
    ("超限运输", "《公路安全保护条例》第三十五条"),
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
    "食品经营许可证", "排污许可证", "建筑工程施工许可证", "道路运输经营许可证",
    "危险化学品经营许可证", "药品经营许可证", "出版物经营许可证", "人力资源服务许可证",
)  # fmt: skip
QUALIFICATIONS = (
    ("一级建造师", "建筑工程"), ("注册会计师", "审计"), ("执业医师", "临床"),
    ("教师资格", "初级中学语文"), ("注册安全工程师", "化工安全"), ("法律职业资格", "A类"),
)  # fmt: skip
DISHONEST_CONDUCT = (
    "有履行能力而拒不履行生效法律文书确定义务",
    "违反财产报告制度",
    "违反限制消费令",
    "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
)
DOMAINS = ("市场监管", "税务", "生态环境", "安全生产", "劳动保障", "工程建设")
MATTERS = (
    "申请食品经营许可", "申请建设工程施工许可", "参加政府采购", "申请财政补助资金",
    "申请信用修复", "申请高新技术企业认定",
)  # fmt: skip
ENUM_WEIGHTS: dict[str, tuple[tuple[str, float], ...]] = {
    "grade": (("A", 0.2), ("B", 0.45), ("M", 0.2), ("C", 0.1), ("D", 0.05)),
    "rating": (("绿色", 0.2), ("蓝色", 0.55), ("黄色", 0.15), ("红色", 0.07), ("黑色", 0.03)),
    "status": (("有效", 0.9), ("无效", 0.1)),
    "honour_kind": (("荣誉", 0.8), ("守信激励名单", 0.2)),
    "licence_category": (
        ("普通", 0.7), ("认可", 0.1), ("核准", 0.1), ("登记", 0.08), ("特许", 0.02),
    ),
    "performance_status": (
        ("履约中", 0.3), ("已履约", 0.6), ("未履约", 0.1), ("正常履约", 0.5), ("履约完成", 0.4),
        ("违约", 0.08), ("合同解除", 0.02), ("全部未履行", 0.7), ("部分未履行", 0.3),
    ),
    "registration_status": (("存续", 0.95), ("注销", 0.04), ("吊销", 0.01)),
}  # fmt: skip
BREACH_STATES = {"违约", "未履约"}
BUSINESS_SCOPE = (
    "一般项目：技术服务、技术开发、技术咨询；销售日用百货"
    "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
)
COMMITMENT_TEXT = "本单位承诺所提交材料真实有效，如有虚假，愿承担相应法律责任并接受失信惩戒"
PROJECTS = ("道路养护", "办公设备采购", "绿化工程", "信息化建设")
HONOURS = ("守合同重信用企业", "纳税信用A级纳税人", "诚信经营示范单位")


def _weighted(pairs: tuple[tuple[str, float], ...], allowed: list[str]) -> Maker:
    """A maker drawing one of ``allowed``, weighted by ``pairs`` where they name it."""
    usable = [(v, w) for v, w in pairs if v in allowed] or [(v, 1.0) for v in allowed]
    values = [v for v, _ in usable]
    cumulative = list(accumulate(w for _, w in usable))
    return lambda c: c.rng.choices(values, cum_weights=cumulative)[0]


def _sometimes(make: Maker, share: float) -> Maker:
    return lambda c: make(c) if c.rng.random() < share else None


def _after(c: FieldContext, low: int, high: int) -> str:
    return (c.decided + timedelta(days=c.rng.randint(low, high))).isoformat()


def _before(c: FieldContext, low: int, high: int) -> str:
    return (c.decided - timedelta(days=c.rng.randint(low, high))).isoformat()


def _amount(c: FieldContext, low: float, high: float, places: int = 2) -> str:
    """A log-uniform amount in canonical decimal form (no trailing zeros), as stored."""
    value = math.exp(c.rng.uniform(math.log(low), math.log(high)))
    return format(Decimal(f"{value:.{places}f}").normalize(), "f")


def _person_name(c: FieldContext) -> str:
    surname = c.rng.choice([s for s, _ in vocab.SURNAMES[:20]])
    return surname + "".join(c.rng.choice(vocab.GIVEN_CHARS) for _ in range(c.rng.randint(1, 2)))


def document_number(c: FieldContext, word: str = "决") -> str:
    """A decision document number in the usual 机关简称+字〔年〕号 form, unique by serial."""
    short = c.department.name.removeprefix("国家税务总局").removeprefix("中华人民共和国")
    return f"{short[:2]}{short[3:5]}{word}〔{c.decided.year}〕{c.serial}号"


def _violation(c: FieldContext) -> tuple[str, str]:
    chosen = c.values.get("violation_type")
    return next((v for v in VIOLATIONS if v[0] == chosen), VIOLATIONS[0])


def _penalty_content(c: FieldContext) -> str:
    types = c.values.get("penalty_types", [])
    parts = []
    if "罚款" in types:
        c.values["_fine"] = _amount(c, 0.05, 150)
        parts.append(f"罚款人民币{c.values['_fine']}万元")
    parts += [("给予" + t) if t in ("警告", "通报批评") else t for t in types if t != "罚款"]
    return "；".join(parts)


def _revoked_licence(c: FieldContext) -> str | None:
    if "吊销许可证件" not in c.values.get("penalty_types", []):
        return None
    return f"{c.rng.choice(LICENCES)}（编号JY{c.serial:010d}）"


def _breach(c: FieldContext) -> str | None:
    if c.values.get("performance_status") not in BREACH_STATES:
        return None
    return "未按承诺(约定)期限履行相关义务，经核查属实"


def _legal_representative(c: FieldContext) -> str | None:
    return None if c.subject.kind == "natural_person" else _person_name(c)


def _qualification(c: FieldContext, part: int) -> str:
    index = c.serial % len(QUALIFICATIONS)
    return QUALIFICATIONS[index][part]


NAMED: dict[str, Maker] = {
    "subject_name": lambda c: c.subject.name,
    "subject_code": lambda c: c.subject.uscc or c.subject.id_number,
    "legal_representative": _legal_representative,
    "legal_representative_id_type": lambda c: None,
    "legal_representative_id_number": lambda c: None,
    "establishment_date": lambda c: (c.subject.registration_date or c.decided).isoformat(),
    "business_term_from": lambda c: (c.subject.registration_date or c.decided).isoformat(),
    "business_term_to": lambda c: None,
    "business_scope": lambda c: BUSINESS_SCOPE,
    "valid_from": lambda c: c.decided.isoformat(),
    "valid_to": lambda c: _after(c, 365, 5 * 365),
    "filing_date": lambda c: _before(c, 30, 200),
    "signing_date": lambda c: _before(c, 30, 600),
    "deadline": lambda c: _after(c, 30, 365),
    "verified_date": lambda c: None,
    "penalty_valid_to": lambda c: None,
    "publication_end": lambda c: None,
    "removal_date": lambda c: None,
    "removal_reason": lambda c: None,
    "removal_authority": lambda c: None,
    "remarks": lambda c: None,
    "planned_removal_date": lambda c: _after(c, 365, 3 * 365),
    "list_end_date": lambda c: _after(c, 2 * 365, 5 * 365) if c.rng.random() < 0.5 else None,
    "violation_type": lambda c: c.rng.choice(VIOLATIONS)[0],
    "violation_facts": lambda c: (
        f"经查，当事人于{c.decided.year}年{c.decided.month}月存在{_violation(c)[0]}的行为，"
        f"违反了{_violation(c)[1]}的规定。"
    ),
    "penalty_basis": lambda c: f"依据{_violation(c)[1].replace('条', '条及相关罚则')}",
    "penalty_content": _penalty_content,
    "fine_amount": lambda c: c.values.pop("_fine", None),
    "confiscated_amount": lambda c: (
        _amount(c, 0.01, 20) if "没收违法所得" in c.values.get("penalty_types", []) else None
    ),
    "revoked_licence": _revoked_licence,
    "decision_document_name": lambda c: "准予行政许可决定书",
    "certificate_name": lambda c: c.rng.choice(LICENCES),
    "licence_number": lambda c: f"JY{c.department.code[2:8]}{c.serial:08d}",
    "licence_content": lambda c: (
        f"准予核发{c.values.get('certificate_name') or '行政许可证件'}，许可范围以证载内容为准"
    ),
    "qualification_name": lambda c: _qualification(c, 0),
    "specialty": lambda c: _qualification(c, 1),
    "qualification_level": lambda c: None,
    "practice_unit": lambda c: None,
    "obligations": lambda c: (
        f"支付申请执行人款项人民币{_amount(c, 1, 500)}万元及迟延履行期间的债务利息"
    ),
    "dishonest_conduct": lambda c: c.rng.choice(DISHONEST_CONDUCT),
    "performed_part": lambda c: None,
    "unperformed_part": lambda c: None,
    "domain": lambda c: c.rng.choice(DOMAINS),
    "list_name": lambda c: f"{c.values.get('domain') or '市场监管'}领域严重失信主体名单",
    "dishonest_facts": lambda c: "存在严重违法失信行为，经依法认定，拒不履行法定义务",
    "listing_basis": lambda c: (
        f"《{c.values.get('domain') or '市场监管'}领域严重失信主体名单管理办法》"
    ),
    "commitment_matter": lambda c: c.rng.choice(MATTERS),
    "commitment_content": lambda c: COMMITMENT_TEXT,
    "breach_description": _breach,
    "contract_name": lambda c: f"{c.decided.year}年度{c.rng.choice(PROJECTS)}项目合同",
    "honour_name": lambda c: c.rng.choice(HONOURS),
    "honour_content": lambda c: None,
    "currency": lambda c: "CNY",
    "industry_code": lambda c: c.subject.industry,
    "entity_type": lambda c: "有限责任公司" if c.subject.category == "91" else "个体工商户",
    "province": lambda c: "江苏",
    "registered_capital": lambda c: _amount(c, 10, 10000),
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
}  # fmt: skip
SOURCE_WORDS = {"admin_penalty": "罚", "admin_licence": "许", "dishonest_judgment_debtor": "执"}


def _enum_maker(spec: FieldSpec) -> Maker:
    if spec.name == "subject_type":
        return lambda c: c.subject.kind if c.subject.kind in spec.values else spec.values[0]
    if spec.multiple:
        draw = _weighted(PENALTY_TYPES, spec.values)

        def several(c: FieldContext) -> list[str]:
            first = draw(c)
            return list(dict.fromkeys([first, draw(c)])) if c.rng.random() < 0.2 else [first]

        return several
    return _weighted(ENUM_WEIGHTS.get(spec.name, ()), spec.values)


def _by_type(item: CatalogItem, spec: FieldSpec) -> Maker:
    if spec.name == item.decision_date_field:
        return lambda c: c.decided.isoformat()
    if spec.name == item.source_record_id_field or spec.name.endswith("_number"):
        word = SOURCE_WORDS.get(item.code, "决")
        return lambda c: document_number(c, word)
    if spec.type == FieldType.enum:
        return _enum_maker(spec)
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
    return lambda c: f"{label}（{c.decided.year}）"


def maker_for(item: CatalogItem, spec: FieldSpec) -> Maker:
    """The value maker of one field; optional fields without a named maker are often empty."""
    if spec.name in NAMED:
        return NAMED[spec.name]
    make = _by_type(item, spec)
    return make if spec.required else _sometimes(make, 0.6)
