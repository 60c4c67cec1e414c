"""A phone registers once and lists its own reports across their reporter tokens."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.services import reports

from .helpers import JSON_HEADERS, all_items, keys, post_json, report_body
from .workflow_helpers import shifted


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


def device_item(token: str) -> dict:
    from chalicelib.domain import identifiers

    pk = f"DEVICE#{identifiers.hash_secret(token)}"
    return next(i for i in all_items() if i["PK"]["S"] == pk)


def test_registering_is_counted_per_network(client, monkeypatch):
    """Each registration is a fresh per-phone quota: no endless supply of them."""
    monkeypatch.setenv("QUOTA_DEVICES_PER_IP_HOUR", "3")
    answers = [client.http.post("/devices", headers=JSON_HEADERS, body="") for _ in range(4)]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    assert answers[-1].json_body["error"]["code"] == "too_many_requests"
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert sum(1 for i in all_items() if i["PK"]["S"].startswith("DEVICE#")) == 3


def test_a_device_never_used_expires_and_a_used_one_stays(client, monkeypatch):
    idle, used = register(client), register(client)
    week = reports.utc_now().timestamp() + 7 * 86400
    assert abs(int(device_item(idle)["expires_at"]["N"]) - week) < 60  # DynamoDB's TTL
    phone = {**JSON_HEADERS, "X-Device-Token": used}
    assert post_json(client, "/reports", report_body(), phone).status_code == 201
    assert "expires_at" not in device_item(used)  # filed a report: kept
    # past the week, before TTL's sweep (it may lag 48 h): the idle one is unknown
    monkeypatch.setattr(reports, "utc_now", shifted(reports.utc_now, timedelta(days=8)))
    late = post_json(client, "/reports", report_body(), {**JSON_HEADERS, "X-Device-Token": idle})
    assert late.status_code == 400 and late.json_body["error"]["code"] == "unknown_device"
    mine = client.http.get("/devices/reports", headers={"X-Device-Token": used})
    assert mine.status_code == 200 and len(mine.json_body["items"]) == 1


def test_reading_an_empty_list_is_not_a_use(client):
    token = register(client)
    assert client.http.get("/devices/reports", headers={"X-Device-Token": token}).status_code == 200
    assert "expires_at" in device_item(token)
