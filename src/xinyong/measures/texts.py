"""Interface text of the measures catalogue (Chinese first, English available)."""

from __future__ import annotations

from xinyong.core.i18n import Language, register

TEXT: dict[str, dict[Language, str]] = {
    "ms.nav": {"zh": "联合奖惩", "en": "Rewards & sanctions"},
    "ms.title": {"zh": "联合奖惩措施清单", "en": "Joint reward and punishment measures"},
    "ms.intro": {
        "zh": "本清单列明守信激励和失信约束措施的应用事项、触发条件、实施部门和法律依据。"
        "办理行政事项时依法查询信用信息(逢办必查)，只实施清单所列、于法有据的措施；"
        "清单以外不得实施失信惩戒。",
        "en": "Each incentive and constraint is listed with the matters where it applies, "
        "what triggers it, who applies it and its legal basis. Credit information is "
        "checked whenever such a matter is handled, and only measures listed here, each "
        "grounded in law, may be applied.",
    },
    "ms.version": {"zh": "清单版本", "en": "Version"},
    "ms.contents": {"zh": "目录", "en": "Contents"},
    "ms.filter": {"zh": "按应用事项筛选", "en": "Filter by matter"},
    "ms.filter.matter": {"zh": "应用事项", "en": "Matter"},
    "ms.filter.all": {"zh": "全部事项", "en": "All matters"},
    "ms.filter.apply": {"zh": "筛选", "en": "Apply"},
    "ms.filter.reset": {"zh": "清除条件", "en": "Clear"},
    "ms.count": {"zh": "共 {n} 项措施", "en": "{n} measures"},
    "ms.unknown_matter": {
        "zh": "没有代码为“{code}”的应用事项，请从列表中选择。",
        "en": "There is no matter “{code}”; choose one from the list.",
    },
    "ms.none": {"zh": "该事项暂无措施", "en": "No measures apply in this matter"},
    "ms.any": {"zh": "满足任一条件即适用", "en": "Any one condition suffices"},
    "ms.kind.incentive": {"zh": "守信激励措施", "en": "Incentives for trustworthiness"},
    "ms.kind.constraint": {"zh": "失信约束措施", "en": "Constraints on dishonesty"},
    "ms.type.public_restriction": {
        "zh": "由公共管理机构依法依规实施的减损权益或增加义务的措施",
        "en": "Measures that reduce rights or add duties, taken by public bodies under law",
    },
    "ms.type.public_management": {
        "zh": "由公共管理机构根据履职需要实施的相关管理措施",
        "en": "Management measures public bodies take in performing their duties",
    },
    "ms.type.market": {
        "zh": "由公共管理机构以外的组织自主实施的措施",
        "en": "Measures other organisations take on their own",
    },
    "ms.col.measure": {"zh": "措施", "en": "Measure"},
    "ms.col.code": {"zh": "编号", "en": "Code"},
    "ms.col.kind": {"zh": "措施性质", "en": "Nature"},
    "ms.col.type": {"zh": "措施类别", "en": "Class"},
    "ms.col.triggers": {"zh": "触发条件", "en": "Triggers"},
    "ms.col.matters": {"zh": "应用事项", "en": "Matters"},
    "ms.col.departments": {"zh": "实施部门", "en": "Applied by"},
    "ms.col.subjects": {"zh": "适用主体", "en": "Applies to"},
    "ms.col.basis": {"zh": "法律依据", "en": "Legal basis"},
    "ms.col.description": {"zh": "说明", "en": "Notes"},
    "ms.back": {"zh": "返回措施清单", "en": "Back to the measures"},
    "ms.not_found": {"zh": "清单中没有该措施", "en": "No such measure"},
    "ms.list.red_list": {"zh": "守信激励对象名单", "en": "red list of trustworthy subjects"},
    "ms.list.serious_dishonesty_list": {"zh": "严重失信主体名单", "en": "serious dishonesty list"},
    "ms.list.key_attention_list": {"zh": "重点关注名单", "en": "key attention list"},
    "ms.list.abnormal_operation": {"zh": "经营异常名录", "en": "abnormal operations list"},
    "ms.list.dishonest_judgment_debtor": {
        "zh": "失信被执行人名单",
        "en": "list of dishonest judgment debtors",
    },
    "ms.trigger.lists": {"zh": "列入{names}", "en": "On the {names}"},
    "ms.trigger.grades": {"zh": "信用评价等级为{grades}", "en": "Credit grade {grades}"},
    "ms.trigger.record": {"zh": "{within}有{tiers}{item}", "en": "{item} record{tiers}{within}"},
    "ms.trigger.tiers": {"zh": "{tiers}等级的", "en": ", {tiers} tier"},
    "ms.trigger.within": {"zh": "近{period}内", "en": ", decided in the last {period}"},
    "ms.or": {"zh": "或", "en": " or "},
    "ms.period.years": {"zh": "{n}年", "en": "{n} years"},
    "ms.period.year": {"zh": "{n}年", "en": "{n} year"},
    "ms.period.months": {"zh": "{n}个月", "en": "{n} months"},
    "ms.period.month": {"zh": "{n}个月", "en": "{n} month"},
    "ms.period.days": {"zh": "{n}天", "en": "{n} days"},
    "ms.period.day": {"zh": "{n}天", "en": "{n} day"},
    "ms.dept.development_reform": {"zh": "发展改革部门", "en": "Development and reform"},
    "ms.dept.market_regulation": {"zh": "市场监管部门", "en": "Market regulation"},
    "ms.dept.tax": {"zh": "税务部门", "en": "Tax"},
    "ms.dept.court": {"zh": "人民法院", "en": "People's courts"},
    "ms.dept.ecology_environment": {"zh": "生态环境部门", "en": "Ecology and environment"},
    "ms.dept.human_resources": {"zh": "人力资源社会保障部门", "en": "Human resources"},
    "ms.dept.housing_construction": {"zh": "住房城乡建设部门", "en": "Housing and construction"},
    "ms.dept.transport": {"zh": "交通运输部门", "en": "Transport"},
    "ms.dept.emergency_management": {"zh": "应急管理部门", "en": "Emergency management"},
    "ms.dept.health": {"zh": "卫生健康部门", "en": "Health"},
    "ms.dept.education": {"zh": "教育部门", "en": "Education"},
    "ms.dept.public_security": {"zh": "公安机关", "en": "Public security"},
    "ms.dept.natural_resources": {"zh": "自然资源部门", "en": "Natural resources"},
    "ms.dept.agriculture": {"zh": "农业农村部门", "en": "Agriculture"},
    "ms.dept.culture_tourism": {"zh": "文化和旅游部门", "en": "Culture and tourism"},
    "ms.dept.customs": {"zh": "海关", "en": "Customs"},
    "ms.dept.medical_security": {"zh": "医疗保障部门", "en": "Medical security"},
    "ms.dept.finance": {"zh": "财政部门", "en": "Finance"},
    "ms.dept.statistics": {"zh": "统计部门", "en": "Statistics"},
    "ms.dept.commerce": {"zh": "商务部门", "en": "Commerce"},
}

register(TEXT)
