"""Error classes with HTTP status codes and stable machine-readable codes."""

from __future__ import annotations

from typing import Any


class XinyongError(Exception):
    """Base error: a message for people, a status code, and a stable code for machines."""

    status_code: int = 400
    code: str = "error"

    def __init__(
        self,
        message: str,
        status_code: int | None = None,
        code: str | None = None,
        *,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        if code is not None:
            self.code = code
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        """JSON body used by the API error handler."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class Invalid(XinyongError):
    status_code = 422
    code = "invalid"


class NotFound(XinyongError):
    status_code = 404
    code = "not_found"


class Conflict(XinyongError):
    status_code = 409
    code = "conflict"


class Forbidden(XinyongError):
    status_code = 403
    code = "forbidden"


class Unauthorized(XinyongError):
    status_code = 401
    code = "unauthorized"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class CatalogError(XinyongError):
    """A catalogue file is malformed: the message names the file, the item and the field."""

    status_code = 500
    code = "catalog_error"
