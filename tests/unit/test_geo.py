import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.geo import Boundaries, geohash, load_regency, load_villages
from chalicelib.domain.models import ReportIn
from chalicelib.services.places import locate, place_of

SQUARE = [[111.60, -8.10], [111.70, -8.10], [111.70, -8.00], [111.60, -8.00], [111.60, -8.10]]
HOLE = [[111.64, -8.06], [111.66, -8.06], [111.66, -8.04], [111.64, -8.04], [111.64, -8.06]]


def feature(code, geometry):
    return {"type": "Feature", "properties": {"code": code}, "geometry": geometry}


def boundaries():
    return Boundaries(
        {
            "type": "FeatureCollection",
            "features": [
                feature("tugu", {"type": "Polygon", "coordinates": [SQUARE, HOLE]}),
                feature(
                    "panggul",
                    {
                        "type": "MultiPolygon",
                        "coordinates": [
                            [[[111.40, -8.30], [111.45, -8.30], [111.45, -8.25], [111.40, -8.30]]],
                            [[[111.50, -8.30], [111.55, -8.30], [111.55, -8.25], [111.50, -8.30]]],
                        ],
                    },
                ),
            ],
        },
        {d.code for d in load_regency().districts},
    )


def test_trenggalek_has_its_fourteen_districts_and_bounds():
    regency = load_regency()
    assert len(regency.districts) == 14
    assert regency.district("watulimo").name == "Watulimo"
    assert regency.bounds.contains(-8.05, 111.71)
    assert not regency.bounds.contains(-7.25, 112.75)  # Surabaya
    for d in regency.districts:
        assert regency.bounds.contains(d.lat, d.lon), d.code


def test_point_in_polygon_with_hole_and_multipolygon():
    b = boundaries()
    assert b.district_at(-8.09, 111.61) == "tugu"
    assert b.district_at(-8.05, 111.65) is None  # inside the hole
    assert b.district_at(-8.29, 111.44) == "panggul"  # second-ring triangle, first part
    assert b.district_at(-8.29, 111.54) == "panggul"
    assert b.district_at(-8.20, 111.90) is None


def test_boundaries_with_an_unknown_district_are_rejected():
    with pytest.raises(ValueError, match="unknown district"):
        Boundaries(
            {"features": [feature("atlantis", {"type": "Polygon", "coordinates": [SQUARE]})]},
            {"tugu"},
        )


def _report(**kw):
    return ReportIn(label="banjir", lat=-8.09, lon=111.61, **kw)


def test_district_from_polygon_wins_over_the_phone():
    place = place_of(_report(district="panggul"), load_regency(), boundaries())
    assert (place.district, place.approx) == ("tugu", False)


def test_district_falls_back_to_the_phone_then_to_the_nearest_marked_approximate():
    assert place_of(_report(district="pule"), load_regency(), None) == ("pule", None, False)
    # 0 m from the centre of Kecamatan Trenggalek: that one, but only a guess
    at_centre = locate(-8.05020, 111.71030, load_regency(), None)
    assert at_centre == ("trenggalek", None, True)


def test_nearest_district_weighs_longitude_by_latitude():
    regency = load_regency()
    assert regency.nearest_district(-8.24, 111.44).code == "panggul"
    assert regency.nearest_district(-8.27, 111.73).code == "watulimo"
    assert regency.nearest_district(-7.99, 111.66).code == "bendungan"


def test_a_named_village_places_a_guessed_kecamatan():
    # Desa in Kecamatan Bendungan, the point nearer Trenggalek's centre: the desa wins
    village = next(v for v in load_villages().villages if v.district == "bendungan")
    place = locate(-8.05, 111.71, load_regency(), None, village=village.code)
    assert place == ("bendungan", village.code, False)


def test_point_in_outline_is_the_union_of_the_kecamatan():
    shapes = boundaries()
    assert shapes.contains(-8.09, 111.61)  # in Tugu's square
    assert not shapes.contains(-8.05, 111.65)  # in its hole
    assert not shapes.contains(-8.20, 111.80)  # in the box, outside every kecamatan


def test_outside_the_outline_is_refused_though_inside_the_box():
    regency = load_regency()
    assert regency.bounds.contains(-8.20, 111.80)
    with pytest.raises(InvalidInput) as err:
        locate(-8.20, 111.80, regency, boundaries())
    assert err.value.code == "outside_regency"
    assert err.value.details[0]["outline"] == "/districts/outlines"
    with pytest.raises(InvalidInput) as err:
        locate(-7.25, 112.75, regency, None)  # Surabaya: outside the box
    assert err.value.code == "outside_regency"


def test_unknown_district_is_refused_with_the_allowed_list():
    with pytest.raises(InvalidInput) as err:
        place_of(_report(district="gotham"), load_regency(), None)
    assert err.value.code == "unknown_district"
    assert "trenggalek" in err.value.details[0]["allowed"]


def test_geohash_prefixes_nest():
    near = geohash(-8.05, 111.71)
    assert len(near) == 9 and geohash(-8.05, 111.71, 5) == near[:5]
