"""Interface text of the rights procedures (Chinese first, English available)."""

from __future__ import annotations

from xinyong.core.i18n import Language, register

TEXT: dict[str, dict[Language, str]] = {
    # --- notices to applicants and departments ---
    "notice.objection.received": {
        "zh": "您的异议申请 {number} 已登记，相关记录已标注“异议处理中”，将于 {due} 前完成核查。",
        "en": "Your objection {number} is registered and the records are marked as disputed; "
        "it will be verified by {due}.",
    },
    "notice.objection.new": {
        "zh": "新的异议申请 {number}，请于 {due} 前核查处理。",
        "en": "New objection {number}: verify and decide by {due}.",
    },
    "notice.objection.decided.upheld": {
        "zh": "您的异议申请 {number} 已办结：异议成立，相关记录已按异议处理。说明：{reason}",
        "en": "Objection {number} decided: upheld; the records were changed. {reason}",
    },
    "notice.objection.decided.partly_upheld": {
        "zh": "您的异议申请 {number} 已办结：部分成立。说明：{reason}",
        "en": "Objection {number} decided: partly upheld. {reason}",
    },
    "notice.objection.decided.rejected": {
        "zh": "您的异议申请 {number} 已办结：经核查，维持原记录。理由：{reason}",
        "en": "Objection {number} decided: the records are kept. Reasons: {reason}",
    },
    "notice.repair.received": {
        "zh": "您的信用修复申请 {number} 已收到，将于 {due} 前决定是否受理。",
        "en": "Your repair application {number} is received; acceptance will be decided by {due}.",
    },
    "notice.repair.new": {
        "zh": "新的信用修复申请 {number}，请于 {due} 前决定是否受理或一次性告知需补正的材料。",
        "en": "New repair application {number}: accept it or ask once for missing "
        "material by {due}.",
    },
    "notice.repair.material_requested": {
        "zh": "您的信用修复申请 {number} 需补正材料(一次性告知)：{missing}",
        "en": "Repair application {number} needs more material (all of it, asked once): {missing}",
    },
    "notice.repair.accepted": {
        "zh": "您的信用修复申请 {number} 已受理，将于 {due} 前作出决定。",
        "en": "Repair application {number} is accepted; the decision is due by {due}.",
    },
    "notice.repair.decided.repaired": {
        "zh": "您的信用修复申请 {number} 已办结：予以修复，相关记录停止公示。说明：{reason}",
        "en": "Repair {number} decided: repaired; the record is no longer published. {reason}",
    },
    "notice.repair.decided.refused": {
        "zh": "您的信用修复申请 {number} 已办结：不予修复。理由：{reason}。"
        "可于 {reapply_from} 起再次申请。",
        "en": "Repair {number} decided: refused. Reasons: {reason}. "
        "You may apply again from {reapply_from}.",
    },
    "notice.repair.decided.not_accepted": {
        "zh": "您的信用修复申请 {number} 不予受理。理由：{reason}",
        "en": "Repair application {number} was not accepted. Reasons: {reason}",
    },
    "notice.case.extended": {
        "zh": "案件 {number} 经批准延长办理期限至 {due}。理由：{reason}",
        "en": "Case {number}: the limit was extended by approval to {due}. Reason: {reason}",
    },
    "notice.case.due": {
        "zh": "案件 {number} 将于 {due} 到期，请及时办理。",
        "en": "Case {number} is due on {due}.",
    },
    "notice.case.overdue": {
        "zh": "案件 {number} 已于 {due} 到期，现已超期，请立即办理。",
        "en": "Case {number} was due on {due} and is overdue.",
    },
    # --- labels ---
    "rights.kind.objection": {"zh": "异议", "en": "Objection"},
    "rights.kind.repair": {"zh": "信用修复", "en": "Credit repair"},
    "rights.state.applied": {"zh": "待受理", "en": "Awaiting acceptance"},
    "rights.state.material_requested": {"zh": "待补正材料", "en": "Material requested"},
    "rights.state.accepted": {"zh": "办理中", "en": "Being verified"},
    "rights.state.decided": {"zh": "已办结", "en": "Decided"},
    "rights.state.not_accepted": {"zh": "不予受理", "en": "Not accepted"},
    "rights.state.withdrawn": {"zh": "已撤回", "en": "Withdrawn"},
    "rights.outcome.upheld": {"zh": "异议成立", "en": "Upheld"},
    "rights.outcome.partly_upheld": {"zh": "部分成立", "en": "Partly upheld"},
    "rights.outcome.rejected": {"zh": "维持原记录", "en": "Rejected (kept)"},
    "rights.outcome.repaired": {"zh": "予以修复", "en": "Repaired"},
    "rights.outcome.refused": {"zh": "不予修复", "en": "Refused"},
    "rights.outcome.not_accepted": {"zh": "不予受理", "en": "Not accepted"},
    "rights.outcome.withdrawn": {"zh": "已撤回", "en": "Withdrawn"},
    "rights.ground.wrong_information": {"zh": "信息有误", "en": "Wrong information"},
    "rights.ground.missing_information": {"zh": "信息遗漏", "en": "Missing information"},
    "rights.ground.published_after_period": {
        "zh": "超过公示期限仍在公示",
        "en": "Still published after its period",
    },
    "rights.ground.wrongly_listed": {"zh": "不应列入名单", "en": "Wrongly listed"},
    "rights.ground.not_removed": {"zh": "应移出名单而未移出", "en": "Not removed from a list"},
    "rights.ground.obligation_fulfilled": {"zh": "已纠正失信行为", "en": "Conduct corrected"},
    "rights.target.correct": {"zh": "更正", "en": "Correct"},
    "rights.target.supplement": {"zh": "补充", "en": "Supplement"},
    "rights.target.stop_publication": {"zh": "停止公示", "en": "Stop publication"},
    "rights.target.remove_from_list": {"zh": "移出名单", "en": "Remove from list"},
    "rights.target.keep": {"zh": "维持", "en": "Keep"},
    "record.state.active": {"zh": "正常", "en": "Active"},
    "record.state.under_objection": {"zh": "异议处理中", "en": "Under objection"},
    "record.state.corrected": {"zh": "已更正", "en": "Corrected"},
    "record.state.revoked": {"zh": "已撤销", "en": "Revoked"},
    "record.state.repaired": {"zh": "已修复", "en": "Repaired"},
    "record.state.expired": {"zh": "公示期满", "en": "Period ended"},
    "stats.subjects_repaired": {"zh": "已信用修复主体", "en": "Subjects repaired"},
}

register(TEXT)
