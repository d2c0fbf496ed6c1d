"""How 信易+ reads to people: conditions as sentences, labels for codes, Beijing time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from xinyong.catalog.labels import item_name
from xinyong.core.db import utcnow
from xinyong.core.i18n import Language, t
from xinyong.incentives.config import Condition, Rule, ScenarioSpec
from xinyong.incentives.rules import Verdict
from xinyong.lists.config import get_config as lists_config

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing_today(now: datetime | None = None) -> date:
    """Today's date in Beijing (eligibility and quota periods count Beijing days)."""
    return (now or utcnow()).astimezone(BEIJING).date()


def local_time(at: datetime | None) -> str:
    """A UTC time as Beijing time (minutes)."""
    if at is None:
        return ""
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo("UTC"))
    return at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def list_name(code: str, lang: Language) -> str:
    """A list's name in the page language (the code if unknown)."""
    spec = lists_config().lists.get(code)
    return (spec.name.zh if lang == "zh" else spec.name.en) if spec else code


def condition_text(condition: Condition, lang: Language) -> str:
    """One condition as a sentence."""
    kind = condition.kind
    params: dict[str, object] = {}
    if condition.grade_at_least is not None:
        params["grade"] = condition.grade_at_least
    elif condition.on_list is not None:
        params["list"] = list_name(condition.on_list, lang)
    elif condition.not_on_list is not None:
        params["list"] = list_name(condition.not_on_list, lang)
    elif condition.no_serious_penalty_months is not None:
        params["months"] = condition.no_serious_penalty_months
    elif condition.has_record is not None:
        params["item"] = item_name(condition.has_record.item, lang)
        params["months"] = condition.has_record.months
    return t(f"inc.cond.{kind}", lang).format(**params)


def rule_lines(rule: Rule, lang: Language) -> list[str]:
    """The rule as lines: every ``all`` condition, then the ``any`` alternatives joined."""
    lines = [condition_text(c, lang) for c in rule.all]
    if rule.any:
        joined = t("inc.cond.or", lang).join(condition_text(c, lang) for c in rule.any)
        lines.append(t("inc.cond.one_of", lang).format(options=joined))
    return lines


def why_not(spec: ScenarioSpec, verdict: Verdict, lang: Language) -> list[str]:
    """Why the holder does not qualify (for the holder's own page only)."""
    if verdict.reason is not None:
        return [t(f"inc.why.{verdict.reason}", lang)]
    any_failed = [c for c in verdict.failed if c in spec.rule.any]
    lines = [condition_text(c, lang) for c in verdict.failed if c not in spec.rule.any]
    if any_failed:
        joined = t("inc.cond.or", lang).join(condition_text(c, lang) for c in any_failed)
        lines.append(t("inc.cond.one_of", lang).format(options=joined))
    return [t("inc.why.unmet", lang).format(condition=line) for line in lines]


def quota_text(spec: ScenarioSpec, lang: Language) -> str:
    """The quota as a sentence ('' for none)."""
    parts = []
    if spec.quota.per_holder is not None:
        period = t(f"inc.period.{spec.quota.period}", lang)
        parts.append(t("inc.quota.per_holder", lang).format(n=spec.quota.per_holder, period=period))
    if spec.quota.total is not None:
        parts.append(t("inc.quota.total", lang).format(n=spec.quota.total))
    return t("inc.quota.sep", lang).join(parts) or t("inc.quota.none", lang)


def validity_text(spec: ScenarioSpec, lang: Language) -> str:
    """The validity as a sentence."""
    end = spec.validity.end
    if end is None:
        return t("inc.validity.open", lang).format(start=spec.validity.start)
    return t("inc.validity.range", lang).format(start=spec.validity.start, end=end)
