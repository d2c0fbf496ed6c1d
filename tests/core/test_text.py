"""Text both stores keep: refused in request fields, replaced in kept evidence."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from xinyong.core.text import REPLACEMENT, StorableStr, kept, storable


class Body(BaseModel):
    text: StorableStr


@pytest.mark.parametrize("bad", ["a\x00b", "a\ud800", "\udfff"])
def test_unstorable_text_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="NUL or an invalid"):
        storable(bad)
    with pytest.raises(ValueError):
        Body(text=bad)


def test_storable_text_passes_unchanged() -> None:
    for good in ("", "某某科技有限公司", "emoji 😀", "tab\tline\n", "\ufffd"):
        assert storable(good) == good and Body(text=good).text == good


def test_kept_replaces_only_what_no_store_keeps() -> None:
    value = {"名\x00称": ["a\x00", "b\ud800c", 3, None], "n": 1.5, "ok": "原样"}
    assert kept(value) == {
        f"名{REPLACEMENT}称": [f"a{REPLACEMENT}", f"b{REPLACEMENT}c", 3, None],
        "n": 1.5,
        "ok": "原样",
    }
    same = {"ok": "原样"}
    assert kept(same) == same
