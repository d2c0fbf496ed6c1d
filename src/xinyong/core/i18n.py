"""Chinese-first interface text with English available."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from xinyong.core.yamlio import YamlProblem, read_yaml

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")

_TEXT: dict[str, dict[Language, str]] = {
    "site.title": {
        "zh": "公共信用信息共享平台",
        "en": "Public Credit Information Sharing Platform",
    },
    "site.tagline": {
        "zh": "归集、共享、公示信用信息，依法保护信用主体权益",
        "en": "Collecting, sharing and publishing credit information under the law",
    },
    "stats.subjects": {"zh": "信用主体", "en": "Credit subjects"},
    "stats.records": {"zh": "信用记录", "en": "Credit records"},
    "stats.published": {"zh": "公示中记录", "en": "Records in publication"},
    "stats.departments": {"zh": "数据来源单位", "en": "Source departments"},
    "stats.items": {"zh": "目录信息项", "en": "Catalogue items"},
    "section.by_kind": {"zh": "主体类别", "en": "Subjects by kind"},
    "section.by_item": {"zh": "记录分类", "en": "Records by catalogue item"},
    "section.rights": {"zh": "信用主体权利", "en": "Subjects' rights"},
    "rights.text": {
        "zh": "信用主体认为信息有误可提出异议；纠正失信行为后可申请信用修复。",
        "en": "A subject may object to wrong information and apply for credit repair "
        "once it has corrected its conduct.",
    },
    "switch.language": {"zh": "English", "en": "中文"},
    "catalog.version": {"zh": "目录版本", "en": "Catalogue version"},
    "kind.legal_person": {"zh": "法人和非法人组织", "en": "Legal persons and organisations"},
    "kind.individual_business": {"zh": "个体工商户", "en": "Individual businesses"},
    "kind.natural_person": {"zh": "自然人", "en": "Natural persons"},
    "kind.household": {"zh": "农户", "en": "Households"},
    "login.title": {"zh": "登录", "en": "Log in"},
    "login.username": {"zh": "用户名", "en": "Username"},
    "login.password": {"zh": "密码", "en": "Password"},
    "login.submit": {"zh": "登录", "en": "Log in"},
    "login.counter": {
        "zh": "企业和个人首次使用，请凭窗口发放的一次性验证码开通账户。",
        "en": "Enterprises and persons open their account with the one-time code from the counter.",
    },
    "logout": {"zh": "退出", "en": "Log out"},
    "logout.everywhere": {"zh": "在所有设备上退出", "en": "Log out everywhere"},
    "console.title": {"zh": "工作台", "en": "Console"},
    "console.you_may": {"zh": "您可以", "en": "You may"},
    "me.title": {"zh": "我的信用信息", "en": "My credit information"},
    "me.queries": {"zh": "查询记录（谁因何查询了我的信息）", "en": "Who looked at my data and why"},
    "me.none": {"zh": "暂无查询记录", "en": "No queries yet"},
    "col.time": {"zh": "时间", "en": "Time"},
    "col.who": {"zh": "查询方", "en": "Who"},
    "col.what": {"zh": "查询内容", "en": "What"},
    "col.purpose": {"zh": "查询目的", "en": "Purpose"},
    "col.outcome": {"zh": "结果", "en": "Outcome"},
    "audit.title": {"zh": "审计日志", "en": "Audit log"},
    "audit.actor": {"zh": "操作者", "en": "Actor"},
    "audit.action": {"zh": "操作", "en": "Action"},
    "audit.subject": {"zh": "主体", "en": "Subject"},
    "audit.object": {"zh": "对象", "en": "Object"},
    "audit.summary": {"zh": "摘要", "en": "Summary"},
    "audit.since": {"zh": "起", "en": "From"},
    "audit.until": {"zh": "止", "en": "To"},
    "audit.filter": {"zh": "筛选", "en": "Filter"},
    "audit.none": {"zh": "没有符合条件的记录", "en": "No matching entries"},
    "audit.older": {"zh": "更早的记录", "en": "Older entries"},
    "error.title": {"zh": "出错了", "en": "Something went wrong"},
    # --- collection (归集) console --------------------------------------------------------
    "ingest.nav": {"zh": "归集", "en": "Collection"},
    "ingest.upload": {"zh": "报送数据", "en": "Submit data"},
    "ingest.ledger": {"zh": "归集台账", "en": "Collection ledger"},
    "ingest.review": {"zh": "待确认主体", "en": "Subjects to confirm"},
    "ingest.department": {"zh": "报送部门", "en": "Department"},
    "ingest.item": {"zh": "目录事项", "en": "Catalogue item"},
    "ingest.file": {"zh": "数据文件", "en": "Data file"},
    "ingest.file_hint": {
        "zh": "支持 CSV(UTF-8、GBK、GB18030)、XLSX、JSON Lines；表头可用国家模板中文列名。",
        "en": "CSV (UTF-8, GBK, GB18030), XLSX or JSON Lines; national template headers work.",
    },
    "ingest.mode": {"zh": "入库方式", "en": "Mode"},
    "ingest.strict": {
        "zh": "严格：任一行有误则整批不入库",
        "en": "Strict: nothing loads if any row is wrong",
    },
    "ingest.partial": {
        "zh": "部分：正确的行入库，错误的行退回更正",
        "en": "Partial: valid rows load, wrong rows come back for correction",
    },
    "ingest.advanced": {"zh": "更多选项", "en": "More options"},
    "ingest.encoding": {"zh": "文件编码", "en": "Encoding"},
    "ingest.auto": {"zh": "自动识别", "en": "Detect"},
    "ingest.sheet": {
        "zh": "工作表名称(默认第一个可见工作表)",
        "en": "Sheet (default: first visible)",
    },
    "ingest.submit": {"zh": "提交", "en": "Submit"},
    "ingest.batch": {"zh": "批次", "en": "Batch"},
    "ingest.status.loaded": {"zh": "全部入库", "en": "All rows loaded"},
    "ingest.status.partial": {
        "zh": "部分入库，错误行已退回",
        "en": "Partly loaded; wrong rows returned",
    },
    "ingest.status.refused": {"zh": "整批未入库", "en": "Batch refused: nothing loaded"},
    "ingest.count.rows": {"zh": "总行数", "en": "Rows"},
    "ingest.count.submissions": {"zh": "报送批次", "en": "Batches"},
    "ingest.count.accepted": {"zh": "新增", "en": "Accepted"},
    "ingest.count.corrected": {"zh": "更正", "en": "Corrected"},
    "ingest.count.unchanged": {"zh": "未变", "en": "Unchanged"},
    "ingest.count.rejected": {"zh": "拒收", "en": "Rejected"},
    "ingest.count.late": {"zh": "超期报送", "en": "Late"},
    "ingest.count.new_subjects": {"zh": "新建主体(待核实)", "en": "New subjects (unverified)"},
    "ingest.count.to_review": {"zh": "待确认主体", "en": "To review"},
    "ingest.download": {"zh": "下载处理结果(XLSX)", "en": "Download the result (XLSX)"},
    "ingest.errors": {"zh": "错误明细", "en": "Row errors"},
    "ingest.row": {"zh": "行号", "en": "Row"},
    "ingest.column": {"zh": "列", "en": "Column"},
    "ingest.value": {"zh": "原值", "en": "Value"},
    "ingest.reason": {"zh": "原因", "en": "Reason"},
    "ingest.last": {"zh": "最近报送", "en": "Last submission"},
    "ingest.none": {"zh": "暂无", "en": "Nothing yet"},
    "ingest.review_hint": {
        "zh": "这些行只有主体名称、没有代码。请在候选主体中选择，平台不会自动猜测。",
        "en": "These rows name their subject without a code. Choose among the candidates; "
        "the platform never guesses.",
    },
    "ingest.candidates": {"zh": "候选主体", "en": "Candidates"},
    "ingest.no_candidates": {"zh": "没有找到候选主体", "en": "No candidates found"},
    "ingest.resolve": {"zh": "确认并入库", "en": "Confirm and load"},
    "ingest.dismiss": {"zh": "退回部门", "en": "Return to department"},
    # --- public portal (信用门户) ------------------------------------------------------------
    "portal.skip": {"zh": "跳到主要内容", "en": "Skip to main content"},
    "portal.nav": {"zh": "主导航", "en": "Main navigation"},
    "portal.language": {"zh": "语言", "en": "Language"},
    "nav.home": {"zh": "首页", "en": "Home"},
    "nav.search": {"zh": "信用查询", "en": "Search"},
    "nav.double_publicity": {"zh": "双公示", "en": "Licences & penalties"},
    "nav.lists": {"zh": "信用名单", "en": "Credit lists"},
    "nav.rules": {"zh": "目录与规则", "en": "Catalogue & rules"},
    "portal.footer": {
        "zh": "本网站依法公示公共信用信息。公示内容以数据来源单位的决定为准。",
        "en": "This site publishes public credit information as the law provides. "
        "The source departments' decisions are authoritative.",
    },
    "portal.yes": {"zh": "是", "en": "Yes"},
    "portal.no": {"zh": "否", "en": "No"},
    "portal.open_ended": {"zh": "长期", "en": "Open-ended"},
    "portal.none": {"zh": "暂无", "en": "None"},
    "portal.view_data": {"zh": "查看图表数据", "en": "Chart data as a table"},
    "portal.count": {"zh": "数量", "en": "Count"},
    "pager.label": {"zh": "分页", "en": "Pages"},
    "pager.prev": {"zh": "上一页", "en": "Previous"},
    "pager.next": {"zh": "下一页", "en": "Next"},
    "pager.more": {"zh": "更多记录", "en": "More records"},
    "pager.status": {"zh": "第 {page} 页，共 {pages} 页", "en": "Page {page} of {pages}"},
    "home.search_title": {"zh": "查询信用信息", "en": "Look up credit information"},
    "home.figures": {"zh": "平台概况", "en": "The platform in figures"},
    "home.list_entries": {"zh": "名单公示中", "en": "List entries published"},
    "home.repairs": {"zh": "完成信用修复", "en": "Credit repairs completed"},
    "home.departments_reporting": {"zh": "报送部门", "en": "Departments reporting"},
    "home.by_month": {"zh": "近12个月新增信用记录", "en": "New records, last 12 months"},
    "home.by_month_desc": {
        "zh": "按决定日期统计的每月信用记录数，共{months}个月，合计{total}条。",
        "en": "Credit records per month by decision date: {months} months, {total} in all.",
    },
    "home.by_category": {"zh": "按目录类别统计", "en": "Records by catalogue category"},
    "home.by_category_desc": {
        "zh": "各目录类别的信用记录数，共{n}个类别，合计{total}条。",
        "en": "Credit records per catalogue category: {n} categories, {total} in all.",
    },
    "home.month": {"zh": "月份", "en": "Month"},
    "home.category": {"zh": "类别", "en": "Category"},
    "home.no_data": {"zh": "暂无数据", "en": "No data yet"},
    "home.quick": {"zh": "公示专栏", "en": "Publications"},
    "search.title": {"zh": "信用信息查询", "en": "Credit information search"},
    "search.label": {
        "zh": "主体名称或统一社会信用代码",
        "en": "Name or unified social credit code",
    },
    "search.placeholder": {
        "zh": "如：苏州某某科技有限公司 或 91320505…",
        "en": "e.g. a company name or 91320505…",
    },
    "search.hint": {
        "zh": "支持简体、繁体、全角字符和字号简称；自然人姓名已遮蔽。",
        "en": "Simplified or traditional characters, full-width forms and trade names "
        "all work; natural persons' names are masked.",
    },
    "search.submit": {"zh": "查询", "en": "Search"},
    "search.results": {"zh": "查询结果", "en": "Results"},
    "search.total": {"zh": "共找到 {n} 个信用主体", "en": "{n} subjects found"},
    "search.none": {
        "zh": "未找到匹配的信用主体，请检查名称或代码。",
        "en": "No subject matches; check the name or the code.",
    },
    "search.empty": {
        "zh": "请输入主体名称或统一社会信用代码。",
        "en": "Enter a name or a unified social credit code.",
    },
    "search.match.code": {"zh": "代码匹配", "en": "Code match"},
    "search.match.name": {"zh": "名称匹配", "en": "Name match"},
    "search.match.trade_name": {"zh": "字号匹配", "en": "Trade-name match"},
    "search.match.partial": {"zh": "部分匹配", "en": "Partial match"},
    "subject.basic": {"zh": "基本信息", "en": "Basic information"},
    "subject.code": {"zh": "统一社会信用代码", "en": "Unified social credit code"},
    "subject.code_person": {"zh": "身份证号码", "en": "ID number"},
    "subject.name": {"zh": "名称", "en": "Name"},
    "subject.kind": {"zh": "主体类别", "en": "Kind"},
    "subject.status": {"zh": "登记状态", "en": "Status"},
    "subject.region": {"zh": "所属地区", "en": "Region"},
    "subject.registration_date": {"zh": "成立日期", "en": "Registered on"},
    "subject.verified": {"zh": "身份已核验", "en": "Identity verified"},
    "subject.records": {"zh": "公示信用记录", "en": "Published credit records"},
    "subject.overview": {"zh": "全部", "en": "All"},
    "subject.tabs": {"zh": "信用记录分类", "en": "Record categories"},
    "subject.no_records": {"zh": "暂无公示的信用记录", "en": "No published records"},
    "subject.shown": {
        "zh": "此处显示最近 {n} 条，请选择上方信息项查看全部。",
        "en": "The latest {n} are shown; choose an item above to see them all.",
    },
    "subject.lists": {"zh": "名单信息", "en": "List memberships"},
    "subject.no_lists": {"zh": "未被列入公示名单", "en": "Not on any published list"},
    "subject.list_since": {"zh": "列入日期", "en": "Listed on"},
    "subject.list_until": {"zh": "届满/移出日期", "en": "Until"},
    "subject.list_basis": {"zh": "列入依据", "en": "Legal basis"},
    "subject.not_found": {"zh": "未找到该信用主体", "en": "Subject not found"},
    "subject.not_found_text": {
        "zh": "没有代码为 {code} 的信用主体，或其信息不予公示。",
        "en": "There is no subject with code {code}, or its information is not public.",
    },
    "subject.status.active": {"zh": "存续", "en": "Active"},
    "subject.status.revoked": {"zh": "吊销", "en": "Licence revoked"},
    "subject.status.deregistered": {"zh": "注销", "en": "Deregistered"},
    "subject.status.dissolved": {"zh": "解散", "en": "Dissolved"},
    "subject.status.deceased": {"zh": "死亡", "en": "Deceased"},
    "record.objection": {"zh": "异议处理中", "en": "Under objection"},
    "record.objection_note": {
        "zh": "该记录正在异议处理中，处理结果以核实后的信息为准。",
        "en": "This record is under objection; the outcome of the review prevails.",
    },
    "record.decision_date": {"zh": "决定日期", "en": "Decision date"},
    "record.disclosure_end": {"zh": "公示截止", "en": "Published until"},
    "record.severity": {"zh": "失信程度", "en": "Severity"},
    "record.department": {"zh": "数据来源单位", "en": "Source department"},
    "record.subject": {"zh": "行政相对人", "en": "Subject"},
    "severity.minor": {"zh": "轻微", "en": "Minor"},
    "severity.general": {"zh": "一般", "en": "General"},
    "severity.serious": {"zh": "严重", "en": "Serious"},
    "rights.objection_title": {"zh": "异议申请", "en": "Objection"},
    "rights.objection_text": {
        "zh": "信用主体认为公示的信息存在错误、遗漏，或侵犯其商业秘密、个人隐私的，"
        "可以向信用信息共享平台或数据来源单位提出异议申请。异议处理期间，相关记录标注"
        "“异议处理中”。",
        "en": "A subject that finds published information wrong or incomplete, or that it "
        "discloses trade secrets or private data, may object to the platform or to the "
        "source department. While the objection is handled the record is marked "
        "“under objection”.",
    },
    "rights.repair_title": {"zh": "信用修复", "en": "Credit repair"},
    "rights.repair_text": {
        "zh": "失信信息的最短公示期届满、已纠正失信行为并履行相关义务的，可以申请信用修复；"
        "修复后停止公示。依据：《信用修复管理办法》(国家发展和改革委员会令第36号)。",
        "en": "Once the shortest publication period has passed and the conduct has been "
        "corrected and its obligations met, the subject may apply for credit repair; "
        "publication then stops. Legal basis: Measures for Credit Repair "
        "(信用修复管理办法, NDRC Order No. 36).",
    },
    "rights.where": {
        "zh": "申请途径：市社会信用体系建设牵头单位(信用办)服务窗口，或作出决定的数据来源单位。",
        "en": "Apply at the city credit office's service counter, or to the department that "
        "made the decision.",
    },
    "rights.apply_objection": {"zh": "提出异议", "en": "Object"},
    "rights.apply_repair": {"zh": "申请信用修复", "en": "Apply for credit repair"},
    "dp.title": {"zh": "双公示", "en": "Licences and penalties (双公示)"},
    "dp.intro": {
        "zh": "行政许可和行政处罚决定自作出之日起7个工作日内上网公开。",
        "en": "Administrative licence and penalty decisions are published online within "
        "7 working days of the decision.",
    },
    "dp.licences": {"zh": "行政许可", "en": "Licences"},
    "dp.penalties": {"zh": "行政处罚", "en": "Penalties"},
    "dp.kinds": {"zh": "公示类别", "en": "Publication"},
    "dp.filters": {"zh": "筛选条件", "en": "Filters"},
    "dp.department": {"zh": "决定机关/来源部门", "en": "Department"},
    "dp.date_from": {"zh": "决定日期起", "en": "Decided from"},
    "dp.date_to": {"zh": "决定日期止", "en": "Decided until"},
    "dp.penalty_category": {"zh": "处罚类别", "en": "Penalty type"},
    "dp.region": {"zh": "所属地区", "en": "Region"},
    "dp.sort": {"zh": "排序", "en": "Order"},
    "dp.sort.date_desc": {"zh": "决定日期从新到旧", "en": "Newest first"},
    "dp.sort.date_asc": {"zh": "决定日期从旧到新", "en": "Oldest first"},
    "dp.any": {"zh": "全部", "en": "All"},
    "dp.apply": {"zh": "筛选", "en": "Apply"},
    "dp.reset": {"zh": "清除条件", "en": "Clear"},
    "dp.total": {"zh": "共 {n} 条", "en": "{n} in all"},
    "dp.none": {"zh": "没有符合条件的公示信息", "en": "Nothing matches these filters"},
    "dp.decision_number": {"zh": "决定文书号", "en": "Decision number"},
    "dp.content": {"zh": "内容", "en": "Content"},
    "dp.authority": {"zh": "决定机关", "en": "Authority"},
    "lists.title": {"zh": "信用名单公示", "en": "Published credit lists"},
    "lists.intro": {
        "zh": "依法认定的守信激励名单和失信惩戒名单，列明列入依据和期限。"
        "名单届满或移出后停止公示。",
        "en": "Lists of trustworthy and of dishonest subjects determined under the law, "
        "with the basis and dates of listing. Publication stops when a listing ends.",
    },
    "lists.entries": {"zh": "名单条目", "en": "Entries"},
    "lists.basis": {"zh": "认定依据", "en": "Legal basis"},
    "lists.view": {"zh": "查看名单", "en": "View the list"},
    "lists.none": {"zh": "该名单暂无公示条目", "en": "No entries are published"},
    "lists.kind.red": {"zh": "守信激励", "en": "Trustworthy (red list)"},
    "lists.kind.black": {"zh": "失信惩戒", "en": "Dishonesty (black list)"},
    "lists.kind.warning": {"zh": "经营异常", "en": "Abnormal operations"},
    "lists.reason": {"zh": "列入事由", "en": "Reason"},
    "lists.current": {"zh": "尚未移出", "en": "Still listed"},
    "lists.listing_basis": {"zh": "依据文书", "en": "Decision or basis"},
    "lists.not_found": {"zh": "没有这个名单", "en": "No such list"},
    "rules.title": {"zh": "公共信用信息目录与规则", "en": "Catalogue of public credit information"},
    "rules.intro": {
        "zh": "信用主体有权知晓归集、公示其信用信息的规则。本目录列明每类信息的字段、公开属性、"
        "公示期限和法律依据；目录以外的信息不得归集。",
        "en": "Subjects have the right to know the rules under which their information is "
        "collected and published. The catalogue names each item's fields, which of them "
        "are public, how long it is published and its legal basis; nothing outside it may "
        "be collected.",
    },
    "rules.version": {"zh": "目录版本", "en": "Catalogue version"},
    "rules.contents": {"zh": "目录", "en": "Contents"},
    "rules.fields": {"zh": "信息项字段", "en": "Fields"},
    "category.registration": {"zh": "登记注册基本信息", "en": "Registration"},
    "category.judicial": {"zh": "司法裁判及执行信息", "en": "Judgments and enforcement"},
    "category.administrative": {
        "zh": "行政管理信息",
        "en": "Administrative licences and penalties",
    },
    "category.qualification": {"zh": "职称和职业资格信息", "en": "Professional qualifications"},
    "category.abnormal_operation": {
        "zh": "经营(活动)异常名录(状态)信息",
        "en": "Abnormal operations",
    },
    "category.intellectual_property": {"zh": "知识产权信息", "en": "Intellectual property"},
    "category.serious_dishonesty": {"zh": "严重失信主体名单信息", "en": "Serious dishonesty lists"},
    "category.contract": {"zh": "合同履行信息", "en": "Contract performance"},
    "category.commitment": {"zh": "信用承诺及履行情况信息", "en": "Credit commitments"},
    "category.evaluation": {"zh": "信用评价结果信息", "en": "Credit evaluations"},
    "category.compliance": {"zh": "遵守法律法规情况信息", "en": "Compliance with laws"},
    "category.honours": {"zh": "诚实守信相关荣誉信息", "en": "Honours for trustworthiness"},
    "category.self_declared": {
        "zh": "经营主体自愿提供的信用信息",
        "en": "Information the subject supplies",
    },
    "rules.field": {"zh": "字段", "en": "Field"},
    "rules.item": {"zh": "信息项", "en": "Item"},
    "rules.type": {"zh": "类型", "en": "Type"},
    "rules.disclosure_attr": {"zh": "公开属性", "en": "Openness"},
    "rules.required": {"zh": "必填", "en": "Required"},
    "rules.period": {"zh": "公示期限", "en": "Publication period"},
    "rules.legal_basis": {"zh": "法律依据", "en": "Legal basis"},
    "rules.polarity": {"zh": "信息性质", "en": "Nature"},
    "rules.departments": {"zh": "数据来源部门", "en": "Source departments"},
    "rules.frequency": {"zh": "更新频率", "en": "Update frequency"},
    "rules.deadline": {"zh": "报送时限", "en": "Reporting deadline"},
    "rules.deadline_days": {"zh": "{n}个工作日内", "en": "within {n} working days"},
    "rules.subject_kinds": {"zh": "适用主体", "en": "Applies to"},
    "rules.tier": {"zh": "失信程度", "en": "Tier"},
    "rules.kind.tiered": {"zh": "按失信程度", "en": "By severity tier"},
    "rules.kind.fixed": {"zh": "自决定之日起{period}", "en": "{period} from the decision"},
    "rules.kind.until_field": {"zh": "至“{field}”之日", "en": "Until the “{field}” date"},
    "rules.kind.permanent": {"zh": "存续期间持续公示", "en": "While the record is in force"},
    "rules.not_published": {"zh": "不予公示", "en": "Not published"},
    "rules.not_found": {"zh": "目录中没有该信息项", "en": "No such catalogue item"},
    "rules.back": {"zh": "返回目录", "en": "Back to the catalogue"},
    "disclosure.public": {"zh": "公开", "en": "Public"},
    "disclosure.government": {"zh": "政务共享", "en": "Shared with government"},
    "disclosure.restricted": {"zh": "授权查询", "en": "Restricted"},
    "polarity.positive": {"zh": "守信(正面)", "en": "Positive"},
    "polarity.negative": {"zh": "失信(负面)", "en": "Negative"},
    "polarity.neutral": {"zh": "中性", "en": "Neutral"},
    "frequency.realtime": {"zh": "实时", "en": "Real time"},
    "frequency.daily": {"zh": "每日", "en": "Daily"},
    "frequency.weekly": {"zh": "每周", "en": "Weekly"},
    "frequency.monthly": {"zh": "每月", "en": "Monthly"},
    "frequency.quarterly": {"zh": "每季度", "en": "Quarterly"},
    "frequency.yearly": {"zh": "每年", "en": "Yearly"},
    "error.invalid_page": {"zh": "请求参数有误", "en": "Invalid request"},
}


_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def _check_file(path: Path, data: object) -> dict[str, dict[Language, str]]:
    """A texts.yaml file's entries: key -> {zh, en}, both non-empty strings."""
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of text keys at the top")
    entries: dict[str, dict[Language, str]] = {}
    for key, value in data.items():
        if not isinstance(value, dict) or set(value) != {"zh", "en"}:
            raise ValueError(f"{path}: text '{key}' needs exactly the languages zh and en")
        if not all(isinstance(value[lang], str) and value[lang] for lang in LANGUAGES):
            raise ValueError(f"{path}: text '{key}' has an empty or non-text translation")
        entries[str(key)] = {"zh": value["zh"], "en": value["en"]}
    return entries


@cache
def _module_texts() -> dict[str, dict[Language, str]]:
    """Every module's texts.yaml under the package, merged; a key defined twice is an error
    that names both files."""
    merged: dict[str, dict[Language, str]] = {}
    origin: dict[str, Path] = {}
    for path in sorted(_PACKAGE_ROOT.rglob("texts.yaml")):
        try:
            entries = _check_file(path, read_yaml(path))
        except YamlProblem as problem:
            raise ValueError(f"{path}: {problem}") from problem
        for key, entry in entries.items():
            if key in merged or key in _TEXT:
                first = origin.get(key, "core/i18n.py")
                raise ValueError(f"interface text '{key}' defined twice: {first} and {path}")
            merged[key] = entry
            origin[key] = path
    return merged


def register(entries: dict[str, dict[Language, str]]) -> None:
    """Add a module's interface text (a key defined twice is a programming error)."""
    clashes = sorted(set(entries) & set(_TEXT))
    if clashes:
        raise ValueError(f"interface text defined twice: {', '.join(clashes)}")
    _TEXT.update(entries)


def pick_language(requested: str | None) -> Language:
    """The requested language if supported, else Chinese."""
    return "en" if requested == "en" else "zh"


def t(key: str, lang: Language) -> str:
    """Interface text for a key in the given language (the key itself if unknown)."""
    entry = _TEXT.get(key) or _module_texts().get(key)
    return entry[lang] if entry else key
