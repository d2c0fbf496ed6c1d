"""Points schemes as data (``points/data/schemes.yaml``, layered with ``XINYONG_POINTS_FILE``),
validated on load; a unit (town or village code) may layer its own values over a scheme.
Errors name the file, the scheme and the key."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from xinyong.catalog.schemas import I18nText
from xinyong.core import yamlio
from xinyong.core.config import get_settings
from xinyong.core.errors import NotFound, XinyongError

SHIPPED = Path(__file__).parent / "data" / "schemes.yaml"
Group = Literal["fazhi", "dezhi", "zizhi", "negative"]
GROUPS: tuple[Group, ...] = ("fazhi", "dezhi", "zizhi", "negative")


class PointsConfigError(XinyongError):
    """The schemes file is malformed: the message names the file, scheme and key."""

    status_code = 500
    code = "points_config_error"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cap(_Strict):
    per: Literal["month", "year"]
    max_points: int = Field(ge=1)


class Item(_Strict):
    group: Group
    points: int
    cap: Cap
    evidence: Literal["none", "witness", "photo", "certificate"]
    text: I18nText

    @model_validator(mode="after")
    def _sign(self) -> Item:
        if self.points == 0:
            raise ValueError("points: an item is worth more or less than nothing")
        if (self.points < 0) != (self.group == "negative"):
            raise ValueError("points: negative items (and only they) take points away")
        if abs(self.points) > self.cap.max_points:
            raise ValueError("cap.max_points: smaller than one deed of the item")
        return self


class Publication(_Strict):
    objection_days: int = Field(ge=1, le=30)
    mask_names: bool
    ranked: int = Field(ge=1, le=1000)


class Accumulation(_Strict):
    period: Literal["year"]
    # The share of a year's net gain kept into the next year (1.0: all, 0.0: back to base).
    carry_over: float = Field(ge=0.0, le=1.0)


class StarLevel(_Strict):
    stars: int = Field(ge=1, le=9)
    min: int
    name: I18nText


class Reward(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: I18nText
    min_stars: int | None = None
    ranked_within: int | None = None


class Uses(_Strict):
    # Whether other modules (信易+ scenarios, evaluation) may read the star level at all.
    star_level_shared: bool
    purposes: list[Literal["incentives", "evaluation"]] = Field(default_factory=list)


class Scheme(_Strict):
    code: str
    name: I18nText
    subject: Literal["household", "pupil"]
    base_points: int = Field(ge=0)
    review_cycle: Literal["monthly"]
    publication: Publication
    accumulation: Accumulation
    star_levels: list[StarLevel] = Field(min_length=1)
    rewards: list[Reward] = Field(default_factory=list)
    uses: Uses
    items: dict[str, Item] = Field(min_length=1)

    @model_validator(mode="after")
    def _levels_rise(self) -> Scheme:
        mins = [level.min for level in self.star_levels]
        stars = [level.stars for level in self.star_levels]
        if mins != sorted(set(mins)) or stars != sorted(set(stars)):
            raise ValueError("star_levels: stars and minimum points must both rise")
        return self

    def item(self, code: str) -> Item:
        """The item with this code, or NotFound."""
        found = self.items.get(code)
        if found is None:
            raise NotFound(key="pts.err.unknown_item", params={"code": code})
        return found

    def star_level(self, balance: int) -> StarLevel | None:
        """The highest star level the balance reaches (None below the first)."""
        reached = [level for level in self.star_levels if balance >= level.min]
        return reached[-1] if reached else None


class Schemes(BaseModel):
    """Every scheme, and the raw layers per unit code."""

    model_config = ConfigDict(frozen=True)

    schemes: dict[str, Scheme]
    units: dict[str, dict[str, Any]]
    raw: dict[str, dict[str, Any]]
    source: str

    def get(self, code: str, *, units: tuple[str, ...] = ()) -> Scheme:
        """The scheme ``code`` with the layers of ``units`` (town first, then village)."""
        if code not in self.schemes:
            raise NotFound(key="pts.err.unknown_scheme", params={"code": code})
        layers = [self.units[u][code] for u in units if code in self.units.get(u, {})]
        if not layers:
            return self.schemes[code]
        key = (id(self), code, tuple(units))
        if key not in _LAYERED:
            data = dict(self.raw[code])
            for unit in units:
                data = yamlio.layer(data, self.units.get(unit, {}).get(code, {}))
            _LAYERED[key] = _scheme(self.source, code, data, where=f"units {'/'.join(units)}")
        return _LAYERED[key]


_LAYERED: dict[tuple[int, str, tuple[str, ...]], Scheme] = {}


def _scheme(source: str, code: str, data: Any, *, where: str = "") -> Scheme:
    if not isinstance(data, dict):
        raise PointsConfigError(f"{source}: scheme {code}: expected a mapping")
    try:
        return Scheme.model_validate({**data, "code": code})
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        place = f" ({where})" if where else ""
        raise PointsConfigError(f"{source}: scheme {code}{place}: {key}: {first['msg']}") from error


def load(files: list[Path]) -> Schemes:
    """Read and validate the scheme files, each layered over the one before."""
    source = " + ".join(str(p) for p in files)
    try:
        data = yamlio.read_layered(files)
    except yamlio.YamlProblem as problem:
        raise PointsConfigError(f"{problem.where}: {problem.problem}") from problem
    raw = data.get("schemes")
    units = data.get("units") or {}
    extra = set(data) - {"schemes", "units"}
    if extra:
        raise PointsConfigError(f"{source}: unknown top-level key {sorted(extra)[0]!r}")
    if not isinstance(raw, dict) or not raw:
        raise PointsConfigError(f"{source}: schemes: expected a mapping of schemes")
    if not isinstance(units, dict) or not all(isinstance(v, dict) for v in units.values()):
        raise PointsConfigError(f"{source}: units: expected a mapping of unit codes to layers")
    schemes = {str(code): _scheme(source, str(code), body) for code, body in raw.items()}
    for unit_code, layers in units.items():  # every layer must give a valid scheme
        for code, layer in layers.items():
            if code not in raw or not isinstance(layer, dict):
                raise PointsConfigError(f"{source}: units.{unit_code}.{code}: unknown scheme")
            _scheme(source, str(code), yamlio.layer(raw[code], layer), where=f"unit {unit_code}")
    return Schemes(
        schemes=schemes,
        units={str(k): v for k, v in units.items()},
        raw={str(k): v for k, v in raw.items()},
        source=source,
    )


@lru_cache(maxsize=4)
def _load_cached(extra: str | None) -> Schemes:
    return load([SHIPPED, *([Path(extra)] if extra else [])])


def get_schemes() -> Schemes:
    """The schemes in force (shipped file plus the city's file if configured)."""
    extra = get_settings().points_file
    return _load_cached(str(extra) if extra else None)
