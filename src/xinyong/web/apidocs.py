"""The API's documentation page, served whole by the platform: Swagger UI's script and styles
come from the ``swagger-ui-bundle`` package (pinned in pyproject), the start-up script from
the platform's static files, so the page works on a closed network and no request leaves
the server (the page carries no inline script: it falls under the ordinary page policy)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

from xinyong.core.errors import NotFound

router = APIRouter(include_in_schema=False)
DOCS_PATH = "/api/v1/docs"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
}
PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>xinyong API · 公共信用信息共享平台接口</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/api/v1/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="/api/v1/openapi.json"></div>
<script src="/api/v1/docs/assets/swagger-ui-bundle.js"></script>
<script src="/static/apidocs.js"></script>
</body>
</html>
"""


@lru_cache(maxsize=1)
def bundle_dir() -> Path:
    """The folder of Swagger UI's files inside the installed ``swagger_ui_bundle`` package."""
    vendor = Path(str(resources.files("swagger_ui_bundle") / "vendor"))
    found = sorted(vendor.glob("swagger-ui-*"))
    if not found:
        raise RuntimeError(f"no Swagger UI files under {vendor}")
    return found[-1]


@router.get(DOCS_PATH, response_class=HTMLResponse)
def docs_page() -> Response:
    """Swagger UI for the JSON API, from the platform's own files."""
    return HTMLResponse(PAGE)


@router.get(DOCS_PATH + "/assets/{name}")
def docs_asset(name: str) -> Response:
    """One of Swagger UI's files (only those the page loads)."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise NotFound(key="apidocs.err.no_file", params={"name": name})
    headers = {"cache-control": "public, max-age=86400"}
    return FileResponse(bundle_dir() / name, media_type=media_type, headers=headers)
