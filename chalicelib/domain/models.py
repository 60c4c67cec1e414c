"""Pydantic models: what comes in (strict, ``extra="forbid"``), what is stored,
and what goes out, one output model per audience."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, NamedTuple, TypeVar, get_args

from pydantic import UUID4, ConfigDict, Field, field_validator, model_validator

from chalicelib.domain.schema import Model
from chalicelib.routing import Attribute

Status = Literal[
    "submitted", "accepted", "in_progress", "resolved", "closed", "reopened", "rejected"
]
STATUSES: tuple[str, ...] = get_args(Status)
Item = TypeVar("Item")
OPEN_STATUSES: frozenset[str] = frozenset({"submitted", "accepted", "in_progress", "reopened"})

Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def normalize_phone(value: str) -> str:
    """E.164 of an Indonesian mobile number, however it was written (0812…, 62812…,
    +62 812-…). Only those: Kawal texts these numbers, and a number abroad or a
    premium range would let anyone spend the regency's SMS budget (parsed with
    Google's libphonenumber data, not a pattern of ours)."""
    import phonenumbers

    try:
        number = phonenumbers.parse(value, "ID")
    except phonenumbers.NumberParseException:
        number = None
    mobile = (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if (
        number is None
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.region_code_for_number(number) != "ID"
        or phonenumbers.number_type(number) not in mobile
    ):
        raise ValueError(
            "phone must be an Indonesian mobile number like 0812… or +62812… (nomor HP Indonesia)"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_email(value: str) -> str:
    if not _EMAIL_RE.match(value):
        raise ValueError("email is not a valid address")
    return value


class _Input(Model):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class ContactIn(_Input):
    """How to reach the reporter: confidential, never in a public or squad view."""

    name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=254)
    notify: bool = Field(default=False, description="send me updates on this report")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return None if value is None else normalize_phone(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return None if value is None else check_email(value)


class ReportIn(_Input):
    client_report_id: UUID4 | None = Field(
        default=None,
        description="random UUID made by the phone; a retry with it returns the same report",
    )
    label: str = Field(min_length=1, max_length=40)
    lat: Latitude
    lon: Longitude
    description: str | None = Field(default=None, max_length=4000)
    address: str | None = Field(default=None, max_length=300)
    district: str | None = Field(default=None, max_length=40)
    contact: ContactIn | None = None
    photo: InlinePhotoIn | None = None
    media_url: str | None = Field(
        default=None,
        max_length=2048,
        pattern=r"^https?://[^\s]+$",
        description="a photo elsewhere (Open311's media_url): linked for staff, never fetched",
    )
    attributes: dict[str, str | float | list[str]] | None = Field(
        default=None,
        max_length=20,
        description="answers to the label's extra questions (GET /labels lists them)",
    )


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


class InlinePhotoIn(_Input):
    """A photo sent with the report itself: base64 in the JSON body (≤ 4 MB decoded)."""

    content_type: str = Field(pattern=r"^image/[a-z0-9.+-]{1,40}$")
    data_base64: str = Field(max_length=5_600_000, description="empty: 400 photo_empty")


class ApiKeyIn(_Input):
    name: str = Field(min_length=1, max_length=80, description="who the key is for")


class PhotoSlotIn(_Input):
    client_photo_id: UUID4 | None = Field(
        default=None,
        description="random UUID; a retry with it returns the same slot, or the photo's "
        "state once uploaded",
    )
    content_type: PhotoType = Field(
        default="image/jpeg", description="the type of the file the phone will upload"
    )


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
    device_hash: str | None = None  # a registered phone's, for "my reports"
    source: Literal["app", "open311", "seed"] = "app"
    attributes: dict[str, str | float | list[str]] | None = None
    client_key: str | None = None  # the Open311 API key it came through (its id)
    media_url: str | None = None  # a photo elsewhere, as sent; never fetched
    # which submit call wrote it: a retried write that finds the report knows it
    # was its own first attempt (201), not somebody's earlier request (200)
    attempt: str | None = None
    version: int = 1


class Loaded(NamedTuple):
    """A report as read in one Query of its partition."""

    report: Report
    timeline: list[TimelineEntry]
    photos: list[Photo]
    checks: tuple[ShadowCheck, ...] = ()
    duplicates: tuple[dict, ...] = ()  # reports merged into this one: {"id", "code"}


# -- outputs ------------------------------------------------------------------


class Handler(Model):
    code: str
    colour: str
    name_id: str
    name_en: str


class LabelRef(Model):
    code: str
    name_id: str
    name_en: str


class PublicTimelineEntry(Model):
    at: datetime
    status: Status
    note: str | None = None
    reason: str | None = None


class PhotoPublic(Model):
    id: str
    role: str = Field(description="before (the reporter's) or after (the fix)")
    state: PhotoState
    reason: str | None = None
    width: int | None = None
    height: int | None = None
    thumb_url: str | None = Field(default=None, description="presigned, valid 15 minutes")
    display_url: str | None = Field(default=None, description="presigned, valid 15 minutes")


class PhotoSlot(Model):
    photo_id: str
    state: PhotoState = Field(
        description="awaiting_upload: use `upload`; otherwise what became of the photo"
    )
    reason: str | None = Field(default=None, description="why it was rejected")
    upload: dict | None = Field(
        description="POST the file to `url` as multipart form with `fields` (null once "
        "the file arrived)"
    )
    expires_in: int
    max_bytes: int


class ReportPublic(Model):
    """What anyone may see: no reporter identity, no secrets."""

    id: str
    code: str
    label: LabelRef
    handled_by: Handler
    status: Status
    lat: float
    lon: float
    district: str | None
    description: str | None
    address: str | None
    created_at: datetime
    updated_at: datetime
    sla_due_at: datetime
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    supporters: int = 0
    merged_into: str | None = None
    timeline: list[PublicTimelineEntry]
    photos: list[PhotoPublic] = []


class NearbyReport(Model):
    id: str
    code: str
    status: Status
    distance_m: float
    created_at: datetime


class ReportCreated(ReportPublic):
    reporter_token: str = Field(
        description="keep it secret: it proves you filed the report (photos, confirm, dispute)"
    )
    nearby: list[NearbyReport] = Field(
        default=[],
        description="the closest five open reports of the same label within ~50 m: maybe the same",
    )


class LabelOut(Model):
    code: str
    name_id: str
    name_en: str
    sla_hours: int
    handled_by: Handler
    attributes: list[Attribute] = Field(
        default=[], description="extra questions; send answers as attributes{code: value}"
    )


class DistrictOut(Model):
    code: str
    name: str
    lat: float
    lon: float


class SubscriptionIn(_Input):
    """A squad member's phone (SMS) or office email on the squad's topic."""

    protocol: Literal["sms", "email"]
    endpoint: str = Field(min_length=3, max_length=254)
    districts: list[str] | None = Field(
        default=None, max_length=14, description="only reports from these kecamatan"
    )

    @model_validator(mode="after")
    def _endpoint(self) -> SubscriptionIn:
        if self.protocol == "sms":
            self.endpoint = normalize_phone(self.endpoint)
        else:
            check_email(self.endpoint)
        return self


class SubscriptionOut(Model):
    id: str
    protocol: str
    endpoint: str
    districts: list[str] | None
    pending_confirmation: bool


# -- the squad workflow ----------------------------------------------------------


class NoteIn(_Input):
    note: str | None = Field(default=None, max_length=2000)


class ResolveIn(_Input):
    note: str = Field(min_length=5, max_length=2000, description="what was done")
    photo_id: str = Field(min_length=1, max_length=40, description="the ready after-photo")


class RejectIn(_Input):
    reason: Literal["duplicate", "not_a_problem", "outside_regency", "other_authority"]
    note: str | None = Field(default=None, max_length=2000, description="shown to the reporter")


class PositionedPhotoIn(_Input):
    """An after-photo or a check photo slot, with where the phone took the photo."""

    lat: Latitude = Field(description="where the phone took the photo")
    lon: Longitude
    client_photo_id: UUID4 | None = None
    content_type: PhotoType = "image/jpeg"


class ContactReadIn(_Input):
    reason: str = Field(min_length=10, max_length=500, description="why (recorded in the audit)")


class StaffTimelineEntry(Model):
    at: datetime
    from_status: Status | None = None
    to_status: Status
    action: str
    actor_role: str
    actor_id: str | None = None
    note: str | None = None
    reason: str | None = None
    photo_id: str | None = None


class DuplicateRef(Model):
    id: str
    code: str | None = None


class ReportStaff(ReportPublic):
    """What the report's squad and the command centre see: the whole timeline with
    staff identities; never the reporter's."""

    squad: str
    assignee: str | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    reopen_count: int = 0
    rejection_reason: str | None = None
    overdue: bool = False
    attributes: dict[str, str | float | list[str]] | None = None
    media_url: str | None = None
    source: str = "app"
    staff_timeline: list[StaffTimelineEntry] = []
    duplicates: list[DuplicateRef] = Field(
        default=[], description="reports merged into this one (their people are supporters)"
    )


class ReportCommand(ReportStaff):
    """The command centre's view: also covert reports and the closure checks."""

    covert: bool = False
    escalated_at: datetime | None = None
    after_photo_distance_m: float | None = None
    after_photo_far: bool = False
    has_contact: bool = False
    shadow_checks: list[ShadowCheck] = []
    check_photos: list[PhotoPublic] = []


class QueueItem(Model):
    id: str
    code: str
    label: str
    status: Status
    district: str | None
    address: str | None
    lat: float
    lon: float
    created_at: datetime
    sla_due_at: datetime
    overdue: bool
    assignee: str | None = None
    reopen_count: int = 0


class Page(Model, Generic[Item]):
    items: list[Item]
    next_cursor: str | None = Field(default=None, description="send as ?cursor= for the next page")


class CommandQueueItem(QueueItem):
    squad: str
    covert: bool


class Health(Model):
    status: Literal["ok"]


class DeviceRegistered(Model):
    device_token: str = Field(description="send as X-Device-Token; shown once")


class Supported(Model):
    report_id: str
    supporters: int


class SubscriptionRemoved(Model):
    removed: str


class ContactOut(Model):
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    notify: bool = False


class ContactRead(Model):
    report_id: str
    contact: ContactOut | None


class ContactReadEntry(Model):
    reader: str
    reason: str
    at: datetime


class ContactAudit(Model):
    report_id: str
    reads: list[ContactReadEntry]


class ApiKeyOut(Model):
    id: str
    name: str
    issued_by: str | None
    created_at: datetime
    revoked_at: datetime | None = None


class ApiKeyIssued(ApiKeyOut):
    api_key: str = Field(description="shown once: Kawal keeps only its hash")


class Durations(Model):
    count: int
    median_minutes: float | None
    p90_minutes: float | None
    mean_minutes: float | None
    within_sla_share: float | None


class PublicFigures(Model):
    """One dimension's figures over the window (``squad#orange``, ``label#banjir``…)."""

    model_config = ConfigDict(extra="allow")  # the per-kind counts: received, resolved…
    time_to_first_response: Durations
    time_to_resolution: Durations
    reopen_rate: float | None


class Figures(PublicFigures):
    """Staff figures: with the quality of closures as the command centre checks it."""

    shadow_checks: int | None = None
    shadow_not_fixed_share: float | None = None


class Ranked(Model):
    name: str
    on_time_share: float | None
    accepted: int


class OverdueReport(Model):
    id: str
    code: str
    squad: str
    label: str
    district: str | None
    covert: bool
    overdue_hours: float


class TrendPoint(Model):
    day: str
    received: int
    resolved: int
    on_time_share: float | None
    median_response_minutes: float | None


class SquadOut(Model):
    code: str
    colour: str
    name_id: str
    name_en: str
    handles_id: str
    handles_en: str
    covert: bool = False


class PublicStats(Model):
    """Precomputed figures (the job runs every few minutes; ``computed_at`` says when)."""

    window: str
    days: list[str] | None
    computed_at: datetime | None
    counts_until: datetime | None
    figures: dict[str, PublicFigures]
    backlog: dict[str, dict[str, int]]
    rankings: dict[str, list[Ranked]] = {}


class ExtraMetric(Model):
    """A figure the command centre's screen shows on each squad card, described by
    the server so that no public script has to name it."""

    metric: str
    field: str
    name_id: str
    name_en: str


class Stats(PublicStats):
    """The staff view of the precomputed figures."""

    figures: dict[str, Figures]  # type: ignore[assignment]
    extra_metrics: list[ExtraMetric] | None = Field(
        default=None, description="command centre: more figures for each squad card (shares)"
    )
    most_overdue: list[OverdueReport] | None = None
    squads: list[SquadOut] | None = Field(
        default=None, description="command centre: every squad, covert ones included"
    )
    trends: dict[str, list[TrendPoint]] | None = Field(
        default=None, description="30d window, command centre: squad#<code> and public by day"
    )


class SignInIn(_Input):
    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=256)


class SignedIn(Model):
    access_token: str = Field(description="send as Authorization: Bearer …")
    expires_in: int = Field(description="seconds")


class ErrorDetail(Model):
    code: str = Field(description="stable, for programs: validation_failed, report_not_found…")
    message: str = Field(description="for people")
    details: list[dict[str, Any]] = []


class ErrorOut(Model):
    error: ErrorDetail


class ReportSummary(Model):
    """One line of the public list: anonymised, with how fast it was answered."""

    id: str
    code: str
    label: LabelRef
    handled_by: Handler
    status: Status
    lat: float
    lon: float
    district: str | None
    created_at: datetime
    updated_at: datetime
    sla_due_at: datetime
    response_minutes: int | None = Field(default=None, description="submitted to first response")
    resolution_minutes: int | None = Field(default=None, description="submitted to resolved")


class ShadowCheckIn(_Input):
    verdict: Literal["fixed", "not_fixed"]
    note: str | None = Field(default=None, max_length=2000)
    photo_id: str | None = Field(default=None, max_length=40, description="a ready check photo")


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


class SupportIn(_Input):
    """+1 on an existing report instead of filing it again."""

    client_support_id: UUID4 | None = Field(default=None, description="a retry counts once")
    contact: ContactIn | None = None


class MergeIn(_Input):
    into: str = Field(min_length=1, max_length=40, description="the original report (id or code)")
