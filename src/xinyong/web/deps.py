"""Request dependencies: one database session per request, and the acting principal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from xinyong.auth import apikeys, policy
from xinyong.auth import service as auth_service
from xinyong.auth.models import Account
from xinyong.auth.principal import ANONYMOUS, Principal
from xinyong.core.db import session_factory, write_session

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def db_session(request: Request) -> Iterator[Session]:
    """One session per request, committed when the handler succeeds; the session of a
    request that writes (an unsafe method) begins its transactions as a writer."""
    session = write_session() if request.method in UNSAFE_METHODS else session_factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": the commit happens before the response is sent, so the page a form
# redirects to always sees what the form wrote.
DbSession = Annotated[Session, Depends(db_session, scope="function")]


def session_account(request: Request, session: Session) -> Account | None:
    """The logged-in account of the cookie session, if still valid (active, same epoch)."""
    account_id = request.session.get("account_id")
    if account_id is None:
        return None
    account = session.get(Account, account_id)
    if (
        account is None
        or not account.active
        or account.session_epoch != request.session.get("epoch")
    ):
        request.session.clear()
        return None
    return account


def current_principal(request: Request, session: DbSession) -> Principal:
    """Who is calling: a bearer API key, a logged-in account, or anonymous."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        principal = apikeys.authenticate(session, header[7:].strip())
    else:
        account = session_account(request, session)
        principal = auth_service.principal_for(session, account) if account else ANONYMOUS
    request.state.principal = principal  # the console layout builds its navigation from it
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def requires(action: str) -> Callable[[Principal], Principal]:
    """A dependency giving the caller if it may take ``action`` (else 401 / 403). As a route
    parameter, ``Annotated[Principal, Depends(requires("x.y"))]``, it refuses the caller
    before the request body is read, so a caller without the right is not told about fields."""

    def allowed(principal: CurrentPrincipal) -> Principal:
        policy.require(principal, action)
        return principal

    allowed.__name__ = f"requires_{action.replace('.', '_')}"
    return allowed
