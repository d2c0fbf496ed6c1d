"""Error classes with HTTP status codes and stable machine-readable codes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from xinyong.core.i18n import Language, has_text, one_language, t


class XinyongError(Exception):
    """Base error: a message for people, a status code, and a stable code for machines.

    A message from the catalogue of texts is given by ``key`` (a ``texts.yaml`` key whose
    zh/en texts may hold ``{name}`` placeholders filled from ``params``): ``message`` is then
    its English text and ``localized(lang)`` its text in the reader's language. A parameter
    given in both languages (``{"zh": "严重失信主体名单", "en": "…"}``, see ``both``) is filled
    in the reader's language. A bare ``message`` (no key) is shown as it is in both
    languages."""

    status_code: int = 400
    code: str = "error"

    def __init__(
        self,
        message: str = "",
        status_code: int | None = None,
        code: str | None = None,
        *,
        details: dict[str, Any] | None = None,
        key: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.key = key
        self.params = dict(params or {})
        if key is not None and not message:
            message = self.localized("en")
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        if code is not None:
            self.code = code
        self.details = details or {}

    def localized(self, lang: Language) -> str:
        """The message in ``lang``: the keyed text with its parameters, else ``message``."""
        if self.key is None or not has_text(self.key):
            return one_language(self.message, lang)
        params = {name: _in(value, lang) for name, value in self.params.items()}
        return t(self.key, lang).format_map(_Params(params))

    def in_both(self) -> str:
        """The message kept for later readers (a batch's or a check's stored error):
        ``中文 · English``, of which pages show the reader's half."""
        if self.key is None or not has_text(self.key):
            return self.message
        return f"{self.localized('zh')} · {self.localized('en')}"

    def to_dict(self) -> dict[str, Any]:
        """JSON body used by the API error handler."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class _Params(dict[str, Any]):
    """Parameters of a keyed text: a placeholder without a value stays as written."""

    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


def both(zh: str, en: str) -> dict[str, str]:
    """A parameter of a keyed message written in both languages."""
    return {"zh": zh, "en": en}


def label(key: str) -> dict[str, str]:
    """A parameter that is a text of the catalogue (a state's or an option's label)."""
    return both(t(key, "zh"), t(key, "en"))


def _in(value: Any, lang: Language) -> Any:
    if isinstance(value, dict) and set(value) == {"zh", "en"}:
        return value[lang]
    localized = getattr(value, "localized", None)
    if callable(localized):  # a parameter that reads itself in a language (a code's reason)
        return localized(lang)
    if isinstance(value, str):
        return one_language(value, lang)
    return value


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


class ErrorBody(BaseModel):
    """The JSON body of every API error · 错误信息."""

    code: str
    message: str
    details: dict[str, Any] | None = None


def _documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"model": ErrorBody, "description": _DESCRIPTIONS[status]} for status in statuses
    }


_DESCRIPTIONS = {
    400: "malformed request · 请求格式错误",
    401: "not logged in / no or bad API key · 未登录或密钥无效",
    403: "not allowed · 无权限",
    404: "not found · 不存在",
    409: "conflict · 冲突",
    413: "request too large · 请求过大",
    422: "invalid input, naming the field · 输入无效",
    429: "too many requests; see Retry-After · 请求过多",
}
# Error responses every JSON route can give (documented in OpenAPI).
API_ERRORS = _documented(400, 401, 403, 404, 409, 413, 422, 429)
