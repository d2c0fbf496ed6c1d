"""Name normalisation and parsing for organisations and natural persons.

``fold`` is the shared text folding used for search and matching keys: traditional ->
simplified (OpenCC t2s), NFKC (full-width -> half-width), every bracket kind -> ASCII
``( )``, control and format characters dropped, whitespace removed except one space
between two Latin words ("ABC TECHNOLOGY"), and ASCII letters upper-cased (registered
names and ID documents write Latin letters in capitals; case carries no meaning here).

Organisation names are read as region + trade name (字号) + industry (行业) + form
(组织形式), allowing the region in brackets or after the trade name, and an optional
branch part (分支机构) after the head office's name. Word lists live in
``identity/data/names_*.txt``; see :mod:`xinyong.identity.name_lexicon`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc

from xinyong.identity.name_lexicon import RegionIndex, WordSet, read_list, read_pairs, region_index

_OPEN = "([{【〔〖〘〚⦅⦗〈⟨﹙﹛﹝⁽₍"
_CLOSE = ")]}】〕〗〙〛⦆⦘〉⟩﹚﹜﹞⁾₎"
_SPACES = "\t\n\v\f\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(
    chr(c) for c in range(0x2000, 0x200B)
)
_DROPPED = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), 0xAD, 0x180E, 0xFEFF]
_DROPPED += [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2070)]
_LATIN_BEFORE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,&'-")
_LATIN_AFTER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789&")
_RUN_OF_SPACES = re.compile(" +")
_PLACEHOLDER = 0xE000  # private-use code points stand in for protected characters


def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {c: None for c in _DROPPED}
    table.update({ord(c): " " for c in _SPACES})
    table.update({ord(c): "(" for c in _OPEN})
    table.update({ord(c): ")" for c in _CLOSE})
    table.update({c: chr(c - 32) for c in range(ord("a"), ord("z") + 1)})
    return table


_FOLD_TABLE = _fold_table()


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _t2s_protection() -> tuple[dict[int, str], dict[int, str]]:
    keep = read_list("names_t2s_keep.txt")
    hide = {ord(ch): chr(_PLACEHOLDER + i) for i, ch in enumerate(keep)}
    show = {_PLACEHOLDER + i: ch for i, ch in enumerate(keep)}
    return hide, show


def _to_simplified(text: str) -> str:
    hide, show = _t2s_protection()
    hidden = text.translate(hide)
    converted: str = _converter().convert(hidden)
    return converted.translate(show) if hidden != text else converted


def _space_or_nothing(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    between_latin = (
        start > 0
        and end < len(text)
        and text[start - 1] in _LATIN_BEFORE
        and text[end] in _LATIN_AFTER
    )
    return " " if between_latin else ""


def fold(text: str) -> str:
    """Fold text for display-safe search and matching (see the module docstring)."""
    if not text.isascii():
        text = _to_simplified(unicodedata.normalize("NFKC", text))
    text = text.translate(_FOLD_TABLE)
    if " " in text:
        text = _RUN_OF_SPACES.sub(_space_or_nothing, text)
    return text


@dataclass(frozen=True)
class OrgName:
    """An organisation name split into its parts, with a canonical matching key."""

    raw: str
    normalized: str
    region: str | None
    region_code: str | None
    trade_name: str | None
    industry: str | None
    form: str | None
    branch: str | None
    head_office: str | None
    region_in_brackets: bool
    key: str


@dataclass(frozen=True)
class _Lexicon:
    forms: WordSet
    canonical_forms: dict[str, str]
    industry: WordSet
    branches: WordSet
    towns: WordSet
    zones: WordSet
    regions: RegionIndex
    tail_words: dict[str, bool]  # industry words (False) and city-level regions (True)
    tail_sizes: tuple[int, ...]


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    canonical = read_pairs("names_forms.txt", fold)
    industry = WordSet.of(read_list("names_industry.txt", fold))
    regions = region_index(fold)
    tail = {
        name: True
        for name, codes in regions.codes.items()
        if not codes or any(code.endswith("00") for code in codes)
    }
    tail.update(dict.fromkeys(industry.words, False))
    return _Lexicon(
        forms=WordSet.of(canonical),
        canonical_forms=canonical,
        industry=industry,
        branches=WordSet.of(read_list("names_branch.txt", fold)),
        towns=WordSet.of(read_list("names_towns.txt", fold)),
        zones=WordSet.of(read_list("names_zones.txt", fold)),
        regions=regions,
        tail_words=tail,
        tail_sizes=tuple(sorted({len(w) for w in tail}, reverse=True)),
    )


# Words after which the rest of a name belongs to a branch or unit of that organisation.
_HEAD_ENDINGS = ("公司", "合作社", "联合社", "信用社", "(有限合伙)", "(普通合伙)", "集团")
_HEAD_ENDING = re.compile("|".join(re.escape(e) for e in _HEAD_ENDINGS))
_ORDINAL = re.compile(r"第[一二三四五六七八九十百零〇O0-9]+$")
_STREETS = ("路", "街", "大街", "大道", "巷", "西路", "东路", "南路", "北路", "中路")
_BRACKETED = re.compile(r"\(([^()]{2,12})\)")


def _head_endings(text: str) -> list[int]:
    """Positions just after each head-office ending outside brackets, in order."""
    return [
        m.end()
        for m in _HEAD_ENDING.finditer(text)
        if text.count("(", 0, m.start()) == text.count(")", 0, m.start())
    ]


def _is_branch_tail(tail: str, lex: _Lexicon) -> bool:
    """Whether the text after a head office's name is a branch or unit, not a form."""
    if lex.forms.suffix(tail) == tail:
        return False
    own = tail.replace("分公司", "").replace("支公司", "")
    return not any(ending in own for ending in _HEAD_ENDINGS)


def _branch_cut(prefix: str, lex: _Lexicon) -> int:
    """Where a branch part begins in ``prefix``, the name before its branch suffix."""
    for i in range(2, len(prefix)):
        if lex.regions.names.prefix(prefix[i:]):
            return i
    ordinal = _ORDINAL.search(prefix)
    return ordinal.start() if ordinal else len(prefix)


def _split_branch(text: str, lex: _Lexicon) -> tuple[str, str | None]:
    """Split a folded name into head-office name and branch part (None if no branch)."""
    for end in _head_endings(text):
        if 2 <= end < len(text) and _is_branch_tail(text[end:], lex):
            return text[:end], text[end:]
    suffix = lex.branches.suffix(text, keep=2)
    if suffix:
        cut = _branch_cut(text[: len(text) - len(suffix)], lex)
        if cut >= 2:
            return text[:cut], text[cut:]
    return text, None


def _split_form(head: str, lex: _Lexicon) -> tuple[str, str | None]:
    """Split the organisational form off the end of a head-office name."""
    form = lex.forms.suffix(head, keep=1)
    if form is None:
        return head, None
    stem = head[: len(head) - len(form)]
    if form.startswith("("):
        before = lex.forms.suffix(stem, keep=1)
        if before:
            stem, form = stem[: len(stem) - len(before)], before + form
    return stem, form


def _canonical_form(form: str, lex: _Lexicon) -> str:
    canonical = lex.canonical_forms.get(form)
    if canonical is not None:
        return canonical
    head = lex.forms.suffix(form, keep=1)  # form with a bracketed qualifier
    if head is None:
        return form
    return form[: len(form) - len(head)] + lex.canonical_forms.get(head, head)


def _layout(name: str) -> tuple[str, str | None, str | None]:
    """Folded name as (stem, canonical form, branch part)."""
    lex = _lexicon()
    head, branch = _split_branch(fold(name), lex)
    stem, form = _split_form(head, lex)
    return stem, _canonical_form(form, lex) if form else None, branch


def normalize_org_name(name: str) -> str:
    """Folded organisation name with its legal form in canonical spelling."""
    stem, form, branch = _layout(name)
    return stem + (form or "") + (branch or "")


@dataclass
class _Parts:
    """Working state while a head-office stem is taken apart."""

    rest: str
    regions: list[str]
    places: list[str]
    industry: list[str]
    in_brackets: bool = False


def _is_city_level(name: str, lex: _Lexicon) -> bool:
    codes = lex.regions.codes[name]
    return not codes or any(code.endswith("00") for code in codes)


def _segment(text: str, lex: _Lexicon) -> list[list[tuple[str, bool]] | None]:
    """For each position, one split of ``text[i:]`` into tail words (None if none).

    Tail words are industry words and city-level regions (flag True), longest first;
    a one-character word (书, 茶) only ends the text, as in 书店 or 茶行.
    """
    length = len(text)
    best: list[list[tuple[str, bool]] | None] = [None] * (length + 1)
    best[length] = []
    tail, sizes = lex.tail_words, lex.tail_sizes
    for start in range(length - 1, -1, -1):
        for size in sizes:
            if start + size > length or (size == 1 and start + 1 < length):
                continue
            after = best[start + size]
            if after is not None:
                is_region = tail.get(text[start : start + size])
                if is_region is not None:
                    best[start] = [(text[start : start + size], is_region), *after]
                    break
    return best


def _split_words(tail: list[tuple[str, bool]]) -> tuple[list[str], list[str]]:
    """Industry words and regions of a segmented tail."""
    return [w for w, is_region in tail if not is_region], [w for w, is_region in tail if is_region]


def _peel(text: str, lex: _Lexicon) -> tuple[str, list[str], list[str]]:
    """Split ``text`` into trade name (kept to 2+ characters), industry words, regions."""
    splits = _segment(text, lex)
    cut = next((i for i in range(2, len(text) + 1) if splits[i] is not None), len(text))
    return text[:cut], *_split_words(splits[cut] or [])


def _has_trade_name(text: str, lex: _Lexicon) -> bool:
    """Whether ``text`` (what follows a region) starts with a trade name of 2+ characters."""
    splits = _segment(text, lex)
    return next(i for i in range(len(text) + 1) if splits[i] is not None) >= 2


def _has_trade_name_or_industry(text: str, lex: _Lexicon) -> bool:
    """Whether ``text`` holds a trade name or only industry words (慈溪市长河镇电器厂)."""
    return bool(text) and (_segment(text, lex)[0] is not None or _has_trade_name(text, lex))


def _place_prefix(text: str, lex: _Lexicon) -> str | None:
    """A town or development zone at the start of ``text`` (千灯镇, 保税区, ...)."""
    for size in range(2, 6):
        town = lex.towns.prefix(text[size:])
        if town:
            return text[: size + len(town)]
    for size in range(5):
        zone = lex.zones.prefix(text[size:])
        if zone:
            return text[: size + len(zone)]
    return None


def _is_region_here(name: str, after: str, parents: list[str], lex: _Lexicon, branch: bool) -> bool:
    """Whether a region name read just before ``after`` really is a region.

    Full division names always are, and so are short forms (苏州, 番禺) that lie inside
    the region read before them. Otherwise a short form must be a city or province, or
    (first in a head office's name only) be followed by a trade name of its own.
    A head office's name never holds a short form outside its first region (南宁威宁).
    """
    index = lex.regions
    if branch and after.startswith(_STREETS):
        return False  # 南京西路商城, 解放街营业厅: a street named after a place
    if name in index.full:
        return True
    parent = _region_code(parents, index)
    codes = index.codes.get(name, frozenset())
    if parent and codes:
        if any(code.startswith(_code_stem(parent)) for code in codes):
            return True
        if not branch:
            return False
    if _is_city_level(name, lex):
        return True
    return not branch and not parents and _has_trade_name(after, lex)


def _take_leading_regions(
    parts: _Parts, lex: _Lexicon, parents: list[str], *, short_forms: bool, branch: bool
) -> None:
    """Move regions (and a following town or zone) from the start of ``parts.rest``."""
    names = lex.regions.names if short_forms else lex.regions.full
    while name := names.prefix(parts.rest):
        after = parts.rest[len(name) :]
        if not _is_region_here(name, after, parents + parts.regions, lex, branch):
            break
        parts.regions.append(name)
        parts.rest = after
    place = _place_prefix(parts.rest, lex) if parts.regions else None
    if place and _has_trade_name_or_industry(parts.rest[len(place) :], lex):
        parts.places.append(place)
        parts.rest = parts.rest[len(place) :]


def _take_bracketed_regions(parts: _Parts, lex: _Lexicon) -> None:
    """Remove regions written in brackets: 某某科技(北京)有限公司."""
    for match in reversed(list(_BRACKETED.finditer(parts.rest))):
        if match.group(1) in lex.regions.names:
            parts.regions.append(match.group(1))
            parts.rest = parts.rest[: match.start()] + parts.rest[match.end() :]
            parts.in_brackets = True


def _is_district_word(regions: list[str], lex: _Lexicon) -> bool:
    """Whether the last of several regions is a county-level short form (滨江, 天山)."""
    last = regions[-1]
    return len(regions) > 1 and last not in lex.regions.full and not _is_city_level(last, lex)


def _take_stem(stem: str, lex: _Lexicon) -> tuple[_Parts, str | None]:
    """Regions, trade name and industry words of a head-office stem."""
    parts = _Parts(stem, [], [], [])
    _take_bracketed_regions(parts, lex)
    bracketed = list(parts.regions)
    parts.regions.clear()
    _take_leading_regions(parts, lex, [], short_forms=not bracketed, branch=False)
    whole = _segment(parts.rest, lex)[0] if parts.regions else None
    if whole and not whole[0][1] and _is_district_word(parts.regions, lex):
        parts.rest = parts.regions.pop() + parts.rest  # 杭州滨江房产: 滨江 is the trade name
        whole = None
    if whole and not whole[0][1]:  # nothing but industry words after the region: 无锡市保险公司
        trade, parts.industry, inner = "", *_split_words(whole)
    else:
        trade, parts.industry, inner = _peel(parts.rest, lex)
    parts.regions = parts.regions or bracketed or inner[:1]
    return parts, trade or None


def _code_stem(code: str) -> str:
    """The digits a subdivision of ``code`` starts with (11 for 110000, 3205 for 320500)."""
    if code.endswith("0000"):
        return code[:2]
    return code[:4] if code.endswith("00") else code


def _region_code(names: list[str], index: RegionIndex) -> str | None:
    """The most specific unambiguous division code for a run of region names."""
    code: str | None = None
    for name in names:
        candidates = index.codes.get(name, frozenset())
        if code:
            within = [c for c in candidates if c.startswith(_code_stem(code))]
            candidates = frozenset(within) if within else candidates
        code = index.best_code(candidates) or code
    return code


def _bare(text: str) -> str:
    return text.replace("(", "").replace(")", "")


def parse_org_name(name: str) -> OrgName:
    """Split an organisation name into region, trade name, industry, form and branch."""
    lex = _lexicon()
    stem, form, branch = _layout(name)
    parts, trade = _take_stem(stem, lex)
    industry = "".join(parts.industry) or None
    head_regions = parts.regions
    region_names = list(head_regions)
    branch_regions: list[str] = []
    if branch:
        branch_parts = _Parts(branch, [], [], [])
        _take_leading_regions(branch_parts, lex, head_regions, short_forms=True, branch=True)
        branch_regions = branch_parts.regions + branch_parts.places
        region_names += branch_parts.regions
    shown = branch_regions or (
        head_regions + parts.places if not parts.in_brackets else head_regions
    )
    core = trade or "".join(head_regions) or ""
    key = _bare(core + (industry or "") + (form or "") + (branch or ""))
    return OrgName(
        raw=name,
        normalized=stem + (form or "") + (branch or ""),
        region="".join(shown) or None,
        region_code=_region_code(region_names, lex.regions),
        trade_name=trade,
        industry=industry,
        form=form,
        branch=branch,
        head_office=stem + (form or "") if branch else None,
        region_in_brackets=parts.in_brackets,
        key=key,
    )


_NAME_DOTS = str.maketrans(dict.fromkeys("·・･•‧∙⋅●﹒", "·"))
_DOT_BETWEEN_HAN = re.compile(r"(?<=[\u3400-\u9fff])\s*[.·]\s*(?=[\u3400-\u9fff])")


def normalize_person_name(name: str) -> str:
    """Folded person name: no spaces between Chinese characters, one ``·`` as separator."""
    folded = fold(name.translate(_NAME_DOTS))
    return _DOT_BETWEEN_HAN.sub("·", folded).strip(" ·")


def mask_person_name(name: str) -> str:
    """Mask a person name for publication: 张伟 -> 张*, 张小伟 -> 张*伟, 欧阳小明 -> 欧**明."""
    normalized = normalize_person_name(name)
    letters = [i for i, ch in enumerate(normalized) if ch not in " ·"]
    if len(letters) <= 1:
        return "*" * len(letters)
    keep = {letters[0]} if len(letters) == 2 else {letters[0], letters[-1]}
    return "".join(ch if i in keep or ch in " ·" else "*" for i, ch in enumerate(normalized))
