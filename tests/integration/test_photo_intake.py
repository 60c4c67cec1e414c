"""Photo intake never strands a citizen (issue #24): every upload ends in a state,
rejected and unused slots give their place back, a retry learns what happened."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import config
from chalicelib.adapters import imaging, media
from chalicelib.services import photos
from chalicelib.storage import ReportStore
from tests.support.images import camera_jpeg, dds_unimplemented, encoded, mpo_jpeg, webp_bomb

from .helpers import post_json, report_body
from .test_photos import inline, public_photos, slot, upload

pytestmark = pytest.mark.usefixtures("aws")


def new_report(client) -> dict:
    r = post_json(client, "/reports", report_body())
    assert r.status_code == 201, r.body
    return r.json_body


@pytest.mark.parametrize(
    ("data", "content_type", "reason"),
    [
        (dds_unimplemented(), "image/jpeg", "DDS is not accepted"),
        (webp_bomb(), "image/webp", "too many pixels"),
    ],
    ids=["dds-unimplemented", "webp-bomb-38-bytes"],
)
def test_every_upload_ends_rejected_with_a_reason_once(
    client, aws, process, data, content_type, reason
):
    report = new_report(client)
    upload(aws, slot(client, report).json_body["upload"]["fields"], data, content_type)
    assert process() >= 1  # the handler returned (a raise would surface here and
    assert process() == 0  # the message would come back towards the dead letters)
    (photo,) = public_photos(client, report["id"])
    assert photo["state"] == "rejected" and reason in photo["reason"]
    assert " / " in photo["reason"]  # Bahasa first, then English


def test_rejected_photos_do_not_use_up_the_limit(client, aws, process):
    report = new_report(client)
    for _ in range(3):
        fields = slot(client, report).json_body["upload"]["fields"]
        upload(aws, fields, b"this is not an image, only text. " * 64, "image/jpeg")
        process()
    assert [p["state"] for p in public_photos(client, report["id"])] == ["rejected"] * 3
    r = slot(client, report)
    assert r.status_code == 201, r.body  # the fourth try gets a slot
    upload(aws, r.json_body["upload"]["fields"], camera_jpeg(), "image/jpeg")
    process()
    assert sorted(p["state"] for p in public_photos(client, report["id"])) == [
        "ready",
        "rejected",
        "rejected",
        "rejected",
    ]


def test_a_rejected_inline_photo_can_be_replaced(client, aws, process):
    body = report_body(photo=inline(b"not an image at all " * 100))
    report = post_json(client, "/reports", body).json_body
    process()
    assert slot(client, report).status_code == 201
    assert slot(client, report).status_code == 201
    assert slot(client, report).status_code == 201  # three that can still be good
    assert slot(client, report).status_code == 409


def test_ready_and_waiting_photos_still_count(client):
    report = new_report(client)
    for _ in range(3):
        assert slot(client, report).status_code == 201
    r = slot(client, report)  # the forms are fresh: they may still arrive
    assert r.status_code == 409 and r.json_body["error"]["code"] == "photo_limit_reached"


def test_slots_never_used_give_their_place_back_once_their_form_expired(client):
    report = new_report(client)
    for _ in range(3):
        assert slot(client, report).status_code == 201
    store = ReportStore()
    later = datetime.now(UTC) + timedelta(seconds=media.SLOT_SECONDS) + photos.SLOT_GRACE
    new, created = photos.request_slot(
        report["id"],
        report["reporter_token"],
        uuid.uuid4(),
        store=store,
        media=media,
        now=later + timedelta(seconds=1),
    )
    assert created and new.state == "awaiting_upload"
    states = sorted(p.state for p in store.load(report["id"]).photos)
    assert states == ["awaiting_upload", "expired", "expired", "expired"]
    assert store.load(report["id"]).report.citizen_photos == 1


def test_an_expired_slot_is_never_processed(client, aws):
    report = new_report(client)
    fields = slot(client, report).json_body["upload"]["fields"]
    store = ReportStore()
    cutoff = datetime.now(UTC) + timedelta(seconds=1)
    assert store.expire_unused_slots(report["id"], cutoff) == 1
    upload(aws, fields, camera_jpeg())
    outcome = photos.process_upload(
        fields["key"], store=store, media=media, images=imaging, now=cutoff
    )
    assert outcome == "duplicate"
    assert [p.state for p in store.load(report["id"]).photos] == ["expired"]


def test_the_same_client_photo_id_after_the_upload_answers_with_its_state(client, aws, process):
    report = new_report(client)
    cid = str(uuid.uuid4())
    first = slot(client, report, client_photo_id=cid)
    upload(aws, first.json_body["upload"]["fields"], camera_jpeg())
    process()
    again = slot(client, report, client_photo_id=cid)
    assert again.status_code == 200, again.body
    assert again.json_body["photo_id"] == first.json_body["photo_id"]
    assert again.json_body["state"] == "ready" and again.json_body["upload"] is None
    assert len(public_photos(client, report["id"])) == 1


@pytest.mark.parametrize("content_type", ["image/png", "image/webp", "image/jpeg"])
def test_the_slot_takes_the_phone_s_real_type(client, aws, content_type):
    report = new_report(client)
    r = client.http.post(
        f"/reports/{report['id']}/photos",
        headers={"Content-Type": "application/json", "X-Reporter-Token": report["reporter_token"]},
        body=json.dumps({"content_type": content_type}),
    )
    assert r.status_code == 201
    fields = r.json_body["upload"]["fields"]
    assert fields["Content-Type"] == content_type
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert {"Content-Type": content_type} in policy["conditions"]


def test_a_slot_refuses_types_we_do_not_accept(client):
    report = new_report(client)
    r = client.http.post(
        f"/reports/{report['id']}/photos",
        headers={"Content-Type": "application/json", "X-Reporter-Token": report["reporter_token"]},
        body=json.dumps({"content_type": "image/gif"}),
    )
    assert r.status_code == 400


def test_png_and_webp_are_stored_under_their_own_type(client, aws, process):
    report = new_report(client)
    fields = slot(client, report).json_body  # default: a JPEG slot
    r = client.http.post(
        f"/reports/{report['id']}/photos",
        headers={"Content-Type": "application/json", "X-Reporter-Token": report["reporter_token"]},
        body=json.dumps({"content_type": "image/png"}),
    )
    key = r.json_body["upload"]["fields"]["key"]
    upload(aws, r.json_body["upload"]["fields"], encoded("PNG"), "image/png")
    head = aws.client("s3").head_object(Bucket=config.bucket_name(), Key=key)
    assert head["ContentType"] == "image/png"
    assert fields["upload"]["fields"]["Content-Type"] == "image/jpeg"


def test_an_ultra_hdr_photo_from_a_current_android_phone_is_accepted(client, process):
    body = report_body(photo=inline(mpo_jpeg()))
    report = post_json(client, "/reports", body).json_body
    process()
    (photo,) = public_photos(client, report["id"])
    assert photo["state"] == "ready" and (photo["width"], photo["height"]) == (1280, 960)


def test_an_empty_inline_photo_says_so(client):
    from .helpers import keys

    before = keys()
    r = post_json(client, "/reports", report_body(photo=inline(b"")))
    assert r.status_code == 400 and r.json_body["error"]["code"] == "photo_empty"
    assert keys() == before


def test_a_retried_write_that_finds_its_own_success_is_still_201_and_counted_once(
    client, monkeypatch, capsys
):
    """botocore retries a transaction after a read timeout; moto ignores the client
    request token, so the retry meets the report its own first attempt wrote. The
    phone must hear 201 (new), the quota counts it once, the metric counts it once."""
    from chalicelib.domain.errors import ReportExists

    from .helpers import all_items
    from .test_observability import lines, metrics_of

    monkeypatch.setenv("QUOTA_REPORTS_PER_IP_HOUR", "2")
    real = ReportStore.create_report

    def lost_answer(self, report, first, contact, photo=None):
        real(self, report, first, contact, photo)
        raise ReportExists(report.id)  # what the retried transaction answers

    monkeypatch.setattr(ReportStore, "create_report", lost_answer)
    capsys.readouterr()
    body = report_body()
    r = post_json(client, "/reports", body)
    assert r.status_code == 201, r.body
    assert metrics_of(lines(capsys.readouterr().out))["ReportsReceived"] == [
        (1.0, {"squad": "orange"})
    ]
    monkeypatch.setattr(ReportStore, "create_report", real)
    quota = [i for i in all_items() if i["PK"]["S"].startswith("QUOTA#reports-ip")]
    assert [q["n"]["N"] for q in quota] == ["1"]
    # a later resend of the same request (another attempt) is a replay: 200
    again = post_json(client, "/reports", body)
    assert again.status_code == 200 and again.json_body["id"] == r.json_body["id"]


def test_an_iphone_heic_photo_goes_through_a_heic_slot(client, aws, process):
    from tests.support.images import heic_photo

    report = new_report(client)
    r = client.http.post(
        f"/reports/{report['id']}/photos",
        headers={"Content-Type": "application/json", "X-Reporter-Token": report["reporter_token"]},
        body=json.dumps({"content_type": "image/heic"}),
    )
    assert r.status_code == 201 and r.json_body["upload"]["fields"]["Content-Type"] == "image/heic"
    upload(aws, r.json_body["upload"]["fields"], heic_photo(), "image/heic")
    process()
    (photo,) = public_photos(client, report["id"])
    assert photo["state"] == "ready" and (photo["width"], photo["height"]) == (600, 800)
