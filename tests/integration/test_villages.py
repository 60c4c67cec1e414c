"""Desa and kelurahan: Trenggalek's 152 desa and 5 kelurahan by their Kemendagri
codes; a report may name its village, which must lie in its kecamatan (or names
the kecamatan); where village boundaries are configured, the point decides; the
command centre's figures break down by village."""

from __future__ import annotations

import json

from .helpers import post_json, report_body
from .test_stats import command_view, run_job

SURODAKAN = "35.03.11.1006"  # a kelurahan of Kecamatan Trenggalek
BESUKI = "35.03.01.2001"  # a desa of Kecamatan Panggul


def test_the_regency_has_152_desa_and_5_kelurahan(client):
    villages = client.http.get("/villages").json_body
    kinds = [v["kind"] for v in villages]
    assert (kinds.count("desa"), kinds.count("kelurahan"), len(villages)) == (152, 5, 157)
    town = client.http.get("/villages?district=trenggalek").json_body
    assert {v["code"] for v in town if v["kind"] == "kelurahan"} >= {SURODAKAN}
    assert all(v["district"] == "trenggalek" for v in town)
    assert client.http.get("/villages?district=gotham").status_code == 400


def test_a_report_names_its_village_and_the_figures_count_it(client, tokens):
    named = post_json(client, "/reports", report_body(village=SURODAKAN)).json_body
    assert (named["village"], named["district"]) == (SURODAKAN, "trenggalek")
    alone = post_json(client, "/reports", report_body(district=None, village=BESUKI,
                                                      lat=-8.24, lon=111.44)).json_body  # fmt: skip
    assert alone["district"] == "panggul"  # the village names its kecamatan
    wrong = post_json(client, "/reports", report_body(district="panggul", village=SURODAKAN))
    assert wrong.status_code == 400
    assert wrong.json_body["error"]["code"] == "village_outside_district"
    unknown = post_json(client, "/reports", report_body(village="35.03.99.9999"))
    assert unknown.status_code == 400 and unknown.json_body["error"]["code"] == "unknown_village"
    run_job()
    figures = command_view(client, tokens)["figures"]
    assert figures[f"village#{SURODAKAN}"]["received"] == 1
    public = client.http.get("/stats/public").json_body
    assert not [d for d in public["figures"] if d.startswith("village#")]


def test_where_village_boundaries_are_configured_the_point_decides(client, tmp_path, monkeypatch):
    square = [[111.70, -8.06], [111.72, -8.06], [111.72, -8.04], [111.70, -8.04], [111.70, -8.06]]
    shapes = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": SURODAKAN},
         "geometry": {"type": "Polygon", "coordinates": [square]}},
    ]}  # fmt: skip
    path = tmp_path / "villages.geojson"
    path.write_text(json.dumps(shapes))
    monkeypatch.setenv("VILLAGE_BOUNDARIES_PATH", str(path))
    inside = post_json(client, "/reports", report_body(lat=-8.05, lon=111.71)).json_body
    assert inside["village"] == SURODAKAN
    outside = post_json(client, "/reports", report_body(lat=-8.10, lon=111.71)).json_body
    assert outside["village"] is None
