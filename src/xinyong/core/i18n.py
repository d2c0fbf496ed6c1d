"""Chinese-first interface text with English available."""

from __future__ import annotations

from typing import Literal

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
}


def pick_language(requested: str | None) -> Language:
    """The requested language if supported, else Chinese."""
    return "en" if requested == "en" else "zh"


def t(key: str, lang: Language) -> str:
    """Interface text for a key in the given language (the key itself if unknown)."""
    entry = _TEXT.get(key)
    return entry[lang] if entry else key
