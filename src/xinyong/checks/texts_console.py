"""Interface text of the credit-check console pages (信用核查工作台), Chinese first, and how
their values read: names of matters and measures, a hit's reasons, times, figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from xinyong.catalog import labels
from xinyong.checks.stats import CheckStats, Figures
from xinyong.core.i18n import Language, register, t
from xinyong.core.workdays import workdays_between
from xinyong.measures.catalog import get_catalog
from xinyong.subjects.models import Department, Subject
from xinyong.web import present as web_present

SHANGHAI = ZoneInfo("Asia/Shanghai")

TEXT: dict[str, dict[Language, str]] = {
    # navigation
    "ckc.nav": {"zh": "信用核查", "en": "Credit checks"},
    "ckc.desk": {"zh": "信用核查(逢办必查)", "en": "Credit checks"},
    "ckc.batch": {"zh": "批量核查", "en": "Batch check"},
    "ckc.queue": {"zh": "待反馈措施", "en": "Feedback due"},
    "ckc.stats": {"zh": "核查统计", "en": "Figures"},
    "ckc.console": {"zh": "工作台", "en": "Console"},
    # the check form
    "ckc.form.heading": {"zh": "发起核查", "en": "Run a check"},
    "ckc.form.intro": {
        "zh": "办理行政事项时查询信用主体是否在名单上、应实施哪些激励或约束措施；"
        "每次核查均作查询登记并记入审计日志。",
        "en": "Before deciding a matter, see whether the subjects are on a list and which "
        "incentives or constraints apply; every check is registered and audited.",
    },
    "ckc.form.department": {"zh": "核查部门", "en": "Checking department"},
    "ckc.form.own_department": {"zh": "本部门", "en": "My department"},
    "ckc.form.matter": {"zh": "应用事项", "en": "Matter"},
    "ckc.form.choose": {"zh": "请选择", "en": "Choose"},
    "ckc.form.purpose": {"zh": "查询目的", "en": "Purpose"},
    "ckc.form.purpose_hint": {
        "zh": "如申请事项编号、采购或招标项目编号，将记入查询登记。",
        "en": "E.g. the application, procurement or tender number; it is registered.",
    },
    "ckc.form.subjects": {"zh": "核查对象", "en": "Subjects"},
    "ckc.form.subjects_hint": {
        "zh": "每行一个：统一社会信用代码或身份证号码；或主体名称；或“代码,名称”。"
        "单次最多{max}行，更多请使用批量核查。",
        "en": "One per line: a USCC or ID number; or a name; or “code,name”. "
        "At most {max} lines at once; use a batch check for more.",
    },
    "ckc.form.submit": {"zh": "开始核查", "en": "Check"},
    "ckc.form.batch_link": {
        "zh": "名单较长？上传文件进行批量核查(统查)",
        "en": "A long list? Upload a file for a batch check",
    },
    "ckc.error.invalid": {
        "zh": "未能核查，请按提示修改后重试。",
        "en": "The check was not run: correct the form and try again.",
    },
    "ckc.error.matter": {"zh": "请选择应用事项。", "en": "Choose the matter."},
    "ckc.error.purpose": {
        "zh": "请填写查询目的(2至{max}个字)。",
        "en": "Give the purpose (2 to {max} characters).",
    },
    "ckc.error.subjects_empty": {
        "zh": "请至少填写一个核查对象。",
        "en": "Enter at least one subject.",
    },
    "ckc.error.subjects_many": {
        "zh": "共{n}行，单次最多核查{max}行；更多请使用批量核查。",
        "en": "{n} lines: at most {max} at once; use a batch check for more.",
    },
    "ckc.error.code_long": {
        "zh": "第{n}行：代码过长(最多{max}个字符)。",
        "en": "Line {n}: the code is too long (at most {max} characters).",
    },
    # recent checks
    "ckc.recent": {"zh": "近期核查", "en": "Recent checks"},
    "ckc.none": {"zh": "暂无核查记录", "en": "No checks yet"},
    "ckc.col.kind": {"zh": "类型", "en": "Kind"},
    "ckc.col.department": {"zh": "核查部门", "en": "Department"},
    "ckc.col.matter": {"zh": "应用事项", "en": "Matter"},
    "ckc.col.purpose": {"zh": "查询目的", "en": "Purpose"},
    "ckc.col.time": {"zh": "核查时间", "en": "Time"},
    "ckc.col.subjects": {"zh": "核查对象", "en": "Subjects"},
    "ckc.col.hits": {"zh": "命中措施", "en": "Hits"},
    "ckc.col.state": {"zh": "状态", "en": "State"},
    "ckc.col.subject": {"zh": "信用主体", "en": "Subject"},
    "ckc.col.measure": {"zh": "措施", "en": "Measure"},
    "ckc.col.due": {"zh": "反馈期限", "en": "Due"},
    "ckc.col.feedback": {"zh": "反馈", "en": "Feedback"},
    "ckc.col.check": {"zh": "核查", "en": "Check"},
    "ckc.subjects_hit": {"zh": "{hit}个主体命中", "en": "{hit} subjects hit"},
    # the result
    "ckc.result": {"zh": "核查结果", "en": "Check result"},
    "ckc.head.actor": {"zh": "核查人", "en": "Checked by"},
    "ckc.head.checked_on": {"zh": "核查基准日", "en": "Checked as of"},
    "ckc.head.catalog": {"zh": "措施清单版本", "en": "Measures catalogue version"},
    "ckc.head.file": {"zh": "上传文件", "en": "File"},
    "ckc.head.error": {"zh": "失败原因", "en": "What went wrong"},
    "ckc.summary": {
        "zh": "共核查{rows}个对象，识别主体{found}个，其中{hit}个适用措施，共{hits}项。",
        "en": "{rows} rows checked, {found} subjects found, {hit} with measures, {hits} in all.",
    },
    "ckc.progress": {"zh": "已处理 {done} / {total} 行", "en": "{done} of {total} rows done"},
    "ckc.refreshing": {
        "zh": "核查进行中，本页每5秒自动刷新。",
        "en": "Running: this page refreshes every 5 seconds.",
    },
    "ckc.report": {"zh": "下载核查报告(Excel)", "en": "Download the report (Excel)"},
    "ckc.rows.all": {"zh": "全部行", "en": "All rows"},
    "ckc.rows.hits": {"zh": "仅看命中措施的行", "en": "Rows with measures only"},
    "ckc.rows.none": {"zh": "没有符合条件的行", "en": "No rows to show"},
    "ckc.rows.prev": {"zh": "上一页", "en": "Previous"},
    "ckc.rows.next": {"zh": "下一页", "en": "Next"},
    "ckc.row": {"zh": "第{n}行", "en": "Row {n}"},
    "ckc.input": {"zh": "输入", "en": "Input"},
    "ckc.score": {"zh": "匹配度{score}", "en": "score {score}"},
    "ckc.candidates": {
        "zh": "候选主体(请核实后按代码重新核查)",
        "en": "Candidates (verify, then check again by code)",
    },
    "ckc.lists": {"zh": "所在名单", "en": "Lists"},
    "ckc.no_lists": {"zh": "未列入任何名单", "en": "On no list"},
    "ckc.listed_on": {"zh": "列入日期", "en": "Listed on"},
    "ckc.term_end": {"zh": "期限届满", "en": "Term ends"},
    "ckc.legal_basis": {"zh": "法律依据", "en": "Legal basis"},
    "ckc.measures": {"zh": "应实施的措施", "en": "Measures that apply"},
    "ckc.no_measures": {
        "zh": "本事项下无应实施的措施。",
        "en": "No measure applies in this matter.",
    },
    "ckc.reasons": {"zh": "触发原因", "en": "Why"},
    "ckc.reason.list": {"zh": "列入{name}", "en": "On the {name}"},
    "ckc.reason.grade": {"zh": "信用评价等级为{grade}", "en": "Credit grade {grade}"},
    "ckc.reason.record": {"zh": "{item}(记录{id})", "en": "{item} (record {id})"},
    "ckc.records": {"zh": "相关信用记录", "en": "Records behind it"},
    "ckc.record.number": {"zh": "文书号", "en": "Document number"},
    "ckc.record.decided": {"zh": "决定日期", "en": "Decided on"},
    "ckc.overdue_days": {"zh": "逾期{n}个工作日", "en": "{n} working days late"},
    # feedback
    "ckc.feedback": {"zh": "实施反馈", "en": "Feedback"},
    "ckc.feedback.outcome": {"zh": "实施情况", "en": "Outcome"},
    "ckc.feedback.on": {"zh": "实施(或决定不实施)日期", "en": "Date applied (or decided not to)"},
    "ckc.feedback.reason": {
        "zh": "说明(未实施时必填)",
        "en": "Reason (required when not applied)",
    },
    "ckc.feedback.submit": {"zh": "提交反馈", "en": "Submit feedback"},
    "ckc.feedback.correct": {"zh": "更正反馈", "en": "Correct the feedback"},
    "ckc.feedback.date": {"zh": "日期", "en": "dated"},
    "ckc.feedback.error": {
        "zh": "反馈未保存，请按提示修改后重新提交。",
        "en": "The feedback was not saved: correct it as shown and submit it again.",
    },
    "ckc.feedback.conflict": {
        "zh": "该措施已由他人反馈，请查看最新反馈后重试。",
        "en": "Someone else answered meanwhile; see their answer and try again.",
    },
    "ckc.error.outcome": {"zh": "请选择已实施或未实施。", "en": "Choose applied or not applied."},
    "ckc.error.on": {"zh": "请填写日期(年-月-日)。", "en": "Give the date (YYYY-MM-DD)."},
    "ckc.error.reason": {
        "zh": "未实施的，请说明原因。",
        "en": "Say why the measure was not applied.",
    },
    # the feedback queue
    "ckc.queue.title": {"zh": "待反馈的措施", "en": "Measures awaiting feedback"},
    "ckc.queue.intro": {
        "zh": "核查命中的每项措施须在{days}个工作日内反馈是否实施；逾期的排在最前并以红色标出。",
        "en": "Report on each measure a check found within {days} working days; "
        "overdue ones come first, in red.",
    },
    "ckc.status.pending": {"zh": "待反馈", "en": "Pending"},
    "ckc.status.overdue": {"zh": "已逾期", "en": "Overdue"},
    "ckc.status.all": {"zh": "全部", "en": "All"},
    "ckc.queue.total": {"zh": "共{n}项", "en": "{n} in all"},
    "ckc.queue.none": {"zh": "没有符合条件的措施", "en": "Nothing to show"},
    # figures
    "ckc.stats.title": {"zh": "信用核查统计", "en": "Credit check figures"},
    "ckc.stats.scope_all": {"zh": "全部部门", "en": "All departments"},
    "ckc.fig.checks": {"zh": "核查次数", "en": "Checks"},
    "ckc.fig.subjects": {"zh": "识别主体", "en": "Subjects found"},
    "ckc.fig.subjects_hit": {"zh": "命中主体", "en": "Subjects hit"},
    "ckc.fig.hits": {"zh": "命中措施", "en": "Measures hit"},
    "ckc.fig.applied": {"zh": "已实施", "en": "Applied"},
    "ckc.fig.not_applied": {"zh": "未实施", "en": "Not applied"},
    "ckc.fig.pending": {"zh": "待反馈", "en": "Pending"},
    "ckc.fig.overdue": {"zh": "逾期未反馈", "en": "Overdue"},
    "ckc.fig.feedback_rate": {"zh": "反馈率", "en": "Answered"},
    "ckc.fig.applied_rate": {"zh": "实施率", "en": "Applied rate"},
    "ckc.by.department": {"zh": "按部门", "en": "By department"},
    "ckc.by.matter": {"zh": "按应用事项", "en": "By matter"},
    "ckc.by.measure": {"zh": "按措施", "en": "By measure"},
    "ckc.by.kind": {"zh": "守信激励与失信约束", "en": "Incentives and constraints"},
    "ckc.fig.none": {"zh": "暂无数据", "en": "No figures yet"},
}

register(TEXT)


# --- how values read ----------------------------------------------------------------------------


def local_time(at: datetime) -> str:
    """A stored (UTC) time as the city's local time, to the minute."""
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return aware.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def department_name(department: Department | None, lang: Language) -> str:
    """The department's name in ``lang`` (empty when unknown)."""
    if department is None:
        return ""
    return department.name_zh if lang == "zh" else department.name_en


def matter_name(code: str, lang: Language) -> str:
    """The matter's catalogue name in ``lang`` (the code once it left the catalogue)."""
    matter = get_catalog().matters.get(code)
    if matter is None:
        return code
    return matter.name.zh if lang == "zh" else matter.name.en


def measure_label(code: str, lang: Language) -> tuple[str, str]:
    """A measure's name in ``lang`` and its kind (the code alone once it left the catalogue)."""
    measure = get_catalog().measures.get(code)
    if measure is None:
        return code, ""
    return (measure.name.zh if lang == "zh" else measure.name.en), measure.kind.value


def reason_text(reason: str, lang: Language) -> str:
    """A hit's reason as people read it: ``list:…``, ``grade:…``, ``record:item:tier:id``."""
    kind, _, rest = reason.partition(":")
    if kind == "list":
        return t("ckc.reason.list", lang).format(name=t(f"ms.list.{rest}", lang))
    if kind == "grade":
        return t("ckc.reason.grade", lang).format(grade=rest)
    parts = rest.split(":")
    if kind == "record" and len(parts) == 3:
        item, tier, record_id = parts
        text = t("ckc.reason.record", lang).format(item=labels.item_name(item, lang), id=record_id)
        return text if tier == "-" else f"{text} · {t(f'severity.{tier}', lang)}"
    return reason


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage with one decimal (— of nothing)."""
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def subject_code(subject: Subject | None) -> str:
    """The code shown for a subject: its USCC, or a person's masked ID number."""
    if subject is None:
        return ""
    return subject.uscc or subject.id_number_masked or ""


def late_days(due: date, today: date) -> int:
    """Working days past the due date."""
    return workdays_between(due, today)


HELPERS: dict[str, Any] = {
    "local_time": local_time,
    "reason_text": reason_text,
    "late_days": late_days,
    "matter_name": matter_name,
    "department_name": department_name,
    "percent": percent,
    "subject_code": subject_code,
    "item_name": labels.item_name,
    "href": web_present.href,
}


# --- figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureLine:
    """One line of a table of figures: its label, the measure kind if any, the figures."""

    label: str
    kind: str
    figures: Figures


@dataclass(frozen=True)
class Section:
    """A table of figures: its id, heading, first column, and which figure the bars show."""

    key: str
    title: str
    column: str
    bar_on: Literal["checks", "hits"]
    lines: list[FigureLine]


def sections(
    figures: CheckStats, departments: dict[int, Department], lang: Language, *, platform: bool
) -> list[Section]:
    """The tables of the figures page (by department only when platform-wide)."""
    kinds = [FigureLine(t(f"ms.kind.{f.key}", lang), f.key, f) for f in figures.by_kind]
    matters = [FigureLine(matter_name(f.key, lang), "", f) for f in figures.by_matter]
    measures = [FigureLine(*measure_label(f.key, lang), f) for f in figures.by_measure]
    found = [
        Section("by-kind", "ckc.by.kind", "ckc.col.kind", "hits", kinds),
        Section("by-matter", "ckc.by.matter", "ckc.col.matter", "checks", matters),
        Section("by-measure", "ckc.by.measure", "ckc.col.measure", "hits", measures),
    ]
    if platform:
        named = [
            FigureLine(department_name(departments.get(int(f.key)), lang) or f.key, "", f)
            for f in figures.by_department
        ]
        found.insert(
            1, Section("by-department", "ckc.by.department", "ckc.col.department", "checks", named)
        )
    return found
