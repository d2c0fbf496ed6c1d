"""The open API of the measures catalogue (联合奖惩措施清单): public, no database.

Names and labels come in Chinese unless ``?lang=en``; both names are always given.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from xinyong.core.errors import API_ERRORS
from xinyong.core.i18n import Language
from xinyong.measures import present
from xinyong.measures.catalog import get_catalog
from xinyong.measures.present import MattersRead, MeasureRead, MeasuresRead

router = APIRouter(prefix="/api/v1", tags=["measures · 联合奖惩措施"], responses=API_ERRORS)

Lang = Annotated[Language, Query(description="标签语言 · language of the labels")]
MatterCode = Annotated[
    str | None,
    Query(max_length=64, description="应用事项代码 · matter code (see /api/v1/matters)"),
]


@router.get(
    "/measures",
    response_model=MeasuresRead,
    summary="联合奖惩措施清单 · The joint reward and punishment measures",
)
def measures(matter: MatterCode = None, lang: Lang = "zh") -> MeasuresRead:
    """Every measure (or those of one matter): triggers, matters, departments, legal basis."""
    return present.measures_read(get_catalog(), lang, matter=matter or None)


@router.get(
    "/measures/{code}",
    response_model=MeasureRead,
    summary="一项联合奖惩措施 · One measure",
)
def measure(
    code: Annotated[str, Path(max_length=32, description="措施编号 · measure code")],
    lang: Lang = "zh",
) -> MeasureRead:
    """One measure: what triggers it, where and by whom it is applied, on what legal basis."""
    return present.measure_read(get_catalog().measure(code), lang)


@router.get(
    "/matters",
    response_model=MattersRead,
    summary="应用事项 · Matters where measures apply",
)
def matters(lang: Lang = "zh") -> MattersRead:
    """The administrative matters where measures apply, with their number of measures."""
    return present.matters_read(get_catalog(), lang)
