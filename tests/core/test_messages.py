"""Messages people read come from the catalogue of texts: every ``key=`` given to an error
resolves in a texts.yaml, with the same placeholders in Chinese and English, and the
parameters the code passes fill exactly those placeholders."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from xinyong.core import i18n
from xinyong.core.errors import Invalid, NotFound, XinyongError, both, label
from xinyong.core.i18n import has_text, one_language, t

PACKAGE = Path(i18n.__file__).resolve().parent.parent
ERRORS = {
    "XinyongError",
    "Invalid",
    "NotFound",
    "Conflict",
    "Forbidden",
    "Unauthorized",
    "IllegalTransition",
    "CatalogError",
}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _keyed_calls() -> list[tuple[str, int, str, set[str] | None]]:
    """(file, line, key, parameter names or None when not a literal) of every error raised
    with a literal ``key=`` (and of every ``Reason``/``_why`` of the code validators)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            where = (path.relative_to(PACKAGE).as_posix(), node.lineno)
            if name in ("_why", "Reason") and node.args and isinstance(node.args[0], ast.Constant):
                params = {k.arg for k in node.keywords if k.arg}
                found.append((*where, str(node.args[0].value), params))
                continue
            if name not in ERRORS:
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            key = keywords.get("key")
            if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                continue
            given = keywords.get("params")
            if given is None:
                names: set[str] | None = set()
            elif isinstance(given, ast.Dict) and all(
                isinstance(k, ast.Constant) for k in given.keys
            ):
                names = {str(k.value) for k in given.keys if isinstance(k, ast.Constant)}
            else:
                names = None
            found.append((*where, key.value, names))
    return found


def test_every_keyed_error_resolves_with_matching_placeholders() -> None:
    calls = _keyed_calls()
    assert len(calls) > 150  # the scan finds them: it would pass vacuously otherwise
    problems = []
    for path, line, key, params in calls:
        if not has_text(key):
            problems.append(f"{path}:{line}: {key} is in no texts.yaml")
            continue
        zh, en = _placeholders(t(key, "zh")), _placeholders(t(key, "en"))
        if zh != en:
            problems.append(f"{path}:{line}: {key} zh {sorted(zh)} ≠ en {sorted(en)}")
        elif params is not None and params != zh:
            problems.append(f"{path}:{line}: {key} takes {sorted(zh)}, given {sorted(params)}")
    assert not problems, "\n".join(problems)


def test_every_message_text_has_the_same_placeholders_in_both_languages() -> None:
    texts = i18n._module_texts()
    keyed = re.compile(r"\.(err|why|error)\.|^(problem|http|field|match)\.")
    checked = [key for key in texts if keyed.search(key)]
    assert len(checked) > 200
    odd = {
        key: (sorted(_placeholders(texts[key]["zh"])), sorted(_placeholders(texts[key]["en"])))
        for key in checked
        if _placeholders(texts[key]["zh"]) != _placeholders(texts[key]["en"])
    }
    assert not odd, odd


def test_an_error_reads_in_the_readers_language() -> None:
    error = Invalid(key="lc.err.objection_window", params={"entry_objection_until": "2026-12-14"})
    assert error.message == error.localized("en") and "2026-12-14" in error.message
    assert error.localized("zh").startswith("异议期至 2026-12-14")
    assert not re.search(r"[A-Za-z]{3,}", error.localized("zh"))
    listed = NotFound(key="lc.err.no_entry", params={"entry_id": 4})
    assert listed.localized("zh") == "名单条目 4 不存在"


def test_parameters_in_both_languages_and_labels() -> None:
    error = Invalid(
        key="lc.err.transition",
        params={
            "entry_id": 3,
            "current_value": label("list.state.listed"),
            "to_value": both("已告知", "Notified"),
        },
    )
    assert error.localized("zh") == "名单条目 3 处于“已列入”状态，不能变为“已告知”"
    assert "Listed" in error.message and "Notified" in error.message
    missing = Invalid(key="lc.err.no_entry")  # a placeholder without a value stays written
    assert "{entry_id}" in missing.localized("zh")


def test_a_bilingual_bare_message_shows_one_language() -> None:
    error = XinyongError("数据库正忙 · the database is busy")
    assert error.localized("zh") == "数据库正忙"
    assert error.localized("en") == "the database is busy"
    assert one_language("富锦 · 富锦", "en") == "富锦 · 富锦"  # not a 中文 · English pair
    assert one_language("plain English", "zh") == "plain English"


# Modules whose errors are read by operators at a terminal or in a configuration file's
# check (catalogue and rules files, command lines, the demo builder), not by people on pages.
OPERATOR_FACING = (
    "catalog/",
    "demo/",
    "audit/hashing.py",
    "audit/jobs.py",
    "core/workdays.py",
    "identity/matching/files.py",
    "config.py",
    "cli.py",
)


def test_no_error_shown_to_people_is_a_bare_english_sentence() -> None:
    """An error people read comes from the catalogue (``key=``) or, in older code, is written
    ``中文 · English`` (shown in the reader's half): a new English-only message fails here."""
    bare = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if where.endswith(OPERATOR_FACING) or where.startswith(OPERATOR_FACING):
            continue
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in ERRORS or any(k.arg == "key" for k in node.keywords):
                continue
            first = node.args[0]
            if not isinstance(first, ast.Constant | ast.JoinedStr):
                continue
            text = ast.get_source_segment(source, first) or ""
            if " · " not in text:
                bare.append(f"{where}:{node.lineno}: {text[:80]}")
    assert not bare, "\n".join(bare)
