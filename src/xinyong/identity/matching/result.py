"""What a comparison returns: a score, a decision and the evidence behind them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, NamedTuple

from xinyong.core.i18n import Language, has_text, t
from xinyong.identity.matching.config import Decision, MatchingConfig

NameKind = Literal["organisation", "person"]
# agree: the parts are the same; differ: they are not; absent: one side lacks the part;
# compatible: they agree at different precision (苏州 / 苏州市吴中区); ambiguous: the registry
# holds more than one subject it could be; related: a branch and its head office.
Outcome = Literal["agree", "differ", "absent", "compatible", "ambiguous", "related"]


@dataclass(frozen=True)
class Party:
    """One side of a comparison: a name and, when known, a code and a birth date.

    ``code`` is any identifier the platform recognises: USCC, old registration number,
    organisation code, or a natural person's ID number.
    """

    name: str
    code: str | None = None
    birth_date: date | None = None
    kind: NameKind | None = None


class Evidence(NamedTuple):
    """One part of the names (or codes) and how the two sides compare on it."""

    part: str
    outcome: Outcome
    a: str | None = None
    b: str | None = None
    note: str = ""

    def text(self) -> str:
        """A readable line, e.g. ``trade_name differ: 易连 / 易达``."""
        values = f": {self.a or '—'} / {self.b or '—'}" if (self.a or self.b) else ""
        return f"{self.part} {self.outcome}{values}" + (f" ({self.note})" if self.note else "")

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "part": self.part,
            "outcome": self.outcome,
            "a": self.a,
            "b": self.b,
            "note": self.note,
        }


def evidence_sentence(item: Mapping[str, Any], lang: Language) -> str:
    """One piece of evidence (``Evidence.to_dict()``) as a sentence in the reader's language,
    e.g. ``字号一致：富锦 / 富锦``; a note in English is shown on English pages only."""
    part, outcome = str(item.get("part", "")), str(item.get("outcome", ""))
    part_key, outcome_key = f"match.part.{part}", f"match.outcome.{outcome}"
    named = t(part_key, lang) if has_text(part_key) else part
    verdict = t(outcome_key, lang) if has_text(outcome_key) else outcome
    a, b = item.get("a"), item.get("b")
    text = t("match.evidence", lang).format(part=named, outcome=verdict)
    if a or b:
        text += t("match.values", lang).format(a=a or "—", b=b or "—")
    note = str(item.get("note") or "")
    if note and lang == "en":
        text += f" ({note})"
    return text


def score_percent(score: float | None) -> str:
    """A matching score as a percentage (``0.9512`` -> ``95%``)."""
    return f"{round((score or 0) * 100)}%"


@dataclass(frozen=True)
class MatchResult:
    """Score in [0, 1], decision and explanation of comparing two names."""

    a: str
    b: str
    kind: NameKind
    score: float
    decision: Decision
    evidence: tuple[Evidence, ...]
    # a_branch_of_b, b_branch_of_a or same_head_office: related but not the same entity
    relation: str | None = None

    def sentences(self, lang: Language) -> list[str]:
        """The evidence as sentences in the reader's language."""
        return [evidence_sentence(item.to_dict(), lang) for item in self.evidence]

    @property
    def explanation(self) -> str:
        """The evidence as readable text, one part per clause."""
        return "; ".join(item.text() for item in self.evidence)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``a``, ``b``, ``score``, ``decision``, ``explanation`` and more."""
        return {
            "a": self.a,
            "b": self.b,
            "score": self.score,
            "decision": self.decision,
            "explanation": [item.to_dict() for item in self.evidence],
            "text": self.explanation,
            "kind": self.kind,
            "relation": self.relation,
        }


@dataclass
class Verdict:
    """Working state of a comparison: a score lowered by penalties, capped by ceilings."""

    score: float
    ceiling: float = 1.0
    evidence: list[Evidence] = field(default_factory=list)
    relation: str | None = None

    def note(
        self, part: str, outcome: Outcome, a: str | None, b: str | None, note: str = ""
    ) -> None:
        """Record evidence that does not change the score."""
        self.evidence.append(Evidence(part, outcome, a or None, b or None, note))

    def penalise(
        self,
        amount: float,
        part: str,
        outcome: Outcome,
        a: str | None,
        b: str | None,
        note: str = "",
    ) -> None:
        """Lower the score by ``amount`` and record why."""
        self.score -= amount
        self.note(part, outcome, a, b, note)

    def cap(
        self,
        ceiling: float,
        part: str,
        outcome: Outcome,
        a: str | None,
        b: str | None,
        note: str = "",
    ) -> None:
        """Cap the score at ``ceiling`` and record why."""
        self.ceiling = min(self.ceiling, ceiling)
        self.note(part, outcome, a, b, note)

    def final(self) -> float:
        """The score, capped and rounded, within [0, 1]."""
        return round(max(0.0, min(self.score, self.ceiling, 1.0)), 4)

    def result(self, a: str, b: str, kind: NameKind, config: MatchingConfig) -> MatchResult:
        """The finished result for names ``a`` and ``b``."""
        score = self.final()
        return MatchResult(
            a, b, kind, score, config.decide(score), tuple(self.evidence), self.relation
        )
