"""Interface text of the rights portal pages (Chinese first, English available)."""

from __future__ import annotations

from xinyong.core.i18n import Language, register

TEXT: dict[str, dict[Language, str]] = {
    # --- navigation and shared words ---
    "rp.nav.label": {"zh": "我的信用服务", "en": "My credit services"},
    "rp.nav.me": {"zh": "我的账户", "en": "My account"},
    "rp.nav.records": {"zh": "我的信用记录", "en": "My credit records"},
    "rp.nav.cases": {"zh": "我的异议和修复申请", "en": "My objections and repairs"},
    "rp.required": {"zh": "必填", "en": "required"},
    "rp.optional": {"zh": "选填", "en": "optional"},
    "rp.none": {"zh": "—", "en": "—"},
    "rp.legal_basis": {"zh": "依据", "en": "Legal basis"},
    "rp.files_hint": {
        "zh": "可上传 PDF、JPG、PNG、OFD 文件，每个不超过 {mb} MB，每件申请最多 {n} 个文件，"
        "一次提交合计不超过 {total} MB。",
        "en": "PDF, JPG, PNG or OFD files, at most {mb} MB each and {n} per application; "
        "at most {total} MB per submission.",
    },
    "rp.files_again": {
        "zh": "出于安全原因，浏览器不会保留已选择的文件，请重新选择。",
        "en": "For your safety the browser does not keep chosen files; choose them again.",
    },
    # --- records page ---
    "rp.records.intro": {
        "zh": "以下是平台归集的本主体全部现行信用记录(包括不向社会公示的记录)。"
        "认为信息有误或遗漏的，可以提出异议；失信信息满足条件的，可以申请信用修复。",
        "en": "All current credit records the platform holds about you, including those not "
        "published. Object to wrong or missing information; apply for credit repair of "
        "dishonesty information once the conditions are met.",
    },
    "rp.records.none": {"zh": "平台暂无本主体的信用记录。", "en": "The platform holds no records."},
    "rp.records.negative": {
        "zh": "失信信息(可提出异议或申请信用修复)",
        "en": "Dishonesty information (object or apply for repair)",
    },
    "rp.records.other": {"zh": "其他信用信息", "en": "Other credit information"},
    "rp.col.item": {"zh": "信息类别", "en": "Item"},
    "rp.col.number": {"zh": "决定文书号", "en": "Decision number"},
    "rp.col.decision_date": {"zh": "决定日期", "en": "Decided on"},
    "rp.col.tier": {"zh": "失信程度", "en": "Severity"},
    "rp.col.state": {"zh": "状态", "en": "State"},
    "rp.col.disclosure_end": {"zh": "公示截止", "en": "Published until"},
    "rp.col.actions": {"zh": "办理", "en": "Actions"},
    "rp.col.department": {"zh": "数据来源单位", "en": "Source department"},
    "rp.action.object": {"zh": "提出异议", "en": "Object"},
    "rp.action.repair": {"zh": "信用修复", "en": "Credit repair"},
    "rp.action.case": {"zh": "查看申请 {number}", "en": "See case {number}"},
    # --- objection form ---
    "rp.objection.title": {"zh": "提出异议", "en": "Object to a record"},
    "rp.objection.record": {"zh": "异议的记录", "en": "The record"},
    "rp.objection.ground": {"zh": "异议理由", "en": "Ground"},
    "rp.objection.choose": {"zh": "请选择", "en": "Choose one"},
    "rp.objection.statement": {"zh": "异议陈述", "en": "Your statement"},
    "rp.objection.statement_hint": {
        "zh": "请说明哪些信息有误或遗漏、正确的内容是什么，并列明所附材料。不超过5000字。",
        "en": "Say which information is wrong or missing, what is right, and which files "
        "show it. At most 5,000 characters.",
    },
    "rp.objection.others": {
        "zh": "同一数据来源单位的其他记录(可一并提出异议)",
        "en": "Other records of the same department (object to them as well)",
    },
    "rp.objection.files": {"zh": "证明材料", "en": "Supporting files"},
    "rp.objection.rules_title": {"zh": "异议处理规则", "en": "How an objection is handled"},
    "rp.objection.rules": {
        "zh": "平台收到异议申请后 {register} 个工作日内登记，并在相关记录上标注“异议处理中”；"
        "数据来源单位自登记之日起 {verify} 个工作日内核查处理，并将结果告知申请人。"
        "情况复杂的，经批准可延长 {extension} 个工作日。",
        "en": "The platform registers an objection within {register} working day(s) and marks "
        "the records “under objection”; the source department verifies and decides within "
        "{verify} working days of registration and tells you the outcome. A complex case may "
        "be extended once by {extension} working days with approval.",
    },
    "rp.objection.submit": {"zh": "提交异议申请", "en": "Submit the objection"},
    "rp.objection.blocked_state": {
        "zh": "该记录当前状态为“{state}”，不能提出异议。",
        "en": "The record is “{state}”; it cannot be objected to.",
    },
    "rp.objection.blocked_version": {
        "zh": "该记录已有更新的版本，请针对现行记录提出异议。",
        "en": "The record has a newer version; object to the current one.",
    },
    "rp.objection.blocked_open": {
        "zh": "该记录已有在办的异议申请 {number}。",
        "en": "An objection to this record is open: {number}.",
    },
    # --- repair page ---
    "rp.repair.title": {"zh": "申请信用修复", "en": "Apply for credit repair"},
    "rp.repair.record": {"zh": "申请修复的记录", "en": "The record"},
    "rp.repair.check": {"zh": "申请条件", "en": "Conditions"},
    "rp.repair.eligible": {
        "zh": "该记录符合申请信用修复的条件，可以提交申请。",
        "en": "The record meets the conditions; you may apply.",
    },
    "rp.repair.not_eligible": {
        "zh": "该记录目前不能申请信用修复：",
        "en": "The record cannot be repaired now:",
    },
    "rp.repair.earliest": {"zh": "最早可申请日期", "en": "Earliest date to apply"},
    "rp.repair.minimum_period": {"zh": "最短公示期限", "en": "Minimum period"},
    "rp.repair.minimum_none": {
        "zh": "无(履行义务后即可申请)",
        "en": "None (apply once the obligation is met)",
    },
    "rp.repair.statement": {"zh": "申请说明", "en": "Your statement"},
    "rp.repair.statement_hint": {
        "zh": "请说明已纠正失信行为、履行法定义务(如缴清罚款、完成整改)的情况。",
        "en": "Say how the conduct was corrected and the obligations met (e.g. the fine paid, "
        "the defects remedied).",
    },
    "rp.repair.proof": {"zh": "履行义务的证明", "en": "Proof the obligation is met"},
    "rp.repair.proof_hint": {
        "zh": "如罚款缴纳凭证、整改完成的证明材料。至少上传一个文件。",
        "en": "E.g. the fine's payment receipt or proof of remedy. At least one file.",
    },
    "rp.repair.evidence": {"zh": "其他材料", "en": "Other files"},
    "rp.repair.commitment": {"zh": "信用承诺", "en": "Credit commitment"},
    "rp.repair.commitment_note": {
        "zh": "申请信用修复须作出信用承诺。"
        "承诺将作为本主体的信用承诺信息记入平台，并接受社会监督。",
        "en": "A repair needs a credit commitment. It is kept as the subject's credit "
        "commitment information on the platform (the text is binding in Chinese).",
    },
    "rp.repair.commitment_check": {
        "zh": "本主体作出上述信用承诺",
        "en": "We make the commitment above",
    },
    "rp.repair.submit": {"zh": "提交修复申请", "en": "Submit the application"},
    "rp.repair.handling": {
        "zh": "承办部门在 {accept} 个工作日内决定是否受理或一次性告知需补正的材料，"
        "受理后 {decide} 个工作日内作出决定。",
        "en": "The department accepts the application or asks once for all missing material "
        "within {accept} working day(s), and decides within {decide} working days of "
        "acceptance.",
    },
    # --- cases ---
    "rp.cases.none": {"zh": "暂无异议或信用修复申请。", "en": "No objections or repairs yet."},
    "rp.cases.caption": {"zh": "本主体的申请", "en": "Your applications"},
    "rp.col.case": {"zh": "案号", "en": "Case"},
    "rp.col.kind": {"zh": "类型", "en": "Kind"},
    "rp.col.case_state": {"zh": "办理状态", "en": "State"},
    "rp.col.received": {"zh": "申请日期", "en": "Received"},
    "rp.col.due": {"zh": "办理期限", "en": "Due"},
    "rp.col.outcome": {"zh": "结果", "en": "Outcome"},
    "rp.overdue": {"zh": "已超期", "en": "Overdue"},
    "rp.closed_on": {"zh": "{date} 办结", "en": "closed {date}"},
    "rp.case.heading": {"zh": "{kind}申请 {number}", "en": "{kind} {number}"},
    "rp.case.ground": {"zh": "申请事由", "en": "Ground"},
    "rp.case.statement": {"zh": "申请陈述", "en": "Statement"},
    "rp.case.due": {"zh": "当前环节期限", "en": "Present step due"},
    "rp.case.decide_due": {"zh": "办结期限", "en": "Decision due"},
    "rp.case.extended": {
        "zh": "经批准延期，理由：{reason}",
        "en": "Extended by approval: {reason}",
    },
    "rp.case.waiting": {
        "zh": "等待申请人补正材料(期限暂停计算)",
        "en": "Waiting for your material (the clock is stopped)",
    },
    "rp.case.outcome_reason": {"zh": "决定理由", "en": "Reasons"},
    "rp.case.reapply_from": {"zh": "可再次申请日期", "en": "Apply again from"},
    "rp.case.targets": {"zh": "涉及的记录", "en": "Records"},
    "rp.case.state_before": {"zh": "申请时状态", "en": "State when filed"},
    "rp.case.state_now": {"zh": "当前状态", "en": "State now"},
    "rp.case.target_outcome": {"zh": "处理结果", "en": "Decision"},
    "rp.case.timeline": {"zh": "办理过程", "en": "Timeline"},
    "rp.case.files": {"zh": "已提交的材料", "en": "Files handed in"},
    "rp.case.no_files": {"zh": "未提交材料", "en": "No files"},
    "rp.who.applicant": {"zh": "申请人", "en": "Applicant"},
    "rp.who.department": {"zh": "承办部门", "en": "Department"},
    "rp.who.system": {"zh": "系统", "en": "System"},
    "rp.file.evidence": {"zh": "证明材料", "en": "Evidence"},
    "rp.file.proof": {"zh": "履行证明", "en": "Proof"},
    "rp.file.material": {"zh": "补正材料", "en": "Further material"},
    "rp.event.applied": {"zh": "提交申请", "en": "Applied"},
    "rp.event.registered": {"zh": "登记并标注“异议处理中”", "en": "Registered; records marked"},
    "rp.event.accepted": {"zh": "受理", "en": "Accepted"},
    "rp.event.not_accepted": {"zh": "不予受理", "en": "Not accepted"},
    "rp.event.material_requested": {
        "zh": "一次性告知需补正的材料",
        "en": "Asked once for missing material",
    },
    "rp.event.supplemented": {"zh": "补正材料", "en": "Material handed in"},
    "rp.event.extended": {"zh": "延长办理期限", "en": "Limit extended"},
    "rp.event.decided": {"zh": "作出决定", "en": "Decided"},
    "rp.event.withdrawn": {"zh": "撤回申请", "en": "Withdrawn"},
    "rp.event.list_entries_removed": {"zh": "移出相关名单", "en": "List entries removed"},
    "rp.event.reminded": {"zh": "到期提醒承办部门", "en": "Department reminded"},
    "rp.col.when": {"zh": "时间", "en": "When"},
    "rp.col.who": {"zh": "办理方", "en": "Who"},
    "rp.col.what": {"zh": "事项", "en": "What"},
    "rp.col.note": {"zh": "说明", "en": "Note"},
    "rp.col.file": {"zh": "文件", "en": "File"},
    "rp.col.size": {"zh": "大小", "en": "Size"},
    "rp.withdraw.title": {"zh": "撤回申请", "en": "Withdraw"},
    "rp.withdraw.reason": {"zh": "撤回原因", "en": "Reason"},
    "rp.withdraw.hint": {
        "zh": "撤回后本申请即办结；异议申请撤回后，相关记录取消“异议处理中”标注。",
        "en": "Withdrawing closes the case; a withdrawn objection takes the mark off the records.",
    },
    "rp.withdraw.submit": {"zh": "撤回本申请", "en": "Withdraw this application"},
    "rp.material.title": {"zh": "补正材料", "en": "Hand in material"},
    "rp.material.asked": {
        "zh": "承办部门一次性告知需补正以下材料：",
        "en": "The department asked once for this material:",
    },
    "rp.material.files": {"zh": "补正的材料文件", "en": "Files"},
    "rp.material.note": {"zh": "补充说明", "en": "Note"},
    "rp.material.submit": {"zh": "提交补正材料", "en": "Hand in"},
    # --- errors ---
    "rp.error.summary": {
        "zh": "提交未成功，请修改后重新提交",
        "en": "Not submitted: please correct",
    },
    "rp.error.records": {
        "zh": "所选记录不能提出异议",
        "en": "The chosen records cannot be objected to",
    },
    "rp.error.ground": {"zh": "请选择异议理由", "en": "Choose a ground"},
    "rp.error.statement": {
        "zh": "请填写陈述，不超过5000字",
        "en": "Write your statement (at most 5,000 characters)",
    },
    "rp.error.files": {"zh": "请检查上传的文件", "en": "Check the files"},
    "rp.error.commitment": {
        "zh": "请勾选“本主体作出上述信用承诺”",
        "en": "Tick “We make the commitment above”",
    },
    "rp.error.note": {"zh": "请检查补充说明", "en": "Check the note"},
    "rp.error.reason": {"zh": "请检查撤回原因", "en": "Check the reason"},
    "rp.error.version": {
        "zh": "该申请刚刚有了新的进展，请查看最新情况后再操作",
        "en": "The case changed meanwhile; look at it again before acting",
    },
    "rp.error.form": {"zh": "无法办理", "en": "This cannot be done"},
    # --- account page ---
    "rp.me.services": {"zh": "异议与信用修复", "en": "Objections and credit repair"},
    "rp.me.notices": {"zh": "通知", "en": "Notices"},
    "rp.me.no_notices": {"zh": "暂无通知", "en": "No notices"},
    "rp.me.unread": {"zh": "未读", "en": "unread"},
    "rp.me.open_case": {"zh": "查看申请", "en": "See the case"},
}

register(TEXT)
