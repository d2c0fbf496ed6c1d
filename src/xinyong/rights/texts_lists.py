"""Interface text of objections against list entries (Chinese first, English available)."""

from __future__ import annotations

from xinyong.core.i18n import Language, register

TEXT: dict[str, dict[Language, str]] = {
    # --- notice to the applicant ---
    "notice.objection.list_received": {
        "zh": "您对名单列入提出的异议 {number} 已登记：异议处理期间，拟列入的不予列入，"
        "已列入的标注“异议处理中”；将于 {due} 前完成核查。",
        "en": "Your objection {number} to a list entry is registered: while it is decided a "
        "proposed entry is not listed and a listed one is marked as disputed; it will be "
        "verified by {due}.",
    },
    # --- portal: records page and form ---
    "rp.list.heading": {"zh": "我的名单记录", "en": "My list entries"},
    "rp.list.intro": {
        "zh": "以下是已告知您(贵单位)拟列入或已列入的名单。认为不应列入或应移出而未移出的，"
        "可以提出异议。",
        "en": "The lists you were told you are to be put on, or are on. Object if you should "
        "not be listed, or should have been removed.",
    },
    "rp.list.col.list": {"zh": "名单", "en": "List"},
    "rp.list.col.objection_until": {"zh": "异议截止日", "en": "Object by"},
    "rp.list.col.listed": {"zh": "列入期间", "en": "Listed"},
    "rp.list.title": {"zh": "对名单列入提出异议", "en": "Object to a list entry"},
    "rp.list.entry": {"zh": "异议的名单记录", "en": "The list entry"},
    "rp.list.department": {"zh": "认定部门", "en": "Deciding department"},
    "rp.list.notified_on": {"zh": "告知日期", "en": "Notified on"},
    "rp.list.reasons": {"zh": "列入事由", "en": "Reasons"},
    "rp.list.legal_basis": {"zh": "列入依据", "en": "Legal basis"},
    "rp.list.basis": {"zh": "认定所依据的记录", "en": "Records it rests on"},
    "rp.list.rests_on": {"zh": "依据：", "en": "Rests on: "},
    "rp.list.rules": {
        "zh": "平台收到异议申请后 {register} 个工作日内登记。异议处理期间，拟列入的暂不列入，"
        "已列入的标注“异议处理中”；认定部门自登记之日起 {verify} 个工作日内核查处理："
        "异议成立的不予列入或移出名单，不成立的维持并说明理由。情况复杂的，经批准可延长 "
        "{extension} 个工作日。",
        "en": "The platform registers an objection within {register} working day(s). While it "
        "is decided a proposed entry is not listed and a listed one is marked as disputed; the "
        "deciding department verifies within {verify} working days of registration: upheld, "
        "you are not listed or are removed; not upheld, the entry stays, with reasons. A "
        "complex case may be extended once by {extension} working days with approval.",
    },
    "rp.list.statement_hint": {
        "zh": "请说明不应列入或应当移出的理由(例如认定依据已被撤销、已履行义务)，"
        "并列明所附材料。不超过5000字。",
        "en": "Say why you should not be listed or should be removed (for example the decision "
        "it rests on was revoked, or the obligations were fulfilled) and which files show it. "
        "At most 5,000 characters.",
    },
    "rp.list.others": {
        "zh": "同一认定部门的其他名单记录(可一并提出异议)",
        "en": "Other entries decided by the same department (object to them as well)",
    },
    "rp.list.blocked_open": {
        "zh": "该名单记录已有在办的异议申请 {number}。",
        "en": "An objection to this entry is open: {number}.",
    },
    "rp.list.blocked_state": {
        "zh": "该名单记录当前状态为“{state}”，不能提出异议。",
        "en": "The entry is “{state}”; it cannot be objected to.",
    },
    "rp.list.blocked_window": {
        "zh": "对拟列入提出异议的期限已于 {until} 届满；列入后可对列入提出异议。",
        "en": "The time to object to the proposal ended on {until}; once listed, you may "
        "object to the listing.",
    },
    "rp.error.entries": {
        "zh": "所选名单记录不能提出异议",
        "en": "The chosen list entries cannot be objected to",
    },
    # --- console: case page and counter ---
    "rc.entry.heading": {"zh": "{list}(名单记录 {id})", "en": "{list} (entry {id})"},
    "rc.entry.list": {"zh": "名单", "en": "List"},
    "rc.entry.state_before": {"zh": "异议时状态", "en": "State when objected to"},
    "rc.entry.notified_on": {"zh": "告知日期", "en": "Notified on"},
    "rc.entry.objection_until": {"zh": "异议期限", "en": "Objection deadline"},
    "rc.entry.listed_on": {"zh": "列入期间", "en": "Listed"},
    "rc.entry.removed_on": {"zh": "结束日期", "en": "Ended on"},
    "rc.entry.rests_on": {"zh": "认定依据", "en": "Rests on"},
    "rc.entry.reasons": {"zh": "列入事由", "en": "Reasons"},
    "rc.entry.legal_basis": {"zh": "列入依据", "en": "Legal basis"},
    "rc.entry.outcome.remove_from_list": {
        "zh": "异议成立：不予列入 / 移出名单",
        "en": "Upheld: not listed / removed from the list",
    },
    "rc.entry.outcome.keep": {
        "zh": "异议不成立：维持，说明理由",
        "en": "Not upheld: keep, with reasons",
    },
    "rc.counter.choose_entries": {
        "zh": "选择异议的名单记录(与信用记录分别申请)",
        "en": "List entries objected to (file separately from records)",
    },
}

register(TEXT)
