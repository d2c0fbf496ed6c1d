"""List decisions on the console follow the state machine: inside the objection window the
"决定列入" button is disabled with the day it opens; the new-entry form asks for the code once."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.desk.city import City
from xinyong.core.db import session_scope
from xinyong.lists import service as lists_service


def test_the_list_button_waits_for_the_objection_window(city: City) -> None:
    with session_scope() as session:
        entry = lists_service.notify(
            session, entry_id=city.entry_id, actor="test", today=date.today()
        )
        until = entry.objection_until
    assert until is not None
    page = city.clients["officer"].get(f"/console/lists/{city.entry_id}").text
    form = page.split(f'action="/console/lists/{city.entry_id}/list"')[1].split("</form>")[0]
    assert re.search(r"<button type=\"submit\" disabled", form)
    assert f"{until.isoformat()}前提出异议" in form
    opens = date.fromordinal(until.toordinal() + 1).isoformat()
    assert f"{opens}起可决定列入" in form


def test_the_new_entry_form_asks_for_the_code_once(city: City) -> None:
    page = city.clients["officer"].get("/console/lists/new").text
    assert page.count("统一社会信用代码或身份证号码") == 1
    found = city.clients["officer"].get(
        "/console/lists/new", params={"subject_code": city.firm_code}
    )
    assert city.firm_name in found.text
    assert f'type="hidden" name="subject_code" value="{city.firm_code}"' in found.text


def test_an_imported_entry_is_proposed_on_its_records_decision_date(session: Session) -> None:
    from tests import factories
    from tests.lists.helpers import court_record
    from xinyong.lists.models import ListEntry

    subject = factories.enterprise(session)
    record = court_record(session, subject, publish_date="2026-03-02")
    lists_service.import_from_records(session, today=date(2026, 6, 2))
    entry = session.scalars(select(ListEntry).where(ListEntry.record_id == record.id)).one()
    assert record.decision_date is not None and record.decision_date < date(2026, 6, 2)
    assert entry.proposed_on == record.decision_date == entry.listed_on
