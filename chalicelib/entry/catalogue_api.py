"""What the apps read before anything else: health, the labels (with their squads
and questions), the kecamatan and the desa/kelurahan."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.domain import geo
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import (
    DistrictOut,
    Health,
    LabelOut,
    OutlinesOut,
    PlaceOut,
    PointQuery,
    VillageOut,
)
from chalicelib.entry.contract import q
from chalicelib.entry.http import json_response, parse_query, query, route
from chalicelib.routing import load_catalogue
from chalicelib.services import places

bp = Blueprint(__name__)


@route(bp, "/health", methods=["GET"], doc={"returns": {200: Health}})
def health():
    return json_response(Health(status="ok"))


@route(bp, "/labels", methods=["GET"], doc={"returns": {200: [LabelOut]}})
def list_labels():
    labels = [LabelOut(**label) for label in load_catalogue().public_labels()]
    return json_response(labels, headers={"Cache-Control": "public, max-age=300"})


@route(bp, "/districts", methods=["GET"], doc={"returns": {200: [DistrictOut]}})
def list_districts():
    regency = geo.load_regency()
    districts = [DistrictOut(**d.model_dump()) for d in regency.districts]
    return json_response(districts, headers={"Cache-Control": "public, max-age=300"})


@route(
    bp,
    "/districts/at",
    methods=["GET"],
    doc={
        "returns": {200: PlaceOut},
        "query": (
            q("lat", "latitude", required=True, type="number", minimum=-90, maximum=90),
            q("lon", "longitude", required=True, type="number", minimum=-180, maximum=180),
        ),
    },
)
def district_at():
    """Before sending: the kecamatan (and desa) a report filed at this point gets, and
    whether it is only the nearest one (perkiraan); outside the regency: 400."""
    where = parse_query(bp.current_request, PointQuery)
    regency = geo.load_regency()
    place = places.locate(where.lat, where.lon, regency, geo.load_boundaries(regency))
    district = regency.district(place.district or "")
    assert district is not None
    answer = PlaceOut(
        district=district.code, name=district.name, approx=place.approx, village=place.village
    )
    return json_response(answer, headers={"Cache-Control": "public, max-age=300"})


@route(bp, "/districts/outlines", methods=["GET"], doc={"returns": {200: OutlinesOut}})
def district_outlines():
    """The kecamatan borders (GeoJSON) where the operator configured them; else none."""
    outlines = OutlinesOut(**geo.district_outlines(geo.load_regency()))
    return json_response(outlines, headers={"Cache-Control": "public, max-age=3600"})


@route(
    bp,
    "/villages",
    methods=["GET"],
    doc={"returns": {200: [VillageOut]}, "query": (q("district", "a district's code"),)},
)
def list_villages():
    """The regency's desa and kelurahan (Kemendagri codes), or one kecamatan's."""
    district = query(bp.current_request).get("district")
    if district is not None and geo.load_regency().district(district) is None:
        raise InvalidInput(f"unknown district {district!r}", code="unknown_district")
    found = [
        VillageOut(**v.model_dump())
        for v in geo.load_villages().villages
        if district is None or v.district == district
    ]
    return json_response(found, headers={"Cache-Control": "public, max-age=300"})
