"""Interface text of the lists (红黑名单), Chinese first with English available."""

from __future__ import annotations

from xinyong.core.i18n import Language, register

TEXT: dict[str, dict[Language, str]] = {
    # --- notices to the subject (key "list.x" is rendered from "notice.list.x") ---
    "notice.list.notified": {
        "zh": "拟将您(贵单位)列入{list}。列入事由：{reasons}。列入依据：{legal_basis}。"
        "如有异议，可于 {until} 前(含当日)提出异议并提交证明材料；期满无异议或异议不成立的，"
        "将依法列入。移出条件：{conditions}。",
        "en": "You are to be put on the {list_en}. Reasons: {reasons}. Legal basis: "
        "{legal_basis}. You may object, with supporting material, until {until} (inclusive); "
        "without an objection, or if it is not upheld, you will be listed. You leave the list "
        "when: {conditions_en}.",
    },
    "notice.list.listed": {
        "zh": "您(贵单位)已于 {listed_on} 被列入{list}，期限{term_zh}。"
        "移出条件：{conditions}。如认为列入有误，可依法提出异议。",
        "en": "You were put on the {list_en} on {listed_on}, {term_en}. You leave the list "
        "when: {conditions_en}. If you think the listing is wrong you may object.",
    },
    "notice.list.removed": {
        "zh": "您(贵单位)已于 {removed_on} 被移出{list}。移出原因：{reason}。{note}",
        "en": "You were removed from the {list_en} on {removed_on}. Reason: {reason_en}. {note}",
    },
    "notice.list.withdrawn": {
        "zh": "拟将您(贵单位)列入{list}的决定已撤回，不再列入。原因：{reason}。{note}",
        "en": "The proposal to put you on the {list_en} was withdrawn. Reason: {reason_en}. {note}",
    },
    "notice.list.rejected": {
        "zh": "您对拟列入{list}提出的异议成立，不予列入。{note}",
        "en": "Your objection was upheld: you will not be put on the {list_en}. {note}",
    },
    "notice.list.escalated": {
        "zh": "第 {entry} 号拟列入{list}的建议已按升级规则自动生成，请审核后决定是否告知当事人。",
        "en": "Proposal {entry} for the {list_en} was made by an escalation rule; review it "
        "before the subject is notified.",
    },
    # --- labels ---
    "list.term.until": {"zh": "至 {term_end}", "en": "until {term_end}"},
    "list.term.open": {"zh": "至移出之日", "en": "until removed"},
    "list.kind.red": {"zh": "守信激励名单", "en": "Red list"},
    "list.kind.black": {"zh": "失信惩戒名单", "en": "Black list"},
    "list.kind.warning": {"zh": "警示名单", "en": "Warning list"},
    "list.state.proposed": {"zh": "拟列入", "en": "Proposed"},
    "list.state.notified": {"zh": "已告知", "en": "Notified"},
    "list.state.listed": {"zh": "已列入", "en": "Listed"},
    "list.state.removed": {"zh": "已移出", "en": "Removed"},
    "list.state.withdrawn": {"zh": "已撤回", "en": "Withdrawn"},
    "list.state.rejected": {"zh": "不予列入", "en": "Not listed"},
    "list.source.platform": {"zh": "平台认定", "en": "Decided on the platform"},
    "list.source.record": {"zh": "部门报送", "en": "Reported by a department"},
    "list.held": {"zh": "异议处理中", "en": "Under objection"},
    # Labels of the reasons the platform applies by itself, for lists that do not name them.
    "list.removal.term_ended": {"zh": "期限届满", "en": "The term has ended"},
    "list.removal.repaired": {"zh": "依法完成信用修复", "en": "Credit repair was granted"},
    "list.removal.basis_revoked": {"zh": "列入依据不再成立", "en": "The basis no longer holds"},
    "list.removal.objection_upheld": {"zh": "异议成立", "en": "An objection was upheld"},
}

# --- console pages (名单管理) ---
CONSOLE: dict[str, dict[Language, str]] = {
    "lc.title": {"zh": "红黑名单管理", "en": "List entries"},
    "lc.nav": {"zh": "名单管理导航", "en": "List navigation"},
    "lc.queue": {"zh": "名单记录", "en": "Entries"},
    "lc.new": {"zh": "提出拟列入", "en": "Propose an entry"},
    "lc.console": {"zh": "工作台", "en": "Console"},
    "lc.figures": {"zh": "各名单各状态数量", "en": "Entries by list and state"},
    "lc.figures_all": {"zh": "全平台各名单各状态数量", "en": "Entries by list and state (all)"},
    "lc.filter.list": {"zh": "名单", "en": "List"},
    "lc.filter.state": {"zh": "状态", "en": "State"},
    "lc.filter.department": {"zh": "部门", "en": "Department"},
    "lc.filter.all": {"zh": "全部", "en": "All"},
    "lc.filter.apply": {"zh": "筛选", "en": "Filter"},
    "lc.total": {"zh": "共 {n} 条", "en": "{n} entries"},
    "lc.none": {"zh": "暂无名单记录", "en": "No entries"},
    "lc.col.id": {"zh": "编号", "en": "No."},
    "lc.col.list": {"zh": "名单", "en": "List"},
    "lc.col.subject": {"zh": "信用主体", "en": "Subject"},
    "lc.col.department": {"zh": "认定部门", "en": "Deciding department"},
    "lc.col.state": {"zh": "状态", "en": "State"},
    "lc.col.proposed_on": {"zh": "拟列入日期", "en": "Proposed on"},
    "lc.col.dates": {"zh": "异议期至 / 列入日期", "en": "Objections until / listed on"},
    "lc.col.term_end": {"zh": "期限至", "en": "Until"},
    "lc.col.time": {"zh": "时间", "en": "Time"},
    "lc.col.action": {"zh": "操作", "en": "Step"},
    "lc.col.actor": {"zh": "操作人", "en": "By"},
    "lc.col.note": {"zh": "说明", "en": "Note"},
    "lc.col.record": {"zh": "信用记录", "en": "Record"},
    "lc.col.decided": {"zh": "决定日期", "en": "Decided on"},
    "lc.col.record_state": {"zh": "记录状态", "en": "Record state"},
    "lc.entry": {"zh": "名单记录 {id}", "en": "List entry {id}"},
    "lc.entry.subject": {"zh": "信用主体", "en": "Subject"},
    "lc.entry.list": {"zh": "名单", "en": "List"},
    "lc.entry.source": {"zh": "来源", "en": "Source"},
    "lc.entry.department": {"zh": "认定部门", "en": "Deciding department"},
    "lc.entry.legal_basis": {"zh": "列入依据", "en": "Legal basis"},
    "lc.entry.reasons": {"zh": "列入事由", "en": "Reasons"},
    "lc.entry.proposed": {"zh": "拟列入", "en": "Proposed"},
    "lc.entry.notified_on": {"zh": "告知日期", "en": "Notified on"},
    "lc.entry.objection_until": {"zh": "异议期限(含当日)", "en": "Objections until (inclusive)"},
    "lc.entry.listable_from": {"zh": "可列入日期", "en": "Can be listed from"},
    "lc.entry.held": {
        "zh": "异议处理中，暂不得列入",
        "en": "Held by an objection: cannot be listed",
    },
    "lc.entry.listed_on": {"zh": "列入日期", "en": "Listed on"},
    "lc.entry.term": {"zh": "列入期限", "en": "Term"},
    "lc.entry.removed_on": {"zh": "移出(撤回)日期", "en": "Ended on"},
    "lc.entry.removal_reason": {"zh": "移出原因", "en": "Reason it ended"},
    "lc.entry.removal_note": {"zh": "移出说明", "en": "Note"},
    "lc.entry.escalated_from": {"zh": "升级自名单记录", "en": "Escalated from entry"},
    "lc.entry.version": {"zh": "版本", "en": "Version"},
    "lc.entry.basis": {"zh": "认定依据的信用记录", "en": "Records the entry rests on"},
    "lc.entry.no_basis": {"zh": "无", "en": "None"},
    "lc.entry.conditions": {"zh": "移出条件", "en": "Removal conditions"},
    "lc.entry.timeline": {"zh": "办理过程", "en": "Timeline"},
    "lc.entry.actions": {"zh": "办理", "en": "Steps"},
    "lc.entry.read_only": {
        "zh": "本条名单记录由其他部门认定，您只能查看。",
        "en": "Another department decides this entry: you may read it only.",
    },
    "lc.entry.no_steps": {"zh": "本条名单记录已办结。", "en": "This entry is closed."},
    "lc.current_version": {"zh": "非现行版本", "en": "not current"},
    "lc.form.notify": {"zh": "告知当事人", "en": "Notify the subject"},
    "lc.form.notify_text": {
        "zh": "告知列入事由、依据、移出条件和异议期限；异议期满后方可列入。",
        "en": "The subject is told the reasons, basis, removal conditions and the time to "
        "object; the entry can be listed once that time has passed.",
    },
    "lc.form.list": {"zh": "决定列入", "en": "List the entry"},
    "lc.form.list_text": {
        "zh": "异议期已过且无异议在处理中，决定列入名单。",
        "en": "The objection window has passed with no objection pending: list the entry.",
    },
    "lc.form.remove": {"zh": "移出名单", "en": "Remove from the list"},
    "lc.form.withdraw": {"zh": "撤回拟列入", "en": "Withdraw the proposal"},
    "lc.form.reason": {"zh": "移出(撤回)条件", "en": "Condition"},
    "lc.form.note": {"zh": "说明", "en": "Note"},
    "lc.form.choose": {"zh": "请选择", "en": "Choose"},
    "lc.form.department": {"zh": "认定部门", "en": "Deciding department"},
    "lc.form.list_code": {"zh": "名单", "en": "List"},
    "lc.form.subject_code": {
        "zh": "统一社会信用代码或身份证号码",
        "en": "USCC or ID number",
    },
    "lc.form.find": {"zh": "查找该主体的信用记录", "en": "Find the subject's records"},
    "lc.form.basis": {"zh": "认定依据的信用记录", "en": "Records the entry rests on"},
    "lc.form.basis_hint": {
        "zh": "勾选该主体现行有效的记录，或填写记录编号(多个以逗号分隔)。",
        "en": "Tick the subject's current records, or type record numbers separated by commas.",
    },
    "lc.form.basis_other": {"zh": "记录编号", "en": "Record numbers"},
    "lc.form.no_records": {
        "zh": "该主体暂无现行有效的信用记录。",
        "en": "The subject has no current, live records.",
    },
    "lc.form.legal_basis": {"zh": "列入依据", "en": "Legal basis"},
    "lc.form.reasons": {"zh": "列入事由", "en": "Reasons"},
    "lc.form.submit": {"zh": "提交拟列入", "en": "Propose"},
    "lc.form.no_lists": {
        "zh": "您的部门不负责认定任何名单。",
        "en": "Your department decides no list.",
    },
    "lc.error.invalid": {"zh": "提交的内容有误", "en": "The form has a problem"},
    "lc.err.choose_list": {"zh": "请选择名单", "en": "Choose a list"},
    "lc.err.subject_missing": {
        "zh": "请填写统一社会信用代码或身份证号码",
        "en": "Give the subject's USCC or ID number",
    },
    "lc.err.subject_unknown": {
        "zh": "未找到该代码对应的信用主体",
        "en": "No subject has this USCC or ID number",
    },
    "lc.err.basis_missing": {
        "zh": "请至少选择一条认定依据的信用记录",
        "en": "Name at least one record the entry rests on",
    },
    "lc.err.basis_number": {
        "zh": "记录编号应为数字：{value}",
        "en": "Not a record number: {value}",
    },
    "lc.err.required": {"zh": "此项必填", "en": "Required"},
    "lc.error.conflict": {
        "zh": "该名单记录已被他人处理或当前状态不允许此操作，请刷新后重试",
        "en": "Someone changed this entry meanwhile, or its state does not allow this step: "
        "reload and decide again",
    },
    "lc.event.proposed": {"zh": "拟列入", "en": "Proposed"},
    "lc.event.notified": {"zh": "告知", "en": "Notified"},
    "lc.event.listed": {"zh": "列入", "en": "Listed"},
    "lc.event.removed": {"zh": "移出", "en": "Removed"},
    "lc.event.withdrawn": {"zh": "撤回", "en": "Withdrawn"},
    "lc.event.rejected": {"zh": "不予列入", "en": "Not listed"},
    "lc.event.held": {"zh": "异议暂停", "en": "Held by objection"},
    "lc.event.released": {"zh": "解除暂停", "en": "Hold lifted"},
    "lc.event.imported": {"zh": "据报送记录列入", "en": "Imported from a record"},
    "lc.event.record_corrected": {"zh": "记录更正", "en": "Record corrected"},
}

register(TEXT)
register(CONSOLE)
