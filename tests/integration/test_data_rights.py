"""A person's rights over their data (UU PDP): the privacy notice with its register of
processing; seeing, correcting and erasing one's own data with a report's token or a
phone's device token; nobody else's; every request audited without the data."""

from __future__ import annotations

import json

import pytest

from chalicelib.services.reports import utc_now
from tests.conftest import bearer

from .helpers import JSON_HEADERS, all_items, post_json, report_body

PHONE = "081234567890"


def mine(client, headers, method="GET", body=None, query=""):
    call = getattr(client.http, method.lower())
    kwargs = {"headers": {**JSON_HEADERS, **headers}}
    if body is not None:
        kwargs["body"] = json.dumps(body)
    return call(f"/privacy/my-data{query}", **kwargs)


def test_the_notice_names_what_why_who_and_how_long(client, monkeypatch):
    monkeypatch.setenv("CONTACT_RETENTION_DAYS", "45")
    notice = client.http.get("/privacy").json_body
    kinds = {p["data"]: p for p in notice["processing"]}
    assert set(kinds) >= {"report", "photo", "contact", "device", "audit"}
    assert kinds["contact"]["retention_days"] == 45  # the stage's own setting
    assert notice["request_deadline_hours"] == 72
    assert all(p["why_id"] and p["who_id"] for p in notice["processing"])


def test_a_reporter_sees_corrects_and_erases_their_contact(client, tokens):
    contact = {"name": "Siti Aminah", "phone": PHONE, "notify": True}
    report = post_json(client, "/reports", report_body(contact=contact)).json_body
    own = {"X-Reporter-Token": report["reporter_token"]}
    query = f"?report={report['code']}"
    seen = mine(client, own, query=query)
    assert seen.status_code == 200, seen.body
    (held,) = seen.json_body["reports"]
    assert held["contact"] == {"name": "Siti Aminah", "phone": "+6281234567890", "email": None,
                               "notify": True}  # fmt: skip
    assert held["description"] == "Jalan berlubang di depan pasar"

    fixed = mine(client, own, "PATCH", {"name": "Siti A.", "email": "siti@example.com"}, query)
    assert fixed.status_code == 200
    assert fixed.json_body["reports"][0]["contact"]["email"] == "siti@example.com"
    assert fixed.json_body["reports"][0]["contact"]["phone"] == "+6281234567890"
    bad = mine(client, own, "PATCH", {"phone": "12345"}, query)
    assert bad.status_code == 400  # a wrong number is refused, the stored one kept

    gone = mine(client, own, "DELETE", query=query)
    assert gone.status_code == 200 and gone.json_body["erased"] == [report["code"]]
    after = mine(client, own, query=query).json_body["reports"][0]
    assert after["contact"] is None
    assert not [i for i in all_items() if i["PK"]["S"] == f"CONTACT#{report['id']}"]
    public = client.http.get(f"/reports/{report['id']}")
    assert public.status_code == 200  # the report stays, anonymised
    staff = client.http.get(f"/staff/reports/{report['id']}", headers=bearer(tokens["command"]))
    assert staff.json_body["has_contact"] is False

    audit = client.http.get("/command/privacy-requests", headers=bearer(tokens["command"]))
    assert [(a["action"], a["reports"]) for a in audit.json_body] == [
        ("access", [report["code"]]), ("correct", [report["code"]]),
        ("erase", [report["code"]]), ("access", [report["code"]]),
    ]  # fmt: skip
    assert "Siti" not in audit.body.decode() and "example.com" not in audit.body.decode()
    assert tuple(audit.json_body[1]["fields"]) == ("email", "name")


def test_a_phone_sees_every_report_it_sent_and_is_forgotten_on_erasure(client):
    device = post_json(client, "/devices", {}).json_body["device_token"]
    phone = {"X-Device-Token": device}
    first = post_json(client, "/reports", report_body(contact={"phone": PHONE}), {**JSON_HEADERS,
                      **phone}).json_body  # fmt: skip
    second = post_json(client, "/reports", report_body(), {**JSON_HEADERS, **phone}).json_body
    held = mine(client, phone).json_body
    assert sorted(r["code"] for r in held["reports"]) == sorted([first["code"], second["code"]])
    assert held["device_registered"] is True
    erased = mine(client, phone, "DELETE").json_body
    assert erased["device_forgotten"] is True
    assert mine(client, phone).status_code == 404  # the phone's code is unknown now
    listed = client.http.get("/devices/reports", headers={"X-Device-Token": device})
    assert listed.status_code == 400


def test_nobody_reads_another_persons_data(client, tokens):
    report = post_json(client, "/reports", report_body(contact={"phone": PHONE})).json_body
    other = post_json(client, "/reports", report_body()).json_body
    query = f"?report={report['code']}"
    assert mine(client, {}, query=query).status_code == 404  # as an unknown or covert code
    wrong = {"X-Reporter-Token": other["reporter_token"]}
    for method in ("GET", "PATCH", "DELETE"):
        body = {"name": "x"} if method == "PATCH" else None
        answer = mine(client, wrong, method, body, query)
        assert answer.status_code == 404, method
        assert PHONE[1:] not in answer.body.decode()
    assert mine(client, {"X-Device-Token": "made-up"}).status_code == 404
    assert mine(client, {}).status_code == 400  # who are you?
    covert = post_json(client, "/reports", report_body(label="pungutan_liar")).json_body
    absent = mine(client, wrong, query=f"?report={covert['code']}")
    assert absent.status_code == 404  # a covert report is absent, as everywhere
    for role in ("orange", "operator", "shadow"):
        audit = client.http.get("/command/privacy-requests", headers=bearer(tokens[role]))
        assert audit.status_code == 403, role


@pytest.fixture
def pushes(aws, monkeypatch):
    from tests.support.push_service import push_service

    monkeypatch.setenv("PUSH_HOSTS", "127.0.0.1")
    with push_service() as service:
        yield service


def _merged(client, tokens, contact):
    from .workflow_helpers import staff_post

    original = post_json(client, "/reports", report_body()).json_body
    duplicate = post_json(client, "/reports", report_body(contact=contact)).json_body
    path = f"/reports/{duplicate['id']}/merge"
    assert staff_post(client, tokens["orange"], path, {"into": original["id"]}).status_code == 200
    return original, duplicate


def test_correction_and_erasure_reach_the_copy_a_merge_made(client, tokens):
    """A merged duplicate's reporter hears the original's outcome from a copy of their
    contact: correcting or erasing their data must change that copy too."""
    from chalicelib.storage import ReportStore

    original, duplicate = _merged(client, tokens, {"phone": PHONE, "notify": True})
    own, query = {"X-Reporter-Token": duplicate["reporter_token"]}, f"?report={duplicate['code']}"
    assert [c.get("phone") for c in ReportStore().contacts(original["id"])] == ["+6281234567890"]
    fixed = mine(client, own, "PATCH", {"phone": "081311112222"}, query)
    assert fixed.status_code == 200, fixed.body
    assert [c.get("phone") for c in ReportStore().contacts(original["id"])] == ["+6281311112222"]
    assert mine(client, own, "DELETE", query=query).status_code == 200
    assert ReportStore().contacts(original["id"]) == []  # the erased number gets no SMS
    assert not [i for i in all_items() if "81311112222" in json.dumps(i)]


def test_erasure_forgets_the_phones_push_subscriptions_and_its_number_links(client, pushes):
    from chalicelib.services.sms_inbound import number_key
    from chalicelib.storage import ReportStore

    from .test_web_push import subscribe

    device = post_json(client, "/devices", {}).json_body["device_token"]
    phone = {"X-Device-Token": device}
    made = subscribe(client, "/push/subscriptions", pushes.phone("citizen").subscription(), phone)
    assert made.status_code == 201
    report = post_json(client, "/reports", report_body(contact={"phone": PHONE}),
                       {**JSON_HEADERS, **phone}).json_body  # fmt: skip
    # as an SMS report has it: the number's later words may answer the squad
    ReportStore().link_number(number_key("+6281234567890"), report["id"], utc_now())
    assert mine(client, phone, "DELETE").status_code == 200
    left = [i["PK"]["S"] for i in all_items()]
    assert not [pk for pk in left if pk.startswith(("PUSH#device#", "NUMBER#"))], left


def test_erasure_by_a_reports_token_stops_push_for_that_report(client):
    device = post_json(client, "/devices", {}).json_body["device_token"]
    phone = {"X-Device-Token": device}
    report = post_json(client, "/reports", report_body(), {**JSON_HEADERS, **phone}).json_body
    own, query = {"X-Reporter-Token": report["reporter_token"]}, f"?report={report['code']}"
    assert mine(client, own, "DELETE", query=query).status_code == 200
    listed = client.http.get("/devices/reports", headers=phone).json_body
    assert report["code"] not in json.dumps(listed)  # no longer the phone's, nor pushed to it


def test_erasure_reaches_a_copy_merged_before_copies_named_their_person(client, tokens):
    """Merges before this change filed the reporter's copy first, unnamed, as
    ``merged-<duplicate>-0``: erasure finds it by that key."""
    from chalicelib.adapters.dynamodb.base import _marshal
    from chalicelib.adapters.dynamodb.items import _contact_item
    from chalicelib.storage import ReportStore

    original, duplicate = _merged(client, tokens, {"phone": PHONE, "notify": True})
    store, table = ReportStore(), all_items()
    (copy,) = [i for i in table if i["PK"]["S"] == f"CONTACT#{original['id']}"]
    store._db.delete_item(TableName=store.table_name, Key={"PK": copy["PK"], "SK": copy["SK"]})
    legacy = _contact_item(original["id"], f"SUPPORTER#merged-{duplicate['id']}-0",
                           {"phone": "+6281234567890", "notify": True})  # fmt: skip
    store._db.put_item(TableName=store.table_name, Item=_marshal(legacy))
    assert len(store.contacts(original["id"])) == 1
    own, query = {"X-Reporter-Token": duplicate["reporter_token"]}, f"?report={duplicate['code']}"
    assert mine(client, own, "DELETE", query=query).status_code == 200
    assert store.contacts(original["id"]) == []
