"""Driving the workflow through the HTTP API as squads, reporters and the command centre."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from chalicelib import config
from chalicelib.entry import events
from kawal_local.pump import queue_feeder
from tests.conftest import bearer
from tests.support.images import camera_jpeg

from .helpers import JSON_HEADERS, post_json, report_body


def staff_post(client, token, path: str, body: dict | None = None):
    headers = {**JSON_HEADERS, **bearer(token)}
    return client.http.post(path, headers=headers, body=json.dumps(body) if body else "")


def citizen_post(client, report: dict, action: str, note: str | None = None, token=None):
    headers = {**JSON_HEADERS, "X-Reporter-Token": token or report["reporter_token"]}
    body = json.dumps({"note": note}) if note else ""
    return client.http.post(f"/reports/{report['id']}/{action}", headers=headers, body=body)


def process_uploads(aws) -> None:
    url = aws.client("sqs").get_queue_url(QueueName=config.uploads_queue_name())["QueueUrl"]
    feed = queue_feeder(url, events.process_uploads)
    while feed():
        pass


def deliver_upload(key: str) -> None:
    """The SQS message of an S3 upload notification, handed to the photo function
    as Lambda does (a raise leaves it on the queue for redelivery)."""
    record = {"eventName": "ObjectCreated:Post", "s3": {"object": {"key": key}}}
    message = {
        "messageId": key,
        "receiptHandle": key,
        "body": json.dumps({"Records": [record]}),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:ap-southeast-3:123456789012:uploads",
        "awsRegion": "ap-southeast-3",
    }
    events.process_uploads({"Records": [message]}, None)


def after_photo(client, aws, token, report: dict, lat: float, lon: float) -> str:
    slot = staff_post(
        client, token, f"/reports/{report['id']}/after-photos", {"lat": lat, "lon": lon}
    )
    assert slot.status_code == 201, slot.body
    fields = slot.json_body["upload"]["fields"]
    aws.client("s3").put_object(
        Bucket=config.bucket_name(),
        Key=fields["key"],
        Body=camera_jpeg(800, 600),
        ContentType="image/jpeg",
    )
    process_uploads(aws)
    return slot.json_body["photo_id"]


def resolved_report(client, aws, tokens, **changes) -> dict[str, Any]:
    """A report its squad has claimed, worked and resolved with an after-photo on site."""
    report = post_json(client, "/reports", report_body(**changes)).json_body
    return work_and_resolve(client, aws, tokens, report)


def work_and_resolve(client, aws, tokens, report: dict[str, Any]) -> dict[str, Any]:
    """The squad claims, works and resolves a report (new, or reopened)."""
    token = tokens["orange"]
    assert staff_post(client, token, f"/reports/{report['id']}/claim").status_code == 200
    assert staff_post(client, token, f"/reports/{report['id']}/progress").status_code == 200
    photo_id = after_photo(client, aws, token, report, report["lat"] + 0.0001, report["lon"])
    r = staff_post(
        client,
        token,
        f"/reports/{report['id']}/resolve",
        {"note": "Lubang sudah ditambal", "photo_id": photo_id},
    )
    assert r.status_code == 200, r.body
    return report


def shifted(clock_fn, delta: timedelta):
    return lambda: clock_fn() + delta
