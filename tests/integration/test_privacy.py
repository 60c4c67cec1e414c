"""Privacy: contacts are sealed at rest and deleted (by DynamoDB TTL) a set number of
days after the report ends; a KMS outage fails a submission whole, storing nothing."""

from __future__ import annotations

import time

from chalicelib import config
from chalicelib.entry import events
from kawal_local.pump import StreamReader, drain

from .helpers import all_items, keys, post_json, report_body
from .workflow_helpers import staff_post


def contact_items(report_id: str) -> list[dict]:
    return [i for i in all_items() if i["PK"]["S"] == f"CONTACT#{report_id}"]


def test_contacts_expire_n_days_after_the_report_ends(client, aws, tokens, monkeypatch):
    monkeypatch.setenv("CONTACT_RETENTION_DAYS", "30")
    reader = StreamReader(config.table_name())
    report = post_json(
        client, "/reports", report_body(contact={"phone": "081234567890", "notify": True})
    ).json_body
    supporter = {"client_support_id": "2f0a8b4e-6c1d-4f7a-9b3e-5d2c1a0e9f11"}
    supporter["contact"] = {"phone": "081298765432", "notify": True}
    assert post_json(client, f"/reports/{report['id']}/support", supporter).status_code == 201
    drain(reader, events.dispatch_stream)
    assert all("expires_at" not in i for i in contact_items(report["id"]))  # open: kept

    r = staff_post(
        client, tokens["orange"], f"/reports/{report['id']}/reject", {"reason": "duplicate"}
    )
    assert r.status_code == 200
    drain(reader, events.dispatch_stream)
    stamped = contact_items(report["id"])
    assert len(stamped) == 2  # the reporter's and the supporter's
    in_30_days = time.time() + 30 * 86400
    for item in stamped:
        assert abs(int(item["expires_at"]["N"]) - in_30_days) < 120


def test_a_kms_outage_fails_the_submission_whole(client, aws, monkeypatch):
    before = keys()

    def refuse(*args, **kwargs):
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "KMSInternalException", "Message": "down"}}, "Encrypt")

    with monkeypatch.context() as patched:
        patched.setattr(aws.client("kms"), "encrypt", refuse)
        r = post_json(client, "/reports", report_body(contact={"phone": "081234567890"}))
    assert r.status_code == 503 and r.headers["Retry-After"]
    assert r.json_body["error"]["code"] == "service_unavailable"
    assert keys() == before  # nothing half-written, not even a quota count
    assert (
        post_json(client, "/reports", report_body(contact={"phone": "081234567890"})).status_code
        == 201
    )
