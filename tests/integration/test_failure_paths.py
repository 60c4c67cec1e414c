"""Every AWS call on a request or event path, made to fail once, in turn.

Each scenario is first run clean to record the calls it makes (DynamoDB, S3, SNS,
KMS, SQS); then, for each of those calls, a fresh attempt runs with exactly that
call failing. What a user must see: a clear 503 with Retry-After (never a 500 or a
stack trace), nothing half-written, and a retry that ends exactly as a clean run
would: one report, one dispatch, one timeline entry, one audited read."""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta

import pytest

from chalicelib import config
from chalicelib.entry import events
from chalicelib.storage import OutboxStore
from tests.conftest import bearer
from tests.support import faults as fault_injection
from tests.support.images import camera_jpeg

from .helpers import JSON_HEADERS, all_items, post_json, report_body
from .test_dispatch import received, subscribe_queue
from .workflow_helpers import deliver_upload, shifted, staff_post

OUTAGES = [False, True]  # an error answer; a connection that fails


@pytest.fixture
def faults(aws, monkeypatch):
    return fault_injection.install(monkeypatch)


@pytest.fixture
def orange_queue(aws):
    return subscribe_queue(aws, "orange", "test-orange")


@pytest.fixture
def stream(aws):
    from chalicelib.entry import events
    from kawal_local.pump import StreamReader, drain

    reader = StreamReader(config.table_name())
    return lambda: drain(reader, events.dispatch_stream)


def assert_retry_advice(response) -> None:
    assert response.status_code == 503, (response.status_code, response.body)
    assert int(response.headers["Retry-After"]) > 0
    assert response.json_body["error"]["code"] == "service_unavailable"


def report_count() -> int:
    return sum(
        1 for i in all_items() if i["SK"]["S"] == "META" and i["PK"]["S"].startswith("REPORT#")
    )


def calls_of(faults, scenario) -> list[tuple[str, str]]:
    faults.run(scenario)
    assert faults.calls, "the scenario makes AWS calls"
    return list(faults.calls)


@pytest.mark.parametrize("connection", OUTAGES)
def test_filing_a_report_survives_any_one_failing_call(
    client, aws, faults, orange_queue, stream, connection
):
    device = post_json(client, "/devices", {}).json_body["device_token"]
    photo = {"content_type": "image/jpeg", "data_base64": _b64(camera_jpeg(640, 480))}

    def body() -> dict:
        contact = {"phone": "0812-3456-7890", "notify": True}
        return report_body(contact=contact, photo=photo)

    headers = {**JSON_HEADERS, "X-Device-Token": device}
    calls = calls_of(faults, lambda: post_json(client, "/reports", body(), headers))
    services = {service for service, _ in calls}
    assert {"dynamodb", "kms", "s3"} <= services, calls
    stream()
    received(aws, orange_queue)

    for at, call in enumerate(calls):
        faults.connection = connection
        sent = body()
        items, reports = len(all_items()), report_count()
        failed = faults.run(lambda b=sent: post_json(client, "/reports", b, headers), fail_at=at)
        faults.connection = False
        if failed.status_code != 201:
            assert_retry_advice(failed)
            # Either nothing at all, or the whole report (the failing call came after
            # the one write that stores it): never a part of one.
            assert report_count() == reports + 1 or len(all_items()) == items, (call, "half")
        retried = post_json(client, "/reports", sent, headers)
        assert retried.status_code in (200, 201), (call, retried.body)
        assert report_count() == reports + 1, (call, "lost or duplicated")
        stream()
        delivered = [json.loads(m["Message"]) for m in received(aws, orange_queue)]
        codes = [m["report_code"] for m in delivered]
        assert codes == [retried.json_body["code"]], (call, codes)
    assert OutboxStore().due(_far_future()) == []  # nothing left waiting to be sent


@pytest.mark.parametrize("step", ["claim", "progress"])
def test_a_squad_step_survives_any_one_failing_call(client, aws, tokens, faults, step):
    token = tokens["orange"]

    def fresh() -> dict:
        report = post_json(client, "/reports", report_body()).json_body
        if step == "progress":
            assert staff_post(client, token, f"/reports/{report['id']}/claim").status_code == 200
        return report

    first = fresh()
    calls = calls_of(faults, lambda: staff_post(client, token, f"/reports/{first['id']}/{step}"))
    for at, call in enumerate(calls):
        report = fresh()
        path = f"/reports/{report['id']}/{step}"
        failed = faults.run(lambda p=path: staff_post(client, token, p), fail_at=at)
        if failed.status_code != 200:
            assert_retry_advice(failed)
        retried = staff_post(client, token, path)
        status = "accepted" if step == "claim" else "in_progress"
        # A step that did land answers the retry with a clear 409; either way the
        # report moved exactly once.
        assert retried.status_code in (200, 409), (call, retried.body)
        view = client.http.get(f"/staff/reports/{report['id']}", headers=bearer(token)).json_body
        assert view["status"] == status, call
        assert [e["status"] for e in view["timeline"]].count(status) == 1, call


PUMP = {"DescribeStream", "GetShardIterator", "GetRecords"}  # the local pump, not Lambda's code


def test_dispatch_survives_any_one_failing_call(client, aws, faults, orange_queue, stream):
    """The stream handler: whatever call fails, the batch is retried (the handler
    raises) or the outbox keeps the message for the redrive; in the end the squad
    hears of the report exactly once."""
    from chalicelib import bootstrap
    from chalicelib.adapters.dynamodb.outbox import CLAIM_LEASE
    from chalicelib.services import dispatch

    def redrive_later() -> None:  # after the backoff, and the lease of a run that died
        d = bootstrap.dispatcher()
        d.now = shifted(d.now, max(dispatch.backoff(1), CLAIM_LEASE) + timedelta(seconds=1))
        d.redrive()

    post_json(client, "/reports", report_body())
    recorded = calls_of(faults, stream)
    assert ("sns", "Publish") in recorded, recorded
    received(aws, orange_queue)
    for at, call in enumerate(recorded):
        if call[1] in PUMP:
            continue
        code = post_json(client, "/reports", report_body()).json_body["code"]
        with contextlib.suppress(Exception):  # a raising handler: Lambda retries the batch
            faults.run(stream, fail_at=at)
        stream()
        redrive_later()
        codes = [json.loads(m["Message"])["report_code"] for m in received(aws, orange_queue)]
        if recorded[at - 1] == ("sns", "Publish"):
            # SNS took the message but recording it as sent failed: the redrive sends
            # it again. At least once is the promise (SNS FIFO, which could dedupe,
            # delivers no SMS or email); only this one call can cause a second copy.
            assert codes in ([code], [code, code]), (call, codes)
        else:
            assert codes == [code], (call, codes)


def test_an_audited_contact_read_never_returns_an_unaudited_contact(client, aws, tokens, faults):
    command = {**JSON_HEADERS, **bearer(tokens["command"])}
    report = post_json(client, "/reports", report_body(contact={"phone": "081234567890"})).json_body
    path = f"/command/reports/{report['id']}/contact-reads"
    ask = {"reason": "the reporter must be asked where exactly"}

    def read():
        return client.http.post(path, headers=command, body=json.dumps(ask))

    def audited() -> int:
        return len(client.http.get(path, headers=command).json_body["reads"])

    calls = calls_of(faults, read)
    assert ("kms", "Decrypt") in calls
    for at, call in enumerate(calls):
        reads = audited()
        answer = faults.run(read, fail_at=at)
        if answer.status_code == 200:
            assert audited() == reads + 1, call
        else:
            assert_retry_advice(answer)
            assert "081234567890" not in answer.body.decode(), call


def test_subscribing_a_phone_fails_cleanly_when_sns_is_down(client, aws, tokens, faults):
    operator = {**JSON_HEADERS, **bearer(tokens["operator"])}

    def subscribe():
        body = {"protocol": "sms", "endpoint": "081234567891"}
        return client.http.post(
            "/squads/orange/subscriptions", headers=operator, body=json.dumps(body)
        )

    calls = calls_of(faults, subscribe)
    assert ("sns", "Subscribe") in calls
    for at, _call in enumerate(calls):
        assert_retry_advice(faults.run(subscribe, fail_at=at))


def test_an_uploaded_photo_is_processed_once_whatever_call_fails(client, aws, faults, monkeypatch):
    """The upload event: a failing call makes the handler raise, so SQS delivers the
    event again; the redelivery finishes the job whatever call failed the first time."""
    s3 = aws.client("s3")

    def upload() -> tuple[str, str, str]:
        report = post_json(client, "/reports", report_body()).json_body
        headers = {**JSON_HEADERS, "X-Reporter-Token": report["reporter_token"]}
        slot = client.http.post(f"/reports/{report['id']}/photos", headers=headers, body="")
        fields = slot.json_body["upload"]["fields"]
        s3.put_object(
            Bucket=config.bucket_name(),
            Key=fields["key"],
            Body=camera_jpeg(800, 600),
            ContentType="image/jpeg",
        )
        return report["id"], slot.json_body["photo_id"], fields["key"]

    def photo_state(report_id: str, photo_id: str) -> str:
        photos = client.http.get(f"/reports/{report_id}").json_body["photos"]
        return next(p["state"] for p in photos if p["id"] == photo_id)

    *_, key = upload()
    calls = calls_of(faults, lambda: deliver_upload(key))
    assert ("s3", "GetObject") in calls and ("s3", "PutObject") in calls, calls
    for at, call in enumerate(calls):
        report_id, photo_id, key = upload()
        with pytest.raises(Exception):  # noqa: B017 - any failure makes SQS redeliver
            faults.run(lambda k=key: deliver_upload(k), fail_at=at)
        # Redelivered after the failed attempt's claim went stale (5 minutes).
        with monkeypatch.context() as later:
            later.setattr(events, "utc_now", shifted(events.utc_now, timedelta(minutes=6)))
            deliver_upload(key)
        assert photo_state(report_id, photo_id) == "ready", call


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def _far_future():
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) + timedelta(days=1)


def test_the_harness_fails_the_call_it_is_asked_to(aws, faults):
    from botocore.exceptions import ClientError

    db = aws.client("dynamodb")
    with pytest.raises(ClientError, match="ProvisionedThroughputExceeded"):
        faults.run(lambda: db.list_tables(), fail_at=0)
    assert faults.calls == [("dynamodb", "ListTables")]
    assert "TableNames" in faults.run(lambda: db.list_tables())


@pytest.mark.parametrize("connection", OUTAGES)
def test_a_shadow_check_and_the_request_it_answers_land_together(
    client, aws, tokens, faults, connection
):
    """The check and the command centre's request it answers are one write: whichever
    call fails, either both happened or neither (the request stays pinned), and the
    retry ends with one check and the request closed."""
    from .workflow_helpers import resolved_report

    def asked() -> dict:
        report = resolved_report(client, aws, tokens, lat=-8.07)
        path = f"/command/reports/{report['id']}/check-requests"
        assert staff_post(client, tokens["command"], path, {"note": "cek"}).status_code == 200
        return report

    def check(report: dict):
        path = f"/reports/{report['id']}/shadow-checks"
        return staff_post(client, tokens["shadow"], path, {"verdict": "not_fixed"})

    def seen(report: dict) -> tuple[int, bool]:
        view = client.http.get(f"/staff/reports/{report['id']}", headers=bearer(tokens["command"]))
        body = view.json_body
        return len(body["shadow_checks"]), body["check_requested"] is not None

    first = asked()
    calls = calls_of(faults, lambda: check(first))
    assert ("dynamodb", "TransactWriteItems") in calls
    assert seen(first) == (1, False)
    for at, call in enumerate(calls):
        report = asked()
        faults.connection = connection
        failed = faults.run(lambda r=report: check(r), fail_at=at)
        faults.connection = False
        assert_retry_advice(failed)
        assert seen(report) == (0, True), call  # nothing half-written
        assert check(report).status_code == 201, call
        assert seen(report) == (1, False), call
