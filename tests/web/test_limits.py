"""Body caps: the modules that take files declare their paths; every other path the default."""

from __future__ import annotations

from xinyong.checks import batch_api
from xinyong.core.config import get_settings
from xinyong.ingest import api as ingest_api
from xinyong.rights import evidence
from xinyong.web.limits import body_cap

CAPS = (ingest_api.BODY_CAP, batch_api.BODY_CAP, evidence.BODY_CAP)


def test_each_module_declares_the_cap_of_its_file_paths() -> None:
    settings = get_settings()
    for path in ("/api/v1/submissions/file", "/console/ingest"):
        assert body_cap(path, CAPS) == settings.ingest_max_bytes
    for path in ("/api/v1/checks/batch", "/console/checks/batch"):
        assert body_cap(path, CAPS) == settings.check_batch_max_bytes + 1024 * 1024
    for path in ("/api/v1/objections", "/portal/me/cases/12/material", "/console/rights/counter"):
        assert body_cap(path, CAPS) == evidence.request_allowance()
    assert evidence.request_allowance() > settings.max_request_bytes


def test_other_paths_and_near_misses_get_the_default() -> None:
    default = get_settings().max_request_bytes
    for path in ("/api/v1/stats", "/console/ingest/review", "/api/v1/cases/x/material", "/"):
        assert body_cap(path, CAPS) == default
    assert body_cap("/console/ingest") == default  # no module declared it
