"""Organisation-name comparison: the trade name decides, the other parts qualify.

Rules (scores in ``identity/data/matching.yaml``):

- a different trade name (字号) is a different firm, however similar the rest;
- the region may be absent or written in brackets after the trade name; an absent region
  is the same firm unless the registry holds the firm in another region as well;
- 有限责任公司 is 有限公司 (the parser writes the canonical form); 公司 is a generic form;
- a branch (分公司, 支行, 营业部 …) is a different entity from its head office but related;
- a short name (简称) matches its full name only when the registry resolves it to that
  firm alone.
"""

from __future__ import annotations

from typing import Protocol

from xinyong.identity.matching.config import MatchingConfig
from xinyong.identity.matching.parts import (
    OrgParts,
    branch_key,
    is_short_name,
    leading_region,
    plain_simplified,
    regions_compatible,
    short_core,
    short_fit,
    similarity,
)
from xinyong.identity.matching.result import Verdict
from xinyong.identity.name_lexicon import region_index
from xinyong.identity.names import fold, normalize_org_name

_GENERIC_FORM_NOISE = ("有限", "总", "责任")


class Registry(Protocol):
    """What a comparison may ask the registry (a :class:`MatchIndex` answers)."""

    def competing_regions(self, parts: OrgParts) -> frozenset[str]:
        """Region codes of registered head offices with the same trade, industry and form."""
        ...

    def resolve_short(self, core: str) -> list[str]:
        """Names of the organisations a short name fits best (one when unambiguous)."""
        ...


def compare_orgs(
    a: OrgParts, b: OrgParts, config: MatchingConfig, registry: Registry | None = None
) -> Verdict:
    """Compare two organisation names part by part (see the module docstring)."""
    verdict = _compare_structure(a, b, config, registry)
    if verdict.final() >= config.thresholds.match:
        return verdict
    short = _compare_short(a, b, config, registry)
    return short if short is not None and short.final() > verdict.final() else verdict


def may_match(a: OrgParts, b: OrgParts) -> bool:
    """False only when ``compare_orgs`` must say no match without a relation: the trade
    names differ, or the industries or the regions (both known) are those of another firm;
    and neither name is a short name. A cheap test that lets screening skip candidates."""
    if is_short_name(a) or is_short_name(b):
        return True
    a, b = _form_as_industry(a, b), _form_as_industry(b, a)
    trade = trade_agreement(a, b)
    if trade is None:
        return False
    if trade != "joined" and industry_relation(a, b) == "differ":
        return False
    return region_relation(a, b) != "differ"


def trade_agreement(a: OrgParts, b: OrgParts) -> str | None:
    """How the trade names agree: ``same``, ``joined`` (trade name and industry words agree,
    read apart differently), ``region`` (one writes a region into it) or None (differ)."""
    if a.trade == b.trade:
        return "same"
    if a.trade and b.trade and a.trade + a.industry == b.trade + b.industry:
        return "joined"
    if _region_inside_trade(a, b) or _region_inside_trade(b, a):
        return "region"
    return None


def industry_relation(a: OrgParts, b: OrgParts) -> str:
    """``agree``, ``absent`` (one side has none), ``overlap`` (one contains the other) or
    ``differ``; 乾洗 and 干洗 agree."""
    x, y = plain_simplified(a.industry), plain_simplified(b.industry)
    if x == y:
        return "agree"
    if not (x and y):
        return "absent"
    return "overlap" if x in y or y in x else "differ"


def region_relation(a: OrgParts, b: OrgParts) -> str:
    """``agree``, ``compatible`` (one lies within the other, or may), ``differ``, ``absent``
    (one side names no region) or ``none`` (neither does)."""
    if a.region_code and b.region_code:
        if a.region_code == b.region_code:
            return "agree"
        return "compatible" if regions_compatible(a.region_code, b.region_code) else "differ"
    if a.region and b.region:
        if a.region == b.region:
            return "agree"
        if a.region.startswith(b.region) or b.region.startswith(a.region) or _may_overlap(a, b):
            return "compatible"
        return "differ"
    return "absent" if a.region or b.region else "none"


def _compare_structure(
    a: OrgParts, b: OrgParts, config: MatchingConfig, registry: Registry | None
) -> Verdict:
    a, b = _form_as_industry(a, b), _form_as_industry(b, a)
    verdict = Verdict(config.organisation.same)
    trade = _compare_trade(a, b, verdict, config)
    if trade is None:
        return verdict
    _compare_regions(a, b, verdict, config, registry)
    if trade != "joined":
        _compare_industry(a, b, verdict, config)
    _compare_form(a, b, verdict, config)
    _compare_branch(a, b, verdict, config)
    return verdict


def _form_as_industry(a: OrgParts, b: OrgParts) -> OrgParts:
    """``a`` with its form read as industry when ``b`` has it so: 银行 ends 平安银行 as a form
    and 平安银行股份有限公司 as an industry word."""
    if a.form and b.form and a.form != b.form and a.industry + a.form == b.industry:
        return a._replace(industry=b.industry, form="")
    return a


def _compare_trade(
    a: OrgParts, b: OrgParts, verdict: Verdict, config: MatchingConfig
) -> str | None:
    trade = trade_agreement(a, b)
    if trade == "same" and a.trade:
        verdict.note("trade_name", "agree", a.trade, b.trade)
    elif trade == "same" and not (a.region and b.region):
        verdict.cap(
            config.organisation.no_trade_name, "trade_name", "absent", None, None,
            "neither name has a trade name, and a region is missing",
        )  # fmt: skip
    elif trade == "joined":
        verdict.note("trade_name", "agree", a.core, b.core, "trade name and industry read apart")
    elif trade == "region":
        verdict.note("trade_name", "agree", a.trade, b.trade, "a region written into it")
    elif trade is None:
        ceiling = config.organisation.trade_name_differs * similarity(
            a.core + a.form + a.branch, b.core + b.form + b.branch
        )
        verdict.cap(
            ceiling, "trade_name", "differ", a.trade, b.trade,
            "a different trade name is a different firm",
        )  # fmt: skip
    return trade


def _region_inside_trade(a: OrgParts, b: OrgParts) -> bool:
    """Whether ``a``'s trade name is a region of ``b`` followed by ``b``'s trade name."""
    found = leading_region(a.trade) if b.trade and b.region_code else None
    if found is None or a.trade[len(found[0]) :] != b.trade:
        return False
    return any(regions_compatible(code, b.region_code) for code in found[1])


def _compare_regions(
    a: OrgParts, b: OrgParts, verdict: Verdict, config: MatchingConfig, registry: Registry | None
) -> None:
    scores = config.organisation
    relation = region_relation(a, b)
    if relation == "agree":
        verdict.note("region", "agree", a.region, b.region)
    elif relation == "compatible" and _both_registered(a, b, registry):
        verdict.cap(
            scores.region_differs, "region", "differ", a.region, b.region,
            "the registry holds a firm at each of the two places",
        )  # fmt: skip
    elif relation == "compatible":
        verdict.penalise(
            scores.region_nested, "region", "compatible", a.region, b.region,
            "one lies within the other",
        )  # fmt: skip
    elif relation == "differ":
        verdict.cap(
            scores.region_differs, "region", "differ", a.region, b.region,
            "registered in different places",
        )  # fmt: skip
    elif relation == "absent":
        known = a if a.region else b
        others = _competing(known, registry)
        if others:
            verdict.cap(
                scores.region_ambiguous, "region", "ambiguous", a.region, b.region,
                f"the registry holds the firm in other regions too ({', '.join(others[:3])})",
            )  # fmt: skip
        else:
            verdict.penalise(scores.region_absent, "region", "absent", a.region, b.region)


def _both_registered(a: OrgParts, b: OrgParts, registry: Registry | None) -> bool:
    """Whether the registry holds head offices of this firm at both regions (苏州市 and
    常熟市): then the two names are two registered firms."""
    if registry is None or not (a.region_code and b.region_code):
        return False
    return {a.region_code, b.region_code} <= registry.competing_regions(a)


def _competing(known: OrgParts, registry: Registry | None) -> list[str]:
    """Regions where the registry holds this firm (same trade name and industry) besides
    ``known``'s own: a name without a region could mean any of them (sorted codes)."""
    if registry is None:
        return []
    return sorted(registry.competing_regions(known) - {known.region_code})


def _may_overlap(a: OrgParts, b: OrgParts) -> bool:
    """Whether some division the two region names can stand for lies within the other."""
    index = region_index(fold)
    codes_a = {a.region_code} if a.region_code else index.codes.get(a.region, frozenset())
    codes_b = {b.region_code} if b.region_code else index.codes.get(b.region, frozenset())
    return any(regions_compatible(x, y) for x in codes_a for y in codes_b)


def _compare_industry(a: OrgParts, b: OrgParts, verdict: Verdict, config: MatchingConfig) -> None:
    scores = config.organisation
    relation = industry_relation(a, b)
    if relation == "agree" and a.industry:
        verdict.note("industry", "agree", a.industry, b.industry)
    elif relation == "absent":
        verdict.penalise(scores.industry_absent, "industry", "absent", a.industry, b.industry)
    elif relation == "overlap":
        verdict.penalise(
            scores.industry_overlaps, "industry", "compatible", a.industry, b.industry,
            "one industry part contains the other",
        )  # fmt: skip
    elif relation == "differ":
        verdict.cap(
            scores.industry_differs, "industry", "differ", a.industry, b.industry,
            "same trade name in another industry",
        )  # fmt: skip


def _generic(form: str) -> str:
    for noise in _GENERIC_FORM_NOISE:
        form = form.replace(noise, "")
    return form


def _compare_form(a: OrgParts, b: OrgParts, verdict: Verdict, config: MatchingConfig) -> None:
    scores = config.organisation
    if a.form == b.form:
        if a.form:
            verdict.note("form", "agree", a.form, b.form)
    elif not (a.form and b.form):
        verdict.penalise(scores.form_absent, "form", "absent", a.form, b.form)
    elif _generic(a.form) == _generic(b.form):
        verdict.penalise(scores.form_generic, "form", "compatible", a.form, b.form)
    else:
        verdict.penalise(scores.form_differs, "form", "differ", a.form, b.form)


def _compare_branch(a: OrgParts, b: OrgParts, verdict: Verdict, config: MatchingConfig) -> None:
    scores = config.organisation
    if not (a.branch or b.branch):
        return
    heads_agree = verdict.final() >= config.thresholds.possible
    if a.branch and b.branch:
        key_a, key_b = branch_key(a.branch), branch_key(b.branch)
        if key_a == key_b:
            verdict.note("branch", "agree", a.branch, b.branch)
        elif key_a.endswith(key_b) or key_b.endswith(key_a):
            verdict.penalise(
                scores.branch_level_omitted, "branch", "compatible", a.branch, b.branch,
                "an intermediate branch level is omitted",
            )  # fmt: skip
        else:
            verdict.cap(scores.branch_differs, "branch", "differ", a.branch, b.branch)
            verdict.relation = "same_head_office" if heads_agree else None
        return
    verdict.cap(
        scores.branch_and_head, "branch", "related", a.branch, b.branch,
        "a branch is a different entity from its head office",
    )  # fmt: skip
    if heads_agree:
        verdict.relation = "a_branch_of_b" if a.branch else "b_branch_of_a"


def same_organisation_name(x: str, y: str) -> bool:
    """Whether two names are the same name once folded and put in canonical form."""
    return x == y or normalize_org_name(x) == normalize_org_name(y)


def _compare_short(
    a: OrgParts, b: OrgParts, config: MatchingConfig, registry: Registry | None
) -> Verdict | None:
    """A short name against a full name, resolved through the registry when there is one."""
    if is_short_name(a) and not b.branch and not is_short_name(b):
        short, full = a, b
    elif is_short_name(b) and not a.branch and not is_short_name(a):
        short, full = b, a
    else:
        return None
    core = short_core(short.name)
    if short_fit(core, full) is None:
        return None
    scores = config.organisation
    verdict = Verdict(scores.short_name_unresolved)
    hits = registry.resolve_short(core) if registry is not None else []
    fits = [name for name in hits if same_organisation_name(name, full.name)]
    if fits and len(hits) == 1:
        verdict.score = scores.short_name_unique
        verdict.note(
            "short_name", "agree", short.name, full.name, "the registry holds no other firm it fits"
        )
    elif fits:
        verdict.note(
            "short_name", "ambiguous", short.name, full.name, f"{len(hits)} registered firms fit it"
        )
    elif hits:
        verdict.score = scores.short_name_elsewhere
        verdict.note(
            "short_name", "differ", short.name, full.name, f"the registry resolves it to {hits[0]}"
        )
    else:
        reason = "no registry to resolve it" if registry is None else "not resolved in the registry"
        verdict.note("short_name", "ambiguous", short.name, full.name, reason)
    return verdict
