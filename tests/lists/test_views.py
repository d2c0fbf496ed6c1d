"""Console pages of the lists: the queue and its figures, the proposal form, the entry page
and its step forms (CSRF, version, errors under the field, nothing written when refused)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response

from tests.lists import web
from tests.lists.helpers import BASIS, REASONS
from tests.lists.web import TODAY, City, company, csrf_of, notified_long_ago
from xinyong.app import create_app
from xinyong.core.db import session_scope
from xinyong.lists import queue
from xinyong.lists.models import ListEntry
from xinyong.records.models import Record

city = web.city  # one database per module


def _version(page: str, step: str) -> str:
    form = re.search(rf'action="/console/lists/\d+/{step}"(.*?)</form>', page, re.S)
    assert form, f"no {step} form"
    found = re.search(r'name="version" value="(\d+)"', form.group(1))
    assert found
    return found.group(1)


def _post(client: TestClient, path: str, data: dict[str, Any]) -> Response:
    token = csrf_of(client.get("/login").text)  # the session's token
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def _entry(entry_id: int) -> ListEntry:
    with session_scope() as session:
        entry = session.get(ListEntry, entry_id)
        assert entry is not None
        session.expunge(entry)
        return entry


def _error(page: str, field: str) -> str:
    found = re.search(rf'<p class="error field-error" id="{field}-error">(.*?)</p>', page, re.S)
    return found.group(1) if found else ""


def test_the_queue_shows_figures_per_list_and_state_and_filters(city: City) -> None:
    officer = city.clients["officer"]
    notified = notified_long_ago(city, company())
    page = officer.get("/console/lists")
    assert page.status_code == 200 and "红黑名单管理" in page.text
    with session_scope() as session:
        figures = queue.figures(session, department_id=city.market_id)
    shown = dict(re.findall(r'data-figure="([a-z_]+\.[a-z]+)">(?:<a [^>]*>)?(\d+)', page.text))
    assert shown["serious_dishonesty_list.notified"] == str(
        figures["serious_dishonesty_list"]["notified"]
    )
    assert shown["red_list.listed"] == str(figures.get("red_list", {}).get("listed", 0))
    assert f'href="/console/lists/{notified}"' in page.text
    assert 'id="department"' not in page.text  # a department sees its own entries only
    listed_only = officer.get("/console/lists", params={"state": "listed"}).text
    assert f'href="/console/lists/{notified}"' not in listed_only
    english = officer.get("/console/lists", params={"lang": "en"}).text
    assert "Entries by list and state" in english and "Notified" in english
    assert "名单记录" in officer.get("/console/lists", params={"lang": "zh"}).text  # and back
    assert officer.get("/console/lists", params={"state": "bogus"}).status_code == 422
    oversight = city.clients["auditor"].get("/console/lists").text
    assert 'id="department"' in oversight and f'href="/console/lists/{notified}"' in oversight
    assert (
        city.clients["stranger"].get("/console/lists").text.count(f"/console/lists/{notified}") == 0
    )


def test_the_proposal_form_offers_the_department_s_lists_and_the_subject_s_records(
    city: City,
) -> None:
    firm = company()
    form = city.clients["officer"].get("/console/lists/new", params={"subject_code": firm.uscc})
    assert form.status_code == 200
    assert '<option value="serious_dishonesty_list"' in form.text
    assert '<option value="abnormal_operation"' in form.text
    assert '<option value="dishonest_judgment_debtor"' not in form.text  # courts' records only
    assert f'name="basis_record_ids" value="{firm.penalty}"' in form.text and firm.name in form.text
    tax = city.clients["taxman"].get("/console/lists/new").text
    assert '<option value="abnormal_operation"' not in tax  # only market regulation decides it
    unknown = city.clients["officer"].get("/console/lists/new", params={"subject_code": "X1"})
    assert _error(unknown.text, "subject_code")
    assert city.clients["auditor"].get("/console/lists/new").status_code == 403


def test_a_refused_proposal_shows_each_error_under_its_field_and_writes_nothing(
    city: City,
) -> None:
    officer = city.clients["officer"]
    empty = _post(officer, "/console/lists/new", {})
    assert empty.status_code == 422
    text = empty.text
    for field in ("list_code", "subject_code", "basis_record_ids", "legal_basis", "reasons"):
        assert _error(text, field), field
    firm, other = company(), company()
    data = {
        "list_code": "serious_dishonesty_list",
        "subject_code": firm.uscc,
        "basis_record_ids": [str(other.penalty)],
        "legal_basis": BASIS,
        "reasons": "当事人拒不履行",
    }
    foreign = _post(officer, "/console/lists/new", data)
    assert foreign.status_code == 422
    assert "不是该主体的记录" in _error(foreign.text, "basis_record_ids")
    assert "当事人拒不履行" in foreign.text  # kept for the officer
    typed = _post(officer, "/console/lists/new", {**data, "basis_record_ids": ["12, x"]})
    assert _error(typed.text, "basis_record_ids")
    with session_scope() as session:
        assert session.query(ListEntry).filter_by(subject_id=firm.id).count() == 0


def test_propose_notify_and_withdraw_through_the_pages(city: City) -> None:
    officer, firm = city.clients["officer"], company()
    data = {
        "list_code": "serious_dishonesty_list",
        "subject_code": firm.uscc,
        "basis_record_ids": [str(firm.penalty)],
        "legal_basis": BASIS,
        "reasons": REASONS,
    }
    made = _post(officer, "/console/lists/new", data)
    assert made.status_code == 303
    path = made.headers["location"]
    page = officer.get(path).text
    for shown in (firm.name, firm.uscc, BASIS, REASONS, "拟列入", "告知当事人"):
        assert shown in page, shown
    assert _version(page, "notify") == "1" and 'name="csrf_token"' in page
    assert _post(officer, f"{path}/notify", {"version": "1"}).status_code == 303
    page = officer.get(path).text
    assert 'data-field="objection_until"' in page and _version(page, "list") == "2"
    early = _post(officer, f"{path}/list", {"version": "2"})
    assert early.status_code == 422 and "异议期至" in early.text
    stale = _post(officer, f"{path}/notify", {"version": "1"})
    assert stale.status_code == 409 and "请刷新后重试" in stale.text
    no_reason = _post(officer, f"{path}/remove", {"version": "2", "note": "当事人已履行"})
    assert no_reason.status_code == 422 and _error(no_reason.text, "reason")
    assert "当事人已履行" in no_reason.text
    entry_id = int(path.rsplit("/", 1)[1])
    assert _entry(entry_id).state == "notified" and _entry(entry_id).version == 2
    body = {"version": "2", "reason": "obligation_fulfilled", "note": "当事人已履行"}
    assert _post(officer, f"{path}/remove", body).status_code == 303
    page = officer.get(path).text
    assert 'data-state="withdrawn"' in page and "已办结" in page
    assert [a for a in ("拟列入", "告知", "撤回") if f">{a}</td>" in page] == [
        "拟列入",
        "告知",
        "撤回",
    ]


def test_listing_an_entry_whose_window_has_passed(city: City) -> None:
    entry_id = notified_long_ago(city, company())
    path = f"/console/lists/{entry_id}"
    admin = city.clients["admin"]  # admins act for any department
    assert _post(admin, f"{path}/list", {"version": "2"}).status_code == 303
    entry = _entry(entry_id)
    assert (entry.state, entry.listed_on) == ("listed", TODAY)
    page = admin.get(path, params={"lang": "en"}).text
    assert "Remove from the list" in page and "Listed" in page
    assert "移出名单" in admin.get(path, params={"lang": "zh"}).text


def test_only_the_deciding_department_acts_and_only_staff_use_the_console(city: City) -> None:
    entry_id = notified_long_ago(city, company())
    path = f"/console/lists/{entry_id}"
    assert city.clients["stranger"].get(path).status_code == 403
    auditor = city.clients["auditor"]
    page = auditor.get(path)
    assert page.status_code == 200 and "只能查看" in page.text and '/list"' not in page.text
    assert _post(auditor, f"{path}/list", {"version": "2"}).status_code == 403
    assert _post(city.clients["stranger"], f"{path}/list", {"version": "2"}).status_code == 403
    no_token = city.clients["officer"].post(
        f"{path}/list", data={"version": "2"}, headers={"X-CSRF-Token": "forged"}
    )
    assert no_token.status_code == 403 and _entry(entry_id).state == "notified"
    assert city.clients["officer"].get("/console/lists/abc").status_code == 404
    keyed = TestClient(create_app())
    answer = keyed.get("/console/lists", headers={"Authorization": f"Bearer {city.key}"})
    assert answer.status_code == 403


def test_the_form_offers_only_records_the_officer_may_see(city: City) -> None:
    firm = company()
    with session_scope() as session:  # its publication period is over
        record = session.get(Record, firm.penalty)
        assert record is not None
        record.disclosure_end = TODAY - timedelta(days=1)
    box = f'name="basis_record_ids" value="{firm.penalty}"'
    params = {"subject_code": firm.uscc}
    assert box in city.clients["officer"].get("/console/lists/new", params=params).text  # its own
    assert box not in city.clients["admin"].get("/console/lists/new", params=params).text
