"""Photos end to end under moto: inline and presigned uploads, S3 -> SQS -> processing."""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import config
from chalicelib.adapters import imaging, media
from chalicelib.services import photos
from chalicelib.storage import ReportStore
from tests.support.images import camera_jpeg, encoded, png_header_only

from .helpers import JSON_HEADERS, post_json, report_body


def inline(data: bytes, content_type: str = "image/jpeg") -> dict:
    return {"content_type": content_type, "data_base64": base64.b64encode(data).decode()}


def report_with_photo(client, data=None, **changes):
    body = report_body(photo=inline(data or camera_jpeg()), **changes)
    r = post_json(client, "/reports", body)
    assert r.status_code == 201, r.body
    return r.json_body


def slot(client, report, token=None, client_photo_id=None):
    headers = {**JSON_HEADERS}
    if token is not False:
        headers["X-Reporter-Token"] = token or report["reporter_token"]
    body = {"client_photo_id": client_photo_id} if client_photo_id else {}
    return client.http.post(
        f"/reports/{report['id']}/photos", headers=headers, body=json.dumps(body)
    )


def upload(aws, fields: dict, data: bytes, content_type: str = "image/jpeg") -> None:
    """What the phone does with the presigned POST (moto does not check the policy:
    the policy itself is asserted in its own test)."""
    aws.client("s3").put_object(
        Bucket=config.bucket_name(), Key=fields["key"], Body=data, ContentType=content_type
    )


def public_photos(client, report_id):
    return client.http.get(f"/reports/{report_id}").json_body["photos"]


def test_an_inline_photo_is_stored_processed_and_viewable(client, aws, process):
    report = report_with_photo(client)
    assert [p["state"] for p in report["photos"]] == ["awaiting_upload"]
    assert process() >= 1
    (photo,) = public_photos(client, report["id"])
    assert photo["state"] == "ready" and (photo["width"], photo["height"]) == (960, 1280)
    # the derivatives are served by short-lived presigned URLs; the bucket is private
    for url in (photo["thumb_url"], photo["display_url"]):
        assert "X-Amz-Signature=" in url and "X-Amz-Expires=900" in url
    s3 = aws.client("s3")
    display = s3.get_object(
        Bucket=config.bucket_name(), Key=f"photos/{report['id']}/{photo['id']}/display.jpg"
    )
    data = display["Body"].read()
    assert display["ContentType"] == "image/jpeg" and b"Exif" not in data and b"Siti" not in data
    block = s3.get_public_access_block(Bucket=config.bucket_name())[
        "PublicAccessBlockConfiguration"
    ]
    assert all(block.values())


def test_the_report_is_stored_even_when_its_photo_is_rejected(client, process):
    report = report_with_photo(client, b"not an image at all, just text " * 100)
    process()
    (photo,) = public_photos(client, report["id"])
    assert photo["state"] == "rejected" and "not a JPEG, PNG, WebP or HEIC" in photo["reason"]
    assert photo["thumb_url"] is None
    assert client.http.get(f"/reports/{report['id']}").json_body["status"] == "submitted"


def test_a_presigned_upload_is_processed(client, aws, process):
    report = post_json(client, "/reports", report_body()).json_body
    r = slot(client, report)
    assert r.status_code == 201
    assert r.json_body["upload"]["fields"]["key"].startswith(f"uploads/{report['id']}/")
    upload(aws, r.json_body["upload"]["fields"], encoded("PNG", 640, 480), "image/png")
    process()
    (photo,) = public_photos(client, report["id"])
    assert photo["state"] == "ready" and (photo["width"], photo["height"]) == (640, 480)


def test_the_presigned_policy_enforces_key_size_type_and_expiry(client):
    report = post_json(client, "/reports", report_body()).json_body
    before = datetime.now(UTC)
    fields = slot(client, report).json_body["upload"]["fields"]
    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1024, 10 * 1024 * 1024] in conditions
    assert {"Content-Type": "image/jpeg"} in conditions  # exactly what the slot said
    assert {"key": fields["key"]} in conditions
    assert {"bucket": config.bucket_name()} in conditions
    expires = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert 0 < (expires - before).total_seconds() <= 15 * 60 + 5
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"  # SigV4


def test_only_the_reporter_may_add_photos(client):
    report = post_json(client, "/reports", report_body()).json_body
    other = post_json(client, "/reports", report_body()).json_body
    assert slot(client, report, token=False).status_code == 403
    assert slot(client, report, token=other["reporter_token"]).status_code == 403
    assert slot(client, report, token="x" * 43).status_code == 403
    covert = post_json(client, "/reports", report_body(label="pungutan_liar")).json_body
    assert slot(client, covert, token=other["reporter_token"]).status_code == 404
    assert slot(client, covert).status_code == 201  # its own reporter may
    missing = {"id": "a" * 20, "reporter_token": "x"}
    assert slot(client, missing).status_code == 404


def test_a_fourth_citizen_photo_is_refused(client):
    report = report_with_photo(client)  # 1
    assert slot(client, report).status_code == 201  # 2
    assert slot(client, report).status_code == 201  # 3
    r = slot(client, report)
    assert r.status_code == 409 and r.json_body["error"]["code"] == "photo_limit_reached"


def test_retrying_a_slot_request_does_not_use_up_the_quota(client):
    report = post_json(client, "/reports", report_body()).json_body
    cid = str(uuid.uuid4())
    first = slot(client, report, client_photo_id=cid)
    again = slot(client, report, client_photo_id=cid)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json_body["photo_id"] == again.json_body["photo_id"]
    assert slot(client, report).status_code == 201
    assert slot(client, report).status_code == 201  # 3 distinct photos in all


def test_the_same_upload_event_twice_does_the_work_once(client, aws):
    report = report_with_photo(client)
    store = ReportStore()
    (photo,) = store.load(report["id"]).photos
    now = datetime.now(UTC)
    assert (
        photos.process_upload(photo.upload_key, store=store, media=media, images=imaging, now=now)
        == "ready"
    )
    first = store.get_photo(report["id"], photo.id)
    assert (
        photos.process_upload(photo.upload_key, store=store, media=media, images=imaging, now=now)
        == "duplicate"
    )
    assert store.get_photo(report["id"], photo.id) == first
    keys = aws.client("s3").list_objects_v2(Bucket=config.bucket_name(), Prefix="photos/")
    assert sorted(o["Key"].rsplit("/", 1)[1] for o in keys["Contents"]) == [
        "display.jpg",
        "thumb.jpg",
    ]


def test_a_claim_left_by_a_failed_worker_keeps_the_event_until_it_is_stale(client, aws):
    """A worker that claimed a photo and died (its last write failed) must not make
    the redelivered event a silent "duplicate": the event is kept (the handler
    raises) and, once the claim is stale, the photo is processed."""
    report = report_with_photo(client)
    store = ReportStore()
    (photo,) = store.load(report["id"]).photos
    now = datetime.now(UTC)
    assert store.claim_photo(report["id"], photo.id, now, now - photos.STALE_CLAIM)
    with pytest.raises(photos.PhotoBusy):
        photos.process_upload(photo.upload_key, store=store, media=media, images=imaging, now=now)
    later = now + photos.STALE_CLAIM + timedelta(seconds=1)
    assert (
        photos.process_upload(photo.upload_key, store=store, media=media, images=imaging, now=later)
        == "ready"
    )


def test_an_oversize_object_is_rejected_without_being_read(client, aws, process, monkeypatch):
    report = post_json(client, "/reports", report_body()).json_body
    fields = slot(client, report).json_body["upload"]["fields"]
    upload(aws, fields, b"\xff\xd8" + b"\x00" * (10 * 1024 * 1024), "image/jpeg")
    monkeypatch.setattr(media, "read", lambda key: pytest.fail("read an oversize upload"))
    process()
    (photo,) = public_photos(client, report["id"])
    assert photo["state"] == "rejected" and "larger than 10 MB" in photo["reason"]


@pytest.mark.parametrize(
    ("data", "content_type", "reason"),
    [
        (png_header_only(20000, 20000), "image/png", "too many pixels"),
        (encoded("PNG"), "text/plain", "not an image"),
        (b"\xff" * 500, "image/jpeg", "too small"),
    ],
    ids=["bomb", "not-image-type", "tiny"],
)
def test_server_side_checks_do_not_trust_the_upload(
    client, aws, process, data, content_type, reason
):
    report = post_json(client, "/reports", report_body()).json_body
    upload(aws, slot(client, report).json_body["upload"]["fields"], data, content_type)
    process()
    (photo,) = public_photos(client, report["id"])
    assert photo["state"] == "rejected" and reason in photo["reason"]


def test_a_failure_while_processing_gives_the_photo_back_for_a_retry(client, aws, monkeypatch):
    report = report_with_photo(client)
    store = ReportStore()
    (photo,) = store.load(report["id"]).photos

    real_put, s3 = media.put_derivative, {"down": True}

    def put_derivative(key, data, sealed=False):
        if s3["down"]:
            raise ConnectionError("S3 unreachable")
        real_put(key, data, sealed)

    monkeypatch.setattr(media, "put_derivative", put_derivative)
    with pytest.raises(ConnectionError):
        photos.process_upload(
            photo.upload_key, store=store, media=media, images=imaging, now=datetime.now(UTC)
        )
    assert store.get_photo(report["id"], photo.id).state == "awaiting_upload"
    s3["down"] = False
    outcome = photos.process_upload(
        photo.upload_key, store=store, media=media, images=imaging, now=datetime.now(UTC)
    )
    assert outcome == "ready"


@pytest.mark.parametrize(
    ("photo", "code"),
    [
        ({"content_type": "image/jpeg", "data_base64": "@@@not base64@@@"}, "invalid_input"),
        ({"content_type": "text/html", "data_base64": "aGVsbG8="}, "validation_failed"),
    ],
)
def test_a_bad_inline_photo_is_a_4xx_and_stores_nothing(client, photo, code):
    from .helpers import keys

    before = keys()
    r = post_json(client, "/reports", report_body(photo=photo))
    assert r.status_code == 400 and r.json_body["error"]["code"] == code
    assert keys() == before


def test_an_inline_photo_over_4_mb_is_refused(client):
    r = post_json(client, "/reports", report_body(photo=inline(b"\xff" * (4 * 1024 * 1024 + 1))))
    assert r.status_code == 400 and r.json_body["error"]["code"] == "photo_too_large"


def test_a_replayed_report_with_its_photo_is_one_report_and_one_photo(client, process):
    body = report_body(photo=inline(camera_jpeg()))
    first = post_json(client, "/reports", body)
    again = post_json(client, "/reports", body)
    assert (first.status_code, again.status_code) == (201, 200)
    process()
    photos_now = public_photos(client, first.json_body["id"])
    assert len(photos_now) == 1 and photos_now[0]["state"] == "ready"


def test_the_api_never_imports_pillow():
    import subprocess
    import sys

    code = "import sys, app; sys.exit('PIL' in sys.modules)"
    started = time.monotonic()
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    assert time.monotonic() - started < 30
