"""Issue 19: every message people read on a Chinese page is Chinese. A crawl of a small live
city (the public portal, a subject's own pages, the console as an admin, error pages and
refused forms) fails on a run of English words outside code elements, or on a text key
shown as itself."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import LiveCities
from xinyong.app import create_app
from xinyong.auth import service as auth_service
from xinyong.auth.schemas import AccountCreate
from xinyong.commitments import demo as commitments_demo
from xinyong.core import i18n
from xinyong.core.db import session_scope
from xinyong.points import demo as points_demo
from xinyong.subjects import service as subjects_service

PASSWORD = "Correct-Horse-42"
# Three or more English words in a row: a sentence left untranslated.
ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z]+(?:[ ,;:'’/-]+[A-Za-z]?[a-z]+){2,}\b")
KEY_LIKE = re.compile(r"(?<![\w./-])([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)(?![\w/-])")
# Elements whose text is code or data, not a message (the API's field names, identifiers).
SKIPPED = {"script", "style", "code", "pre", "kbd", "samp", "textarea", "svg", "template"}
# Written as they are on Chinese pages too: the language switch, names of standards.
ALLOWED = ("English", "Swagger UI", "OpenAPI", "GB/T", "Excel", "JSON")
FILE_ENDINGS = (".pdf", ".csv", ".xlsx", ".json", ".yaml", ".png", ".svg", ".txt", ".html")


class _Text(HTMLParser):
    """The visible text of a page, outside code elements (and elements marked lang=en)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        if tag in ("br", "img", "input", "meta", "link", "hr", "source", "wbr"):
            return
        classes = (values.get("class") or "").split()
        hidden = (
            tag in SKIPPED
            or "code" in classes
            or (values.get("lang") == "en" and tag != "html")
            or values.get("translate") == "no"
        )
        self.stack.append(hidden or bool(self.stack and self.stack[-1]))
        for name in ("title", "aria-label", "placeholder", "alt"):
            if values.get(name) and not self.stack[-1]:
                self.parts.append(str(values[name]))

    def handle_endtag(self, tag: str) -> None:
        if self.stack and tag not in ("br", "img", "input", "meta", "link", "hr"):
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def _prefixes() -> set[str]:
    return {key.split(".")[0] for key in i18n._module_texts()}


def untranslated(html: str) -> list[str]:
    """The English runs and raw text keys a reader of this Chinese page would see."""
    parser = _Text()
    parser.feed(html)
    found = []
    prefixes = _prefixes()
    for part in parser.parts:
        text = part
        for allowed in ALLOWED:
            text = text.replace(allowed, " ")
        found += [m.group(0) for m in ENGLISH_RUN.finditer(text)]
        for match in KEY_LIKE.finditer(text):
            key = match.group(1)
            if key.split(".")[0] in prefixes and not key.endswith(FILE_ENDINGS):
                found.append(key)
    return found


def test_the_detector_finds_english_and_keys_but_not_code() -> None:
    page = (
        "<html><body><h1>出错了</h1><p>record_id: choose the record on the records page</p>"
        "<p>rp.error.ground</p><code>wrong_information, missing one two</code>"
        "<p>文件 决定书.pdf</p><a href='/?lang=en'>English</a>"
        '<span class="code">91350100 M000100Y43 code text here</span></body></html>'
    )
    assert untranslated(page) == ["choose the record on the records page", "rp.error.ground"]
    assert untranslated("<p>公共信用信息共享平台 · GB/T 4754 门类 M</p>") == []


@dataclass
class City:
    uscc: str
    village_id: int
    clients: dict[str, TestClient] = field(default_factory=dict)


def _open_account(session: Session, uscc: str, username: str) -> None:
    code = auth_service.issue_counter_code(session, subject_code=uscc, issued_by=None)
    auth_service.open_subject_account(
        session, code=code, username=username, password=PASSWORD, display_name=username
    )


def _seed() -> City:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        company = factories.enterprise(session)
        factories.penalty(session, company)
        _open_account(session, company.uscc or "", "owner")
        dept = factories.department(session, "development_reform")
        auth_service.create_account(
            session,
            data=AccountCreate(
                username="admin",
                display_name="管理员",
                password=PASSWORD,
                kind="staff",
                role="admin",
                department_id=dept.id,
            ),
        )
        town = points_demo.seed_demo(session, today=date.today(), households=2)
        assert town is not None
        commitments_demo.seed_demo(session, today=date.today(), count=3)
        return City(company.uscc or "", town.village_ids[0])


def _login(name: str) -> TestClient:
    client = TestClient(create_app())
    if name == "anonymous":
        return client
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found
    answer = client.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf_token": found.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:300]
    return client


@pytest.fixture(scope="module")
def city(live_city: LiveCities) -> Iterator[City]:
    env = {"rate_anonymous_per_minute": "1000000"}
    with live_city(subjects=25, departments=True, extras=_seed, env=env) as built:
        city = built.facts
        city.clients = {name: _login(name) for name in ("anonymous", "owner", "admin")}
        yield city


def _shape(path: str) -> str:
    """Pages of one kind (``/subjects/<code>``) are crawled a few times, not each."""
    parts = urlsplit(path).path.split("/")
    return "/".join("#" if re.search(r"[0-9A-Z]", p) else p for p in parts)


def _page_routes(prefix: str) -> list[str]:
    """Every page (GET, no path parameter) the app serves under ``prefix``."""
    from fastapi.routing import APIRoute

    def walk(routes: list) -> Iterator[APIRoute]:
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                yield from walk(included.routes)
            elif isinstance(route, APIRoute):
                yield route

    return sorted(
        {
            r.path
            for r in walk(create_app().routes)
            if "GET" in r.methods
            and "{" not in r.path
            and r.path.startswith(prefix)
            and not r.path.startswith("/api/")
            and not r.path.endswith(FILE_ENDINGS)
        }
    )


def _crawl(
    client: TestClient, seeds: list[str], *, limit: int, per_shape: int = 2, under: str = "/"
) -> dict[str, list[str]]:
    """Breadth-first over the site's own links from ``seeds``; what each page shows wrongly."""
    queue, seen, shapes = deque(seeds), set(), {}
    found: dict[str, list[str]] = {}
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        shape = _shape(url)
        if shapes.get(shape, 0) >= per_shape and url not in seeds:
            continue
        seen.add(url)
        shapes[shape] = shapes.get(shape, 0) + 1
        answer = client.get(url)
        if "text/html" not in answer.headers.get("content-type", ""):
            continue
        problems = untranslated(answer.text)
        if problems:
            found[url] = problems
        parser = _Text()
        parser.feed(answer.text)
        for href in parser.links:
            target = urldefrag(urljoin(url, href))[0]
            parts = urlsplit(target)
            if parts.netloc and parts.netloc != "testserver":
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            skip = ("/static", "/api/", "/logout")
            if not path.startswith(under):
                continue
            if path.startswith(skip) or "lang=en" in path or path.endswith(FILE_ENDINGS):
                continue
            if "export" in path or "download" in path or path.endswith(".pdf"):
                continue
            queue.append(path)
    assert len(seen) > min(10, limit // 2), seen  # the crawl reached pages
    return found


# Pages that refuse: the catalogue's sentences, not the framework's or a service's English.
ERROR_PAGES = [
    "/no/such/page",
    "/search?q=%E5%AF%8C&page=100000",
    "/double-publicity?kind=penalty&date_from=2024-05-01&date_to=2024-01-01",
    "/double-publicity?kind=penalty&date_from=not-a-date",
    "/lists/no_such_list",
    "/rules/no_such_item",
]


def test_error_pages_are_chinese(city: City) -> None:
    client = city.clients["anonymous"]
    found = {}
    for url in [*ERROR_PAGES, f"/subjects/{city.uscc}?tab=foo"]:
        answer = client.get(url)
        assert answer.status_code >= 400, url
        if untranslated(answer.text):
            found[url] = untranslated(answer.text)
    wrong_method = client.post("/rules", data={})
    assert wrong_method.status_code in (403, 405)
    assert not found, found


def test_public_pages_are_chinese(city: City) -> None:
    seeds = ["/search?q=%E5%85%AC%E5%8F%B8", f"/subjects/{city.uscc}"]
    seeds += [p for p in _page_routes("/") if not p.startswith(("/console", "/portal"))]
    found = _crawl(city.clients["anonymous"], seeds, limit=90)
    assert not found, found


def test_a_subjects_own_pages_are_chinese(city: City) -> None:
    seeds = _page_routes("/portal") + _page_routes("/rights")
    found = _crawl(city.clients["owner"], seeds, limit=40, under="/portal")
    assert not found, found


def test_console_pages_are_chinese(city: City) -> None:
    found = _crawl(city.clients["admin"], _page_routes("/console"), limit=120, under="/console")
    assert not found, found


def _token(client: TestClient, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text)
    assert found, url
    return found.group(1)


def test_refused_forms_answer_in_chinese(city: City) -> None:
    """A subject's objection with a made-up ground, one without a record, a staff login
    with a wrong password: each refusal reads as a Chinese sentence naming the field."""
    owner = city.clients["owner"]
    records = owner.get("/portal/me/records").text
    record_id = re.search(r"objection\?record_id=(\d+)", records)
    assert record_id, "the subject's records page links its records"
    form = f"/portal/rights/objection?record_id={record_id.group(1)}"
    sent = {
        "csrf_token": _token(owner, form),
        "record_id": record_id.group(1),
        "ground": "made_up",
        "statement": "理由",
    }
    refused = owner.post("/portal/rights/objection", data=sent)
    assert refused.status_code == 422
    assert "异议理由" in refused.text and "信息有误" in refused.text  # the options' labels
    assert not untranslated(refused.text), untranslated(refused.text)
    no_record = owner.post(
        "/portal/rights/objection", data={**sent, "record_id": "", "ground": "wrong_information"}
    )
    assert no_record.status_code == 422 and not untranslated(no_record.text)
    too_deep = city.clients["anonymous"].get("/search?q=%E5%85%AC%E5%8F%B8&page=100000")
    assert too_deep.status_code == 422 and "页码" in too_deep.text
    fresh = TestClient(create_app())
    wrong = fresh.post(
        "/login",
        data={"username": "admin", "password": "wrong", "csrf_token": _token(fresh, "/login")},
    )
    assert "用户名或密码错误" in wrong.text and not untranslated(wrong.text)
    assert "wrong username" not in wrong.text


def test_the_detector_sees_english_pages(city: City) -> None:
    """The same pages in English are full of English runs: the check is alive."""
    english = TestClient(create_app())
    assert untranslated(english.get("/rules?lang=en").text)
    assert untranslated(english.get("/no/such/page?lang=en").text)


# The main pages of the modules built beside the messages (信用承诺, 信易+, 信易贷, 积分, 开户):
# each answers its caller and reads in Chinese, and so do the pages they link to.
NEW_PUBLIC_PAGES = ["/commitments", "/incentives", "/financing/products", "/register"]
NEW_CONSOLE_PAGES = [
    "/console/",
    "/console/commitments",
    "/console/commitments/counter",
    "/console/incentives",
    "/console/financing",
    "/console/financing/figures",
    "/console/points",
    "/console/points/dashboard",
]


def test_the_new_modules_main_pages_are_chinese(city: City) -> None:
    board = f"/points/villages/{city.village_id}/board"
    visits = {"anonymous": [*NEW_PUBLIC_PAGES, board], "admin": NEW_CONSOLE_PAGES}
    found = {}
    for caller, urls in visits.items():
        for url in urls:
            answer = city.clients[caller].get(url)
            assert answer.status_code == 200, (caller, url, answer.status_code, answer.text[:300])
            assert 'lang="zh' in answer.text, url
            if untranslated(answer.text):
                found[url] = untranslated(answer.text)
    assert not found, found
    anonymous = city.clients["anonymous"]
    found = _crawl(anonymous, [*NEW_PUBLIC_PAGES, board], limit=30, per_shape=1)
    found |= _crawl(city.clients["admin"], NEW_CONSOLE_PAGES, limit=40, under="/console")
    assert not found, found
