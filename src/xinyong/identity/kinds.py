"""Subject kinds: who a credit record can be about (labels live in core.i18n)."""

from __future__ import annotations

from enum import StrEnum


class SubjectKind(StrEnum):
    """The four kinds of credit subject (信用主体)."""

    legal_person = "legal_person"  # 法人和非法人组织: enterprises, social orgs, institutions ...
    individual_business = "individual_business"  # 个体工商户
    natural_person = "natural_person"  # 自然人
    household = "household"  # 农户/家庭, for village points ledgers
