"""Public transparency: the anonymised list (and GeoJSON), and "already reported?" on submit."""

from __future__ import annotations

import json

from tests.conftest import bearer

from .helpers import post_json, report_body
from .workflow_helpers import staff_post


def test_a_second_report_nearby_hears_of_the_first(client):
    first = post_json(client, "/reports", report_body(lat=-8.05, lon=111.71)).json_body
    assert first["nearby"] == []
    close = post_json(client, "/reports", report_body(lat=-8.0503, lon=111.7102)).json_body  # ~40 m
    assert [(n["id"], n["status"]) for n in close["nearby"]] == [(first["id"], "submitted")]
    assert 30 < close["nearby"][0]["distance_m"] < 50
    far = post_json(client, "/reports", report_body(lat=-8.0510, lon=111.71)).json_body  # ~110 m
    assert first["id"] not in {n["id"] for n in far["nearby"]}
    other_label = post_json(client, "/reports", report_body(label="banjir")).json_body
    assert other_label["nearby"] == []


def test_closed_and_covert_reports_are_not_offered_as_duplicates(client, tokens):
    rejected = post_json(client, "/reports", report_body()).json_body
    staff_post(
        client, tokens["orange"], f"/reports/{rejected['id']}/reject", {"reason": "duplicate"}
    )
    again = post_json(client, "/reports", report_body()).json_body
    assert rejected["id"] not in {n["id"] for n in again["nearby"]}
    covert = post_json(client, "/reports", report_body(label="pungutan_liar")).json_body
    covert_again = post_json(client, "/reports", report_body(label="pungutan_liar")).json_body
    assert covert_again["nearby"] == [] and covert["nearby"] == []


def test_the_public_list_is_anonymised_filterable_and_never_covert(client, tokens):
    contact = {"name": "Siti Aminah", "phone": "081234567890"}
    road = post_json(client, "/reports", report_body(contact=contact)).json_body
    flood = post_json(
        client, "/reports", report_body(label="banjir", lat=-8.24, lon=111.44)
    ).json_body
    post_json(client, "/reports", report_body(label="pungutan_liar"))
    staff_post(client, tokens["orange"], f"/reports/{road['id']}/claim")
    listed = client.http.get("/reports")
    assert listed.status_code == 200
    items = listed.json_body["items"]
    assert [i["id"] for i in items] == [flood["id"], road["id"]]  # newest first, covert absent
    road_item = items[1]
    assert road_item["status"] == "accepted" and road_item["response_minutes"] == 0
    text = listed.body.decode()
    assert "Siti" not in text and "081234567890" not in text and "reporter_token" not in text
    assert [i["id"] for i in client.http.get("/reports?label=banjir").json_body["items"]] == [
        flood["id"]
    ]
    assert [i["id"] for i in client.http.get("/reports?status=accepted").json_body["items"]] == [
        road["id"]
    ]
    boxed = client.http.get("/reports?bbox=111.40,-8.30,111.50,-8.20").json_body["items"]
    assert [i["id"] for i in boxed] == [flood["id"]]
    # a covert label answers like any label with nothing public: an empty page (#15)
    assert client.http.get("/reports?label=pungutan_liar").json_body["items"] == []
    assert client.http.get("/reports?bbox=1,2,3").status_code == 400
    assert client.http.get("/reports?month=2026-13x").status_code == 400


def test_the_public_list_as_geojson(client):
    report = post_json(client, "/reports", report_body(lat=-8.1, lon=111.6)).json_body
    r = client.http.get("/reports?format=geojson")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/geo+json"
    body = json.loads(r.body)
    (feature,) = body["features"]
    assert body["type"] == "FeatureCollection" and feature["id"] == report["id"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [111.6, -8.1]}
    assert feature["properties"]["code"] == report["code"]


def test_the_public_detail_shows_response_times(client, tokens):
    report = post_json(client, "/reports", report_body()).json_body
    staff_post(client, tokens["orange"], f"/reports/{report['id']}/claim")
    public = client.http.get(f"/reports/{report['id']}").json_body
    assert public["first_response_at"] >= public["created_at"]
    assert "assignee" not in public and "orange" not in json.dumps(public["timeline"])
    assert (
        client.http.get(
            "/staff/reports/" + report["id"], headers=bearer(tokens["orange"])
        ).json_body["assignee"]
        == "orange"
    )
