"""Where a report is: its kecamatan (district) and its desa or kelurahan, as the
configured boundaries say, else as the phone names them, else the nearest kecamatan
(marked approximate: "perkiraan" wherever it is shown)."""

from __future__ import annotations

from typing import NamedTuple

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.geo import Boundaries, Regency, Village
from chalicelib.domain.models import ReportIn


class Place(NamedTuple):
    district: str | None
    village: str | None
    approx: bool = False  # the nearest kecamatan's centre, not a border, decided it


def place_of(data: ReportIn, regency: Regency, boundaries: Boundaries | None) -> Place:
    """The place of a report being filed, checked against each other."""
    return locate(data.lat, data.lon, regency, boundaries, data.district, data.village)


def locate(
    lat: float,
    lon: float,
    regency: Regency,
    boundaries: Boundaries | None,
    district: str | None = None,
    village: str | None = None,
) -> Place:
    """A point's kecamatan and desa (the phone's picks where the data cannot say)."""
    check_inside(lat, lon, regency, boundaries)
    code, approx = resolve_district(lat, lon, regency, boundaries, district)
    return resolve_village(lat, lon, village, code, approx)


def check_inside(
    lat: float, lon: float, regency: Regency, boundaries: Boundaries | None = None
) -> None:
    """A report's point must lie in the regency: its bounding box, and the outline its
    kecamatan draw together where their borders are configured."""
    b = regency.bounds
    if b.contains(lat, lon) and (boundaries is None or boundaries.contains(lat, lon)):
        return
    detail: dict = {
        "field": "lat/lon",
        "bounds": {"lat": [b.min_lat, b.max_lat], "lon": [b.min_lon, b.max_lon]},
    }
    if boundaries is not None:
        detail["outline"] = "/districts/outlines"
    raise InvalidInput(
        f"lokasi di luar {regency.regency} / the location is outside {regency.regency}",
        [detail],
        code="outside_regency",
    )


def resolve_district(
    lat: float,
    lon: float,
    regency: Regency,
    boundaries: Boundaries | None,
    named: str | None = None,
) -> tuple[str, bool]:
    """(kecamatan, approximate?): the polygon knows better than the phone; the phone's
    pick (the citizen saw the guess and chose) better than the nearest centre."""
    if named is not None:
        _known_district(regency, named)
    found = boundaries.district_at(lat, lon) if boundaries is not None else None
    if found is not None:
        return found, False
    if named is not None:
        return named, False
    return regency.nearest_district(lat, lon).code, True


def resolve_village(lat: float, lon: float, code: str | None, district: str, approx: bool) -> Place:
    """The report's desa or kelurahan: from its point where village boundaries are
    configured, else as the phone named it; it must lie in the report's kecamatan
    (and names it when the kecamatan was only a guess)."""
    from chalicelib.domain.geo import load_village_boundaries, load_villages

    villages = load_villages()
    named = _known_village(code)
    shapes = load_village_boundaries(villages)
    found = villages.get(shapes.code_at(lat, lon)) if shapes else None
    village = found or named
    if village is None:
        return Place(district, None, approx)
    if not approx:
        _in_district(village, district)
    return Place(village.district, village.code, False)


def named(regency: Regency, district: str, village: str | None) -> Place:
    """A place as staff name it: a known kecamatan, and a desa in it (or none)."""
    _known_district(regency, district)
    found = _known_village(village)
    if found is not None:
        _in_district(found, district)
    return Place(district, village, False)


def _known_district(regency: Regency, code: str) -> None:
    if regency.district(code) is None:
        raise InvalidInput(
            f"unknown district {code!r}",
            [{"field": "district", "allowed": [d.code for d in regency.districts]}],
            code="unknown_district",
        )


def _known_village(code: str | None) -> Village | None:
    from chalicelib.domain.geo import load_villages

    found = load_villages().get(code) if code else None
    if code and found is None:
        raise InvalidInput(
            f"unknown village {code!r} (a Kemendagri code: GET /villages)",
            [{"field": "village"}],
            code="unknown_village",
        )
    return found


def _in_district(village: Village, district: str) -> None:
    if village.district != district:
        raise InvalidInput(
            f"village {village.code} is in {village.district}, not {district}",
            [{"field": "village"}],
            code="village_outside_district",
        )


def describe(regency: Regency, place: Place) -> str:
    """A place in words for a timeline: ``Kec. Pogalan, Desa Ngadirenggo``."""
    from chalicelib.domain.geo import load_villages

    name = regency.district_name(place.district, place.approx)
    village = load_villages().get(place.village) if place.village else None
    parts = [f"Kec. {name}" if name else "Kec. -"]
    if village is not None:
        parts.append(f"{village.kind.capitalize()} {village.name}")
    return ", ".join(parts)
