"""Open311 GeoReport v2: every document against the standard's own schemas, XML
read back and compared field by field with the JSON, form POSTs into the same
pipeline as the app, every error as the standard shapes it."""

from __future__ import annotations

import base64
import json
import urllib.parse
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.routing import load_catalogue
from chalicelib.services import apikeys, open311_lists, reports
from chalicelib.storage import ApiKeyStore
from tests.conftest import bearer
from tests.support import faults as fault_injection
from tests.support.images import camera_jpeg
from tests.support.open311 import as_text, assert_valid, from_xml, validator

from .helpers import JSON_HEADERS, all_items, post_json, report_body
from .workflow_helpers import after_photo, process_uploads, resolved_report, staff_post

V2 = "/open311/v2"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
UNICODE = "Jalan amblas — truk tak bisa lewat 🚧; warga Desa Sumberagung minta segera diperbaiki"


@pytest.fixture
def key(aws):
    key, _record = apikeys.issue(ApiKeyStore(), "Peta Warga", "operator", reports.utc_now())
    return key


def post_form(client, fields, fmt="json", headers=None):
    body = urllib.parse.urlencode(fields, encoding="utf-8")
    return client.http.post(f"{V2}/requests.{fmt}", headers=headers or FORM, body=body)


def filed(client, key, **extra):
    fields = {
        "api_key": key,
        "service_code": "jalan_rusak",
        "lat": "-8.05",
        "long": "111.71",
        "description": UNICODE,
        **extra,
    }
    r = post_form(client, list(fields.items()))
    assert r.status_code == 201, r.body
    return r.json_body[0]


def get(client, path):
    return client.http.get(V2 + path)


def both(client, path, schema=None):
    """The JSON and XML of one document, checked against each other and the schema."""
    j = get(client, f"{path}.json")
    x = get(client, f"{path}.xml")
    assert j.status_code == x.status_code == 200, (j.body, x.body)
    assert j.headers["Content-Type"] == "application/json; charset=utf-8"
    assert x.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert x.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    if schema:
        assert_valid(schema, j.json_body)
    return j.json_body, from_xml(x.body)


def test_the_schemas_really_check_what_they_claim():
    """The validators would catch a wrong response: a bad date, a missing field."""
    bad = [{"service_request_id": "x", "status": "open", "service_code": "a"}]
    assert list(validator("requests.json").iter_errors(bad))
    bad[0]["requested_datetime"] = "yesterday"
    assert list(validator("requests.json").iter_errors(bad))
    bad[0]["requested_datetime"] = "2026-11-23T08:00:00+07:00"
    assert not list(validator("requests.json").iter_errors(bad))
    bad[0]["media_url"] = "not a url"
    assert list(validator("requests.json").iter_errors(bad))


def test_services_list_every_label_and_never_the_shadow_squad(client):
    services, (root, xml) = both(client, "/services", "services.json")
    catalogue = load_catalogue()
    assert [s["service_code"] for s in services] == [label.code for label in catalogue.labels]
    assert root == "services" and xml == as_text(services)
    by_code = {s["service_code"]: s for s in services}
    assert by_code["jalan_rusak"]["group"] == "Tim Oranye"
    assert by_code["pungutan_liar"]["group"] == "Pusat Komando Bupati"
    assert "shadow" not in json.dumps(services).lower()
    assert "bayangan" not in json.dumps(services).lower()
    with_questions = {s["service_code"] for s in services if s["metadata"]}
    assert with_questions == {label.code for label in catalogue.labels if label.attributes}
    assert {"banjir", "lampu_jalan_mati", "jalan_rusak"} <= with_questions
    english = get(client, "/services.json?locale=en").json_body
    assert {s["service_code"]: s for s in english}["banjir"]["service_name"] == "Flood"


def test_service_definitions_carry_real_questions(client):
    flood, (root, xml) = both(client, "/services/banjir", "service-definition.json")
    assert root == "service_definition" and xml == as_text(flood)
    depth = flood["attributes"][0]
    assert depth["code"] == "kedalaman" and depth["datatype"] == "singlevaluelist"
    assert depth["required"] is False  # nobody in a flood is held up by a question
    assert [v["key"] for v in depth["values"]][:2] == ["semata_kaki", "selutut"]
    lamps, _ = both(client, "/services/lampu_jalan_mati", "service-definition.json")
    assert lamps["attributes"][0]["datatype"] == "number"
    outbreak, _ = both(client, "/services/wabah_penyakit", "service-definition.json")
    notice = outbreak["attributes"][0]
    assert notice["variable"] is False and "119" in notice["description"]
    plain, _ = both(client, "/services/parkir_liar", "service-definition.json")
    assert plain == {"service_code": "parkir_liar", "attributes": []}


def test_discovery_names_the_endpoint_and_its_formats(client):
    found, (root, xml) = both(client, "/discovery")
    assert root == "discovery" and xml == as_text(found)
    endpoint = found["endpoints"][0]
    assert endpoint["url"].endswith("/open311/v2")
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}


def test_a_form_post_files_a_report_into_the_same_pipeline(client, key, tokens):
    created = filed(
        client,
        key,
        first_name="Siti",
        last_name="Rahayu",
        phone="081234567890",
        email="siti@example.id",
        **{"attribute[jenis_kerusakan][]": "retak"},
    )
    assert created["service_request_id"].startswith("TRG-")
    assert "Tim Oranye" in created["service_notice"]
    code = created["service_request_id"]
    # the same report the app would have made: routed, timed, listed, in the queue
    public = client.http.get(f"/reports/{code}").json_body
    assert public["handled_by"]["code"] == "orange"
    assert public["description"] == UNICODE
    staff = client.http.get(f"/staff/reports/{public['id']}", headers=bearer(tokens["orange"]))
    assert staff.json_body["source"] == "open311"
    assert staff.json_body["attributes"] == {"jenis_kerusakan": ["retak"]}
    queue = client.http.get("/squads/orange/reports", headers=bearer(tokens["orange"])).json_body
    assert code in [item["code"] for item in queue["items"]]
    # the reporter's contact is kept apart and appears in no view
    for body in (public, staff.json_body):
        assert "Rahayu" not in json.dumps(body) and "81234567890" not in json.dumps(body)
    request, (_, _xml) = both(client, f"/requests/{code}", "requests.json")
    assert "Rahayu" not in json.dumps(request)
    contact = [i for i in all_items() if i["PK"]["S"] == f"CONTACT#{public['id']}"]
    assert contact and "sealed" in contact[0] and "81234567890" not in str(contact)
    read = staff_post(
        client,
        tokens["command"],
        f"/command/reports/{public['id']}/contact-reads",
        {"reason": "Konfirmasi lokasi dengan pelapor"},
    )
    assert read.json_body["contact"]["name"] == "Siti Rahayu"


def test_unicode_survives_the_round_trip_in_json_and_xml(client, key):
    code = filed(client, key, address_string="Jl. Raya Karangan — depan SDN 1 🏫")[
        "service_request_id"
    ]
    request, (_, xml) = both(client, f"/requests/{code}", "requests.json")
    assert request[0]["description"] == UNICODE
    assert xml[0]["description"] == UNICODE
    assert request[0]["address"].startswith("Jl. Raya Karangan — depan SDN 1 🏫")
    assert xml == as_text(request)


def test_a_retried_form_returns_the_same_request_and_stores_one(client, key):
    fields = [("api_key", key), ("service_code", "pohon_tumbang"), ("lat", "-8.1")]
    fields += [("long", "111.7"), ("attribute[menutup_jalan]", "penuh")]
    first = post_form(client, fields)
    again = post_form(client, fields)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json_body == again.json_body
    stored = [i for i in all_items() if i["SK"]["S"] == "META" and i.get("type") == {"S": "report"}]
    assert len(stored) == 1
    other = post_form(client, [*fields[:-1], ("attribute[menutup_jalan]", "sebagian")])
    assert other.status_code == 201
    assert other.json_body[0]["service_request_id"] != first.json_body[0]["service_request_id"]


def test_attributes_are_checked_against_the_definition(client, key):
    base = [("api_key", key), ("lat", "-8.1"), ("long", "111.7")]
    wrong = post_form(
        client, [*base, ("service_code", "banjir"), ("attribute[kedalaman]", "setinggi_langit")]
    )
    assert wrong.status_code == 400 and "setinggi_langit" in wrong.json_body[0]["description"]
    lamps = post_form(
        client, [*base, ("service_code", "lampu_jalan_mati"), ("attribute[jumlah_lampu]", "abc")]
    )
    assert lamps.status_code == 400
    # a question the definition does not ask (a client's own) is kept for staff, not judged
    unknown = post_form(
        client, [*base, ("service_code", "lampu_jalan_mati"), ("attribute[warna]", "merah")]
    )
    assert unknown.status_code == 201, unknown.body
    code = unknown.json_body[0]["service_request_id"]
    kept = next(i for i in all_items() if i.get("code") == {"S": code})
    assert kept["client_fields"]["M"] == {"attribute[warna]": {"S": "merah"}}
    assert "attributes" not in kept or "warna" not in kept["attributes"].get("M", {})
    fine = post_form(
        client,
        [
            *base,
            ("service_code", "jalan_rusak"),
            ("attribute[jenis_kerusakan][]", "tergenang"),
            ("attribute[jenis_kerusakan][]", "berlubang"),
        ],
    )
    assert fine.status_code == 201
    code = fine.json_body[0]["service_request_id"]
    report = next(i for i in all_items() if i.get("code") == {"S": code})
    assert [v["S"] for v in report["attributes"]["M"]["jenis_kerusakan"]["L"]] == [
        "berlubang",
        "tergenang",
    ]


def test_an_address_naming_a_kecamatan_is_placed_at_its_centre(client, key):
    r = post_form(
        client,
        [
            ("api_key", key),
            ("service_code", "sampah_menumpuk"),
            ("address_string", "Pasar Pon, Kecamatan Pogalan"),
        ],
    )
    assert r.status_code == 201, r.body
    request = get(client, f"/requests/{r.json_body[0]['service_request_id']}.json").json_body[0]
    assert "Kec. Pogalan" in request["address"]
    nowhere = post_form(
        client, [("api_key", key), ("service_code", "sampah_menumpuk"), ("address_string", "Paris")]
    )
    assert nowhere.status_code == 400 and "kecamatan" in nowhere.json_body[0]["description"]


def test_a_request_follows_the_squads_work_from_open_to_closed(client, aws, tokens, key):
    code = filed(client, key)["service_request_id"]
    request = get(client, f"/requests/{code}.json").json_body[0]
    assert request["status"] == "open" and "Tim Oranye" in request["status_notes"]
    assert request["agency_responsible"] == "Tim Oranye"
    due = datetime.fromisoformat(request["expected_datetime"])
    made = datetime.fromisoformat(request["requested_datetime"])
    assert due - made == timedelta(hours=72)  # jalan_rusak's SLA
    report_id = client.http.get(f"/reports/{code}").json_body["id"]
    staff_post(client, tokens["orange"], f"/reports/{report_id}/claim")
    claimed = get(client, f"/requests/{code}.json").json_body[0]
    assert claimed["status"] == "open" and claimed["status_notes"].startswith("Diterima")
    assert claimed["updated_datetime"] >= request["updated_datetime"]
    staff_post(client, tokens["orange"], f"/reports/{report_id}/progress")
    report = {"id": report_id, "lat": -8.05, "lon": 111.71}
    photo_id = after_photo(client, aws, tokens["orange"], report, -8.0501, 111.71)
    staff_post(
        client,
        tokens["orange"],
        f"/reports/{report_id}/resolve",
        {"note": "Sudah ditambal", "photo_id": photo_id},
    )
    done = get(client, f"/requests/{code}.json").json_body[0]
    assert done["status"] == "closed" and "konfirmasi" in done["status_notes"]
    assert done["updated_datetime"] >= claimed["updated_datetime"]
    other = filed(client, key, description="Jalan provinsi")["service_request_id"]
    other_id = client.http.get(f"/reports/{other}").json_body["id"]
    staff_post(
        client, tokens["orange"], f"/reports/{other_id}/reject", {"reason": "other_authority"}
    )
    rejected = get(client, f"/requests/{other}.json?locale=en").json_body[0]
    assert rejected["status"] == "closed"
    # in words, not the code (issue #21, item 3)
    assert rejected["status_notes"] == (
        "Rejected: not the regency's responsibility; for another authority"
    )
    in_bahasa = get(client, f"/requests/{other}.json").json_body[0]["status_notes"]
    assert in_bahasa.startswith("Ditolak: bukan kewenangan") and "other_authority" not in in_bahasa


def test_listing_filters_by_code_status_dates_and_pages(client, aws, tokens, key):
    codes = [filed(client, key, description=f"nomor {n}")["service_request_id"] for n in range(5)]
    flood = filed(client, key, service_code="banjir", **{"attribute[kedalaman]": "selutut"})
    covert = filed(client, key, service_code="pungutan_liar")["service_request_id"]
    resolved = resolved_report(client, aws, tokens)["code"]

    listed, (_, xml) = both(client, "/requests", "requests.json")
    ids = [r["service_request_id"] for r in listed]
    assert covert not in ids  # covert requests are never listed, nor counted
    assert set(ids) == {*codes, flood["service_request_id"], resolved}
    assert xml == as_text(listed)
    assert ids == sorted(ids, key=lambda i: ids.index(i))  # stable
    times = [r["requested_datetime"] for r in listed]
    assert times == sorted(times, reverse=True)  # newest first

    floods = get(client, "/requests.json?service_code=banjir").json_body
    assert [r["service_request_id"] for r in floods] == [flood["service_request_id"]]
    closed = get(client, "/requests.json?status=closed").json_body
    assert [r["service_request_id"] for r in closed] == [resolved]
    opened = get(client, "/requests.json?status=open").json_body
    assert resolved not in [r["service_request_id"] for r in opened] and len(opened) == 6

    page1 = get(client, "/requests.json?page_size=4").json_body
    page2 = get(client, "/requests.json?page_size=4&page=2").json_body
    assert [r["service_request_id"] for r in page1 + page2] == ids

    future = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    later = get(client, f"/requests.json?start_date={future}").json_body
    assert later == []
    past = (datetime.now(UTC) - timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert get(client, f"/requests.json?end_date={past}").json_body == []

    picked = get(client, f"/requests.json?service_request_id={codes[0]},{covert},TRG-000000")
    assert [r["service_request_id"] for r in picked.json_body] == [codes[0]]


def test_a_request_reads_the_same_in_the_list_as_alone(client, aws, tokens, key):
    """The list reads only the fields a request shows: every kind of request (open,
    with answers and an address, with a photo, resolved, rejected, merged) renders
    in it as it does read whole, in both languages."""
    opened = filed(client, key, address_string="Jl. Soekarno-Hatta 12")
    with_photo = post_json(
        client,
        "/reports",
        report_body(
            photo={
                "content_type": "image/jpeg",
                "data_base64": base64.b64encode(camera_jpeg(640, 480)).decode(),
            }
        ),
    ).json_body
    process_uploads(aws)
    resolved = resolved_report(client, aws, tokens)
    rejected = post_json(client, "/reports", report_body()).json_body
    staff_post(
        client, tokens["orange"], f"/reports/{rejected['id']}/reject", {"reason": "duplicate"}
    )
    duplicate = post_json(client, "/reports", report_body()).json_body
    staff_post(
        client, tokens["orange"], f"/reports/{duplicate['id']}/merge", {"into": with_photo["id"]}
    )
    codes = {
        opened["service_request_id"],
        with_photo["code"],
        resolved["code"],
        rejected["code"],
        duplicate["code"],
    }
    for locale in ("id", "en"):
        listed = get(client, f"/requests.json?locale={locale}").json_body
        assert codes <= {r["service_request_id"] for r in listed}
        for request in listed:
            code = request["service_request_id"]
            alone = get(client, f"/requests/{code}.json?locale={locale}").json_body
            assert alone == [request], code
    shown = {r["service_request_id"]: r for r in listed}
    assert shown[with_photo["code"]]["media_url"].endswith(f"/reports/{with_photo['code']}/photo")
    assert with_photo["code"] in shown[duplicate["code"]]["status_notes"]
    assert shown[opened["service_request_id"]]["address"].startswith("Jl. Soekarno-Hatta 12")


def test_a_token_leads_to_its_request(client, key):
    created = filed(client, key)
    found, (root, xml) = both(client, f"/tokens/{created['token']}")
    assert found == [
        {"service_request_id": created["service_request_id"], "token": created["token"]}
    ]
    assert root == "service_requests" and xml == as_text(found)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/services/tidak_ada.json", 404),
        ("/requests/TRG-000000.json", 404),
        ("/requests/bukan-kode.json", 404),
        ("/tokens/aaaaaaaaaaaaaaaaaaaa.json", 404),
        ("/services.csv", 404),
        ("/nothing.json", 404),
        ("/requests.json?status=pending", 400),
        ("/requests.json?start_date=kemarin", 400),
        ("/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", 400),
        ("/requests.json?start_date=2026-06-01T00:00:00Z&end_date=2026-05-01T00:00:00Z", 400),
        ("/requests.json?page_size=0", 400),
        ("/requests.json?page=dua", 400),
        ("/requests.json?service_code=tidak_ada", 404),
        ("/services.json?jurisdiction_id=chicago.gov", 400),
    ],
)
def test_read_errors_take_the_standards_shape(client, path, status):
    r = get(client, path)
    assert r.status_code == status, r.body
    assert r.json_body == [{"code": status, "description": r.json_body[0]["description"]}]
    assert r.json_body[0]["description"]
    if ".json" in path:
        x = get(client, path.replace(".json", ".xml", 1))
        assert x.status_code == status
        root, errors = from_xml(x.body)
        assert root == "errors" and errors == as_text(r.json_body)


def test_filing_errors_take_the_standards_shape(client, key):
    good = {"api_key": key, "service_code": "jalan_rusak", "lat": "-8.05", "long": "111.71"}

    def fails(status, fields, headers=None):
        r = post_form(client, list(fields.items()), headers=headers)
        assert r.status_code == status, (fields, r.body)
        assert [e["code"] for e in r.json_body] == [status]
        x = post_form(client, list(fields.items()), "xml", headers)
        assert x.status_code == status and from_xml(x.body)[1] == as_text(r.json_body)
        return r.json_body[0]["description"]

    without_key = {k: v for k, v in good.items() if k != "api_key"}
    assert "api_key" in fails(403, without_key)
    fails(403, {**good, "api_key": "k311_bukan-kunci"})
    fails(404, {**good, "service_code": "tidak_ada"})
    fails(400, {k: v for k, v in good.items() if k != "long"})
    fails(400, {**good, "lat": "utara"})
    fails(400, {**good, "lat": "-1.0", "long": "100.0"})  # outside the regency
    fails(400, {**good, "description": "x" * 4001})
    fails(400, {**good, "phone": "12"})
    fails(400, {**good, "email": "bukan-email"})
    fails(400, {**good, "jurisdiction_id": "chicago.gov"})
    fails(400, good, headers=JSON_HEADERS)
    assert filed(client, key, description="y" * 4000)  # the limit itself is fine
    assert len([i for i in all_items() if i.get("type") == {"S": "report"}]) == 1


def test_a_revoked_key_files_nothing_more(client, tokens):
    issued = post_json(
        client,
        "/open311-keys",
        {"name": "Aplikasi Desa"},
        {**JSON_HEADERS, **bearer(tokens["operator"])},
    )
    assert issued.status_code == 201
    key = issued.json_body["api_key"]
    assert filed(client, key)
    listed = client.http.get("/open311-keys", headers=bearer(tokens["operator"])).json_body
    assert [k["name"] for k in listed] == ["Aplikasi Desa"]
    assert key not in json.dumps(listed) and "key_hash" not in listed[0]
    assert key not in json.dumps([str(i) for i in all_items()])  # stored hashed only
    gone = client.http.delete(
        f"/open311-keys/{issued.json_body['id']}", headers=bearer(tokens["command"])
    )
    assert gone.status_code == 200 and gone.json_body["revoked_at"]
    r = post_form(
        client,
        [("api_key", key), ("service_code", "jalan_rusak"), ("lat", "-8.05"), ("long", "111.7")],
    )
    assert r.status_code == 403
    assert (
        client.http.delete(
            "/open311-keys/000000000000", headers=bearer(tokens["operator"])
        ).status_code
        == 404
    )
    squad = client.http.delete(
        f"/open311-keys/{issued.json_body['id']}", headers=bearer(tokens["orange"])
    )
    assert squad.status_code == 403


def test_a_request_with_a_photo_links_a_stable_media_url(client, aws, key):
    body = report_body(
        photo={
            "content_type": "image/jpeg",
            "data_base64": base64.b64encode(camera_jpeg(800, 600)).decode(),
        }
    )
    report = post_json(client, "/reports", body).json_body
    process_uploads(aws)
    request = get(client, f"/requests/{report['code']}.json").json_body[0]
    assert request["media_url"].endswith(f"/reports/{report['code']}/photo")
    assert_valid("requests.json", [request])
    path = request["media_url"].split("8000", 1)[-1] if "8000" in request["media_url"] else None
    r = client.http.get(path or f"/reports/{report['code']}/photo")
    assert r.status_code == 302 and "display" in r.headers["Location"]
    no_photo = filed(client, key)
    assert (
        get(client, f"/requests/{no_photo['service_request_id']}.json").json_body[0]["media_url"]
        is None
    )


def test_fixmystreet_s_way_of_sending_a_multi_choice_answer_and_crlf(client, key):
    """FixMyStreet repeats ``attribute[code]`` for each value of a multi-choice answer
    and sends descriptions with CRLF (issue #21, items 1 and 7)."""
    r = post_form(
        client,
        [
            ("api_key", key),
            ("service_code", "jalan_rusak"),
            ("lat", "-8.05"),
            ("long", "111.71"),
            ("description", "Lubang besar\r\ndi depan pasar\r\n"),
            ("attribute[jenis_kerusakan]", "berlubang"),
            ("attribute[jenis_kerusakan]", "retak"),
        ],
    )
    assert r.status_code == 201, r.body
    code = r.json_body[0]["service_request_id"]
    report = next(i for i in all_items() if i.get("code") == {"S": code})
    answers = report["attributes"]["M"]["jenis_kerusakan"]["L"]
    assert sorted(v["S"] for v in answers) == ["berlubang", "retak"]
    assert report["description"]["S"] == "Lubang besar\ndi depan pasar"


def test_covert_services_are_private_for_fixmystreet(client):
    services = get(client, "/services.json").json_body
    private = {s["service_code"] for s in services if "private" in s["keywords"].split(", ")}
    assert "pungutan_liar" in private and "jalan_rusak" not in private


@pytest.mark.parametrize(
    "query",
    [
        "start_date=9999-12-31T00:00:00Z",
        "end_date=0001-01-01T00:00:00Z",
        "start_date=0001-01-01T00:00:00",
        "end_date=9999-12-31T23:59:59-07:00",
        "updated_after=0001-01-01T00:00:00Z",
        "updated_after=9999-12-31T00:00:00Z",
        "updated_before=0001-01-01T00:00:00",
        "updated_before=9999-12-31T23:00:00Z",
    ],
)
def test_dates_at_the_calendars_ends_are_a_clear_400(client, query):
    """Not a 500 from date arithmetic that leaves the calendar: a date the regency's
    records cannot hold is refused, and says which years are taken."""
    r = get(client, f"/requests.json?{query}")
    assert r.status_code == 400, (query, r.body)
    assert "2000" in r.json_body[0]["description"] and "2099" in r.json_body[0]["description"]
    x = get(client, f"/requests.xml?{query}")
    assert x.status_code == 400 and from_xml(x.body)[1] == as_text(r.json_body)


def test_an_anonymous_read_makes_a_bounded_number_of_aws_calls(client, aws, key, monkeypatch):
    """The bounds the README states, counted on the calls boto3 makes: 1,000 ids in
    20 batch reads (not two reads each), a day of changes in one Query an hour and a
    batch read per 100 changed requests (a week, 168 Queries and a read per change,
    is refused), a list at most 40 Queries and never deeper than 2,000 requests."""
    codes = [filed(client, key, description=f"nomor {n}")["service_request_id"] for n in range(3)]
    covert = filed(client, key, service_code="pungutan_liar")["service_request_id"]
    faults = fault_injection.install(monkeypatch)

    def dynamodb_calls(path):
        answer = faults.run(lambda: get(client, path))
        assert answer.status_code == 200, (path, answer.body)
        return answer.json_body, [op for service, op in faults.calls if service == "dynamodb"]

    asked = [*(f"TRG-{n:06d}" for n in range(996)), *codes, covert]
    listed, made = dynamodb_calls(f"/requests.json?service_request_id={','.join(asked)}")
    assert [r["service_request_id"] for r in listed] == codes
    assert len(made) <= 20 and set(made) == {"BatchGetItem"}

    since = (datetime.now(UTC) - timedelta(hours=23)).strftime("%Y-%m-%dT%H:%M:%SZ")
    listed, made = dynamodb_calls(f"/requests.json?updated_after={since}")
    assert {r["service_request_id"] for r in listed} == set(codes)
    assert made.count("Query") <= 25 and made.count("BatchGetItem") == 1 and len(made) <= 26
    week = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert get(client, f"/requests.json?updated_after={week}").status_code == 400

    listed, made = dynamodb_calls("/requests.json?page_size=1000&service_code=jalan_rusak")
    assert len(listed) == 3 and len(made) <= 40
    too_deep = get(client, "/requests.json?page=9999&page_size=1000")
    assert too_deep.status_code == 400 and "2,000" in too_deep.json_body[0]["description"]
    assert get(client, "/requests.json?page=2&page_size=1000").json_body == []

    _, made = dynamodb_calls(f"/requests/{codes[0]}.json")
    assert len(made) <= 2


def test_a_list_that_would_read_past_its_budget_says_narrow_it(client, key, monkeypatch):
    """When the index reads a list may make are spent before its page is whole, the
    client is told to narrow the dates (a 400), never handed a silently short page."""
    filed(client, key)
    monkeypatch.setattr(open311_lists, "LIST_QUERIES", 1)
    r = get(client, "/requests.json")  # 90 days: three or four months' partitions
    assert r.status_code == 400, r.body
    assert "narrow start_date/end_date" in r.json_body[0]["description"]
    today = datetime.now(UTC).strftime("%Y-%m-%dT00:00:00Z")
    assert len(get(client, f"/requests.json?start_date={today}").json_body) == 1


def test_a_failing_batch_read_is_a_503_to_retry(client, key, monkeypatch):
    """DynamoDB refusing a batch read (throttled, down) is the standard's error with
    retry advice, not a crash and not a silently empty list."""
    code = filed(client, key)["service_request_id"]
    faults = fault_injection.install(monkeypatch)
    for fail_at in (0, 1):  # the codes' batch, then the requests'
        r = faults.run(lambda: get(client, f"/requests.json?service_request_id={code}"), fail_at)
        assert r.status_code == 503, (fail_at, r.body)
        assert r.json_body[0]["code"] == 503
    assert [q["service_request_id"] for q in get(client, f"/requests/{code}.json").json_body] == [
        code
    ]
