"""Use cases on reports: submit one, read one back. No boto3, no Chalice here:
storage is passed in, time is passed in."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain import attributes, identifiers, lifecycle, workdays
from chalicelib.domain.errors import CodeTaken, Conflict, InvalidInput, NotFound, ReportExists
from chalicelib.domain.geo import Boundaries, Regency, geohash
from chalicelib.domain.models import (
    Handler,
    LabelRef,
    Loaded,
    NearbyReport,
    Photo,
    PublicTimelineEntry,
    Report,
    ReportCreated,
    ReportIn,
    ReportPublic,
    ReportSummary,
    TimelineEntry,
)
from chalicelib.routing import Catalogue
from chalicelib.services import places
from chalicelib.services.ports import Media, ReportReads, ReportWrites

Clock = Callable[[], datetime]
MAX_CODE_ATTEMPTS = 8
NEARBY_MAX = 5  # the closest few are all a phone shows


def utc_now() -> datetime:
    return datetime.now(UTC)


def _request_hash(data: ReportIn) -> str:
    """Fingerprint of what the phone sent, minus nothing: a replay must match it."""
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate(data: ReportIn, catalogue: Catalogue, regency: Regency) -> None:
    if catalogue.label(data.label) is None:
        raise InvalidInput(
            f"unknown label {data.label!r}; GET /labels lists them",
            [{"field": "label", "value": data.label}],
            code="unknown_label",
        )
    places.check_inside(data.lat, data.lon, regency)


def submit(
    data: ReportIn,
    *,
    store: ReportWrites,
    catalogue: Catalogue,
    regency: Regency,
    boundaries: Boundaries | None = None,
    now: Clock = utc_now,
    source: str = "app",
    media: Any = None,
    device_hash: str | None = None,
    client_key: str | None = None,
    client_fields: dict[str, str] | None = None,
) -> tuple[Loaded, bool, str]:
    """Store a new report, or return the one this client id already made; an
    inline photo is stored with it and processed like any upload.

    Returns (what is stored, created, reporter_token).
    """
    from chalicelib.services import photos

    validate(data, catalogue, regency)
    answers = attributes.answers_for(catalogue.label(data.label), data.attributes)  # type: ignore[arg-type]
    place = places.place_of(data, regency, boundaries)
    client_id = data.client_report_id or identifiers.new_client_report_id()
    report_id = identifiers.report_id_for(client_id)
    token = identifiers.reporter_token_for(client_id)
    request_hash = _request_hash(data)
    label = catalogue.label(data.label)
    assert label is not None
    squad = catalogue.squad(label.squad)
    at = now()
    contact = data.contact.model_dump(exclude_none=True) if data.contact else None
    if contact and set(contact) == {"notify"}:
        contact = None  # nothing to reach them by
    inline = photos.decode_inline(data.photo) if data.photo else None
    if inline is not None and media is None:
        raise InvalidInput("photos are not accepted here", code="photos_unsupported")
    photo = (
        photos.new_photo(report_id, photos.photo_id_for(report_id, "inline"), "before", at, media)
        if inline is not None
        else None
    )

    attempt = secrets.token_hex(8)
    for _ in range(MAX_CODE_ATTEMPTS):
        report = Report(
            id=report_id,
            code=identifiers.new_short_code(regency.code_prefix),
            label=label.code,
            squad=squad.code,
            covert=squad.covert,
            status="submitted",
            lat=data.lat,
            lon=data.lon,
            geohash=geohash(data.lat, data.lon),
            district=place.district,
            district_approx=place.approx,
            village=place.village,
            description=data.description or None,
            address=data.address or None,
            created_at=at,
            updated_at=at,
            sla_due_at=workdays.respond_by(label, at),
            priority=label.priority,
            token_hash=identifiers.hash_secret(token),
            request_hash=request_hash,
            has_contact=contact is not None,
            citizen_photos=1 if photo else 0,
            device_hash=device_hash,
            source=source,  # type: ignore[arg-type]
            attributes=answers,
            client_key=client_key,
            media_url=data.media_url,
            client_fields=client_fields,
            attempt=attempt,
        )
        first = TimelineEntry(at=at, to_status="submitted", actor_role="citizen")
        try:
            store.create_report(report, first, contact, photo)
        except CodeTaken:
            continue
        except ReportExists:
            found = store.load(report_id)
            if found is None:  # pragma: no cover - the write we collided with vanished
                raise
            existing = found.report
            if existing.attempt != attempt or existing.request_hash != request_hash:
                return _replayed(found, data, request_hash, photo, inline, media), False, token
            # our own write, retried after a lost answer (a read timeout): it is new
            report, first = existing, found.timeline[0]
        return _created(report, first, photo, inline, data, media), True, token
    raise RuntimeError("could not draw a free short code")  # pragma: no cover


def _created(
    report: Report,
    first: TimelineEntry,
    photo: Photo | None,
    inline: bytes | None,
    data: ReportIn,
    media: Any,
) -> Loaded:
    from chalicelib import observe
    from chalicelib.services import photos

    observe.correlate(report_id=report.id)
    # a covert squad is not named in metrics either: they are read outside
    observe.count("ReportsReceived", squad="covert" if report.covert else report.squad)
    if photo is not None and inline is not None and data.photo is not None:
        photos.store_inline(photo, inline, data.photo.content_type, media)
    return Loaded(report, [first], [photo] if photo else [])


def _replayed(
    found: Loaded,
    data: ReportIn,
    request_hash: str,
    photo: Photo | None,
    inline: bytes | None,
    media: Any,
) -> Loaded:
    """What an earlier request with this client id stored: the same report, unless
    the id was reused for a different one (409)."""
    from chalicelib.services import photos

    existing = found.report
    if existing.request_hash == request_hash and photo and inline and data.photo:
        stored = next((p for p in found.photos if p.id == photo.id), None)
        if stored is not None and stored.state == "awaiting_upload":
            # the first attempt may have died before S3 had the bytes
            photos.store_inline(stored, inline, data.photo.content_type, media)
    if existing.request_hash != request_hash:
        raise Conflict(
            "this client_report_id was already used for a different report; "
            "generate a new one for a new report",
            [{"field": "client_report_id"}],
            code="idempotency_key_reused",
        )
    return found


# A report id no report has (it is not base32 of any hash we make: 20 "a"s): read
# in place of the report an unknown short code does not name, so an unknown code
# costs what a known covert one costs (GetItem + Query) and the clock tells nothing.
_DECOY_ID = "a" * 20


def resolve_ref(ref: str, store: ReportReads) -> str | None:
    """A report id from an id or a short code (``TRG-7K3F9Q``, any case). An unknown
    code resolves to an id that loads nothing, after the same reads a known one
    costs: callers load it and answer 404, as for a covert report."""
    if identifiers.is_short_code(ref):
        return store.report_id_for_code(ref.upper()) or _DECOY_ID
    return ref if identifiers.is_report_id(ref) else None


def report_id_or_404(ref: str, store: ReportReads) -> str:
    report_id = resolve_ref(ref, store)
    if report_id is None:
        raise NotFound(f"no report {ref!r}", code="report_not_found")
    return report_id


def get_public(
    ref: str,
    *,
    store: ReportReads,
    catalogue: Catalogue,
    media: Media | None = None,
    token: str | None = None,
) -> ReportPublic:
    """A report as anyone sees it; its reporter (``token``) also sees the questions
    the squad asked them alone, and their answers."""
    report_id = resolve_ref(ref, store)
    loaded = store.load(report_id) if report_id else None
    # Covert reports are not forbidden but absent: the same 404 as a wrong id.
    if loaded is None or loaded.report.covert:
        raise NotFound(f"no report {ref!r}", code="report_not_found")
    reporter = bool(token) and identifiers.token_matches(token or "", loaded.report.token_hash)
    return to_public(
        loaded.report,
        loaded.timeline,
        catalogue=catalogue,
        photos=loaded.photos,
        media=media,
        reporter=reporter,
    )


def to_public(
    report: Report,
    timeline: list[TimelineEntry],
    *,
    catalogue: Catalogue,
    photos: list[Photo] | None = None,
    media: Any = None,
    reporter: bool = False,
) -> ReportPublic:
    """``reporter``: the viewer holds the report's token (sees its private thread)."""
    from chalicelib.services import photos as photo_views

    shown = sorted(
        (
            e
            for e in timeline
            # staff matters (no status change) stay among staff; a question asked the
            # reporter alone, and their answer, are theirs and the squad's
            if e.action not in lifecycle.INTERNAL_ACTIONS and (e.public or reporter)
        ),
        key=lambda e: e.at,
    )
    asked = [e for e in shown if e.action == "ask"]

    label = catalogue.label(report.label)
    return ReportPublic(
        id=report.id,
        code=report.code,
        label=LabelRef(
            code=report.label,
            name_id=label.name_id if label else report.label,
            name_en=label.name_en if label else report.label,
        ),
        handled_by=Handler(**catalogue.report_handler(report.label, report.squad)),
        status=report.status,
        lat=report.lat,
        lon=report.lon,
        district=report.district,
        district_approx=report.district_approx,
        village=report.village,
        description=report.description,
        address=report.address,
        created_at=report.created_at,
        updated_at=report.updated_at,
        sla_due_at=report.sla_due_at,
        first_response_at=report.first_response_at,
        resolved_at=report.resolved_at,
        supporters=report.supporters,
        merged_into=report.merged_into,
        priority=report.priority,
        rating=report.rating,
        question=asked[-1].note if asked and report.status == "awaiting_info" else None,
        timeline=[
            PublicTimelineEntry(
                at=e.at,
                status=e.to_status,
                note=e.note,
                reason=e.reason,
                action=e.action,
                stars=e.stars,
            )
            for e in shown
        ],
        # a shadow check's photo is covert: the command centre's view adds it
        photos=[photo_views.to_public(p, media) for p in photos or [] if p.role != "check"],
    )


def to_created(
    report: Report,
    timeline: list[TimelineEntry],
    token: str,
    *,
    catalogue: Catalogue,
    photos: list[Photo] | None = None,
    media: Any = None,
) -> ReportCreated:
    public = to_public(report, timeline, catalogue=catalogue, photos=photos, media=media)
    return ReportCreated(**public.model_dump(), reporter_token=token)


NEARBY_METRES = 50


def nearby_open(report: Report, store: ReportWrites) -> list[NearbyReport]:
    """Open reports of the same label within ~50 m: "did someone already report this?"
    Never for covert labels (that would reveal other covert reports)."""
    if report.covert:
        return []
    return open_near(report.label, report.lat, report.lon, store, exclude=report.id)


def open_near(
    label: str, lat: float, lon: float, store: ReportWrites, *, exclude: str | None = None
) -> list[NearbyReport]:
    """The closest few open public reports of a label within ``NEARBY_METRES`` of a
    point: what the app shows before sending, so a citizen can support one instead."""
    from chalicelib.services.workflow import distance_m

    out = []
    for other in store.open_reports_near(label, geohash(lat, lon)):
        if other.id == exclude or other.covert:
            continue
        metres = distance_m(lat, lon, other.lat, other.lon)
        if metres <= NEARBY_METRES:
            out.append(
                NearbyReport(
                    id=other.id,
                    code=other.code,
                    status=other.status,
                    distance_m=round(metres, 1),
                    created_at=other.created_at,
                )
            )
    return sorted(out, key=lambda n: n.distance_m)[:NEARBY_MAX]


def _minutes(start: datetime, end: datetime | None) -> int | None:
    return None if end is None else int((end - start).total_seconds() // 60)


def to_summary(report: Report, catalogue: Catalogue) -> ReportSummary:
    public = to_public(report, [], catalogue=catalogue)
    return ReportSummary(
        **public.model_dump(include=set(ReportSummary.model_fields)),
        response_minutes=_minutes(report.created_at, report.first_response_at),
        resolution_minutes=_minutes(report.created_at, report.resolved_at),
    )


def geojson(summaries: list[ReportSummary], next_cursor: str | None) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": s.id,
                "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                "properties": s.model_dump(mode="json", exclude={"lat", "lon"}),
            }
            for s in summaries
        ],
        "next_cursor": next_cursor,
    }
