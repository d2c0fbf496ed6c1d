"""The party behind a request, as the policy sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

PrincipalKind = Literal["anonymous", "staff", "organisation", "subject", "apikey"]


@dataclass(frozen=True)
class Principal:
    """Who is acting: kind, role and what they belong to (department, organisation, subject)."""

    kind: PrincipalKind
    role: str | None = None
    account_id: int | None = None
    api_key_id: int | None = None
    department_id: int | None = None
    organisation_id: int | None = None
    subject_id: int | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    label: str = "anonymous"

    @property
    def actor(self) -> str:
        """The actor string written to the audit log and query register."""
        if self.api_key_id is not None:
            return f"apikey:{self.api_key_id}"
        if self.account_id is not None:
            return f"account:{self.account_id}"
        return "anonymous"

    @property
    def is_government(self) -> bool:
        """Staff of a department, or a department's API client."""
        return self.kind == "staff" or (self.kind == "apikey" and self.department_id is not None)


ANONYMOUS = Principal(kind="anonymous")
