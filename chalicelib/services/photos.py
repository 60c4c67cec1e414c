"""Use cases on photos: a slot to upload into, an inline photo, processing an upload.

Storage, S3, the imaging adapter (Pillow) and the clock are passed in: only the photo
function, which hands in ``imaging``, ever loads Pillow.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib import observe
from chalicelib.domain import identifiers, lifecycle
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound, PhotoQuotaReached
from chalicelib.domain.models import (
    MAX_CITIZEN_PHOTOS,
    InlinePhotoIn,
    Loaded,
    Photo,
    PhotoPublic,
    PhotoRole,
    PhotoSlot,
    Report,
)
from chalicelib.domain.photo_reasons import TOO_SMALL, PhotoRejected, reason
from chalicelib.domain.principals import Forbidden
from chalicelib.services.ports import Media, PhotoSlots

log = logging.getLogger("kawal.photos")
INLINE_MAX_BYTES = 4 * 1024 * 1024
STALE_CLAIM = timedelta(minutes=5)
# S3 checks a form's expiry when the upload starts: a slow upload may finish later.
SLOT_GRACE = timedelta(minutes=15)


def photo_id_for(report_id: str, client_photo_id: uuid.UUID | str | None) -> str:
    """Stable for a retried request (same client id), random otherwise."""
    seed = str(client_photo_id) if client_photo_id else secrets.token_hex(16)
    return hashlib.sha256(f"{report_id}|{seed}".encode()).hexdigest()[:24]


def new_photo(
    report_id: str, photo_id: str, role: PhotoRole, now: datetime, media: Any, **extra: Any
) -> Photo:
    return Photo(
        id=photo_id,
        report_id=report_id,
        role=role,
        upload_key=media.upload_key(report_id, photo_id),
        created_at=now,
        **extra,
    )


def decode_inline(photo: InlinePhotoIn) -> bytes:
    try:
        data = base64.b64decode(photo.data_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            "photo.data_base64 is not valid base64", [{"field": "photo.data_base64"}]
        ) from None
    if not data:
        raise InvalidInput(
            "foto kosong / the photo is empty (0 bytes)",
            [{"field": "photo.data_base64"}],
            code="photo_empty",
        )
    if len(data) > INLINE_MAX_BYTES:
        raise InvalidInput(
            f"an inline photo may be at most {INLINE_MAX_BYTES // (1024 * 1024)} MB; "
            "ask for an upload slot (POST /reports/{id}/photos) for larger ones",
            [{"field": "photo.data_base64", "bytes": len(data)}],
            code="photo_too_large",
        )
    return data


def check_reporter(report: Report, token: str | None) -> None:
    """The reporter token proves "this is my report"; a covert report stays absent."""
    if token and identifiers.token_matches(token, report.token_hash):
        return
    if report.covert:
        raise NotFound(f"no report {report.id!r}", code="report_not_found")
    raise Forbidden("a valid X-Reporter-Token for this report is required", code="not_your_report")


def request_slot(
    report_id: str,
    token: str | None,
    client_photo_id: uuid.UUID | None,
    *,
    store: PhotoSlots,
    media: Media,
    now: datetime,
    content_type: str = "image/jpeg",
) -> tuple[PhotoSlot, bool]:
    """A presigned POST for one more citizen photo (at most three per report that
    are ready or still on their way: a rejected photo, or a slot whose form expired
    unused, gives its place back)."""
    loaded = store.load(report_id)
    if loaded is None:
        raise NotFound(f"no report {report_id!r}", code="report_not_found")
    report = loaded.report
    check_reporter(report, token)
    photo_id = photo_id_for(report.id, client_photo_id)
    known = next((p for p in loaded.photos if p.id == photo_id), None)
    if known is not None:  # a retry: tell the phone what became of its photo
        return slot_for(known, media), False
    lifecycle.require_open(
        report,
        "Laporan ini sudah ditutup; foto tidak bisa ditambahkan",
        "this report is closed; it takes no more photos",
    )
    wanted = new_photo(report.id, photo_id, "before", now, media, content_type=content_type)
    unused = now - timedelta(seconds=media.SLOT_SECONDS) - SLOT_GRACE
    try:
        photo = store.add_photo(wanted, counted=True)
    except PhotoQuotaReached:
        # slots whose form expired unused give their place back, then one more try
        if not store.expire_unused_slots(report.id, unused):
            raise _photo_limit() from None
        try:
            photo = store.add_photo(wanted, counted=True)
        except PhotoQuotaReached:  # pragma: no cover - a concurrent slot took the place
            raise _photo_limit() from None
    return slot_for(photo, media), photo.created_at == wanted.created_at


def _photo_limit() -> Conflict:
    return Conflict(
        f"a report takes at most {MAX_CITIZEN_PHOTOS} photos from its reporter "
        "(ready or on their way)",
        code="photo_limit_reached",
    )


def slot_for(photo: Photo, media: Media) -> PhotoSlot:
    """The upload form while the slot waits for its file; afterwards, the photo's
    state (a phone retrying after a lost answer learns that its upload worked)."""
    if photo.state != "awaiting_upload":
        return PhotoSlot(
            photo_id=photo.id,
            state=photo.state,
            reason=photo.reason,
            upload=None,
            expires_in=0,
            max_bytes=media.MAX_BYTES,
        )
    return PhotoSlot(
        photo_id=photo.id,
        state=photo.state,
        reason=photo.reason,
        upload=media.presigned_post(photo.upload_key, photo.content_type or "image/jpeg"),
        expires_in=media.SLOT_SECONDS,
        max_bytes=media.MAX_BYTES,
    )


class PhotoBusy(Exception):
    """The photo is claimed by a worker that has not finished: try again later."""


def store_inline(photo: Photo, data: bytes, content_type: str, media: Media) -> None:
    """Put an inline photo where a presigned upload would land; processing takes
    over from the upload event. A failure here loses the photo, never the report."""
    try:
        media.put_upload(photo.upload_key, data, content_type)
    except Exception:
        log.exception("inline photo %s of report %s not stored", photo.id, photo.report_id)


def add_linked(
    loaded: Loaded,
    urls: list[str],
    fetch: Callable[[str], tuple[bytes, str] | None],
    *,
    store: PhotoSlots,
    media: Media,
    now: datetime,
) -> int:
    """The photos a report links to (Open311's ``media_url``), fetched and stored as
    its reporter's photos, then processed like any upload. Each link has a stable
    photo id, so a resent request fetches only what is still missing; a link that
    cannot be fetched is left as a link (it is kept on the report). Returns how
    many were added."""
    report, have = loaded.report, {p.id for p in loaded.photos}
    added = 0
    for n, url in enumerate(urls):
        photo_id = photo_id_for(report.id, f"media_url:{n}")
        if photo_id in have:
            continue
        fetched = fetch(url)
        if fetched is None:
            continue
        data, content_type = fetched
        wanted = new_photo(report.id, photo_id, "before", now, media, content_type=content_type)
        try:
            photo = store.add_photo(wanted, counted=True)
        except PhotoQuotaReached:
            break
        if photo.state == "awaiting_upload":
            store_inline(photo, data, content_type, media)
            added += 1
    return added


class Images(Protocol):
    """The imaging adapter (Pillow): untrusted bytes in, clean derivatives out."""

    def make_derivatives(self, data: bytes) -> Any: ...
    def check_header(self, data: bytes) -> None: ...


def process_upload(
    key: str, *, store: PhotoSlots, media: Media, images: Images, now: datetime
) -> str:
    """Turn an uploaded original into derivatives, once. Returns what happened."""
    parsed = media.parse_upload_key(key)
    if parsed is None:
        return "ignored"
    report_id, photo_id = parsed
    observe.correlate(report_id=report_id)
    photo = store.get_photo(report_id, photo_id)
    if photo is None:
        log.warning("upload %s has no photo slot", key)
        return "ignored"
    sealed = is_covert(photo, store)
    if not store.claim_photo(report_id, photo_id, now, now - STALE_CLAIM):
        current = store.get_photo(report_id, photo_id)
        if current is not None and current.state == "processing":
            # Another worker holds it, or one died before finishing: keep the event
            # (raise, so SQS delivers it again) until the claim is done or stale.
            raise PhotoBusy(f"photo {photo_id} is being processed since {current.processing_since}")
        if sealed and current is not None and current.state != "awaiting_upload":
            media.delete(key)  # a delete that failed last time: done on the redelivery
        return "duplicate"
    try:
        outcome = _derive(photo, key, media, images, sealed)
    except Exception:
        # Give the claim back so the redelivered event can try again.
        store.finish_photo(photo.model_copy(update={"state": "awaiting_upload"}))
        raise
    store.finish_photo(outcome.model_copy(update={"processed_at": now}))
    if sealed:  # the covert original is readable by whoever reads the bucket: gone
        media.delete(key)
    return outcome.state


def is_covert(photo: Photo, store: PhotoSlots) -> bool:
    """A covert report's photo, or a shadow check's (on any report): sealed at rest."""
    if photo.role == "check":
        return True
    loaded = store.load(photo.report_id)  # opens nothing: only whether it is covert
    return loaded is not None and loaded.report.covert


def _derive(photo: Photo, key: str, media: Media, images: Images, sealed: bool) -> Photo:
    def reject(why: str) -> Photo:
        log.info("photo %s rejected: %s", photo.id, why)
        observe.count("PhotosRejected")
        return photo.model_copy(update={"state": "rejected", "reason": why})

    head = media.head(key)
    if head is None:
        return reject(reason("unggahan tidak ditemukan", "the upload is missing"))
    size, content_type = head["ContentLength"], head.get("ContentType", "")
    if size > media.MAX_BYTES:
        most = media.MAX_BYTES // (1024 * 1024)
        return reject(reason(f"berkas lebih dari {most} MB", f"the file is larger than {most} MB"))
    if not content_type.startswith("image/"):
        what = content_type or "this file"
        return reject(reason(f"{what} bukan gambar", f"{what} is not an image"))
    try:
        data = media.read(key)
        if size < media.MIN_BYTES:
            images.check_header(data)  # a tiny bomb or a wrong type says so first
            return reject(TOO_SMALL)
        derived = images.make_derivatives(data)
    except PhotoRejected as exc:
        return reject(str(exc))
    display_key, thumb_key = media.derivative_keys(photo.report_id, photo.id)
    media.put_derivative(display_key, derived.display, sealed)
    media.put_derivative(thumb_key, derived.thumb, sealed)
    return photo.model_copy(
        update={
            "state": "ready",
            "display_key": display_key,
            "thumb_key": thumb_key,
            "width": derived.width,
            "height": derived.height,
        }
    )


def to_public(photo: Photo, media: Media | None) -> PhotoPublic:
    ready = photo.state == "ready" and media is not None
    return PhotoPublic(
        id=photo.id,
        role=photo.role,
        state=photo.state,
        reason=photo.reason,
        width=photo.width,
        height=photo.height,
        thumb_url=media.view_url(photo.thumb_key) if media and ready and photo.thumb_key else None,
        display_url=(
            media.view_url(photo.display_key) if media and ready and photo.display_key else None
        ),
    )
