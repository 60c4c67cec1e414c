"""Every report has its place (issue #36): a report filed by GPS alone gets its
kecamatan (the nearest, marked "perkiraan", where no borders are configured); the
phone can ask before sending; a point outside the configured outline is refused
with nothing stored; the report's squad (and the command centre) can correct it."""

from __future__ import annotations

import json

import pytest

from chalicelib import config
from chalicelib.entry import events
from kawal_local.pump import StreamReader, drain
from tests.conftest import bearer

from .helpers import keys, post_json, report_body
from .test_dispatch import received, subscribe_queue
from .test_whatsapp import SENDER, choose, graph, say  # noqa: F401 (a fixture)
from .workflow_helpers import staff_post

AT_TRENGGALEK = {"lat": -8.05020, "lon": 111.71030}  # 0 m from its centre, as in the issue
NGADIRENGGO = "35.03.12.2003"  # a desa of Kecamatan Pogalan
SQUARE = [[111.60, -8.10], [111.80, -8.10], [111.80, -8.00], [111.60, -8.00], [111.60, -8.10]]


@pytest.fixture
def stream(aws):
    reader = StreamReader(config.table_name())
    return lambda: drain(reader, events.dispatch_stream)


@pytest.fixture
def outline(tmp_path, monkeypatch):
    """Kecamatan Karangan's border as the only one configured: the regency's outline."""
    path = tmp_path / "kecamatan.geojson"
    feature = {"type": "Feature", "properties": {"code": "karangan"},
               "geometry": {"type": "Polygon", "coordinates": [SQUARE]}}  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    monkeypatch.setenv("DISTRICT_BOUNDARIES_PATH", str(path))


def by_gps(**changes):
    return report_body(**{"district": None, **AT_TRENGGALEK, **changes})


def test_a_report_filed_by_gps_gets_the_nearest_kecamatan_marked_approximate(client, aws, stream):
    orange = subscribe_queue(aws, "orange", "test-orange-places")
    filed = post_json(client, "/reports", by_gps())
    assert filed.status_code == 201, filed.body
    assert (filed.json_body["district"], filed.json_body["district_approx"]) == (
        "trenggalek", True,
    )  # fmt: skip
    shown = client.http.get(f"/reports/{filed.json_body['id']}").json_body
    assert (shown["district"], shown["district_approx"]) == ("trenggalek", True)
    # the page the SMS link opens says so too
    page = client.http.get(f"/r/{filed.json_body['code']}", headers={"Accept": "text/html"})
    assert "Kec. Trenggalek (perkiraan)" in page.body.decode()
    # the squad's SMS and email name the kecamatan, and say it is a guess
    stream()
    message = json.loads(received(aws, orange)[0]["Message"])
    assert "Kec. Trenggalek (perkiraan)" in message["sms"]
    assert "-8.05020" not in message["sms"]
    assert "Kecamatan  : Trenggalek (perkiraan)" in message["email"]
    # the kecamatan the citizen picked is theirs, not a guess
    picked = post_json(client, "/reports", by_gps(district="pogalan")).json_body
    assert (picked["district"], picked["district_approx"]) == ("pogalan", False)


def test_the_phone_sees_the_place_before_sending(client):
    at = client.http.get("/districts/at?lat=-8.0502&lon=111.7103")
    assert at.status_code == 200
    assert at.json_body == {
        "district": "trenggalek", "name": "Trenggalek", "approx": True, "village": None,
    }  # fmt: skip
    far = client.http.get("/districts/at?lat=-7.25&lon=112.75")
    assert far.status_code == 400 and far.json_body["error"]["code"] == "outside_regency"
    assert client.http.get("/districts/at?lat=x&lon=1").status_code == 400


def test_with_borders_configured_the_point_decides_and_outside_them_nothing_is_sent(
    client, outline
):
    inside = post_json(client, "/reports", by_gps(lat=-8.05, lon=111.70)).json_body
    assert (inside["district"], inside["district_approx"]) == ("karangan", False)
    at = client.http.get("/districts/at?lat=-8.05&lon=111.70").json_body
    assert (at["district"], at["approx"]) == ("karangan", False)
    # inside the regency's box, outside its outline: a clear 400, nothing stored
    before = keys()
    out = post_json(client, "/reports", by_gps(lat=-8.30, lon=111.80))
    assert out.status_code == 400
    error = out.json_body["error"]
    assert error["code"] == "outside_regency" and "di luar" in error["message"]
    assert keys() == before
    asked = client.http.get("/districts/at?lat=-8.30&lon=111.80")
    assert asked.status_code == 400 and asked.json_body["error"]["code"] == "outside_regency"


def test_the_reports_squad_corrects_the_place_on_the_timeline(client, tokens):
    report = post_json(client, "/reports", by_gps()).json_body
    path = f"/reports/{report['id']}/place"
    body = {"district": "pogalan", "village": NGADIRENGGO, "reason": "Dicek di lokasi"}
    # another squad may not; nor may a citizen
    assert staff_post(client, tokens["blue"], path, body).status_code == 403
    assert client.http.post(path, body=json.dumps(body)).status_code in (401, 403)
    fixed = staff_post(client, tokens["orange"], path, body)
    assert fixed.status_code == 200, fixed.body
    got = fixed.json_body
    assert (got["district"], got["village"], got["district_approx"]) == (
        "pogalan", NGADIRENGGO, False,
    )  # fmt: skip
    entry = got["staff_timeline"][-1]
    assert entry["action"] == "relocate"
    assert entry["note"].startswith("Kec. Trenggalek (perkiraan) -> Kec. Pogalan, Desa ")
    again = staff_post(client, tokens["orange"], path, body)  # a retried tap
    assert again.status_code == 200 and len(again.json_body["staff_timeline"]) == len(
        got["staff_timeline"]
    )
    public = client.http.get(f"/reports/{report['id']}").json_body
    assert (public["district"], public["district_approx"]) == ("pogalan", False)
    # a desa that is not in the kecamatan, or no such kecamatan: 400, nothing changed
    wrong = staff_post(client, tokens["command"], path, {"district": "panggul",
                                                          "village": NGADIRENGGO})  # fmt: skip
    assert wrong.status_code == 400
    assert wrong.json_body["error"]["code"] == "village_outside_district"
    unknown = staff_post(client, tokens["command"], path, {"district": "gotham"})
    assert unknown.status_code == 400 and unknown.json_body["error"]["code"] == "unknown_district"
    assert client.http.get(f"/reports/{report['id']}").json_body["district"] == "pogalan"
    # the command centre may too
    moved = staff_post(client, tokens["command"], path, {"district": "trenggalek"})
    assert moved.status_code == 200 and moved.json_body["village"] is None


def test_the_covert_line_stays_absent_to_squads(client, tokens):
    levy = post_json(client, "/reports", by_gps(label="pungutan_liar")).json_body
    path = f"/reports/{levy['id']}/place"
    body = {"district": "pogalan"}
    for squad in ("orange", "blue"):
        absent = staff_post(client, tokens[squad], path, body)
        assert absent.status_code == 404
        assert absent.json_body["error"]["code"] == "report_not_found"
    assert "shadow" not in json.dumps(staff_post(client, tokens["orange"], path, body).json_body)
    fixed = staff_post(client, tokens["command"], path, body)
    assert fixed.status_code == 200 and fixed.json_body["district"] == "pogalan"
    staff = client.http.get(f"/staff/reports/{levy['id']}", headers=bearer(tokens["orange"]))
    assert staff.status_code == 404


def test_a_whatsapp_location_is_placed_by_the_configured_borders(client, graph, outline):  # noqa: F811
    say(client, 1, "image", id="MEDIA1", mime_type="image/jpeg")
    choose(client, 2, "g:orange")
    choose(client, 3, "l:jalan_rusak")
    say(client, 4, "location", latitude=-8.05, longitude=111.70)
    choose(client, 5, "ok", how="button_reply")
    last = graph.to(SENDER)[-1]["text"]["body"]
    code = next(w.strip("*.") for w in last.split() if w.startswith("*TRG-"))
    public = client.http.get(f"/reports/{code}").json_body
    assert (public["district"], public["district_approx"]) == ("karangan", False)
