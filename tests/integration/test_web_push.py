"""Web push to the squad and citizen apps, against a fake push service that checks
the VAPID JWT and decrypts each message with the phone's own keys: a squad member's
phone hears of a new report, a citizen's phone of its report's progress (instead of
an SMS), a dead subscription is forgotten, and no address but a push service's is
ever called."""

from __future__ import annotations

import json

import pytest

from chalicelib import config
from chalicelib.entry import events
from kawal_local.pump import StreamReader, drain
from tests.conftest import bearer
from tests.support.push_service import push_service, unb64url

from .helpers import JSON_HEADERS, post_json, report_body
from .test_dispatch import sms_sent
from .workflow_helpers import staff_post


@pytest.fixture
def push(aws, monkeypatch):
    monkeypatch.setenv("PUSH_HOSTS", "127.0.0.1")
    with push_service() as service:
        yield service


@pytest.fixture
def stream(aws):
    reader = StreamReader(config.table_name())
    return lambda: drain(reader, events.dispatch_stream)


def subscribe(client, path: str, subscription: dict, headers: dict):
    return client.http.post(path, headers={**JSON_HEADERS, **headers},
                            body=json.dumps(subscription))  # fmt: skip


def test_a_squad_members_phone_hears_of_a_new_report(client, tokens, push, stream):
    key = client.http.get("/push/key").json_body["public_key"]
    assert len(unb64url(key)) == 65  # an uncompressed P-256 point, as browsers want it
    phone = push.phone("orange-1")
    made = subscribe(client, "/staff/push/subscriptions", phone.subscription(),
                     bearer(tokens["orange"]))  # fmt: skip
    assert made.status_code == 201, made.body
    again = subscribe(client, "/staff/push/subscriptions", phone.subscription(),
                      bearer(tokens["orange"]))  # fmt: skip
    assert again.status_code == 200  # the same phone once
    report = post_json(client, "/reports", report_body(label="banjir")).json_body
    stream()
    assert push.problems == []
    (payload,) = push.to("orange-1")
    assert report["code"] in payload["body"] and payload["url"].endswith(f"#laporan/{report['id']}")
    headers = push.delivered[0][2]
    assert headers["urgency"] == "high"  # a flood is urgent
    assert f"k={key}" in headers["authorization"]  # signed with the key the apps subscribe with


def test_a_citizens_phone_hears_by_push_instead_of_sms(client, tokens, push, stream, aws):
    device = post_json(client, "/devices", {}).json_body["device_token"]
    phone = push.phone("citizen")
    made = subscribe(client, "/push/subscriptions", phone.subscription(),
                     {"X-Device-Token": device})  # fmt: skip
    assert made.status_code == 201
    body = report_body(contact={"phone": "081234567890", "notify": True})
    report = post_json(client, "/reports", body, {**JSON_HEADERS, "X-Device-Token": device})
    report = report.json_body
    staff_post(client, tokens["orange"], f"/reports/{report['id']}/claim")
    stream()
    (told,) = push.to("citizen")
    assert report["code"] in told["body"] and "diterima" in told["body"]
    assert told["url"].endswith(f"/lapor/#laporan/{report['id']}")
    assert [t for p, t in sms_sent(aws) if p == "+6281234567890"] == []  # push, not SMS


def test_a_dead_subscription_is_forgotten(client, tokens, push, stream):
    phone = push.phone("old-phone")
    subscribe(client, "/staff/push/subscriptions", phone.subscription(), bearer(tokens["orange"]))
    push.gone.add("old-phone")
    post_json(client, "/reports", report_body())
    stream()
    from chalicelib.storage import ReportStore

    assert ReportStore().push_subscriptions("squad#orange") == []


def test_only_a_push_service_is_ever_called(client, tokens, push, monkeypatch):
    monkeypatch.setenv("PUSH_HOSTS", "")
    phone = push.phone("x")
    refused = subscribe(client, "/staff/push/subscriptions", phone.subscription(),
                        bearer(tokens["orange"]))  # fmt: skip
    assert refused.status_code == 400
    internal = dict(phone.subscription(), endpoint="https://169.254.169.254/latest/meta-data")
    assert subscribe(client, "/staff/push/subscriptions", internal,
                     bearer(tokens["orange"])).status_code == 400  # fmt: skip
    device = post_json(client, "/reports", report_body()).json_body
    assert subscribe(client, "/push/subscriptions", phone.subscription(), {}).status_code == 400
    assert device  # filed; the unregistered phone could not subscribe


def test_sms_for_the_urgent_alone_for_members_who_read_the_app(client, tokens, aws):
    from chalicelib.adapters.notify import list_subscriptions

    made = client.http.post("/squads/orange/subscriptions", headers={
        **JSON_HEADERS, **bearer(tokens["operator"])}, body=json.dumps(
        {"protocol": "sms", "endpoint": "081233334444", "urgent_only": True}))  # fmt: skip
    assert made.status_code == 201, made.body
    (listed,) = [s for s in list_subscriptions("orange") if s["endpoint"] == "+6281233334444"]
    assert listed["urgent_only"] is True


def test_the_command_centres_and_shadow_phones_are_sealed_yet_hear(client, tokens, push, stream):
    from chalicelib.adapters import covert
    from chalicelib.storage import ReportStore

    from .test_covert_at_rest import covert_report

    phones = {"regent": "command", "shadow-1": "shadow", "shadow-2": "shadow"}
    for name, role in phones.items():
        made = subscribe(client, "/staff/push/subscriptions", push.phone(name).subscription(),
                         bearer(tokens[role]))  # fmt: skip
        assert made.status_code == 201, made.body
    push.gone.add("shadow-1")  # this phone dropped its subscription
    report = covert_report(client)
    stream()
    assert push.problems == []
    (told,) = push.to("shadow-2")  # opened by the dispatch, sent
    assert report["code"] in told["body"]
    with covert.opening():
        store = ReportStore()
        assert len(store.push_subscriptions("command")) == 1  # the regent's kept
        assert len(store.push_subscriptions("squad#shadow")) == 1  # the dead one forgotten
