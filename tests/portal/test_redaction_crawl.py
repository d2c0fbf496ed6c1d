"""Issue 16: a crawl of every public answer of a synthetic city whose free text is seeded
with personal data (ID numbers of 18 and 15 digits, with and without separators, mobiles
with +86 and dashes, bank card numbers, persons' names): none may come out in full."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import LiveCities
from tests.portal.test_visibility import UNLIMITED, _client
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import DisclosureAttribute
from xinyong.core.db import session_scope
from xinyong.identity.redact import luhn_valid
from xinyong.lists import service as lists_service
from xinyong.lists.models import ListEntry
from xinyong.lists.states import EntrySource, EntryState
from xinyong.portal import list_seam
from xinyong.records.models import Record
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject

_SEPARATORS = re.compile(r"[ \-\u3000]")


@dataclass(frozen=True)
class Planted:
    """One natural person's data as it is written into free text."""

    name: str
    id18: str
    mobile: str
    card: str

    @property
    def id15(self) -> str:
        return self.id18[:6] + self.id18[8:17]  # the old 15-digit form

    def numbers(self) -> set[str]:
        return {self.id18, self.id15, self.mobile, self.card}

    def sentences(self) -> list[str]:
        n, m, c = self.id18, self.mobile, self.card
        return [
            f"当事人{self.name}(身份证号{n})",
            f"经查{self.name}，公民身份号码{n[:6]} {n[6:14]} {n[14:]}",
            f"身份证{n[:4]} {n[4:8]} {n[8:12]} {n[12:16]} {n[16:]}，原证号{self.id15}",
            f"联系人{self.name}，电话+86 {m[:3]}-{m[3:7]}-{m[7:]}",
            f"手机{m}，+86{m}",
            f"收款卡号{c[:4]} {c[4:8]} {c[8:12]} {c[12:16]} {c[16:]}，户名{self.name}",
            f"银行卡{c}",
        ]


def _luhn_card(seed: str) -> str:
    body = "6222" + str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[:14]
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


def _planted(people: list[Subject]) -> list[Planted]:
    out = []
    for person in people:
        number = subjects_service.reveal_id_number(person) or ""
        digest = str(int(hashlib.sha256(number.encode()).hexdigest(), 16))
        out.append(Planted(person.name, number, "139" + digest[:8], _luhn_card(number)))
    return out


@dataclass
class Seeded:
    planted: list[Planted]
    names: set[str] = field(default_factory=set)  # every natural person's full name
    items: set[str] = field(default_factory=set)  # public items whose free text was seeded
    records: int = 0
    entries: int = 0
    uscc: list[str] = field(default_factory=list)  # organisations with seeded records


def _public_free_text(item_code: str) -> list[str]:
    item = catalog_service.get_catalog().item(item_code)
    if item.disclosure_attribute is not DisclosureAttribute.public:
        return []
    public = {s.name for s in item.visible_fields(DisclosureAttribute.public)}
    return [n for n in item.free_text_fields if n in public]


def _seed_records(session: Any, seeded: Seeded) -> None:
    serial = 0
    organisations: set[int] = set()
    for record in session.scalars(select(Record).where(Record.is_current.is_(True))):
        fields = _public_free_text(record.item_code)
        if not fields:
            continue
        payload = dict(record.payload)
        for name in fields:
            who = seeded.planted[serial % len(seeded.planted)]
            sentences = who.sentences()
            picked = [sentences[(serial + k) % len(sentences)] for k in range(3)]
            representative = payload.get("legal_representative")
            if isinstance(representative, str) and representative:
                picked.append(f"法定代表人{representative}到场")
            payload[name] = f"{payload.get(name) or ''}；{'；'.join(picked)}"
            serial += 1
        record.payload = payload
        seeded.items.add(record.item_code)
        seeded.records += 1
        organisations.add(record.subject_id)
    rows = session.execute(
        select(Subject.uscc).where(Subject.id.in_(organisations), Subject.uscc.is_not(None))
    )
    seeded.uscc = sorted(code for (code,) in rows)[:120]


def _seed_list_reasons(session: Any, seeded: Seeded) -> None:
    """Some listed entries as entries decided on the platform, whose reasons and legal
    basis (written by an officer) are shown."""
    taken: set[tuple[str, int]] = set()
    stmt = (
        select(ListEntry).where(ListEntry.state == EntryState.listed.value).order_by(ListEntry.id)
    )
    for entry in session.scalars(stmt):
        if (entry.list_code, entry.subject_id) in taken or len(taken) >= 40:
            continue
        taken.add((entry.list_code, entry.subject_id))
        who = seeded.planted[len(taken) % len(seeded.planted)]
        entry.source = EntrySource.platform.value
        entry.reasons = "；".join(who.sentences())
        entry.legal_basis = f"{entry.legal_basis}；{who.sentences()[1]}"
        seeded.entries += 1


@pytest.fixture(scope="module")
def city(live_city: LiveCities) -> Iterator[tuple[TestClient, Seeded]]:
    with live_city(
        subjects=300, seed=11, records_per_subject=6.0, anchor=date.today(),
        departments=True, search_index=True, extras=_seed_city, env=UNLIMITED,
    ) as built:  # fmt: skip
        yield _client(), built.facts


def _seed_city() -> Seeded:
    """Personal data planted in every public item's free text and in list reasons."""
    with session_scope() as session:
        lists_service.import_from_records(session, today=date.today())
        people = session.scalars(
            select(Subject).where(Subject.kind == "natural_person").order_by(Subject.id)
        ).all()
        seeded = Seeded(_planted([p for p in people if len(p.name) >= 3][:40]))
        seeded.names = {p.name for p in people}
        for record in session.scalars(select(Record)):
            representative = record.payload.get("legal_representative")
            if isinstance(representative, str) and len(representative) >= 2:
                seeded.names.add(representative)
        _seed_records(session, seeded)
        _seed_list_reasons(session, seeded)
        return seeded


# --- the crawl ------------------------------------------------------------------------------


def _pages(client: TestClient, path: str) -> Iterator[str]:
    """Every page of a cursor listing of the open API."""
    cursor = None
    for _ in range(60):
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, params=params)
        assert response.status_code == 200, (path, response.text[:200])
        yield response.text
        body = response.json()
        cursor = body.get("next_cursor") or (body.get("entries") or {}).get("next_cursor")
        if not cursor:
            return


def _html(client: TestClient, path: str, **params: Any) -> str:
    response = client.get(path, params=params)
    assert response.status_code == 200, (path, response.status_code)
    return response.text


def _answers(client: TestClient, seeded: Seeded) -> Iterator[tuple[str, str]]:
    for kind in ("licence", "penalty"):
        for body in _pages(client, f"/api/v1/double-publicity/{kind}"):
            yield f"api double-publicity/{kind}", body
    for page in range(1, 6):
        for kind in ("licences", "penalties"):
            yield (
                f"page double-publicity/{kind}",
                _html(client, f"/double-publicity/{kind}", page=page),
            )
    yield "page /", _html(client, "/")
    yield "page /lists", _html(client, "/lists")
    for spec in list_seam.public_specs():
        for body in _pages(client, f"/api/v1/lists/{spec.code}"):
            yield f"api lists/{spec.code}", body
        yield f"page lists/{spec.code}", _html(client, f"/lists/{spec.code}")
    for code in seeded.uscc:
        yield "api subjects/{code}", client.get(f"/api/v1/subjects/{code}").text
        for body in _pages(client, f"/api/v1/subjects/{code}/public-records"):
            yield "api subjects/{code}/public-records", body
        yield "api subjects/{code}/records", client.get(f"/api/v1/subjects/{code}/records").text
        yield "page subjects/{code}", _html(client, f"/subjects/{code}")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for entry in value.values():
            yield from _strings(entry)
    elif isinstance(value, list):
        for entry in value:
            yield from _strings(entry)


def _leaks(body: str, seeded: Seeded) -> list[str]:
    """Full personal numbers (in any spelling) and full persons' names in an answer."""
    digits = _SEPARATORS.sub("", body)
    found = sorted({n for p in seeded.planted for n in p.numbers() if n in digits})
    texts = list(_strings(json.loads(body))) if body.lstrip().startswith(("{", "[")) else [body]
    found += sorted(set(texts) & seeded.names)  # a whole value that is a full name
    long_names = {n for n in seeded.names if len(n) >= 3}
    found += sorted({n for n in long_names for t in texts if n in t})
    return found


def test_no_public_answer_holds_seeded_personal_data(city: tuple[TestClient, Seeded]) -> None:
    client, seeded = city
    public_items = {
        code
        for code, item in catalog_service.get_catalog().items.items()
        if _public_free_text(code)
    }
    assert seeded.items == public_items  # every public item with free text was seeded
    assert seeded.records > 300 and seeded.entries > 0 and len(seeded.uscc) > 50
    calls, shown = 0, 0
    for route, body in _answers(client, seeded):
        calls += 1
        leaks = _leaks(body, seeded)
        assert not leaks, f"{route} shows {leaks[:3]}"
        shown += body.count("********")  # masked ID numbers: the seeded text is published
    assert calls > 300 and shown > 100


def test_the_crawl_would_catch_a_leak(city: tuple[TestClient, Seeded]) -> None:
    _, seeded = city
    who = seeded.planted[0]
    for sentence in who.sentences():
        assert _leaks(json.dumps({"x": sentence}, ensure_ascii=False), seeded), sentence
    assert _leaks(f"<td>{who.sentences()[2]}</td>", seeded)
