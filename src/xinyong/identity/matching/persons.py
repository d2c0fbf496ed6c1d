"""Person-name comparison: the same characters are a weak match, homonyms being common.

Only an agreeing ID number (see :mod:`identifiers`) or birth date makes the same name a
match; a disagreeing one makes it no match. Different characters are no match, even when
they read the same (张伟 / 张玮 share the pinyin zhang wei).
"""

from __future__ import annotations

from pypinyin import lazy_pinyin

from xinyong.identity.matching.config import MatchingConfig
from xinyong.identity.matching.parts import PersonParts, similarity
from xinyong.identity.matching.result import Verdict


def _reading(name: str) -> str:
    return " ".join(lazy_pinyin(name.replace("·", "")))


def compare_persons(a: PersonParts, b: PersonParts, config: MatchingConfig) -> Verdict:
    """Compare two person names, with birth dates when both are known."""
    scores = config.person
    verdict = Verdict(scores.name_only)
    if a.normalized == b.normalized:
        verdict.note("name", "agree", a.normalized, b.normalized, "same characters")
    else:
        _names_differ(a, b, verdict, config)
    if a.birth_date and b.birth_date:
        if a.birth_date == b.birth_date:
            verdict.score = max(verdict.score, scores.birth_date_agrees)
            verdict.note("birth_date", "agree", a.birth_date, b.birth_date)
        else:
            verdict.cap(
                scores.birth_date_differs, "birth_date", "differ", a.birth_date, b.birth_date
            )
    elif a.normalized == b.normalized:
        verdict.note(
            "birth_date", "absent", a.birth_date, b.birth_date,
            "nothing confirms the name: homonyms are common",
        )  # fmt: skip
    return verdict


def _names_differ(a: PersonParts, b: PersonParts, verdict: Verdict, config: MatchingConfig) -> None:
    scores = config.person
    reading_a, reading_b = _reading(a.normalized), _reading(b.normalized)
    if reading_a == reading_b and not a.normalized.isascii():
        verdict.cap(
            scores.same_pinyin, "name", "differ", a.normalized, b.normalized,
            f"same pinyin ({reading_a}), different characters",
        )  # fmt: skip
        return
    verdict.cap(
        scores.name_differs * similarity(a.normalized, b.normalized),
        "name", "differ", a.normalized, b.normalized,
    )  # fmt: skip
