"""Chinese-first interface text with English available.

Each module keeps its texts as data in ``<module>/texts.yaml`` (``key: {zh: "…", en: "…"}``);
every such file under the package is read on first use, and a key defined twice is an error
naming both files."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

from xinyong.core.yamlio import YamlProblem, read_yaml

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def _check_file(path: Path, data: object) -> dict[str, dict[Language, str]]:
    """A texts.yaml file's entries: key -> {zh, en}, both non-empty strings."""
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of text keys at the top")
    entries: dict[str, dict[Language, str]] = {}
    for key, value in data.items():
        if not isinstance(value, dict) or set(value) != {"zh", "en"}:
            raise ValueError(f"{path}: text '{key}' needs exactly the languages zh and en")
        if not all(isinstance(value[lang], str) and value[lang] for lang in LANGUAGES):
            raise ValueError(f"{path}: text '{key}' has an empty or non-text translation")
        entries[str(key)] = {"zh": value["zh"], "en": value["en"]}
    return entries


def load_texts(root: Path) -> dict[str, dict[Language, str]]:
    """Every texts.yaml under ``root``, merged; a key defined twice is an error that names
    both files."""
    merged: dict[str, dict[Language, str]] = {}
    origin: dict[str, Path] = {}
    for path in sorted(root.rglob("texts.yaml")):
        try:
            entries = _check_file(path, read_yaml(path))
        except YamlProblem as problem:
            raise ValueError(f"{path}: {problem}") from problem
        for key, entry in entries.items():
            if key in merged:
                raise ValueError(f"interface text '{key}' defined twice: {origin[key]} and {path}")
            merged[key] = entry
            origin[key] = path
    return merged


@cache
def _module_texts() -> dict[str, dict[Language, str]]:
    """The texts of every module of the package, read once."""
    return load_texts(_PACKAGE_ROOT)


def pick_language(requested: str | None) -> Language:
    """The requested language if supported, else Chinese."""
    return "en" if requested == "en" else "zh"


def t(key: str, lang: Language) -> str:
    """Interface text for a key in the given language (the key itself if unknown)."""
    entry = _module_texts().get(key)
    return entry[lang] if entry else key


_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
_LATIN = re.compile(r"[A-Za-z]{2,}")
BILINGUAL_JOINER = " · "


def one_language(text: str, lang: Language) -> str:
    """The reader's half of a text written ``中文 · English`` (older messages and stored
    reasons are so written); any other text as it is."""
    chinese, joiner, english = text.partition(BILINGUAL_JOINER)
    if not joiner or not _CJK.search(chinese) or not _LATIN.search(english):
        return text
    if _CJK.search(english) and _LATIN.search(chinese) and not _CJK.match(chinese):
        return text  # not a 中文 · English pair
    return chinese if lang == "zh" else english


def has_text(key: str) -> bool:
    """Whether some module's texts.yaml defines the key."""
    return key in _module_texts()
