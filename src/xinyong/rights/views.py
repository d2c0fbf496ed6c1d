"""Portal pages of a subject's rights: its records, objection and repair forms, its cases."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
