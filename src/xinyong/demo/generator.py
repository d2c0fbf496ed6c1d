"""Deterministic synthetic city: subjects, their identifiers and relations.

The city is generated in fixed-size chunks, each with its own random stream derived from
the seed and the chunk number: the same seed, size and anchor date give the same city,
whatever the store, and memory stays flat however large the city.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate

import opencc

from xinyong.demo import vocabulary as vocab
from xinyong.identity import codes, regions

CHUNK_SIZE = 10_000

# (kind key, weight): what a city's registry looks like.
KIND_MIX: tuple[tuple[str, float], ...] = (
    ("person", 0.15),
    ("individual", 0.25),
    ("enterprise", 0.535),
    ("social", 0.015),
    ("institution", 0.01),
    ("cooperative", 0.01),
    ("village", 0.005),
    ("household", 0.025),
)


@dataclass
class SubjectRow:
    id: int
    kind: str
    name: str
    category: str | None = None
    uscc: str | None = None
    id_number: str | None = None
    region_code: str | None = None
    registration_date: date | None = None
    industry: str | None = None
    status: str = "active"


@dataclass
class RelationRow:
    subject_id: int
    related_subject_id: int
    kind: str
    share_ratio: str | None = None
    valid_from: date | None = None


@dataclass
class Chunk:
    index: int
    subjects: list[SubjectRow] = field(default_factory=list)
    relations: list[RelationRow] = field(default_factory=list)


@lru_cache(maxsize=4096)
def _region_name(code: str) -> str:
    region = regions.lookup(code)
    return region.name if region else ""


@lru_cache(maxsize=1)
def _to_traditional() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


class Weighted:
    """Draws from weighted choices with one random number."""

    def __init__(self, pairs: tuple[tuple[str, float], ...]) -> None:
        self.values = [value for value, _ in pairs]
        self.cumulative = list(accumulate(weight for _, weight in pairs))

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cumulative)[0]


_KINDS = Weighted(KIND_MIX)
_FORMS = Weighted(vocab.ENTERPRISE_FORMS)
_SURNAMES = Weighted(vocab.SURNAMES)
_INDUSTRIES = Weighted(tuple((word, share) for word, _, share in vocab.INDUSTRIES))
_SECTION = {word: section for word, section, _ in vocab.INDUSTRIES}


class CityGenerator:
    """Generates the subjects of one city, deterministically from a seed and anchor date."""

    def __init__(self, *, seed: int, region: str, anchor: date) -> None:
        city = regions.lookup(region)
        if city is None:
            raise ValueError(f"unknown region code {region}")
        self.seed = seed
        self.anchor = anchor
        self.city_code = region
        self.city_name = city.name
        self.districts = regions.current_children(region) or (city,)
        self.province_code = region[:2] + "0000"
        self.names_seen: set[str] = set()
        self.codes_seen: set[str] = set()

    # -- public -----------------------------------------------------------------------
    def chunks(self, total: int, *, first_id: int = 1) -> Iterator[Chunk]:
        """Yield the city's subjects in chunks of ``CHUNK_SIZE``."""
        for index, start in enumerate(range(0, total, CHUNK_SIZE)):
            size = min(CHUNK_SIZE, total - start)
            rng = random.Random(f"xinyong-demo:{self.seed}:{index}")
            yield self._chunk(rng, index, size, first_id + start)

    # -- chunk ------------------------------------------------------------------------
    def _chunk(self, rng: random.Random, index: int, size: int, first_id: int) -> Chunk:
        chunk = Chunk(index)
        kinds = sorted((_KINDS.draw(rng) for _ in range(size)), key=lambda k: k != "person")
        persons: list[int] = []
        heads: list[SubjectRow] = []
        for offset, kind in enumerate(kinds):
            subject_id = first_id + offset
            row = self._subject(rng, kind, subject_id, heads)
            chunk.subjects.append(row)
            if kind == "person":
                persons.append(subject_id)
            self._relate(rng, chunk, row, kind, persons, heads)
        return chunk

    def _subject(
        self, rng: random.Random, kind: str, subject_id: int, heads: list[SubjectRow]
    ) -> SubjectRow:
        if kind == "person":
            return self._person(rng, subject_id)
        if kind == "household":
            surname = _SURNAMES.draw(rng)
            name = f"{surname}{self._given(rng)}户"
            return SubjectRow(subject_id, "household", name, region_code=self._district(rng))
        if kind == "enterprise" and heads and rng.random() < 0.04:
            return self._branch(rng, subject_id, rng.choice(heads))
        maker = {
            "individual": self._individual,
            "enterprise": self._enterprise,
            "social": self._social,
            "institution": self._institution,
            "cooperative": self._cooperative,
            "village": self._village,
        }[kind]
        return maker(rng, subject_id)

    def _relate(
        self,
        rng: random.Random,
        chunk: Chunk,
        row: SubjectRow,
        kind: str,
        persons: list[int],
        heads: list[SubjectRow],
    ) -> None:
        if kind == "enterprise" and row.category == "91":
            if "分公司" not in row.name:
                heads.append(row)
            if persons:
                chunk.relations.append(
                    RelationRow(
                        row.id,
                        rng.choice(persons),
                        "legal_representative",
                        valid_from=row.registration_date,
                    )
                )
            if len(heads) > 1 and rng.random() < 0.08:
                holder = rng.choice(heads[:-1])
                ratio = f"{rng.choice((0.1, 0.2, 0.3, 0.49, 0.51, 1.0)):.4f}"
                chunk.relations.append(RelationRow(row.id, holder.id, "shareholder", ratio))
        elif kind == "household" and persons:
            for member in rng.sample(persons, min(len(persons), rng.randint(1, 4))):
                chunk.relations.append(RelationRow(row.id, member, "household_member"))

    # -- names and codes --------------------------------------------------------------
    def _district(self, rng: random.Random) -> str:
        return rng.choice(self.districts).code

    def _unique_code(self, rng: random.Random, category: str, region: str) -> str:
        while True:
            code = codes.generate_uscc(rng, category=category, region=region)
            if code not in self.codes_seen:
                self.codes_seen.add(code)
                return code

    def _unique_name(self, rng: random.Random, make: Callable[[], str]) -> str:
        for _ in range(50):
            name = make()
            if name not in self.names_seen:
                self.names_seen.add(name)
                return name
        raise RuntimeError("could not find a unique name; the word pools are too small")

    def _trade_name(self, rng: random.Random) -> str:
        length = 2 if rng.random() < 0.8 else 3
        return "".join(rng.choice(vocab.TRADE_CHARS) for _ in range(length))

    def _place_prefix(self, rng: random.Random, district: str) -> str:
        draw = rng.random()
        district_name = _region_name(district)
        if draw < 0.45:
            return self.city_name
        if draw < 0.65:
            return self.city_name.removesuffix("市")
        if draw < 0.9 and district_name.endswith("市"):
            return district_name
        return self.city_name + district_name

    def _vary(self, rng: random.Random, name: str) -> str:
        """Names as registries hold them: full-width brackets are common; a small share
        arrive with traditional characters or stray spaces."""
        if "(" in name and rng.random() < 0.6:
            name = name.replace("(", vocab.FULL_WIDTH_BRACKETS[0]).replace(
                ")", vocab.FULL_WIDTH_BRACKETS[1]
            )
        draw = rng.random()
        if draw < 0.02:
            return str(_to_traditional().convert(name))
        if draw < 0.03:
            cut = rng.randint(2, max(2, len(name) - 4))
            return name[:cut] + " " + name[cut:]
        return name

    def _registered(self, rng: random.Random, years: int = 30) -> date:
        days = int(rng.betavariate(1.2, 3.0) * years * 365)
        return self.anchor - timedelta(days=days + 1)

    def _status(self, rng: random.Random) -> str:
        draw = rng.random()
        return "active" if draw < 0.93 else ("deregistered" if draw < 0.98 else "revoked")

    # -- subject makers ---------------------------------------------------------------
    def _given(self, rng: random.Random) -> str:
        length = 1 if rng.random() < 0.3 else 2
        return "".join(rng.choice(vocab.GIVEN_CHARS) for _ in range(length))

    def _person(self, rng: random.Random, subject_id: int) -> SubjectRow:
        region = self._district(rng) if rng.random() < 0.7 else self._province_region(rng)
        birth = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
        sex = rng.choice("MF")
        while True:
            number = codes.generate_id_number(rng, region=region, birth_date=birth, sex=sex)
            if number not in self.codes_seen:
                self.codes_seen.add(number)
                break
        name = _SURNAMES.draw(rng) + self._given(rng)
        return SubjectRow(subject_id, "natural_person", name, id_number=number, region_code=region)

    def _province_region(self, rng: random.Random) -> str:
        siblings = regions.current_children(self.province_code)
        return rng.choice(siblings).code if siblings else self.city_code

    def _enterprise(self, rng: random.Random, subject_id: int) -> SubjectRow:
        district = self._district(rng)
        industry = _INDUSTRIES.draw(rng)
        form = _FORMS.draw(rng)
        if form == "厂":
            industry = rng.choice(("机械制造", "电子", "纺织", "服饰", "食品", "新材料"))

        def make() -> str:
            trade = self._trade_name(rng)
            if rng.random() < 0.08:  # 字号(地区)行业组织形式
                city = self.city_name.removesuffix("市")
                return f"{trade}({city}){industry}{form}"
            return f"{self._place_prefix(rng, district)}{trade}{industry}{form}"

        name = self._vary(rng, self._unique_name(rng, make))
        return SubjectRow(
            subject_id,
            "legal_person",
            name,
            category="91",
            uscc=self._unique_code(rng, "91", district),
            region_code=district,
            registration_date=self._registered(rng),
            industry=_SECTION[industry],
            status=self._status(rng),
        )

    def _branch(self, rng: random.Random, subject_id: int, head: SubjectRow) -> SubjectRow:
        district = self._district(rng)
        district_name = _region_name(district)
        base = head.name

        def make() -> str:
            return f"{base}{district_name}{rng.choice(('分公司', '营业部', '第二分公司'))}"

        name = self._unique_name(rng, make)
        return SubjectRow(
            subject_id,
            "legal_person",
            name,
            category="91",
            uscc=self._unique_code(rng, "91", district),
            region_code=district,
            registration_date=self._registered(rng, 15),
            industry=head.industry,
            status=self._status(rng),
        )

    def _individual(self, rng: random.Random, subject_id: int) -> SubjectRow:
        district = self._district(rng)
        shop, section = rng.choice(vocab.SHOP_KINDS)
        district_name = _region_name(district)

        def make() -> str:
            owner = _SURNAMES.draw(rng) + self._given(rng)
            if rng.random() < 0.3:
                return f"{district_name}{owner}{shop}"
            return f"{district_name}{self._trade_name(rng)}{shop}"

        return SubjectRow(
            subject_id,
            "individual_business",
            self._vary(rng, self._unique_name(rng, make)),
            category="92",
            uscc=self._unique_code(rng, "92", district),
            region_code=district,
            registration_date=self._registered(rng, 20),
            industry=section,
            status=self._status(rng),
        )

    def _social(self, rng: random.Random, subject_id: int) -> SubjectRow:
        category, word = rng.choice(vocab.SOCIAL_ORGS)
        topic = rng.choice(vocab.SOCIAL_TOPICS)

        def make() -> str:
            place = self.city_name + (rng.choice(self.districts).name if rng.random() < 0.5 else "")
            return f"{place}{self._trade_name(rng)}{topic}{word}"

        return self._organisation(rng, subject_id, category, make, "S")

    def _institution(self, rng: random.Random, subject_id: int) -> SubjectRow:
        word = rng.choice(vocab.PUBLIC_INSTITUTIONS)

        def make() -> str:
            district = rng.choice(self.districts).name
            return f"{self.city_name}{district}{self._trade_name(rng)}{word}"

        return self._organisation(rng, subject_id, "12", make, "Q")

    def _cooperative(self, rng: random.Random, subject_id: int) -> SubjectRow:
        crop = rng.choice(vocab.COOPERATIVE_CROPS)

        def make() -> str:
            district = rng.choice(self.districts).name
            return f"{self.city_name}{district}{self._trade_name(rng)}{crop}专业合作社"

        return self._organisation(rng, subject_id, "93", make, "A")

    def _village(self, rng: random.Random, subject_id: int) -> SubjectRow:
        def make() -> str:
            district = rng.choice(self.districts).name
            village = "".join(rng.choice(vocab.VILLAGE_CHARS) for _ in range(2))
            return f"{self.city_name}{district}{rng.choice(vocab.TOWNS)}{village}村股份经济合作社"

        return self._organisation(rng, subject_id, "N2", make, "A")

    def _organisation(
        self,
        rng: random.Random,
        subject_id: int,
        category: str,
        make: Callable[[], str],
        section: str,
    ) -> SubjectRow:
        district = self._district(rng)
        return SubjectRow(
            subject_id,
            "legal_person",
            self._unique_name(rng, make),
            category=category,
            uscc=self._unique_code(rng, category, district),
            region_code=district,
            registration_date=self._registered(rng),
            industry=section,
        )
