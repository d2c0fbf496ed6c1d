"""Console pages of credit checks (信用核查): the desk's form, the result with its lists,
measures and legal basis, feedback through the form, the feedback queue and the figures."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import LiveCities
from tests.lists.helpers import BASIS, listed_serious
from tests.webkit import PASSWORD, csrf_of, login
from xinyong.audit.models import AuditEntry
from xinyong.auth import service as auth_service
from xinyong.auth.principal import Principal
from xinyong.auth.schemas import AccountCreate
from xinyong.checks import console
from xinyong.checks import service as checks
from xinyong.checks.models import CheckHit, CreditCheck
from xinyong.checks.resolve import SearchNames, SubjectQuery, resolve_all
from xinyong.core.db import session_scope
from xinyong.core.workdays import workdays_between
from xinyong.subjects import search
from xinyong.subjects import service as subjects_service

TODAY = date.today()
PURPOSE = "政府采购项目 SZCG-2026-118 供应商资格审查"
MATTER = "government_procurement"


@dataclass(frozen=True)
class City:
    listed_uscc: str  # on the serious-dishonesty list
    clean_uscc: str
    finance_id: int


def _account(session: Session, username: str, department_id: int, role: str) -> None:
    data = AccountCreate(
        username=username, display_name=username, password=PASSWORD, kind="staff",
        role=role, department_id=department_id,
    )  # fmt: skip
    auth_service.create_account(session, data=data)


def _build_city() -> City:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        finance = factories.department(session, "finance")
        ecology = factories.department(session, "ecology_environment")
        _account(session, "buyer", finance.id, "department_user")
        _account(session, "stranger", ecology.id, "department_user")
        _account(session, "auditor", ecology.id, "auditor")
        listed, _, _ = listed_serious(
            session, notified_on=TODAY - timedelta(days=20), listed_on=TODAY - timedelta(days=5)
        )
        clean = factories.enterprise(session)
        facts = City(listed.uscc or "", clean.uscc or "", finance.id)
    return facts


@pytest.fixture
def city(live_city: LiveCities) -> Iterator[City]:
    with live_city(extras=_build_city) as built:
        yield built.facts


def _run(client: TestClient, subjects: str, **fields: str) -> Any:
    desk = client.get("/console/checks")
    assert desk.status_code == 200
    data = {"csrf_token": csrf_of(desk.text), "matter": MATTER, "purpose": PURPOSE}
    return client.post(
        "/console/checks",
        data={**data, "subjects": subjects, **fields},
        follow_redirects=False,
    )


def _check(client: TestClient, subjects: str) -> tuple[int, str]:
    """Run a check from the form; its id and its result page."""
    answer = _run(client, subjects)
    assert answer.status_code == 303
    location = answer.headers["location"]
    found = re.fullmatch(r"/console/checks/(\d+)", location)
    assert found, location
    page = client.get(location)
    assert page.status_code == 200
    return int(found.group(1)), page.text


def _article(page: str, measure: str) -> str:
    """The block of the page that shows the hit of ``measure``."""
    start = page.rindex("<article", 0, page.index(f'data-measure="{measure}"'))
    return page[start:].split("</article>")[0]


def _hit_form(page: str, measure: str) -> tuple[str, str]:
    """The feedback form's action and version of the hit of ``measure``."""
    article = _article(page, measure)
    action = re.search(r'action="(/console/checks/\d+/hits/\d+/feedback)"', article)
    version = re.search(r'name="version" value="(\d+)"', article)
    assert action and version
    return action.group(1), version.group(1)


def _hit(check_id: int, measure: str) -> CheckHit:
    with session_scope() as session:
        stmt = select(CheckHit).where(
            CheckHit.check_id == check_id, CheckHit.measure_code == measure
        )
        hit = session.scalars(stmt).one()
        session.expunge(hit)
        return hit


def _feedback_audits(hit_id: int) -> list[str]:
    with session_scope() as session:
        stmt = select(AuditEntry.action).where(
            AuditEntry.object_type == "credit_check_hit", AuditEntry.object_id == str(hit_id)
        )
        return list(session.scalars(stmt))


def test_a_check_from_the_form_shows_the_list_and_the_measure_with_its_basis(city: City) -> None:
    client = login("buyer")
    desk = client.get("/console/checks").text
    assert '<option value="government_procurement">政府采购</option>' in desk
    assert 'href="/console/checks/batch"' in desk
    check_id, page = _check(client, f"{city.listed_uscc}\n{city.clean_uscc}")
    assert PURPOSE in page and "政府采购" in page and "财政" in page
    assert 'id="row-1"' in page and 'id="row-2"' in page
    row = page[page.index('id="row-1"') : page.index('id="row-2"')]
    assert "按代码匹配" in row and "严重失信主体名单" in row and BASIS in row
    hit = _article(row, "C-PROC-01")
    assert "ck-constraint" in hit and "依法限制参加政府采购活动" in hit
    assert "法释〔2017〕7号" in hit and "列入严重失信主体名单" in hit  # basis and reason
    assert "待反馈" in hit and 'name="outcome"' in hit
    clean = page[page.index('id="row-2"') :]
    assert "未列入任何名单" in clean and "本事项下无应实施的措施" in clean
    recent = client.get("/console/checks").text
    assert f'href="/console/checks/{check_id}"' in recent and PURPOSE in recent


def test_lines_are_read_as_code_name_or_both_and_bad_codes_say_why(city: City) -> None:
    with session_scope() as session:
        named = factories.enterprise(session, name="苏州市瑞丰精密机械有限公司")
        for _ in range(2):
            factories.enterprise(session, name="苏州市同名贸易有限公司")
        search.rebuild_index(session)
        named_uscc = named.uscc or ""
    client = login("buyer")
    lines = [
        "不存在的公司名称甲乙丙",
        f"{city.clean_uscc}，测试公司",
        "91320505MA1X00000Z",
        "苏州市瑞丰精密机械有限公司",
        "苏州市同名贸易有限公司",
    ]
    _, page = _check(client, "\n".join(lines))
    rows = [page[page.index(f'id="row-{n}"') :].split("</section>")[0] for n in range(1, 6)]
    assert "未找到主体" in rows[0] and "不存在的公司名称甲乙丙" in rows[0]
    assert "按代码匹配" in rows[1] and city.clean_uscc in rows[1] and "测试公司" in rows[1]
    assert "输入无效" in rows[2] and 'class="ck-resolution ck-late"' in rows[2]
    assert "按名称匹配" in rows[3] and named_uscc in rows[3] and "匹配度 100%" in rows[3]
    assert "输入：苏州市瑞丰" in rows[3]  # the code shown is the one found, not one typed
    assert "名称存疑" in rows[4] and "候选主体" in rows[4]
    assert rows[4].count("苏州市同名贸易有限公司 <span") == 2  # both candidates, neither chosen


def test_form_mistakes_are_shown_by_their_fields_with_the_input_kept(city: City) -> None:
    client = login("buyer")
    many = "\n".join([city.clean_uscc] * 101)
    answer = _run(client, many, matter="", purpose="x")
    assert answer.status_code == 422
    page = answer.text
    assert 'id="matter-error">请选择应用事项。' in page
    assert 'id="purpose-error">请填写查询目的(2至500个字)。' in page
    assert 'id="subjects-error">共101行，单次最多核查100行；更多请使用批量核查。' in page
    assert 'value="x"' in page and page.count(city.clean_uscc) == 101
    empty = _run(client, " \n ,\n")
    assert empty.status_code == 422
    assert 'id="subjects-error">请至少填写一个核查对象。' in empty.text
    too_long = _run(client, "1234567890" * 4)
    assert too_long.status_code == 422 and "第1行：代码过长" in too_long.text
    with session_scope() as session:
        assert session.scalar(select(func.count(CreditCheck.id))) == 0


def test_an_admin_checks_in_the_name_of_a_department_it_names(city: City) -> None:
    with session_scope() as session:
        own = factories.department(session, "development_reform")
        _account(session, "admin", own.id, "admin")
    admin = login("admin")
    desk = admin.get("/console/checks").text
    assert '<option value="sz_czj">苏州市财政局</option>' in desk
    unknown = _run(admin, city.listed_uscc, department="no-such-department")
    assert unknown.status_code == 422 and 'id="department-error"' in unknown.text
    assert _run(admin, city.listed_uscc, department="sz_czj").status_code == 303
    assert _run(admin, city.listed_uscc).status_code == 303  # none named: its own
    with session_scope() as session:
        made = session.scalars(select(CreditCheck.department_id).order_by(CreditCheck.id))
        assert list(made) == [city.finance_id, own.id]


def test_feedback_through_the_form_is_shown_and_audited(city: City) -> None:
    client = login("buyer")
    check_id, page = _check(client, city.listed_uscc)
    action, version = _hit_form(page, "C-PROC-01")
    answer = client.post(
        action,
        data={
            "csrf_token": csrf_of(page),
            "version": version,
            "outcome": "applied",
            "on": TODAY.isoformat(),
            "reason": "已拒绝其投标资格",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/console/checks/{check_id}#row-1"
    after = client.get(f"/console/checks/{check_id}").text
    hit_html = _article(after, "C-PROC-01")
    assert "已实施" in hit_html and "已拒绝其投标资格" in hit_html and "更正反馈" in hit_html
    hit = _hit(check_id, "C-PROC-01")
    assert (hit.feedback, hit.feedback_on, hit.version) == ("applied", TODAY, 2)
    assert _feedback_audits(hit.id) == ["measures.feedback"]
    # a second officer still holding the first version loses, and sees the answer given
    stale = {"csrf_token": csrf_of(page), "version": version, "outcome": "not_applied"}
    late = client.post(action, data={**stale, "on": TODAY.isoformat(), "reason": "不适用"})
    assert late.status_code == 409 and "该措施已由他人反馈" in _article(late.text, "C-PROC-01")
    assert _hit(check_id, "C-PROC-01").feedback == "applied"
    assert _feedback_audits(hit.id) == ["measures.feedback"]


def test_not_applied_without_a_reason_is_refused_on_the_page(city: City) -> None:
    client = login("buyer")
    check_id, page = _check(client, city.listed_uscc)
    action, version = _hit_form(page, "C-PROC-01")
    data = {"csrf_token": csrf_of(page), "version": version, "outcome": "not_applied"}
    answer = client.post(action, data={**data, "on": TODAY.isoformat(), "reason": " "})
    assert answer.status_code == 422
    hit = _hit(check_id, "C-PROC-01")
    refused = _article(answer.text, "C-PROC-01")
    assert "反馈未保存" in refused
    assert f'id="hit-{hit.id}-reason-error">未实施的，请说明原因。' in refused
    assert 'value="not_applied" checked' in refused
    assert (hit.feedback, hit.version) == ("pending", 1)
    assert _feedback_audits(hit.id) == []
    future = client.post(action, data={**data, "on": "2999-01-01", "reason": "不适用"})
    assert future.status_code == 422 and f'id="hit-{hit.id}-on-error"' in future.text
    assert _hit(check_id, "C-PROC-01").feedback == "pending"


def test_another_departments_check_is_not_found(city: City) -> None:
    check_id, page = _check(login("buyer"), city.listed_uscc)
    action, version = _hit_form(page, "C-PROC-01")
    stranger = login("stranger")
    assert stranger.get(f"/console/checks/{check_id}").status_code == 404
    token = csrf_of(stranger.get("/console/checks").text)
    data = {"csrf_token": token, "version": version, "outcome": "applied"}
    answer = stranger.post(action, data={**data, "on": TODAY.isoformat()})
    assert answer.status_code == 404
    assert stranger.get(f"/console/checks/{check_id + 1000}").status_code == 404
    auditor = login("auditor")
    seen = auditor.get(f"/console/checks/{check_id}")
    assert seen.status_code == 200 and "依法限制参加政府采购活动" in seen.text
    assert 'name="outcome"' not in seen.text  # auditors read, they do not answer
    assert _hit(check_id, "C-PROC-01").feedback == "pending"


def test_pages_in_english(city: City) -> None:
    client = login("buyer")
    check_id, _ = _check(client, city.listed_uscc)
    page = client.get(f"/console/checks/{check_id}", params={"lang": "en"})
    assert page.status_code == 200 and page.cookies.get("lang") == "en"
    assert "Check result" in page.text and "Restricted from government procurement" in page.text
    assert "On the serious dishonesty list" in page.text and "Awaiting feedback" in page.text
    assert "Government procurement" in client.get("/console/checks").text


def _old_check(city: City, days_ago: int) -> int:
    """A check made ``days_ago`` days ago (its feedback long due) through the service."""
    with session_scope() as session:
        officer = Principal(
            kind="staff", role="department_user", department_id=city.finance_id, label="采购科"
        )
        check = checks.run_single(
            session,
            principal=officer,
            department_id=None,
            matter=MATTER,
            purpose=PURPOSE,
            subjects=[SubjectQuery(1, code=city.listed_uscc)],
            today=TODAY - timedelta(days=days_ago),
        )
        return check.id


def test_feedback_queue_puts_overdue_hits_first_in_red(city: City) -> None:
    client = login("buyer")
    fresh_id, _ = _check(client, city.listed_uscc)
    old_id = _old_check(city, 30)
    old = _hit(old_id, "C-PROC-01")
    late = workdays_between(old.feedback_due, TODAY)
    assert late > 0
    page = client.get("/console/checks/feedback").text
    first, second = (
        page.index(f"/console/checks/{old_id}#"),
        page.index(f"/console/checks/{fresh_id}#"),
    )
    assert first < second
    old_row = page[page.rindex("<tr", 0, first) : first]
    assert 'class="ck-overdue"' in old_row
    assert f"逾期{late}个工作日" in page
    overdue = client.get("/console/checks/feedback", params={"status": "overdue"}).text
    assert f"/console/checks/{old_id}#" in overdue and f"/console/checks/{fresh_id}#" not in overdue
    assert (
        "/console/checks/"
        not in login("stranger").get("/console/checks/feedback").text.split("<tbody>")[1]
    )


def test_figures_by_department_matter_measure_and_side(city: City) -> None:
    client = login("buyer")
    _old_check(city, 30)
    _, page = _check(client, f"{city.listed_uscc}\n{city.clean_uscc}")
    action, version = _hit_form(page, "C-PROC-01")
    data = {"csrf_token": csrf_of(page), "version": version, "outcome": "applied"}
    client.post(action, data={**data, "on": TODAY.isoformat()}, follow_redirects=False)
    hits = 0
    with session_scope() as session:
        hits = session.scalar(select(func.count(CheckHit.id))) or 0
    page = client.get("/console/checks/stats").text
    assert re.search(r'id="fig-checks"><dt>核查次数</dt><dd>2</dd>', page)
    assert re.search(rf'id="fig-hits"><dt>命中措施</dt><dd>{hits}</dd>', page)
    assert re.search(r'id="fig-applied"><dt>已实施</dt><dd>1</dd>', page)
    assert re.search(r'id="fig-overdue"><dt>逾期未反馈</dt><dd class="ck-late">\d+</dd>', page)
    assert 'id="by-department"' not in page  # a department sees its own figures
    measure = page[page.index('data-key="C-PROC-01"') :].split("</tr>")[0]
    assert "依法限制参加政府采购活动" in measure and 'class="ck-bar' in measure
    assert "失信约束措施" in page and "政府采购" in page
    everyone = login("auditor").get("/console/checks/stats").text
    assert 'id="by-department"' in everyone and "财政局" in everyone


def test_a_batch_page_shows_progress_filters_and_pages_its_rows(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_scope() as session:
        officer = Principal(
            kind="staff", role="department_user", department_id=city.finance_id, label="采购科"
        )
        check = checks.open_check(
            session, principal=officer, department_id=None, matter=MATTER, purpose=PURPOSE,
            kind="batch", today=TODAY, rows_total=3, file_name="供应商.xlsx",
        )  # fmt: skip
        rows = [SubjectQuery(1, code=city.clean_uscc), SubjectQuery(2, code=city.listed_uscc)]
        resolved = resolve_all(session, rows, SearchNames(session))
        checks.process(session, check, resolved, principal=officer)
        check_id = check.id
    client = login("buyer")
    page = client.get(f"/console/checks/{check_id}").text
    assert '<meta http-equiv="refresh" content="5">' in page and "已处理 2 / 3 行" in page
    assert "report.xlsx" not in page and 'id="row-1"' in page and 'id="row-2"' in page
    only = client.get(f"/console/checks/{check_id}", params={"hits": 1}).text
    assert 'id="row-1"' not in only and 'id="row-2"' in only
    with session_scope() as session:
        done = session.get(CreditCheck, check_id)
        assert done is not None
        checks.finish(session, done, principal=officer)
    finished = client.get(f"/console/checks/{check_id}").text
    assert f'href="/api/v1/checks/{check_id}/report.xlsx"' in finished
    assert 'http-equiv="refresh"' not in finished
    # one row a page: the pages link to each other, feedback returns to the row's page
    monkeypatch.setattr(console, "PAGE_ROWS", 1)
    first = client.get(f"/console/checks/{check_id}").text
    assert 'id="row-2"' not in first and f'href="/console/checks/{check_id}?offset=1"' in first
    second = client.get(f"/console/checks/{check_id}", params={"offset": 1}).text
    assert 'id="row-1"' not in second and 'id="row-2"' in second and 'rel="prev"' in second
    action, version = _hit_form(second, "C-PROC-01")
    data = {"csrf_token": csrf_of(second), "version": version, "outcome": "applied"}
    answer = client.post(action, data={**data, "on": TODAY.isoformat()}, follow_redirects=False)
    assert answer.headers["location"] == f"/console/checks/{check_id}?offset=1#row-2"
