"""Interface texts as data: one texts.yaml per module, each key defined once, every key the
code and the templates name exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xinyong.core import i18n
from xinyong.core.i18n import has_text, load_texts, pick_language, t

PACKAGE = Path(i18n.__file__).resolve().parent.parent

# t("a.key", …) in Python and {{ t('a.key', …) }} in templates; f-strings and keys built with
# ~ are prefixes, checked below.
LITERAL_KEY = re.compile(r"""\bt\(\s*(["'])([^"'{}\s]+)\1\s*[,)]""")
PY_PREFIX = re.compile(r"""\bt\(\s*f(["'])([a-z0-9_.]+)\{""")
TEMPLATE_PREFIX = re.compile(r"""\bt\(\s*\(?(["'])([a-z0-9_.]+)\1\s*~""")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py")) + sorted(PACKAGE.rglob("*.html"))


def test_a_key_defined_in_two_files_names_both(tmp_path: Path) -> None:
    first = _write(tmp_path / "alpha" / "texts.yaml", 'x.title: {zh: "甲", en: "A"}\n')
    second = _write(tmp_path / "beta" / "texts.yaml", 'x.title: {zh: "乙", en: "B"}\n')
    with pytest.raises(ValueError, match="defined twice") as caught:
        load_texts(tmp_path)
    assert str(first) in str(caught.value) and str(second) in str(caught.value)


def test_files_under_the_root_are_merged(tmp_path: Path) -> None:
    _write(tmp_path / "alpha" / "texts.yaml", 'a.one: {zh: "一", en: "One"}\n')
    _write(tmp_path / "beta" / "deep" / "texts.yaml", 'b.two: {zh: "二", en: "Two"}\n')
    _write(tmp_path / "beta" / "other.yaml", 'c.three: {zh: "三", en: "Three"}\n')
    assert load_texts(tmp_path) == {
        "a.one": {"zh": "一", "en": "One"},
        "b.two": {"zh": "二", "en": "Two"},
    }


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('a.one: {zh: "一"}\n', "exactly the languages zh and en"),
        ('a.one: {zh: "一", en: ""}\n', "empty or non-text"),
        ("a.one: {zh: 一, en: yes}\n", "empty or non-text"),
        ("- a list\n", "mapping of text keys"),
        ('a.one: {zh: "一", en: "One"}\na.one: {zh: "一", en: "One"}\n', "duplicate key"),
    ],
)
def test_a_malformed_file_is_refused_by_name(tmp_path: Path, body: str, problem: str) -> None:
    path = _write(tmp_path / "m" / "texts.yaml", body)
    with pytest.raises(ValueError, match=problem) as caught:
        load_texts(tmp_path)
    assert str(path) in str(caught.value)


def test_the_package_texts_load_in_both_languages() -> None:
    assert t("site.title", "zh") == "公共信用信息共享平台"
    assert t("site.title", "en") == "Public Credit Information Sharing Platform"
    assert t("no.such.key", "en") == "no.such.key"
    assert has_text("site.title") and not has_text("no.such.key")
    assert pick_language("en") == "en" and pick_language("fr") == "zh"


def test_each_module_keeps_its_texts_in_one_texts_yaml() -> None:
    files = sorted(PACKAGE.rglob("texts.yaml"))
    modules = [path.parent.relative_to(PACKAGE).as_posix() for path in files]
    assert "/" not in "".join(modules), modules  # one file per module, at its top
    assert {"web", "portal", "rights", "lists", "checks", "measures"} <= set(modules)
    assert not [p for p in PACKAGE.rglob("texts*.py")], "texts belong in texts.yaml"


def test_every_literal_key_in_code_and_templates_exists() -> None:
    used: dict[str, set[str]] = {}
    for path in _sources():
        for match in LITERAL_KEY.finditer(path.read_text(encoding="utf-8")):
            used.setdefault(match.group(2), set()).add(path.relative_to(PACKAGE).as_posix())
    assert len(used) > 500  # the scan finds the keys: it would pass vacuously otherwise
    missing = {key: sorted(where) for key, where in used.items() if not has_text(key)}
    assert not missing, missing


def test_every_key_prefix_built_in_code_or_templates_has_texts() -> None:
    prefixes: dict[str, set[str]] = {}
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        pattern = PY_PREFIX if path.suffix == ".py" else TEMPLATE_PREFIX
        for match in pattern.finditer(text):
            prefixes.setdefault(match.group(2), set()).add(path.name)
    assert len(prefixes) > 20
    keys = list(i18n._module_texts())
    orphans = {p: sorted(w) for p, w in prefixes.items() if not any(k.startswith(p) for k in keys)}
    assert not orphans, orphans
