"""The citizen's report API through Chalice's test client, on moto."""

from __future__ import annotations

import json

import pytest

from chalicelib.adapters import sealing
from chalicelib.domain import identifiers
from chalicelib.domain.errors import Unavailable
from chalicelib.routing import load_catalogue

from .helpers import JSON_HEADERS, all_items, keys, post_json, report_body

SECRET_FIELDS = ("token_hash", "request_hash", "client_report_id", "reporter_token", "contact")


def test_health(client):
    r = client.http.get("/health")
    assert r.status_code == 200 and r.json_body == {"status": "ok"}


def test_labels_and_districts_for_the_phone(client):
    labels = client.http.get("/labels").json_body
    assert {label["code"] for label in labels} == {label.code for label in load_catalogue().labels}
    assert "shadow" not in json.dumps(labels)
    districts = client.http.get("/districts").json_body
    assert len(districts) == 14 and {"code", "name", "lat", "lon"} <= set(districts[0])


@pytest.mark.parametrize("label", [label.code for label in load_catalogue().labels])
def test_submit_routes_every_label_to_its_squad(client, label):
    r = post_json(client, "/reports", report_body(label=label))
    assert r.status_code == 201, r.body
    body = r.json_body
    squad = load_catalogue().squad_for(label)
    assert body["status"] == "submitted"
    assert body["handled_by"]["code"] == ("command" if squad.covert else squad.code)
    assert identifiers.is_short_code(body["code"])
    stored = next(i for i in all_items() if i["PK"]["S"] == f"REPORT#{body['id']}")
    assert stored["squad"]["S"] == squad.code  # the squad that gets dispatched


def test_submit_then_read_back_by_id_and_by_code(client):
    sent = report_body(address="Jl. Soekarno-Hatta 1", description="Lubang besar — bahaya 🚧")
    created = post_json(client, "/reports", sent)
    assert created.status_code == 201
    body = created.json_body
    assert created.headers["Location"] == f"/reports/{body['id']}"
    assert body["reporter_token"] and body["label"]["name_id"] == "Jalan rusak"
    assert body["sla_due_at"] > body["created_at"]

    by_id = client.http.get(f"/reports/{body['id']}")
    by_code = client.http.get(f"/reports/{body['code'].lower()}")
    assert by_id.status_code == by_code.status_code == 200
    assert by_id.json_body == by_code.json_body
    public = by_id.json_body
    assert public["description"] == sent["description"]
    assert public["address"] == sent["address"]
    assert [e["status"] for e in public["timeline"]] == ["submitted"]
    assert {k: public[k] for k in ("lat", "lon", "district")} == {
        "lat": -8.05,
        "lon": 111.71,
        "district": "trenggalek",
    }
    assert not set(SECRET_FIELDS) & set(public)


def test_reporter_contact_is_stored_apart_and_never_shown(client):
    contact = {"name": "Siti Aminah", "phone": "0812-3456-7890", "email": "siti@example.id"}
    body = post_json(client, "/reports", report_body(contact=contact)).json_body
    items = {(i["PK"]["S"], i["SK"]["S"]): i for i in all_items()}
    stored = items[(f"CONTACT#{body['id']}", "META")]
    # sealed with the stage's KMS key, bound to this report; only "notify" stays readable
    assert set(stored) == {"PK", "SK", "type", "notify", "sealed"}
    assert "Siti" not in str(stored) and "3456" not in str(stored)
    assert sealing.unseal(body["id"], stored["sealed"]["B"]) == {
        "name": "Siti Aminah",
        "phone": "+6281234567890",
        "email": "siti@example.id",
    }
    with pytest.raises(Unavailable):  # copied onto another report, it does not open
        sealing.unseal("a" * 20, stored["sealed"]["B"])
    report_item = json.dumps(items[(f"REPORT#{body['id']}", "META")])
    public = client.http.get(f"/reports/{body['id']}").body.decode()
    for secret in ("Siti", "3456", "siti@example.id"):
        assert secret not in report_item and secret not in public
        assert secret not in json.dumps(body)


def test_only_hashes_of_the_token_are_stored(client):
    body = post_json(client, "/reports", report_body()).json_body
    dump = json.dumps(all_items())
    assert body["reporter_token"] not in dump
    assert identifiers.hash_secret(body["reporter_token"]) in dump


def test_retry_with_same_client_id_returns_the_same_report_once(client):
    sent = report_body()
    first = post_json(client, "/reports", sent)
    before = keys()
    again = post_json(client, "/reports", sent)
    assert (first.status_code, again.status_code) == (201, 200)
    for field in ("id", "code", "reporter_token", "created_at"):
        assert again.json_body[field] == first.json_body[field]
    assert keys() == before  # nothing new stored


def test_reusing_a_client_id_for_another_report_is_a_conflict(client):
    sent = report_body()
    first = post_json(client, "/reports", sent).json_body
    before = keys()
    r = post_json(client, "/reports", {**sent, "description": "something else entirely"})
    assert r.status_code == 409
    assert r.json_body["error"]["code"] == "idempotency_key_reused"
    assert keys() == before
    assert (
        client.http.get(f"/reports/{first['id']}").json_body["description"] == sent["description"]
    )


def test_without_client_id_each_post_is_a_new_report(client):
    sent = report_body(client_report_id=None)
    a = post_json(client, "/reports", sent).json_body
    b = post_json(client, "/reports", sent).json_body
    assert a["id"] != b["id"] and a["reporter_token"] != b["reporter_token"]


def test_a_short_code_collision_draws_another_code(client, monkeypatch):
    taken = post_json(client, "/reports", report_body()).json_body["code"]
    drawn = iter([taken, "TRG-ZZZZZZ"])
    monkeypatch.setattr(identifiers, "new_short_code", lambda prefix: next(drawn))
    r = post_json(client, "/reports", report_body())
    assert r.status_code == 201 and r.json_body["code"] == "TRG-ZZZZZZ"


def test_covert_reports_are_absent_from_public_reads(client):
    created = post_json(client, "/reports", report_body(label="pungutan_liar"))
    assert created.status_code == 201
    body = created.json_body
    text = json.dumps(body).lower()
    assert "shadow" not in text and "bayangan" not in text
    assert body["handled_by"]["code"] == "command"
    for ref in (body["id"], body["code"]):
        r = client.http.get(f"/reports/{ref}")
        assert r.status_code == 404
        unknown = client.http.get("/reports/aaaaaaaaaaaaaaaaaaaa")
        assert r.body.decode().replace(ref, "?") == unknown.body.decode().replace(
            "aaaaaaaaaaaaaaaaaaaa", "?"
        )


# -- errors: a clear 4xx in one shape, and nothing stored ----------------------

BAD_BODIES = [
    ("{not json", "malformed_json", 400),
    ("", "malformed_json", 400),
    ("[1, 2]", "invalid_input", 400),
    ('"a string"', "invalid_input", 400),
    (report_body(lat="-8.05"), "validation_failed", 400),
    (report_body(label=7), "validation_failed", 400),
    (report_body(colour="red"), "validation_failed", 400),
    (report_body(label="jalan_rusak_parah"), "unknown_label", 400),
    (report_body(lat=-7.25, lon=112.75), "outside_regency", 400),
    (report_body(description="x" * 4001), "validation_failed", 400),
    (report_body(district="gotham"), "unknown_district", 400),
    (report_body(client_report_id="abc"), "validation_failed", 400),
    (report_body(contact={"phone": "call me"}), "validation_failed", 400),
]


@pytest.mark.parametrize(("body", "code", "status"), BAD_BODIES)
def test_bad_input_is_a_clear_4xx_and_stores_nothing(client, body, code, status):
    before = keys()
    r = post_json(client, "/reports", body)
    assert r.status_code == status, r.body
    assert r.headers["Content-Type"].startswith("application/json")
    err = r.json_body["error"]
    assert err["code"] == code and err["message"] and isinstance(err["details"], list)
    assert "Traceback" not in r.body.decode()
    assert keys() == before


def test_validation_errors_name_the_fields(client):
    r = post_json(client, "/reports", report_body(lat="x", description="x" * 4001, extra=1))
    fields = {d["field"] for d in r.json_body["error"]["details"]}
    assert fields == {"lat", "description", "extra"}


def test_an_oversize_body_is_refused(client, monkeypatch):
    monkeypatch.setenv("MAX_BODY_BYTES", "1000")
    r = post_json(client, "/reports", report_body(description="x" * 2000))
    assert r.status_code == 413 and r.json_body["error"]["code"] == "payload_too_large"


def test_wrong_content_type_and_method_use_the_same_error_shape(client):
    r = client.http.post("/reports", headers={"Content-Type": "text/plain"}, body="hi")
    assert r.status_code == 415 and r.json_body["error"]["code"] == "unsupported_media_type"
    r = client.http.delete("/reports/aaaaaaaaaaaaaaaaaaaa")
    assert r.status_code == 405 and r.json_body["error"]["code"] == "method_not_allowed_error"


@pytest.mark.parametrize("ref", ["aaaaaaaaaaaaaaaaaaaa", "TRG-000000", "nonsense", "..%2F..%2Fetc"])
def test_unknown_report_is_404(client, ref):
    r = client.http.get(f"/reports/{ref}")
    assert r.status_code == 404 and r.json_body["error"]["code"] == "report_not_found"


def test_storage_throttling_is_a_503_with_retry_advice(client, aws, monkeypatch):
    from botocore.exceptions import ClientError

    db = aws.client("dynamodb")

    def throttled(**kwargs):
        raise ClientError(
            {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
            "TransactWriteItems",
        )

    monkeypatch.setattr(db, "transact_write_items", throttled)
    before = keys()
    r = post_json(client, "/reports", report_body())
    assert r.status_code == 503 and r.headers["Retry-After"]
    assert r.json_body["error"]["code"] == "service_unavailable"
    assert keys() == before


def test_an_unexpected_error_is_a_500_without_a_stack_trace(client, aws, monkeypatch):
    db = aws.client("dynamodb")
    monkeypatch.setattr(db, "query", lambda **kw: 1 / 0)
    r = client.http.get("/reports/aaaaaaaaaaaaaaaaaaaa")
    assert r.status_code == 500 and r.json_body["error"]["code"] == "internal_error"
    assert "ZeroDivision" not in r.body.decode()


def test_district_is_derived_from_operator_boundaries(client, tmp_path, monkeypatch):
    square = [[111.60, -8.10], [111.80, -8.10], [111.80, -8.00], [111.60, -8.00], [111.60, -8.10]]
    path = tmp_path / "kecamatan.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "karangan"},
                        "geometry": {"type": "Polygon", "coordinates": [square]},
                    }
                ],
            }
        )
    )
    monkeypatch.setenv("DISTRICT_BOUNDARIES_PATH", str(path))
    body = post_json(client, "/reports", report_body(district=None)).json_body
    assert body["district"] == "karangan"


def test_the_maps_read_the_configured_borders_and_nothing_else(client, tmp_path, monkeypatch):
    assert client.http.get("/districts/outlines").json_body == {
        "type": "FeatureCollection", "features": []
    }  # fmt: skip
    square = [[111.60, -8.10], [111.80, -8.10], [111.80, -8.00], [111.60, -8.10]]
    feature = {
        "type": "Feature",
        "properties": {"code": "karangan", "kepala": "Nama Camat", "phone": "0812"},
        "geometry": {"type": "Polygon", "coordinates": [square]},
    }
    path = tmp_path / "kecamatan.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    monkeypatch.setenv("DISTRICT_BOUNDARIES_PATH", str(path))
    answer = client.http.get("/districts/outlines")
    assert answer.status_code == 200 and "max-age" in answer.headers["Cache-Control"]
    # the shape and its code: whatever else an operator's file carries stays there
    assert answer.json_body["features"] == [
        {"type": "Feature", "properties": {"code": "karangan"}, "geometry": feature["geometry"]}
    ]


def test_json_content_type_with_charset_is_accepted(client):
    headers = {**JSON_HEADERS, "Content-Type": "application/json; charset=utf-8"}
    assert post_json(client, "/reports", report_body(), headers).status_code == 201
