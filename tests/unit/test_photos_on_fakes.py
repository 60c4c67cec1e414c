"""Photo use cases on in-memory fakes (tests/contracts holds the fakes to the
DynamoDB adapter's behaviour), with the real imaging adapter: milliseconds, no moto."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from chalicelib.adapters import imaging
from chalicelib.services import photos
from tests.contracts.test_ports import a_report
from tests.fakes import FakeMedia, FakeReports
from tests.support.images import camera_jpeg, webp_bomb

NOW = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
TOKEN = "t"


def world():
    store, media = FakeReports(), FakeMedia()
    report = a_report(store)
    # the reporter's token is checked against its hash
    from chalicelib.domain import identifiers

    store.reports[report.id] = report.model_copy(
        update={"token_hash": identifiers.hash_secret(TOKEN)}
    )
    return store, media, report


def upload_and_process(store, media, report, data, content_type="image/jpeg", cid=None):
    made, _ = photos.request_slot(
        report.id, TOKEN, cid or uuid.uuid4(), store=store, media=media, now=NOW,
        content_type=content_type,
    )  # fmt: skip
    key = made.upload["fields"]["key"]
    media.put_upload(key, data, content_type)
    return made, photos.process_upload(key, store=store, media=media, images=imaging, now=NOW)


def test_an_upload_becomes_clean_derivatives_and_a_retry_learns_it_worked():
    store, media, report = world()
    cid = uuid.uuid4()
    made, outcome = upload_and_process(store, media, report, camera_jpeg(), cid=cid)
    assert outcome == "ready"
    assert {k for k in media.objects if k.startswith("photos/")} == {
        f"photos/{report.id}/{made.photo_id}/display.jpg",
        f"photos/{report.id}/{made.photo_id}/thumb.jpg",
    }
    again, created = photos.request_slot(report.id, TOKEN, cid, store=store, media=media, now=NOW)
    assert not created and again.state == "ready" and again.upload is None


def test_a_bomb_is_rejected_once_and_its_place_is_free_again():
    store, media, report = world()
    for _ in range(3):
        _, outcome = upload_and_process(store, media, report, webp_bomb(), "image/webp")
        assert outcome == "rejected"
    assert store.load(report.id).report.citizen_photos == 0
    _, outcome = upload_and_process(store, media, report, camera_jpeg())
    assert outcome == "ready"


def test_forms_that_expired_unused_give_their_place_to_a_new_slot():
    store, media, report = world()
    for _ in range(3):
        photos.request_slot(report.id, TOKEN, uuid.uuid4(), store=store, media=media, now=NOW)
    later = NOW + timedelta(seconds=media.SLOT_SECONDS) + photos.SLOT_GRACE + timedelta(seconds=1)
    made, created = photos.request_slot(
        report.id, TOKEN, uuid.uuid4(), store=store, media=media, now=later
    )
    assert created and made.state == "awaiting_upload"
    assert sorted(p.state for p in store.load(report.id).photos) == [
        "awaiting_upload", "expired", "expired", "expired",
    ]  # fmt: skip


def test_a_closed_report_takes_no_photo_and_says_so_in_bahasa_first():
    import pytest

    from chalicelib.domain.errors import Conflict

    store, media, report = world()
    store.reports[report.id] = store.reports[report.id].model_copy(update={"status": "closed"})
    with pytest.raises(Conflict) as refused:
        photos.request_slot(report.id, TOKEN, uuid.uuid4(), store=store, media=media, now=NOW)
    assert refused.value.code == "report_closed"
    assert str(refused.value).startswith("Laporan ini sudah ditutup")
