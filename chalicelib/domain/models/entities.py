"""What is stored: reports, their timelines, photos and shadow checks, and the
status vocabulary."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, NamedTuple, get_args

from pydantic import ConfigDict, Field

from chalicelib.domain.schema import Model

Status = Literal[
    "submitted", "accepted", "in_progress", "resolved", "closed", "reopened", "rejected",
    "awaiting_info", "withdrawn", "forwarded",
]  # fmt: skip


STATUSES: tuple[str, ...] = get_args(Status)


Priority = Literal["urgent", "normal", "low"]
PRIORITIES: tuple[str, ...] = get_args(Priority)


Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]


Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]


PhotoRole = Literal["before", "after", "check"]


# expired: a slot whose upload form ran out unused (it gives its place back)
PhotoState = Literal["awaiting_upload", "processing", "ready", "rejected", "expired"]


PhotoType = Literal["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"]


MAX_CITIZEN_PHOTOS = 3


class Photo(Model):
    """A photo of a report: the citizen's "before", a squad's "after", a shadow check."""

    model_config = ConfigDict(extra="forbid")
    id: str
    report_id: str
    role: PhotoRole
    state: PhotoState = "awaiting_upload"
    reason: str | None = None
    upload_key: str
    display_key: str | None = None
    thumb_key: str | None = None
    width: int | None = None
    height: int | None = None
    created_at: datetime
    processing_since: datetime | None = None
    processed_at: datetime | None = None
    lat: float | None = None  # where the phone says it was taken (after-photos)
    lon: float | None = None
    content_type: str | None = None  # what the slot lets the phone upload


class TimelineEntry(Model):
    model_config = ConfigDict(extra="forbid")
    key: str | None = Field(default=None, description="storage sort key, once stored")
    at: datetime
    from_status: Status | None = None
    to_status: Status
    action: str = "submit"
    actor_role: str
    actor_id: str | None = None
    note: str | None = None
    reason: str | None = None
    photo_id: str | None = None
    # False: between the squad and the reporter (a question, its answer), not public
    public: bool = True
    squad_from: str | None = None  # a transfer: the squad that handed the report over
    stars: int | None = None  # a rating: the reporter's 1-5


class Report(Model):
    """A report as stored (without the reporter's contact, which lives apart)."""

    model_config = ConfigDict(extra="forbid")
    id: str
    code: str
    label: str
    squad: str
    covert: bool
    status: Status
    lat: float
    lon: float
    geohash: str
    district: str | None = None
    district_approx: bool = False  # the nearest kecamatan's centre decided it: "perkiraan"
    village: str | None = None  # a desa or kelurahan's Kemendagri code
    description: str | None = None
    address: str | None = None
    created_at: datetime
    updated_at: datetime
    sla_due_at: datetime
    token_hash: str
    request_hash: str
    has_contact: bool = False
    citizen_photos: int = 0
    assignee: str | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    reopen_count: int = 0
    rejection_reason: str | None = None
    escalated_at: datetime | None = None
    after_photo_distance_m: float | None = None
    supporters: int = 0
    merged_into: str | None = None
    # the original's code, written with the merge: lists name it without a read each
    merged_into_code: str | None = None
    device_hash: str | None = None  # a registered phone's, for "my reports"
    source: Literal["app", "open311", "seed", "whatsapp", "sms"] = "app"
    attributes: dict[str, str | float | list[str]] | None = None
    client_key: str | None = None  # the Open311 API key it came through (its id)
    media_url: str | None = None  # a photo elsewhere, as sent (Open311 fetches it)
    # an Open311 client's own fields (FixMyStreet's deviceid, its own questions…)
    client_fields: dict[str, str] | None = None
    # which submit call wrote it: a retried write that finds the report knows it
    # was its own first attempt (201), not somebody's earlier request (200)
    attempt: str | None = None
    priority: Priority = "normal"
    # a question to the reporter pauses the response clock: the status to go back to
    # once answered, and since when it waits
    resume_status: Status | None = None
    awaiting_since: datetime | None = None
    rating: int | None = None  # the reporter's 1-5 stars, once resolved
    forwarded_to: str | None = None  # an outside body's code (data/bodies.json)
    version: int = 1


class ListedReport(Model):
    """A report as a public list of requests shows it: the fields an Open311 list
    renders, read alone (a third of a stored report's attributes, a third of the
    bytes to send and parse for a page of a hundred). Types as in ``Report``."""

    id: str
    code: str
    label: str
    squad: str
    status: Status
    lat: float
    lon: float
    district: str | None = None
    description: str | None = None
    address: str | None = None
    created_at: datetime
    updated_at: datetime
    sla_due_at: datetime
    citizen_photos: int = 0
    rejection_reason: str | None = None
    merged_into: str | None = None
    merged_into_code: str | None = None


class Loaded(NamedTuple):
    """A report as read in one Query of its partition."""

    report: Report
    timeline: list[TimelineEntry]
    photos: list[Photo]
    checks: tuple[ShadowCheck, ...] = ()
    duplicates: tuple[dict, ...] = ()  # reports merged into this one: {"id", "code"}


class ShadowCheck(Model):
    """A covert check of a closure: seen by the command centre only, never a timeline entry."""

    model_config = ConfigDict(extra="forbid")
    key: str | None = None
    report_id: str
    at: datetime
    verdict: Literal["fixed", "not_fixed"]
    checker: str
    note: str | None = None
    photo_id: str | None = None


class CheckRequest(Model):
    """The command centre asks the shadow squad to check a closure on the spot: covert
    like the check itself (no timeline entry, no squad view); one open per report."""

    report_id: str
    at: datetime
    by: str
    note: str | None = None
