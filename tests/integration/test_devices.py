"""A phone registers once and lists its own reports across their reporter tokens."""

from __future__ import annotations

from .helpers import JSON_HEADERS, keys, post_json, report_body


def register(client) -> str:
    r = client.http.post("/devices", headers=JSON_HEADERS, body="")
    assert r.status_code == 201
    return r.json_body["device_token"]


def test_my_reports_across_tokens_and_only_mine(client):
    mine, other = register(client), register(client)
    a = post_json(
        client, "/reports", report_body(), {**JSON_HEADERS, "X-Device-Token": mine}
    ).json_body
    b = post_json(
        client,
        "/reports",
        report_body(label="pungutan_liar"),
        {**JSON_HEADERS, "X-Device-Token": mine},
    ).json_body
    post_json(client, "/reports", report_body(), {**JSON_HEADERS, "X-Device-Token": other})
    post_json(client, "/reports", report_body())  # no device
    listed = client.http.get("/devices/reports", headers={"X-Device-Token": mine}).json_body
    assert [i["id"] for i in listed["items"]] == [b["id"], a["id"]]  # newest first, covert own too
    assert a["reporter_token"] != b["reporter_token"]


def test_a_device_token_is_stored_only_as_a_hash(client):
    token = register(client)
    assert token not in str(keys())


def test_an_unknown_or_missing_device_token_is_refused_and_stores_nothing(client):
    before = keys()
    r = post_json(client, "/reports", report_body(), {**JSON_HEADERS, "X-Device-Token": "made-up"})
    assert r.status_code == 400 and r.json_body["error"]["code"] == "unknown_device"
    assert keys() == before
    assert client.http.get("/devices/reports").status_code == 400
    assert (
        client.http.get("/devices/reports", headers={"X-Device-Token": "made-up"}).status_code
        == 400
    )
