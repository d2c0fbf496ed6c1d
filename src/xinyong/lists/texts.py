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

register(TEXT)
