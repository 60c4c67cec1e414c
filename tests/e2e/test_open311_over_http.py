"""Issue 7's "done when", over real HTTP against the local runner with the PyPI
Open311 client ``georeport`` (json and xml): list the services, read a definition,
file a request with a form POST, follow it from open to closed as the squad works it."""

from __future__ import annotations

import json
import time

import pytest
import requests
from georeport import GeoReport

from tests.support.images import camera_jpeg
from tests.support.open311 import as_text, assert_valid

from .conftest import sign_in

pytestmark = pytest.mark.e2e
TEXT = "Jembatan bambu goyang — anak sekolah takut lewat 🌉 (Desa Ngadimulyo)"


def clients(runner):
    root = f"{runner.base}/open311/v2"
    return GeoReport(root, output_format="json"), GeoReport(root, output_format="xml")


def test_georeport_lists_reads_files_and_follows_a_request(runner):
    as_json, as_xml = clients(runner)
    services = as_json.get_service_list()
    assert_valid("services.json", services)
    assert len(services) == 27 and as_xml.get_service_list() == as_text(services)
    flood = as_json.get_service_definition("banjir")
    assert_valid("service-definition.json", flood)
    in_xml = as_xml.get_service_definition("banjir")  # xmltodict keeps the list's wrapper
    attributes = in_xml["attributes"]["attribute"]
    assert [a["code"] for a in attributes] == [a["code"] for a in flood["attributes"]]
    assert attributes[0]["values"]["value"] == as_text(flood["attributes"][0]["values"])
    assert as_json.get_service_list()[0]["service_code"] == services[0]["service_code"]

    key = json.loads(runner.state_file.read_text())["open311_api_key"]
    filed = requests.post(
        f"{runner.base}/open311/v2/requests.json",
        data={
            "api_key": key,
            "service_code": "jembatan_rusak",
            "lat": "-8.12",
            "long": "111.58",
            "description": TEXT,
            "first_name": "Budi",
            "phone": "0813 3000 1234",
        },
        timeout=20,
    )
    assert filed.status_code == 201, filed.text
    code = filed.json()[0]["service_request_id"]

    request = as_json.get_service_request(code)
    assert_valid("request.json", request)
    assert request["status"] == "open" and request["description"] == TEXT
    assert as_xml.get_service_request(code) == as_text(request)
    assert "Budi" not in json.dumps(request)
    assert code in [r["service_request_id"] for r in as_json.get_service_requests(status="open")]

    squad = {"Authorization": f"Bearer {sign_in(runner, 'tim-orange')}"}
    rid = requests.get(f"{runner.base}/reports/{code}", timeout=10).json()["id"]
    for action in ("claim", "progress"):
        r = requests.post(f"{runner.base}/reports/{rid}/{action}", headers=squad, timeout=10)
        assert r.status_code == 200, r.text
    assert as_json.get_service_request(code)["status_notes"].startswith("Sedang ditangani")
    slot = requests.post(
        f"{runner.base}/reports/{rid}/after-photos",
        headers=squad,
        json={"lat": -8.1201, "lon": 111.58},
        timeout=10,
    ).json()
    upload = slot["upload"]
    sent = requests.post(
        upload["url"],
        data=upload["fields"],
        files={"file": ("a.jpg", camera_jpeg(640, 480), "image/jpeg")},
        timeout=20,
    )
    assert sent.status_code in (200, 201, 204)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        resolved = requests.post(
            f"{runner.base}/reports/{rid}/resolve",
            headers=squad,
            json={"note": "Jembatan diperkuat", "photo_id": slot["photo_id"]},
            timeout=10,
        )
        if resolved.status_code == 200:
            break
        time.sleep(0.3)  # the after-photo is still being processed
    assert resolved.status_code == 200, resolved.text

    closed = as_json.get_service_request(code)
    assert (
        closed["status"] == "closed" and closed["updated_datetime"] >= request["updated_datetime"]
    )
    assert as_xml.get_service_request(code) == as_text(closed)
    closed_ones = as_xml.get_service_requests(service_request_id=code)
    # xmltodict gives one <request> as a dict, several as a list
    assert (closed_ones if isinstance(closed_ones, dict) else closed_ones[0])["status"] == "closed"
    assert code in [r["service_request_id"] for r in as_json.get_service_requests(status="closed")]


def test_open311_errors_over_http_are_the_standards_arrays(runner):
    r = requests.post(
        f"{runner.base}/open311/v2/requests.xml",
        data={"service_code": "jalan_rusak", "lat": "-8.05", "long": "111.71"},
        timeout=10,
    )
    assert r.status_code == 403 and r.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert b"<errors><error><code>403</code>" in r.content
    missing = requests.get(f"{runner.base}/open311/v2/services/tidak_ada.json", timeout=10)
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    wrong_method = requests.delete(f"{runner.base}/open311/v2/requests.json", timeout=10)
    assert wrong_method.status_code == 405 and wrong_method.json()[0]["code"] == 405
