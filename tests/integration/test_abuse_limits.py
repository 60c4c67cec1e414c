"""Abuse limits: per-phone and per-network submission quotas, Open311 per-key
quotas, a per-number SMS cap and a daily SMS budget, all 429 with Retry-After
(or a skipped SMS) and nothing half-stored."""

from __future__ import annotations

import urllib.parse

from chalicelib.adapters.notify import SnsPublisher
from chalicelib.domain.messages import Notification
from chalicelib.services import apikeys, reports
from chalicelib.storage import ApiKeyStore

from .helpers import JSON_HEADERS, all_items, post_json, report_body
from .test_devices import register


def stored_reports() -> int:
    return sum(1 for i in all_items() if i.get("type") == {"S": "report"})


def test_a_phone_over_its_hourly_quota_gets_429_and_its_retries_still_pass(client, monkeypatch):
    monkeypatch.setenv("QUOTA_REPORTS_PER_DEVICE_HOUR", "3")
    phone = {**JSON_HEADERS, "X-Device-Token": register(client)}
    bodies = [report_body() for _ in range(4)]
    answers = [post_json(client, "/reports", b, phone) for b in bodies]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    refused = answers[-1]
    assert refused.json_body["error"]["code"] == "too_many_requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert stored_reports() == 3  # the refused report stored nothing
    # a lost answer's retry is not a new report: it still gets its report back
    again = post_json(client, "/reports", bodies[0], phone)
    assert again.status_code == 200 and again.json_body["id"] == answers[0].json_body["id"]
    # other phones are not affected
    other = {**JSON_HEADERS, "X-Device-Token": register(client)}
    assert post_json(client, "/reports", report_body(), other).status_code == 201
    counters = [i for i in all_items() if i["PK"]["S"].startswith("QUOTA#")]
    assert counters and all("N" in c["expires_at"] for c in counters)  # TTL deletes them


def test_a_network_quota_counts_only_reports_that_were_stored(client, monkeypatch):
    monkeypatch.setenv("QUOTA_REPORTS_PER_IP_HOUR", "2")
    assert post_json(client, "/reports", report_body(label="tidak_ada")).status_code == 400
    first = report_body()
    assert post_json(client, "/reports", first).status_code == 201
    assert post_json(client, "/reports", first).status_code == 200  # a retry: not counted
    assert post_json(client, "/reports", report_body()).status_code == 201
    assert post_json(client, "/reports", report_body()).status_code == 429
    assert stored_reports() == 2


def test_an_open311_key_over_its_quota_gets_the_standards_429(client, monkeypatch):
    monkeypatch.setenv("QUOTA_OPEN311_PER_KEY_HOUR", "1")
    key, _ = apikeys.issue(ApiKeyStore(), "Peta Warga", "operator", reports.utc_now())

    def post(description):
        fields = {"api_key": key, "service_code": "jalan_rusak", "lat": "-8.05", "long": "111.7"}
        body = urllib.parse.urlencode({**fields, "description": description})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return client.http.post("/open311/v2/requests.json", headers=headers, body=body)

    assert post("satu").status_code == 201
    refused = post("dua")
    assert refused.status_code == 429 and refused.json_body[0]["code"] == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert post("satu").status_code == 200  # the first form resent: its request back


def _reporter_sms(report_id: str, n: int) -> Notification:
    return Notification(
        id=f"n{n}",
        kind="reporter_update",
        audience="reporter",
        topic="reporter",
        report_id=report_id,
        report_code="TRG-AAAAAA",
        subject="Laporan diterima",
        sms="Laporan TRG-AAAAAA diterima",
        email="Laporan diterima",
        attributes={},
    )


class Contacts:
    def __init__(self, phones: dict[str, str]):
        self.phones = phones

    def contacts(self, report_id: str, supporters: bool = True):
        return [{"phone": self.phones[report_id], "notify": True, "role": "reporter"}]

    def get_report(self, report_id: str):
        return None  # no report behind these: no phone to push to

    def push_subscriptions(self, owner: str):
        return []


def test_sms_per_number_cap_and_daily_budget_skip_sms_without_failing(aws, monkeypatch):
    monkeypatch.setenv("SMS_PER_PHONE_DAY", "2")
    monkeypatch.setenv("SMS_DAILY_BUDGET", "3")
    from chalicelib import bootstrap

    phones = Contacts({"a": "+6281200000001", "b": "+6281200000002"})
    publisher = SnsPublisher(phones, sms_allowed=bootstrap.sms_allowed)
    sent = [publisher.publish(_reporter_sms("a", n)) for n in range(3)]
    assert "sms-capped" not in sent[0] and "sms-capped" not in sent[1]
    assert sent[2] == "sms-capped"  # the third SMS of the day to one number
    assert publisher.publish(_reporter_sms("b", 9)) != "sms-capped"
    assert publisher.publish(_reporter_sms("b", 10)) == "sms-capped"  # the budget of 3 is spent

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    from chalicelib import config

    assert len(sns_backends[DEFAULT_ACCOUNT_ID][config.region()].sms_messages) == 3


def test_a_throttled_counter_is_a_503_and_stores_nothing(client, aws, monkeypatch):
    from botocore.exceptions import ClientError

    from .helpers import keys

    db = aws.client("dynamodb")
    real = db.update_item

    def throttled(**kwargs):
        if kwargs["Key"]["PK"]["S"].startswith("QUOTA#"):
            error = {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}
            raise ClientError({"Error": error}, "UpdateItem")
        return real(**kwargs)

    before = keys()
    with monkeypatch.context() as patched:
        patched.setattr(db, "update_item", throttled)
        r = post_json(client, "/reports", report_body())
    assert r.status_code == 503 and int(r.headers["Retry-After"]) >= 1
    assert keys() == before
    assert post_json(client, "/reports", report_body()).status_code == 201
