"""Where a report is: its kecamatan (district) and its desa or kelurahan, as the
phone names them or, where boundaries are configured, as its point says."""

from __future__ import annotations

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.geo import Boundaries, Regency
from chalicelib.domain.models import ReportIn


def place_of(
    data: ReportIn, regency: Regency, boundaries: Boundaries | None
) -> tuple[str | None, str | None]:
    """(district, village) of a report being filed, checked against each other."""
    return resolve_village(data, resolve_district(data, regency, boundaries))


def check_inside(data: ReportIn, regency: Regency) -> None:
    """A report's point must lie in the regency (its bounding box)."""
    if not regency.bounds.contains(data.lat, data.lon):
        b = regency.bounds
        raise InvalidInput(
            f"the location is outside {regency.regency}",
            [
                {
                    "field": "lat/lon",
                    "bounds": {
                        "lat": [b.min_lat, b.max_lat],
                        "lon": [b.min_lon, b.max_lon],
                    },
                }
            ],
            code="outside_regency",
        )


def resolve_district(data: ReportIn, regency: Regency, boundaries: Boundaries | None) -> str | None:
    if data.district is not None and regency.district(data.district) is None:
        raise InvalidInput(
            f"unknown district {data.district!r}",
            [{"field": "district", "allowed": [d.code for d in regency.districts]}],
            code="unknown_district",
        )
    if boundaries is not None:
        # The polygon knows better than the phone; fall back to what it sent.
        return boundaries.district_at(data.lat, data.lon) or data.district
    return data.district


def resolve_village(data: ReportIn, district: str | None) -> tuple[str | None, str | None]:
    """The report's desa or kelurahan: from its point where village boundaries are
    configured, else as the phone named it; it must lie in the report's kecamatan
    (and names it when the phone did not)."""
    from chalicelib.domain.geo import load_village_boundaries, load_villages

    villages = load_villages()
    named = villages.get(data.village) if data.village else None
    if data.village and named is None:
        raise InvalidInput(
            f"unknown village {data.village!r} (a Kemendagri code: GET /villages)",
            [{"field": "village"}],
            code="unknown_village",
        )
    shapes = load_village_boundaries(villages)
    found = villages.get(shapes.code_at(data.lat, data.lon)) if shapes else None
    village = found or named
    if village is None:
        return district, None
    if district is not None and village.district != district:
        raise InvalidInput(
            f"village {village.code} is in {village.district}, not {district}",
            [{"field": "village"}],
            code="village_outside_district",
        )
    return village.district, village.code
