"""The API docs page and every page template work on a closed network: no URL of another
host in any template or served page, Swagger UI's files served by the platform itself."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.browserkit import CHROMIUM, chromium, serving
from tests.conftest import LiveCities
from xinyong.app import create_app
from xinyong.web import apidocs

TEMPLATES = Path(apidocs.__file__).parent / "templates"
# a URL with a scheme, or a protocol-relative one in an attribute (src="//host/…")
EXTERNAL = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s\"'<>]*|https?://[^\s\"'<>]+")
PLATFORM_HOSTS = ("testserver", "localhost", "127.0.0.1")
# XML namespace names (xmlns="…" of inline SVG charts) identify a vocabulary; nothing fetches them
NAMESPACES = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink")


def external_urls(text: str) -> list[str]:
    """URLs naming a host that is not the platform's own."""
    found = []
    for match in EXTERNAL.finditer(text):
        url = match.group(0)
        host = re.sub(r"^(?:https?:)?//", "", url).split("/")[0].split(":")[0]
        if host not in PLATFORM_HOSTS and url not in NAMESPACES:
            found.append(url)
    return found


def test_the_scanner_finds_external_urls() -> None:
    page = '<script src="https://cdn.jsdelivr.net/x.js"></script><img src="//fonts.example.com/a">'
    assert external_urls(page) == ["https://cdn.jsdelivr.net/x.js", "//fonts.example.com/a"]
    assert external_urls('<a href="/api/v1/docs">API</a> http://testserver/x') == []
    assert external_urls('<svg xmlns="http://www.w3.org/2000/svg"></svg>') == []


def test_no_template_names_another_host() -> None:
    files = sorted(TEMPLATES.rglob("*.html"))
    assert len(files) > 20
    offending = {str(f.relative_to(TEMPLATES)): external_urls(f.read_text()) for f in files}
    assert {name: urls for name, urls in offending.items() if urls} == {}


@pytest.fixture(scope="module")
def client(live_city: LiveCities) -> Iterator[TestClient]:
    with live_city(departments=True, subjects=20, seed=5, records_per_subject=3) as _:
        yield TestClient(create_app())


def test_the_docs_page_loads_only_the_platforms_files(client: TestClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and external_urls(page.text) == []
    sources = [s for s in re.findall(r'(?:src|href)="([^"]+)"', page.text) if s != "data:,"]
    assert sources and all(s.startswith("/") for s in sources)
    for source in sources:
        answer = client.get(source)
        assert answer.status_code == 200 and len(answer.content) > 100, source
    assert "SwaggerUIBundle" in client.get("/api/v1/docs/assets/swagger-ui-bundle.js").text
    assert client.get("/api/v1/docs/assets/index.html").status_code == 404
    assert client.get("/api/v1/docs/assets/..%2Fswagger-ui.js").status_code == 404
    policy = page.headers["content-security-policy"]
    assert "http" not in policy and "'unsafe-inline'" not in policy.split("script-src")[1][:40]


PAGES = (
    "/",
    "/search?q=公司",
    "/double-publicity/licences",
    "/double-publicity/penalties",
    "/lists",
    "/rules",
    "/measures",
    "/login",
    "/register",
    "/login/reset",
    "/rules/admin_penalty",
    "/rules/admin_licence",
    "/verify",
    "/evaluation-models",
)


@pytest.mark.parametrize("path", PAGES)
def test_no_served_page_names_another_host(client: TestClient, path: str) -> None:
    for lang in ("zh", "en"):
        page = client.get(path, params={"lang": lang})
        assert page.status_code == 200, path
        assert external_urls(page.text) == [], (path, lang)


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Chromium at /usr/bin/chromium")
def test_swagger_ui_renders_in_chromium_without_leaving_the_server(
    configured_db: str, tmp_path: Path
) -> None:
    requested: list[str] = []
    refused: list[str] = []
    with serving() as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.on("request", lambda request: requested.append(request.url))
        page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
        page.goto(url + "/api/v1/docs")
        page.locator(".swagger-ui .info .title").wait_for(timeout=15_000)
        assert "公共信用信息共享平台接口" in page.locator(".swagger-ui .info .title").inner_text()
        assert page.locator(".opblock-tag").count() > 5
        page.screenshot(path=str(tmp_path / "docs.png"))
    assert requested and all(r.startswith(url + "/") for r in requested), requested
    assert refused == []


def test_no_page_reached_from_the_home_page_names_another_host(client: TestClient) -> None:
    """A crawl of same-site links from the home page (pages, not downloads), 80 pages."""
    seen: set[str] = set()
    queue = ["/"]
    while queue and len(seen) < 80:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        page = client.get(path)
        if "text/html" not in page.headers.get("content-type", ""):
            continue
        assert external_urls(page.text) == [], path
        for link in re.findall(r'href="(/[^"#]*)"', page.text):
            link = link.replace("&amp;", "&")
            if not re.search(r"/export|\.xlsx|\.pdf|\.csv|/static/|/logout", link):
                queue.append(link)
    assert len(seen) >= 30
