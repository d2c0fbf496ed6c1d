"""Console pages of the rights procedures: department queues, case pages, counter, figures."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
