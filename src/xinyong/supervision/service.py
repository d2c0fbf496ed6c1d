"""Classes per subject per classification (with history) and reproducible 双随机 draws."""

from __future__ import annotations

import hashlib
import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from xinyong.core.errors import Invalid, NotFound
from xinyong.evaluation import frames
from xinyong.evaluation import service as evaluation_service
from xinyong.evaluation.models import EvaluationResult
from xinyong.records import service as records_service
from xinyong.records.models import Record
from xinyong.records.schemas import RecordCreate
from xinyong.subjects.models import Department, Subject
from xinyong.supervision.config import Classification, get_config
from xinyong.supervision.models import InspectionDraw, InspectionPlan, Inspector, SupervisionClass

KINDS = ("legal_person", "individual_business")
RESULT_ITEM = "inspection_result"
CHUNK = 5000


def _model_grades(session: Session, model: str, ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, tuple[int, str]] = {}
    for start in range(0, len(ids), CHUNK):
        stmt = select(
            EvaluationResult.subject_id, EvaluationResult.run_id, EvaluationResult.grade
        ).where(
            EvaluationResult.model_code == model,
            EvaluationResult.subject_id.in_(ids[start : start + CHUNK]),
        )
        for subject_id, run_id, grade in session.execute(stmt):
            if subject_id not in found or run_id > found[subject_id][0]:
                found[subject_id] = (run_id, grade)
    return {k: v[1] for k, v in found.items()}


def _lists(session: Session, as_of: date) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for subject_id, code in session.execute(frames._lists_stmt(as_of)):
        out.setdefault(subject_id, set()).add(code)
    return out


def classify(session: Session, *, code: str, as_of: date) -> Counter[str]:
    """Class every active organisation under a classification; changed classes close the old
    row (``until``) and open a new one, so each subject's history is kept."""
    spec = get_config().get(code)
    ids = list(
        session.scalars(
            select(Subject.id)
            .where(Subject.kind.in_(KINDS), Subject.status == "active")
            .order_by(Subject.id)
        )
    )
    public = evaluation_service.public_grades(session, subject_ids=ids)
    models = sorted({r.model_grade.model for r in spec.rules if r.model_grade})
    grades = {m: _model_grades(session, m, ids) for m in models}
    lists = _lists(session, as_of)
    current = {
        row.subject_id: row
        for row in session.scalars(
            select(SupervisionClass).where(
                SupervisionClass.classification == code, SupervisionClass.until.is_(None)
            )
        )
    }
    counts: Counter[str] = Counter()
    for subject_id in ids:
        own = {m: grades[m][subject_id] for m in models if subject_id in grades[m]}
        on = lists.get(subject_id, set())
        chosen = spec.classify(public.get(subject_id), own, on)
        counts[chosen] += 1
        basis = {"public_grade": public.get(subject_id), "grades": own, "lists": sorted(on)}
        _record(session, spec, current.get(subject_id), subject_id, chosen, as_of, basis)
    session.flush()
    return counts


def _record(
    session: Session,
    spec: Classification,
    open_row: SupervisionClass | None,
    subject_id: int,
    chosen: str,
    as_of: date,
    basis: dict[str, Any],
) -> None:
    if open_row is not None and open_row.class_code == chosen:
        return
    if open_row is not None:
        open_row.until = as_of
    session.add(
        SupervisionClass(
            classification=spec.code,
            subject_id=subject_id,
            class_code=chosen,
            since=as_of,
            basis=basis,
        )
    )


def current_classes(
    session: Session, *, code: str, class_code: str | None = None, limit: int = 500, offset: int = 0
) -> list[tuple[SupervisionClass, Subject]]:
    """Subjects and their current class under a classification (by subject)."""
    get_config().get(code)
    stmt = (
        select(SupervisionClass, Subject)
        .join(Subject, Subject.id == SupervisionClass.subject_id)
        .where(SupervisionClass.classification == code, SupervisionClass.until.is_(None))
        .order_by(SupervisionClass.subject_id)
        .limit(limit)
        .offset(offset)
    )
    if class_code is not None:
        stmt = stmt.where(SupervisionClass.class_code == class_code)
    return [(row, subject) for row, subject in session.execute(stmt)]


def history(session: Session, *, code: str, subject_id: int) -> list[SupervisionClass]:
    """A subject's classes under a classification, oldest first."""
    stmt = (
        select(SupervisionClass)
        .where(SupervisionClass.classification == code, SupervisionClass.subject_id == subject_id)
        .order_by(SupervisionClass.since, SupervisionClass.id)
    )
    return list(session.scalars(stmt))


def class_counts(session: Session, *, code: str) -> dict[str, int]:
    """How many subjects are in each class now."""
    stmt = (
        select(SupervisionClass.class_code, func.count())
        .where(SupervisionClass.classification == code, SupervisionClass.until.is_(None))
        .group_by(SupervisionClass.class_code)
    )
    return {str(k): int(v) for k, v in session.execute(stmt)}


# --- 双随机: plans and draws ------------------------------------------------------------------


@dataclass(frozen=True)
class DrawnSubject:
    subject_id: int
    class_code: str
    must_inspect: bool
    inspectors: tuple[int, int]


def _rng(seed: str, salt: str) -> random.Random:
    digest = hashlib.sha256(f"{seed}:{salt}".encode()).hexdigest()
    return random.Random(int(digest, 16))


def sample(
    population: dict[str, list[int]], ratios: dict[str, float], must: set[int], seed: str
) -> list[tuple[int, str, bool]]:
    """The subjects drawn: ceil(ratio x class size) per class at random from the published seed
    (the same seed and population give the same draw), plus every must-inspect subject."""
    drawn: list[tuple[int, str, bool]] = []
    for class_code in sorted(population):
        members = sorted(population[class_code])
        ratio = float(ratios.get(class_code, 0))
        forced = [s for s in members if s in must]
        rest = [s for s in members if s not in must]
        wanted = min(len(rest), math.ceil(ratio * len(members)) - len(forced)) if ratio else 0
        picked = _rng(seed, class_code).sample(rest, max(wanted, 0))
        drawn.extend((s, class_code, True) for s in forced)
        drawn.extend((s, class_code, False) for s in sorted(picked))
    return drawn


def pair(
    subject_id: int,
    inspectors: Sequence[Inspector],
    *,
    previous: set[int],
    seed: str,
) -> tuple[int, int]:
    """Two inspectors at random for a subject: none with a conflict of interest, and none who
    inspected it in the previous draw when others are available."""
    free = [i for i in inspectors if str(subject_id) not in (i.conflicts or [])]
    fresh = [i for i in free if i.id not in previous]
    pool = fresh if len(fresh) >= 2 else free
    if len(pool) < 2:
        raise Invalid(
            f"主体 {subject_id} 没有两名无利益冲突的执法人员 · "
            f"fewer than two inspectors without a conflict for subject {subject_id}"
        )
    first, second = _rng(seed, f"pair:{subject_id}").sample(sorted(pool, key=lambda i: i.id), 2)
    return first.id, second.id


def create_plan(
    session: Session,
    *,
    department_id: int,
    classification: str,
    matter: str,
    ratios: dict[str, float],
    seed: str,
    actor: str,
) -> InspectionPlan:
    """A plan with a sampling ratio per class (0..1; none given: the classification's sampling
    ratios) and the seed it will publish."""
    spec = get_config().get(classification)
    ratios = ratios or dict(spec.sampling)
    unknown = sorted(set(ratios) - set(spec.classes))
    if unknown:
        raise Invalid(f"未知的类别 {unknown} · unknown classes (known: {', '.join(spec.classes)})")
    if any(not 0 <= float(r) <= 1 for r in ratios.values()):
        raise Invalid("抽查比例须在0到1之间 · ratios must lie between 0 and 1")
    if not matter.strip() or not seed.strip():
        raise Invalid("检查事项和随机种子不能为空 · matter and seed are required")
    plan = InspectionPlan(
        department_id=department_id,
        classification=classification,
        matter=matter.strip(),
        ratios={k: float(v) for k, v in ratios.items()},
        seed=seed.strip(),
        created_by=actor,
    )
    session.add(plan)
    session.flush()
    return plan


def _previous_pairs(session: Session, plan: InspectionPlan) -> dict[int, set[int]]:
    earlier = session.scalar(
        select(func.max(InspectionPlan.id)).where(
            InspectionPlan.department_id == plan.department_id,
            InspectionPlan.classification == plan.classification,
            InspectionPlan.id < plan.id,
            InspectionPlan.drawn_on.is_not(None),
        )
    )
    if earlier is None:
        return {}
    rows = session.scalars(select(InspectionDraw).where(InspectionDraw.plan_id == earlier))
    return {d.subject_id: {int(i) for i in d.inspector_ids} for d in rows}


def draw(session: Session, *, plan_id: int, today: date) -> list[InspectionDraw]:
    """Draw a plan once: subjects by class at the plan's ratios (key-attention subjects always),
    each with two inspectors; the same seed and data always give the same draw."""
    plan = session.get(InspectionPlan, plan_id)
    if plan is None:
        raise NotFound(f"没有抽查计划 {plan_id} · no inspection plan {plan_id}")
    if plan.drawn_on is not None:
        return list(
            session.scalars(
                select(InspectionDraw)
                .where(InspectionDraw.plan_id == plan.id)
                .order_by(InspectionDraw.position)
            )
        )
    population: dict[str, list[int]] = {}
    for row in session.scalars(
        select(SupervisionClass).where(
            SupervisionClass.classification == plan.classification,
            SupervisionClass.until.is_(None),
        )
    ):
        population.setdefault(row.class_code, []).append(row.subject_id)
    lists = _lists(session, today)
    must = {s for s, codes in lists.items() if "key_attention_list" in codes}
    must |= _abnormal(session, plan.department_id, today)
    inspectors = list(
        session.scalars(
            select(Inspector).where(
                Inspector.department_id == plan.department_id, Inspector.active.is_(True)
            )
        )
    )
    previous = _previous_pairs(session, plan)
    rows = []
    for position, (subject_id, class_code, forced) in enumerate(
        sample(population, plan.ratios, must, plan.seed), start=1
    ):
        chosen = pair(
            subject_id, inspectors, previous=previous.get(subject_id, set()), seed=plan.seed
        )
        rows.append(
            InspectionDraw(
                plan_id=plan.id,
                subject_id=subject_id,
                class_code=class_code,
                must_inspect=forced,
                inspector_ids=[str(i) for i in chosen],
                position=position,
            )
        )
    session.add_all(rows)
    plan.drawn_on = today
    session.flush()
    return rows


ABNORMAL = ("发现问题已责令整改", "发现问题移交处理", "通过登记的住所无法联系")


def _abnormal(session: Session, department_id: int, today: date) -> set[int]:
    """Subjects whose latest in-force inspection result of this department was abnormal."""
    latest: dict[int, tuple[date, int, str]] = {}
    stmt = select(Record).where(
        Record.item_code == RESULT_ITEM,
        Record.department_id == department_id,
        Record.is_current.is_(True),
        Record.state.in_(frames.IN_FORCE_STATES),
        or_(Record.disclosure_end.is_(None), Record.disclosure_end >= today),
    )
    for record in session.scalars(stmt):
        key = (record.decision_date or date.min, record.id, str(record.payload.get("result")))
        if record.subject_id not in latest or key > latest[record.subject_id]:
            latest[record.subject_id] = key
    return {s for s, (_, _, result) in latest.items() if result in ABNORMAL}


def record_result(
    session: Session, *, draw_id: int, result: str, inspection_date: date, actor: str
) -> Record:
    """An inspection result, kept as a record of the inspection-results item (一公开)."""
    found = session.get(InspectionDraw, draw_id)
    if found is None:
        raise NotFound(f"没有抽查对象 {draw_id} · no drawn subject {draw_id}")
    plan = session.get(InspectionPlan, found.plan_id)
    subject = session.get(Subject, found.subject_id)
    department = session.get(Department, plan.department_id) if plan else None
    assert plan is not None and subject is not None and department is not None
    number = f"SSJ-{plan.id}-{found.position}"
    payload: dict[str, Any] = {
        "subject_name": subject.name,
        "subject_type": subject.kind,
        "subject_code": subject.uscc,
        "inspection_number": number,
        "plan_number": f"SSJ-{plan.id}",
        "matter": plan.matter,
        "inspection_date": inspection_date.isoformat(),
        "result": result,
        "authority_name": department.name_zh,
        "authority_code": department.code,
    }
    data = RecordCreate(
        subject_id=subject.id,
        item_code=RESULT_ITEM,
        department_id=department.id,
        source_record_id=number,
        payload=payload,
    )
    return records_service.submit(session, data=data, actor=actor, today=inspection_date).record


def seed_demo(session: Session, *, today: date) -> int:
    """The demo city's supervision: classes under every classification, an inspector pool for
    the market regulator and one drawn 双随机 plan; returns the number of subjects drawn."""
    for code in get_config().classifications:
        classify(session, code=code, as_of=today)
    department = session.scalar(
        select(Department).where(Department.kind == "market_regulation").order_by(Department.id)
    )
    if department is None:
        return 0
    session.add_all(
        Inspector(department_id=department.id, name=f"执法人员{n:02d}", conflicts=[])
        for n in range(1, 13)
    )
    plan = create_plan(
        session,
        department_id=department.id,
        classification="market_regulation",
        matter="企业公示信息情况检查",
        ratios={"A": 0.03, "B": 0.05, "C": 0.1, "D": 0.2},
        seed=f"demo-{today.isoformat()}",
        actor="demo",
    )
    return len(draw(session, plan_id=plan.id, today=today))
