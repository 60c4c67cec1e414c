"""What the squads' app is served as: a page and scripts that hold no data and name
nothing covert (anyone can load them), a strict CSP, and /r/{code} opening the app
only in a browser a squad member signed in on."""

from __future__ import annotations

import json
import re

from .helpers import post_json, report_body
from .test_lapor_served import COVERT, _assets, _served

BROWSER = {"Accept": "text/html,*/*;q=0.8"}


def test_the_page_and_everything_it_loads_names_nothing_covert_and_holds_no_data(client):
    page = _served(client, "/tim/")
    served = [page.body]
    for asset in [*_assets(page.body), "sw.js", "../shared/sw-shell.js"]:
        path = "/tim/" + asset if not asset.startswith("../") else "/" + asset[3:]
        served.append(_served(client, path).body)
    everything = b"\n".join(served).replace(b"box-shadow", b"")
    for word in COVERT:
        assert word not in everything, word
    settings = json.loads(re.search(rb'id="settings">(.*?)</script>', page.body).group(1))
    assert set(settings) == {
        "labels",
        "districts",
        "villages",
        "squads",
        "statuses",
        "reject_reasons",
    }
    assert "shadow" not in settings["squads"] and len(settings["squads"]) == 6
    assert settings["reject_reasons"]["duplicate"][0] == "laporan ganda"
    report = post_json(client, "/reports", report_body()).json_body
    assert report["code"].encode() not in page.body  # no report in the page itself
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_r_code_opens_the_app_only_where_a_squad_member_signed_in(client):
    report = post_json(client, "/reports", report_body()).json_body
    code = report["code"]
    citizen = client.http.get(f"/r/{code}", headers=BROWSER)
    assert citizen.status_code == 200 and code.encode() in citizen.body  # the follow page
    staff = client.http.get(f"/r/{code}", headers={**BROWSER, "Cookie": "kawal_staff=1"})
    assert staff.status_code == 302 and staff.headers["Location"] == f"../tim/#r/{code}"
    asked = client.http.get(
        f"/r/{code}?view=public", headers={**BROWSER, "Cookie": "kawal_staff=1"}
    )
    assert asked.status_code == 200  # the app's "see its public page" link
    api = client.http.get(f"/r/{code}", headers={"Cookie": "kawal_staff=1"})
    assert api.status_code == 302 and api.headers["Location"] == f"../reports/{code}"
    bad = client.http.get("/r/nonsense%0d%0aX:1", headers={**BROWSER, "Cookie": "kawal_staff=1"})
    assert bad.status_code == 404  # only a real short code is ever put in a Location


def test_without_the_slash_the_page_forwards(client):
    bare = client.http.get("/tim")
    assert bare.status_code == 302 and bare.headers["Location"] == "tim/"
    assert client.http.get("/tim/nope.js").status_code == 404
