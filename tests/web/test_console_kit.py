"""The console kit on a small app: the step-route factory, the staff guard, request ids."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy.orm import Session

from xinyong.auth.principal import ANONYMOUS, Principal
from xinyong.core.errors import Forbidden, Invalid, NotFound, Unauthorized
from xinyong.web import console as kit
from xinyong.web.deps import current_principal, db_session
from xinyong.web.params import MAX_ID, parse_id

CLERK = Principal(kind="staff", role="department_user", account_id=7, department_id=3)
SYSTEM = Principal(kind="apikey", api_key_id=2, department_id=3, scopes=frozenset({"lists:decide"}))


class NoteForm(BaseModel):
    note: str = ""


def _app(principal: Principal) -> tuple[FastAPI, list[tuple[str, str, str]]]:
    """An app with two step routes and one guarded page; ``seen`` records what ``act`` got."""
    seen: list[tuple[str, str, str]] = []

    def act(
        request: Request, session: Session, who: Principal, raw: str, step: str, form: Any
    ) -> Response:
        seen.append((raw, step, form.note))
        return PlainTextResponse(f"{step} {raw} by {who.actor}")

    router = APIRouter(prefix="/console/things")
    docs = {"approve": "Approve a thing.", "reject": "Reject a thing."}
    kit.add_step_routes(router, "/{thing_id}", NoteForm, act, docs=docs, name="things")

    @router.get("/guarded")
    def guarded(who: Annotated[Principal, Depends(kit.staff("lists.decide"))]) -> str:
        return who.actor

    def no_session() -> Iterator[None]:
        yield None

    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[current_principal] = lambda: principal
    app.dependency_overrides[db_session] = no_session
    return app, seen


def test_step_routes_hand_the_raw_id_the_step_and_the_form_to_act() -> None:
    app, seen = _app(CLERK)
    client = TestClient(app)
    answer = client.post("/console/things/0042/reject", data={"note": "不符合条件"})
    assert answer.status_code == 200 and answer.text == "reject 0042 by account:7"
    assert seen == [("0042", "reject", "不符合条件")]
    assert client.post("/console/things/x" + "9" * 12 + "/approve").status_code == 422
    assert app.url_path_for("things_approve", thing_id="5") == "/console/things/5/approve"
    paths = app.openapi()["paths"]
    assert set(paths) == {f"/console/things/{{thing_id}}/{s}" for s in ("approve", "reject")} | {
        "/console/things/guarded"
    }
    assert paths["/console/things/{thing_id}/approve"]["post"]["description"] == "Approve a thing."


def test_the_staff_guard_lets_staff_through_and_refuses_systems_and_strangers() -> None:
    assert TestClient(_app(CLERK)[0]).get("/console/things/guarded").json() == "account:7"
    with pytest.raises(Forbidden, match="staff accounts"):
        TestClient(_app(SYSTEM)[0]).get("/console/things/guarded")
    with pytest.raises(Unauthorized):
        TestClient(_app(ANONYMOUS)[0]).get("/console/things/guarded")
    with pytest.raises(Forbidden):
        kit.require_staff(CLERK, "audit.read")  # staff, but not allowed the action


@pytest.mark.parametrize("raw", ["", " ", "0", "-1", "1.5", "１２", "abc", str(MAX_ID + 1)])
def test_malformed_ids_are_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_id(raw, "version")
    assert refused.value.details == {"field": "version"} and "not a valid id" in str(refused.value)
    with pytest.raises(NotFound, match="not a valid number"):
        parse_id(raw, "entry", error=NotFound, noun="number")


def test_well_formed_ids_are_read() -> None:
    assert [parse_id(raw, "case") for raw in ("1", " 42 ", str(MAX_ID))] == [1, 42, MAX_ID]
