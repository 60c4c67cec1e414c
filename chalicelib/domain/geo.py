"""The regency's geography: bounds, districts (kecamatan), point-in-polygon, geohash."""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Literal

import pygeohash
from pydantic import ConfigDict, Field, model_validator

from chalicelib import config
from chalicelib.domain import datafile
from chalicelib.domain.schema import Model

GEOHASH_PRECISION = 9  # ~4.8 m cells; prefixes give coarser cells for "nearby" queries


class Bounds(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min_lat: float = Field(ge=-90, le=90)
    max_lat: float = Field(ge=-90, le=90)
    min_lon: float = Field(ge=-180, le=180)
    max_lon: float = Field(ge=-180, le=180)

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


class District(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str
    lat: float
    lon: float


class Regency(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    regency: str
    code_prefix: str = Field(pattern=r"^[A-Z]{3}$")
    bounds: Bounds
    districts: tuple[District, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Regency:
        codes = [d.code for d in self.districts]
        if len(codes) != len(set(codes)):
            raise ValueError("duplicate district codes")
        return self

    def district(self, code: str) -> District | None:
        return next((d for d in self.districts if d.code == code), None)

    def district_name(self, code: str | None, approx: bool = False) -> str | None:
        """A kecamatan's name as messages show it: a guess says so ("perkiraan")."""
        district = self.district(code) if code else None
        if district is None:
            return None
        return f"{district.name} (perkiraan)" if approx else district.name

    def nearest_district(self, lat: float, lon: float) -> District:
        """The kecamatan whose centre is closest: a guess where no borders are known
        (flat-earth distance, scaled by latitude; plenty at a regency's size)."""
        scale = math.cos(math.radians(lat))
        return min(self.districts, key=lambda d: (d.lat - lat) ** 2 + ((d.lon - lon) * scale) ** 2)


Ring = list[tuple[float, float]]  # (lon, lat) as GeoJSON orders them


def _in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Even-odd ray casting; adequate for district polygons a few km across."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _in_polygon(lon: float, lat: float, polygon: list[Ring]) -> bool:
    outer, *holes = polygon
    return _in_ring(lon, lat, outer) and not any(_in_ring(lon, lat, h) for h in holes)


class Village(Model):
    """A desa or kelurahan, by its Kemendagri code (``35.03.01.2001``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
    district: str
    name: str
    kind: Literal["desa", "kelurahan"]


class Villages(Model):
    model_config = ConfigDict(extra="ignore", frozen=True)
    villages: tuple[Village, ...]

    def get(self, code: str | None) -> Village | None:
        return next((v for v in self.villages if v.code == code), None)


def load_villages() -> Villages:
    return datafile.load(config.villages_path(), Villages.model_validate)


def load_village_boundaries(villages: Villages) -> Boundaries | None:
    known = frozenset(v.code for v in villages.villages)
    return _boundaries_at(config.village_boundaries_path(), known)


def _boundaries_at(path: Path | None, known: frozenset[str]) -> Boundaries | None:
    """An operator's polygons, parsed once per version of the file (not per call)."""
    if path is None:
        return None
    return _parsed_boundaries(path, path.stat().st_mtime_ns, known)


@functools.lru_cache(maxsize=8)
def _parsed_boundaries(path: Path, _mtime: int, known: frozenset[str]) -> Boundaries:
    return Boundaries(json.loads(path.read_text(encoding="utf-8")), set(known))


class Boundaries:
    """District (or village) polygons from an operator's GeoJSON FeatureCollection."""

    def __init__(self, geojson: dict, known_codes: set[str]):
        self._shapes: list[tuple[str, list[list[Ring]]]] = []
        self.outlines: list[dict] = []  # the shapes as served to maps: code and geometry only
        for feature in geojson.get("features", []):
            code = (feature.get("properties") or {}).get("code")
            if code not in known_codes:
                raise ValueError(f"boundary feature with unknown district code {code!r}")
            geometry = feature["geometry"]
            if geometry["type"] == "Polygon":
                polygons = [geometry["coordinates"]]
            elif geometry["type"] == "MultiPolygon":
                polygons = geometry["coordinates"]
            else:
                raise ValueError(f"district {code}: unsupported geometry {geometry['type']}")
            self._shapes.append((code, polygons))
            self.outlines.append(
                {"type": "Feature", "properties": {"code": code}, "geometry": geometry}
            )

    def code_at(self, lat: float, lon: float) -> str | None:
        return self.district_at(lat, lon)

    def contains(self, lat: float, lon: float) -> bool:
        """Inside the outline the polygons draw together (the regency's, for kecamatan)."""
        return self.district_at(lat, lon) is not None

    def district_at(self, lat: float, lon: float) -> str | None:
        for code, polygons in self._shapes:
            if any(_in_polygon(lon, lat, p) for p in polygons):
                return code
        return None


def load_regency(path: Path | None = None) -> Regency:
    return datafile.load(path or config.regency_path(), Regency.model_validate)


def load_boundaries(regency: Regency) -> Boundaries | None:
    known = frozenset(d.code for d in regency.districts)
    return _boundaries_at(config.district_boundaries_path(), known)


def district_outlines(regency: Regency) -> dict:
    """The kecamatan borders as a GeoJSON FeatureCollection (empty when none are
    configured): public geography, drawn on the command centre's map."""
    boundaries = load_boundaries(regency)
    return {"type": "FeatureCollection", "features": boundaries.outlines if boundaries else []}


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine); metres are plenty at this scale."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def geohash(lat: float, lon: float, precision: int = GEOHASH_PRECISION) -> str:
    return pygeohash.encode(lat, lon, precision=precision)


def neighbourhood(code: str) -> list[str]:
    """A geohash cell and its eight neighbours: every point within a cell's width."""
    north, south = pygeohash.get_adjacent(code, "top"), pygeohash.get_adjacent(code, "bottom")
    rows = [north, code, south]
    cells = []
    for row in rows:
        cells += [pygeohash.get_adjacent(row, "left"), row, pygeohash.get_adjacent(row, "right")]
    return sorted(set(cells))
