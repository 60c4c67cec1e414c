"""What the citizens' app is served as: its page, scripts and settings (nothing covert
in any of them, a strict CSP), and the nearby lookup it calls before sending."""

from __future__ import annotations

import json
import re

from .helpers import post_json, report_body

# The levy and public-works labels are public (handled, publicly, by the command
# centre); who really answers them, and that such a squad exists, is not.
COVERT = (b"shadow", b"bayangan", b"Pengawasan", b"covert")


def _served(client, path):
    answer = client.http.get(path)
    assert answer.status_code == 200, (path, answer.body[:200])
    return answer


def _assets(page: bytes) -> list[str]:
    """Every file the page links, relative to /lapor/."""
    found = re.findall(rb'(?:src|href)="([^"#:]+)"', page)
    return sorted({f.decode() for f in found})


def test_the_page_and_everything_it_loads_names_nothing_covert(client):
    page = _served(client, "/lapor/")
    assets = _assets(page.body)
    assert {"app.js", "../shared/outbox.js", "manifest.webmanifest"} <= set(assets)
    served = [page.body]
    for asset in [*assets, "sw.js", "../shared/exifr.mini.umd.js", "privasi"]:
        path = "/lapor/" + asset if not asset.startswith("../") else "/" + asset[3:]
        served.append(_served(client, path).body)
    everything = b"\n".join(served).replace(b"box-shadow", b"")
    for word in COVERT:
        assert word not in everything, word
    # the settings the page carries: the regency's bounds and six public groups
    settings = json.loads(re.search(rb'id="settings">(.*?)</script>', page.body).group(1))
    assert [g["code"] for g in settings["groups"]] == [
        "orange", "yellow", "white", "pink", "blue", "red", "command"
    ]  # fmt: skip
    assert settings["bounds"]["min_lat"] < -8 < settings["bounds"]["max_lat"]
    handlers = {lb["code"]: lb["handled_by"]["code"] for lb in settings["labels"]}
    assert handlers["pungutan_liar"] == handlers["proyek_fisik_bermasalah"] == "command"
    assert b'data-code="banjir"' in page.body  # the grid is drawn in the page itself


def test_the_page_has_a_strict_policy_and_only_its_own_files(client):
    page = _served(client, "/lapor/")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert b"<script>" not in page.body  # no inline script: settings are a JSON data block
    assert not re.search(rb'(?:src|href)="(?:https?:)?//', page.body)  # nothing from elsewhere
    sw = _served(client, "/lapor/sw.js")
    assert sw.headers["Cache-Control"] == "no-cache"
    assert re.search(rb'serve\("lapor", "[0-9a-f]{12}"', sw.body)  # its files' version
    manifest = json.loads(_served(client, "/lapor/manifest.webmanifest").body)
    assert manifest["lang"] == "id" and manifest["start_url"] == "./"
    privacy = _served(client, "/lapor/privasi").body.decode()
    assert "UU PDP" in privacy and "90 hari" in privacy


def test_without_the_slash_the_page_forwards_and_unknown_files_are_404(client):
    bare = client.http.get("/lapor")
    assert bare.status_code == 302 and bare.headers["Location"] == "lapor/"
    for path in ("/lapor/index.html", "/lapor/..%2Fapp.py", "/shared/licences", "/lapor/nope.js"):
        assert client.http.get(path).status_code == 404, path


def test_labels_carry_an_icon_for_the_grid(client):
    labels = json.loads(_served(client, "/labels").body)
    assert all(label["icon"] for label in labels)
    assert {label["code"]: label["icon"] for label in labels}["banjir"] == "🌊"


def test_nearby_lists_open_reports_of_the_label_close_by(client):
    here = {"lat": -8.1001, "lon": 111.7001}
    first = post_json(client, "/reports", report_body(label="banjir", **here)).json_body
    post_json(client, "/reports", report_body(label="banjir", lat=-8.2, lon=111.6))  # far
    post_json(client, "/reports", report_body(label="jalan_rusak", **here))  # other label
    found = client.http.get("/reports/nearby?label=banjir&lat=-8.1002&lon=111.7001")
    assert found.status_code == 200
    nearby = json.loads(found.body)
    assert [n["code"] for n in nearby] == [first["code"]]
    assert 5 < nearby[0]["distance_m"] < 20


def test_nearby_never_tells_of_covert_reports(client):
    here = {"lat": -8.1101, "lon": 111.7101}
    post_json(client, "/reports", report_body(label="pungutan_liar", **here))
    for label in ("pungutan_liar", "proyek_fisik_bermasalah"):
        answer = client.http.get(f"/reports/nearby?label={label}&lat=-8.1101&lon=111.7101")
        unused = client.http.get(f"/reports/nearby?label={label}&lat=-8.3&lon=111.5")
        assert answer.status_code == unused.status_code == 200
        assert answer.body == unused.body == b"[]"  # as if nothing were there


def test_nearby_refuses_bad_queries_in_words(client):
    for query, field in (
        ("label=banjir&lat=abc&lon=111.7", "lat"),
        ("label=banjir&lat=-8.1", "lon"),
        ("label=banjir&lat=-91&lon=111.7", "lat"),
        ("lat=-8.1&lon=111.7", "label"),
    ):
        answer = client.http.get(f"/reports/nearby?{query}")
        assert answer.status_code == 400, query
        details = json.loads(answer.body)["error"]["details"]
        assert field in {d["field"] for d in details}, (query, details)
    unknown = client.http.get("/reports/nearby?label=nope&lat=-8.1&lon=111.7")
    assert unknown.status_code == 400
    assert json.loads(unknown.body)["error"]["code"] == "unknown_label"


def test_the_install_icons_are_served_as_images_to_a_browser(client):
    from app import app

    # what Chromium and Firefox send for an image: API Gateway looks at the first type
    accept = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
    assert accept.split(",")[0] in app.api.binary_types
    for app_name in ("lapor", "tim"):
        for name in ("icon-192.png", "icon-512.png", "icon-maskable-512.png"):
            icon = client.http.get(f"/{app_name}/{name}", headers={"Accept": accept})
            assert icon.status_code == 200, (app_name, name, icon.body[:200])
            assert icon.headers["Content-Type"] == "image/png"
            assert icon.body.startswith(b"\x89PNG\r\n\x1a\n")
