"""The console menu is data: a module adds a page with one line; a person sees the pages
their role's policy actions allow (oversight pages only admins and auditors)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from xinyong.auth.principal import Principal
from xinyong.web import console as kit

OFFICER = Principal(kind="staff", role="department_user", account_id=3, department_id=2)
REPORTER = Principal(kind="staff", role="reporter", account_id=2, department_id=2)
AUDITOR = Principal(kind="staff", role="auditor", account_id=4, department_id=1)
SUBJECT = Principal(kind="subject", role="subject", account_id=6, subject_id=1)


@pytest.fixture
def menu() -> Iterator[None]:
    saved = list(kit.CONSOLE_NAV)
    yield
    kit.CONSOLE_NAV[:] = saved


def _hrefs(principal: Principal) -> list[str]:
    return [e.href for e in kit.nav_entries(principal, lambda _: True)]


def test_a_module_adds_its_page_with_one_line(menu: None) -> None:
    kit.add_nav("lists.read", "/console/commitments", "console.title", group="lists")
    assert "/console/commitments" in _hrefs(OFFICER)
    assert "/console/commitments" not in _hrefs(REPORTER)  # reporters do not read lists
    kit.add_nav("lists.read", "/console/commitments", "console.title", group="checks")
    assert [e.group for e in kit.CONSOLE_NAV if e.href == "/console/commitments"] == ["checks"]
    with pytest.raises(ValueError, match="unknown console menu group"):
        kit.add_nav(None, "/console/x", "console.title", group="misc")


def test_the_menu_follows_the_role_and_the_served_pages() -> None:
    assert "/console/ingest" in _hrefs(REPORTER) and "/console/audit" not in _hrefs(REPORTER)
    assert "/console/audit" in _hrefs(AUDITOR) and "/console/ingest" not in _hrefs(AUDITOR)
    assert "/console/rights/stats" in _hrefs(AUDITOR)
    assert "/console/rights/stats" not in _hrefs(OFFICER)  # oversight only
    assert _hrefs(SUBJECT) == []
    served = kit.nav_entries(OFFICER, lambda href: href == "/console/")
    assert [e.href for e in served] == ["/console/"]


def test_breadcrumbs_follow_the_longest_menu_row() -> None:
    entries = kit.nav_entries(OFFICER, lambda _: True)

    def href(path: str) -> str | None:
        found = kit.current_entry(path, entries)
        return found.href if found else None

    assert href("/console/lists/12") == "/console/lists"
    assert href("/console/checks/feedback") == "/console/checks/feedback"
    assert href("/console/listsx") is None
