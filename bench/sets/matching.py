"""A labelled benchmark of name pairs, built from the synthetic city (and real sets, see
:mod:`benchmark_real`), used by ``bench/matching.py`` and by the tests.

Every pair says whether its two sides are the same subject. The generator cases:

- ``same_firm:*`` (same): a registered name against itself written differently:
  traditional characters, region moved into (full-width) brackets, region dropped (only
  where the city holds no other firm with that trade name and industry), spaces,
  有限责任公司 for 有限公司, or two of these at once;
- ``other_firm:trade_char`` / ``other_firm:homophone`` (different): one character of the
  trade name changed (to a character read alike, for the second), the rest kept, one side
  possibly written differently as well; ``other_firm:region`` (different): the same name
  registered in another city;
- ``branch:head`` (different): a branch against its head office; ``branch:sibling``
  (different): two branches of one head office; ``branch:same`` (same): a branch against
  itself written differently;
- ``person:same_id`` / ``person:birth_date`` (same): one person's name written differently
  with the same ID number, or with the ID number on one side and the birth date on the
  other; ``person:homonym_id`` / ``person:homonym_birth`` (different): two people of one
  name with different ID numbers or birth dates; ``person:same_pinyin`` (different):
  another name read alike (张伟 / 张玮);
- ``codes:renamed`` (same): one USCC, the firm renamed; ``codes:two_codes`` (different):
  one name, two valid codes.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import opencc
from pypinyin import lazy_pinyin

from xinyong.demo import vocabulary
from xinyong.demo.generator import CityGenerator, SubjectRow
from xinyong.identity import codes
from xinyong.identity.matching.index import MatchIndex
from xinyong.identity.matching.parts import org_parts
from xinyong.identity.matching.result import NameKind, Party
from xinyong.identity.name_lexicon import region_index
from xinyong.identity.names import fold, parse_org_name

ANCHOR = date(2026, 11, 1)
_HOMOPHONE_POOL = vocabulary.GIVEN_CHARS + vocabulary.TRADE_CHARS


@dataclass(frozen=True)
class LabelledPair:
    """Two parties and whether they are the same subject."""

    a: Party
    b: Party
    kind: NameKind
    same: bool
    case: str
    source: str


@dataclass
class BenchmarkSet:
    """Labelled pairs with the registry they are compared against."""

    name: str
    pairs: list[LabelledPair]
    index: MatchIndex
    note: str = ""


@dataclass
class _City:
    rng: random.Random
    rows: list[SubjectRow]
    index: MatchIndex
    names: set[str] = field(default_factory=set)
    pairs: list[LabelledPair] = field(default_factory=list)

    def pair(self, a: Party, b: Party, kind: NameKind, same: bool, case: str) -> None:
        self.pairs.append(LabelledPair(a, b, kind, same, case, "generator"))


@lru_cache(maxsize=1)
def _to_traditional() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _with_spaces(rng: random.Random, name: str) -> str:
    cut = rng.randint(1, max(1, len(name) - 1))
    return name[:cut] + rng.choice((" ", "\u3000", "  ")) + name[cut:]


def _split_leading_region(name: str) -> tuple[str, str, str] | None:
    """(region, trade name + industry, form as written) when the name is laid out so."""
    parsed = parse_org_name(name)
    if not (parsed.region and parsed.trade_name and parsed.form) or parsed.branch:
        return None
    if parsed.region_in_brackets or not name.startswith(parsed.region):
        return None
    middle = parsed.trade_name + (parsed.industry or "")
    rest = name[len(parsed.region) :]
    if not rest.startswith(middle):
        return None
    return parsed.region, middle, rest[len(middle) :]


def _region_moved(rng: random.Random, name: str) -> str | None:
    split = _split_leading_region(name)
    if split is None or split[0] not in region_index(fold).names:
        return None
    region, middle, form = split
    short = region[:-1] if region.endswith(("市", "省")) and len(region) > 2 else region
    brackets = ("（", "）") if rng.random() < 0.6 else ("(", ")")
    return f"{middle}{brackets[0]}{short}{brackets[1]}{form}"


def _region_dropped(name: str) -> str | None:
    split = _split_leading_region(name)
    return split[1] + split[2] if split else None


def _form_respelled(name: str) -> str | None:
    if name.endswith("有限责任公司"):
        return name[: -len("有限责任公司")] + "有限公司"
    if name.endswith("有限公司") and not name.endswith("股份有限公司"):
        return name[: -len("有限公司")] + "有限责任公司"
    return None


def written_differently(rng: random.Random, name: str) -> dict[str, str]:
    """Ways of writing the same registered name, by transformation."""
    found = {
        "traditional": str(_to_traditional().convert(name)),
        "spaces": _with_spaces(rng, name),
        "region_moved": _region_moved(rng, name),
        "region_dropped": _region_dropped(name),
        "form_respelled": _form_respelled(name),
    }
    moved = found["region_moved"]
    if moved:
        found["full_width_brackets"] = _full_width(moved.replace("（", "(").replace("）", ")"))
    return {k: v for k, v in found.items() if v and v != name}


def _registered_competitor(city: _City, name: str) -> bool:
    """Whether the city holds another firm with this name's trade name and industry."""
    parts = org_parts(name)
    return len(city.index.competing_regions(parts)) > 1


def _same_firm(city: _City, row: SubjectRow) -> None:
    variants = written_differently(city.rng, row.name)
    if "region_dropped" in variants and _registered_competitor(city, row.name):
        del variants["region_dropped"]
    if not variants:
        return
    case, variant = city.rng.choice(sorted(variants.items()))
    if len(variants) > 1 and city.rng.random() < 0.3:
        second = city.rng.choice(sorted(k for k in variants if k != case))
        extra = written_differently(city.rng, variant).get(second)
        if extra and (second != "region_dropped" or case != "region_moved"):
            case, variant = f"{case}+{second}", extra
    city.pair(Party(row.name), Party(variant), "organisation", True, f"same_firm:{case}")


def _homophone(rng: random.Random, char: str) -> str | None:
    reading = lazy_pinyin(char)
    alike = sorted({c for c in _HOMOPHONE_POOL if c != char and lazy_pinyin(c) == reading})
    return rng.choice(alike) if alike else None


def _changed_trade(city: _City, name: str, homophone: bool) -> str | None:
    parsed = parse_org_name(name)
    trade = parsed.trade_name
    if not trade or parsed.branch or trade not in name:
        return None
    at = city.rng.randrange(min(2, len(trade)))
    if homophone:
        new_char = _homophone(city.rng, trade[at])
    else:
        new_char = city.rng.choice([c for c in vocabulary.TRADE_CHARS if c != trade[at]])
    if new_char is None:
        return None
    changed = name.replace(trade, trade[:at] + new_char + trade[at + 1 :], 1)
    return None if fold(changed) in city.names else changed


def _other_firm(city: _City, row: SubjectRow) -> None:
    homophone = city.rng.random() < 0.4
    changed = _changed_trade(city, row.name, homophone)
    if changed is None:
        return
    left = row.name
    if city.rng.random() < 0.5:
        left = city.rng.choice(
            sorted(written_differently(city.rng, row.name).values()) or [row.name]
        )
    case = "other_firm:homophone" if homophone else "other_firm:trade_char"
    city.pair(Party(left), Party(changed), "organisation", False, case)


def _other_region(city: _City, row: SubjectRow) -> None:
    split = _split_leading_region(row.name)
    if split is None or not split[0].startswith("苏州"):
        return
    place = city.rng.choice(("无锡市", "南京市", "杭州市", "上海市", "北京市", "合肥"))
    other = place + split[1] + split[2]
    city.pair(Party(row.name), Party(other), "organisation", False, "other_firm:region")


def _branches(city: _City, head: SubjectRow) -> None:
    districts = ("吴中区", "相城区", "姑苏区", "常熟市", "昆山市", "张家港市", "太仓市")
    words = ("分公司", "营业部", "办事处", "分店", "第二分公司")
    first, second = city.rng.sample(districts, 2)
    branch = f"{head.name}{first}{city.rng.choice(words)}"
    sibling = f"{head.name}{second}{city.rng.choice(words)}"
    city.pair(Party(branch), Party(head.name), "organisation", False, "branch:head")
    city.pair(Party(branch), Party(sibling), "organisation", False, "branch:sibling")
    written = city.rng.choice(
        (str(_to_traditional().convert(branch)), _with_spaces(city.rng, branch))
    )
    if written != branch:
        city.pair(Party(branch), Party(written), "organisation", True, "branch:same")


def _codes(city: _City, row: SubjectRow) -> None:
    assert row.uscc is not None
    renamed = _changed_trade(city, row.name, homophone=False)
    if renamed:
        city.pair(
            Party(row.name, row.uscc),
            Party(renamed, row.uscc),
            "organisation",
            True,
            "codes:renamed",
        )
    other = codes.generate_uscc(city.rng, category=row.uscc[:2], region=row.uscc[2:8])
    if other != row.uscc:
        city.pair(
            Party(row.name, row.uscc),
            Party(row.name, other),
            "organisation",
            False,
            "codes:two_codes",
        )


def _birth(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def _person_written(rng: random.Random, name: str) -> str:
    choices = [" ".join(name), _with_spaces(rng, name), str(_to_traditional().convert(name))]
    return next((c for c in rng.sample(choices, len(choices)) if c != name), " ".join(name))


def _other_person_id(rng: random.Random, number: str) -> str:
    birth = _birth(number) - timedelta(days=rng.randint(1, 9000))
    return codes.generate_id_number(rng, region=number[:6], birth_date=birth, sex=rng.choice("MF"))


def _persons(city: _City, row: SubjectRow) -> None:
    assert row.id_number is not None
    rng, name, number = city.rng, row.name, row.id_number
    written = _person_written(rng, name)
    other = _other_person_id(rng, number)
    city.pair(Party(name, number), Party(written, number), "person", True, "person:same_id")
    city.pair(
        Party(name, number), Party(written, birth_date=_birth(number)), "person", True,
        "person:birth_date",
    )  # fmt: skip
    city.pair(Party(name, number), Party(written, other), "person", False, "person:homonym_id")
    city.pair(
        Party(name, birth_date=_birth(number)), Party(written, birth_date=_birth(other)), "person",
        False, "person:homonym_birth",
    )  # fmt: skip
    given = [i for i in range(1, len(name)) if _homophone(rng, name[i])]
    if given:
        at = rng.choice(given)
        alike = name[:at] + (_homophone(rng, name[at]) or name[at]) + name[at + 1 :]
        city.pair(Party(name), Party(alike), "person", False, "person:same_pinyin")


def _sample(rng: random.Random, pool: list[SubjectRow], count: int) -> list[SubjectRow]:
    return rng.sample(pool, min(count, len(pool)))


def generator_set(*, subjects: int = 20_000, per_case: int = 300, seed: int = 8) -> BenchmarkSet:
    """Labelled pairs drawn from a synthetic city of ``subjects`` (see the module docstring)."""
    generator = CityGenerator(seed=seed, region="320500", anchor=ANCHOR)
    rows = [row for chunk in generator.chunks(subjects) for row in chunk.subjects]
    index = MatchIndex.build_from_rows(rows)
    city = _City(
        random.Random(f"xinyong-matching:{seed}"), rows, index, {fold(r.name) for r in rows}
    )
    orgs = [r for r in rows if r.uscc and _is_head(index, r)]
    companies = [r for r in orgs if r.kind == "legal_person" and r.category == "91"]
    persons = [r for r in rows if r.kind == "natural_person" and r.id_number]
    plan: list[tuple[Callable[[_City, SubjectRow], None], list[SubjectRow], int]] = [
        (_same_firm, orgs, per_case * 4),
        (_other_firm, orgs, per_case * 3),
        (_other_region, companies, per_case * 2),
        (_branches, companies, per_case),
        (_persons, persons, per_case),
        (_codes, orgs, per_case // 2),
    ]
    for make, pool, count in plan:
        for row in _sample(city.rng, pool, count):
            make(city, row)
    return BenchmarkSet("generator", city.pairs, index, f"synthetic city of {subjects:,} subjects")


def _is_head(index: MatchIndex, row: SubjectRow) -> bool:
    held = index.get(row.id)
    return held is not None and held.org is not None and not held.org.branch


@dataclass
class Scores:
    """Confusion counts of a matcher on labelled pairs, with precision and recall."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    errors: list[tuple[LabelledPair, bool]] = field(default_factory=list)

    def add(self, pair: LabelledPair, predicted: bool) -> None:
        """Count one prediction."""
        if predicted and pair.same:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif pair.same:
            self.fn += 1
        else:
            self.tn += 1
        if predicted != pair.same:
            self.errors.append((pair, predicted))

    @property
    def precision(self) -> float:
        """Share of predicted matches that are the same subject (1.0 with none predicted)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of same-subject pairs predicted as matches."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def evaluate(pairs: Iterable[LabelledPair], predict: Callable[[LabelledPair], bool]) -> Scores:
    """Precision and recall of ``predict`` (True = the same subject) on ``pairs``."""
    scores = Scores()
    for pair in pairs:
        scores.add(pair, predict(pair))
    return scores
