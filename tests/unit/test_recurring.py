"""The recurring-problem finder on hand-made histories (issue #38)."""

from datetime import UTC, datetime, timedelta

from chalicelib.domain import recurring
from chalicelib.domain.recurring import Occurrence

START = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
DRAIN = (-8.0500, 111.7100)  # a drain in Trenggalek town
NOW = START + timedelta(days=200)


def north_of(point, metres):
    return point[0] + metres / 111_195, point[1]


def fixed(n, point, *, label="saluran_mampet", every=timedelta(days=35), covert=False):
    """n reports at a place, each resolved three days after it came in."""
    out = []
    for i in range(n):
        at = START + i * every
        lat, lon = north_of(point, 10 * (i % 3))  # phones place it a few metres apart
        out.append(
            Occurrence(
                report_id=f"{label}-{point[0]}-{i}",
                label=label,
                lat=lat,
                lon=lon,
                created_at=at,
                closures=(at + timedelta(days=3),),
                covert=covert,
                district="trenggalek",
            )
        )
    return out


def test_a_drain_that_floods_again_and_again_is_found():
    found = recurring.find(fixed(4, DRAIN), NOW)
    assert len(found) == 1
    place = found[0]
    assert place.family == "saluran_mampet"
    assert (place.reports, place.closures, place.returns) == (4, 4, 3)
    assert place.months >= 3
    assert recurring.distance_m(place.lat, place.lon, *DRAIN) < 20
    assert place.last_closed_at == START + 3 * timedelta(days=35) + timedelta(days=3)


def test_two_different_problems_300_m_apart_are_not_merged():
    other = north_of(DRAIN, 300)
    found = recurring.find(fixed(3, DRAIN) + fixed(3, other), NOW)
    assert len(found) == 2
    assert sorted(p.reports for p in found) == [3, 3]
    far = recurring.distance_m(found[0].lat, found[0].lon, found[1].lat, found[1].lon)
    assert 250 < far < 350


def test_the_distance_is_configurable():
    other = north_of(DRAIN, 300)
    found = recurring.find(fixed(3, DRAIN) + fixed(3, other), NOW, radius_m=400)
    assert [p.reports for p in found] == [6]


def test_a_problem_fixed_for_good_drops_off():
    history = fixed(4, DRAIN)
    assert recurring.find(history, NOW)  # still within the quiet period: listed
    long_after = history[-1].closures[-1] + recurring.SETTLED_AFTER + timedelta(days=1)
    assert recurring.find(history, long_after) == []
    # …unless it is reported again: then it is back
    again = Occurrence(
        report_id="again", label="saluran_mampet", lat=DRAIN[0], lon=DRAIN[1],
        created_at=long_after, open=True,
    )  # fmt: skip
    assert recurring.find([*history, again], long_after)[0].reports == 5


def test_a_problem_reported_often_but_never_fixed_is_not_a_return():
    never = [
        Occurrence(
            report_id=f"open-{i}", label="jalan_rusak", lat=DRAIN[0], lon=DRAIN[1],
            created_at=START + timedelta(days=40 * i), open=True,
        )
        for i in range(4)
    ]  # fmt: skip
    assert recurring.find(never, NOW) == []


def test_different_labels_at_one_place_are_apart_unless_one_family():
    mixed = fixed(2, DRAIN, label="saluran_mampet") + fixed(
        2, DRAIN, label="banjir", every=timedelta(days=37)
    )
    assert recurring.find(mixed, NOW) == []  # two each: neither came back twice
    families = {"saluran_mampet": "air", "banjir": "air"}
    found = recurring.find(mixed, NOW, family=lambda label: families.get(label, label))
    assert [(p.family, p.labels, p.reports) for p in found] == [
        ("air", ("banjir", "saluran_mampet"), 4)
    ]


def test_covert_reports_never_feed_it():
    assert recurring.find(fixed(5, DRAIN, covert=True), NOW) == []
    # nor add to a public place
    public = fixed(3, DRAIN)
    with_covert = public + fixed(3, DRAIN, label="saluran_mampet", covert=True)
    assert [p.reports for p in recurring.find(with_covert, NOW)] == [3]


def test_occurrences_round_trip_as_stored():
    o = fixed(1, DRAIN)[0]
    assert Occurrence.from_item(o.to_item()) == o


def test_a_stored_place_fixed_for_good_drops_off_without_being_recomputed():
    stored = [p.to_item() for p in recurring.find(fixed(4, DRAIN), NOW)]
    assert [p["reports"] for p in recurring.current(stored, NOW)] == [4]
    later = NOW + recurring.SETTLED_AFTER
    assert recurring.current(stored, later) == []
    still_open = [{**stored[0], "open": True}]
    assert recurring.current(still_open, later) == still_open


def test_a_place_is_kept_by_the_cell_of_its_centre_only():
    history = fixed(4, DRAIN)
    home = recurring.cell_of(*DRAIN)
    assert len(recurring.places_of_cell(home, history, NOW)) == 1
    assert recurring.places_of_cell("qqx6q" if home != "qqx6q" else "qqx3v", history, NOW) == []
