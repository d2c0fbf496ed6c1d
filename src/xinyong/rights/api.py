"""JSON API of the rights procedures (thin): objections, repairs, cases, figures."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["rights"])
