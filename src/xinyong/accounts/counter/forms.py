"""What opening an account and resetting a password take, checked field by field, and the
per-address and per-subject limits on tries (shared by the portal pages and the API)."""

from __future__ import annotations

import math
from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from xinyong.auth.schemas import USERNAME
from xinyong.core.errors import Invalid, XinyongError
from xinyong.core.i18n import Language, t
from xinyong.core.text import StorableStr
from xinyong.identity import codes
from xinyong.web.limits import RateLimiter

# Tries per minute: from one address (any subject), and for one subject (any address). The
# database counts wrong codes too (auth/counter.py voids codes at its limit); these stop a
# burst before it reaches the password hasher.
PER_ADDRESS = 10
PER_SUBJECT = 8
ATTEMPTS = RateLimiter()
M = TypeVar("M", bound=BaseModel)


class OpenAccount(BaseModel):
    """Open the subject's own account with the code from the counter · 凭窗口验证码开通账户."""

    model_config = ConfigDict(extra="forbid")

    subject_code: str = Field(min_length=15, max_length=40, description="USCC or ID number")
    code: str = Field(min_length=6, max_length=40, description="the counter code")
    username: str = Field(pattern=USERNAME)
    display_name: StorableStr = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=256)


class ResetPassword(BaseModel):
    """Set a new password with a reset code from the counter · 凭窗口验证码重置密码."""

    model_config = ConfigDict(extra="forbid")

    subject_code: str = Field(min_length=15, max_length=40)
    code: str = Field(min_length=6, max_length=40)
    password: str = Field(min_length=1, max_length=256)


class TooManyTries(XinyongError):
    status_code = 429
    code = "rate_limited"


def throttle(request: Request, subject_code: str) -> None:
    """Count one try against the caller's address and the subject; refuse over the limit."""
    address = request.client.host if request.client else "unknown"
    waits = [ATTEMPTS.hit(f"address:{address}", PER_ADDRESS)]
    found = codes.detect(subject_code.strip())
    if found.valid:  # only real codes get a window of their own (no growth from junk)
        waits.append(ATTEMPTS.hit(f"subject:{found.code}", PER_SUBJECT))
    wait = max((w for w in waits if w is not None), default=None)
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise TooManyTries(key="counter.err.too_many", params={"seconds": seconds})


def checked(model: type[M], values: dict[str, str]) -> M:
    """The form's values as ``model``, or a refusal naming the first wrong field."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "form"
        missing = first["type"] in ("missing", "string_too_short") and not values.get(field)
        reason = "required" if missing else "username" if field == "username" else "format"
        raise FieldError(field, reason) from None


class FieldError(Invalid):
    """A wrong form field, named by its label with the reason, in the reader's language."""

    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason
        super().__init__(key="counter.err.field", details={"field": field})

    def localized(self, lang: Language) -> str:
        label = t(f"counter.field.{self.field}", lang)
        reason = t(f"counter.reason.{self.reason}", lang)
        return t("counter.err.field", lang).format(label=label, reason=reason)
