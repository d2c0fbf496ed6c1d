"""List decisions on the console follow the state machine: inside the objection window the
"决定列入" button is disabled with the day it opens; the new-entry form asks for the code once."""

from __future__ import annotations

import re
from datetime import date

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
