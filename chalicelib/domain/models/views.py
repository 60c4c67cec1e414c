"""What goes out, one model per audience (public, squad, command centre)."""

from __future__ import annotations

from datetime import datetime
from typing import Generic, Literal, TypeVar

from pydantic import Field

from chalicelib.domain.models.entities import CheckRequest, PhotoState, ShadowCheck, Status
from chalicelib.domain.schema import Model
from chalicelib.routing import Attribute

Item = TypeVar("Item")


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
    action: str | None = Field(
        default=None, description="what happened: ask (a question to the reporter), answer, …"
    )
    stars: int | None = Field(default=None, description="a rating: the reporter's 1-5")


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
    district_approx: bool = Field(
        default=False,
        description="the kecamatan is a guess (nearest centre, no borders configured): "
        "show it as perkiraan / approximate",
    )
    village: str | None = Field(default=None, description="desa/kelurahan code (GET /villages)")
    description: str | None
    address: str | None
    created_at: datetime
    updated_at: datetime
    sla_due_at: datetime
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    supporters: int = 0
    merged_into: str | None = None
    priority: str = Field(default="normal", description="urgent, normal or low")
    rating: int | None = Field(default=None, description="the reporter's 1-5 stars")
    question: str | None = Field(
        default=None, description="awaiting_info: what the squad asks (to the reporter, or public)"
    )
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
    icon: str = Field(description="one emoji for the label's button in the apps")
    sla_hours: int
    sla_working_days: int | None = Field(
        default=None, description="set: the response is due by 16.00 WIB of this working day"
    )
    handled_by: Handler
    attributes: list[Attribute] = Field(
        default=[], description="extra questions; send answers as attributes{code: value}"
    )


class DistrictOut(Model):
    code: str
    name: str
    lat: float
    lon: float


class PlaceOut(Model):
    """Where a point is, as a report filed there would be placed."""

    district: str = Field(description="kecamatan code (GET /districts)")
    name: str
    approx: bool = Field(description="the nearest kecamatan, no borders known: perkiraan")
    village: str | None = Field(default=None, description="desa/kelurahan code, where known")


class OutlinesOut(Model):
    """District polygons (GeoJSON): each feature's ``properties.code`` is a district."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[dict]


class SubscriptionOut(Model):
    id: str
    protocol: str
    endpoint: str
    districts: list[str] | None
    urgent_only: bool = False
    pending_confirmation: bool


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
    public: bool = True
    squad_from: str | None = None
    stars: int | None = None


class DuplicateRef(Model):
    id: str
    code: str | None = None


class OfferChoice(Model):
    value: str
    name_id: str
    name_en: str


class Offer(Model):
    """A step the API offers this viewer on this report, described for the app to draw:
    POST ``path`` with ``{field: a choice's value, note, client_photo_id}``, after the
    photo (if taken) went to ``photo_path`` like an after-photo."""

    title_id: str
    title_en: str
    path: str = Field(description="relative to the API's root")
    field: str
    choices: list[OfferChoice]
    photo_path: str | None = None
    photo_label_id: str | None = None
    photo_label_en: str | None = None
    context_id: str | None = Field(default=None, description="why it is offered (to show)")
    context_en: str | None = None


class Ask(Model):
    """Something the command centre may ask others to do about this report, described
    for its screen to draw (so no file served before sign-in names it): POST ``path``
    with ``{"note"}``; once asked, ``asked_at`` and the words to show instead."""

    title_id: str
    title_en: str
    note_label_id: str
    note_label_en: str
    path: str = Field(description="relative to the API's root")
    asked_id: str | None = None
    asked_en: str | None = None
    asked_at: datetime | None = None
    asked_note: str | None = None


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
    late_minutes: int | None = Field(
        default=None, description="how late (domain/lateness.py): unanswered past its target"
    )
    attributes: dict[str, str | float | list[str]] | None = None
    media_url: str | None = None
    client_fields: dict[str, str] | None = Field(
        default=None, description="an Open311 client's own fields, as it sent them"
    )
    source: str = "app"
    staff_timeline: list[StaffTimelineEntry] = []
    duplicates: list[DuplicateRef] = Field(
        default=[], description="reports merged into this one (their people are supporters)"
    )
    offers: list[Offer] = Field(default=[], description="steps offered to this viewer only")
    transfer_to: list[str] = Field(
        default=[], description="the squads it may be handed to (POST …/transfer)"
    )
    forwarded_to: str | None = Field(default=None, description="the outside body it went to")


class ReportCommand(ReportStaff):
    """The command centre's view: also covert reports and the closure checks."""

    covert: bool = False
    escalated_at: datetime | None = None
    after_photo_distance_m: float | None = None
    after_photo_far: bool = False
    has_contact: bool = False
    shadow_checks: list[ShadowCheck] = []
    check_photos: list[PhotoPublic] = []
    check_requested: CheckRequest | None = Field(
        default=None, description="the closure check asked of the shadow squad, still open"
    )
    asks: list[Ask] = []


class QueueItem(Model):
    id: str
    code: str
    label: str
    status: Status
    district: str | None
    district_approx: bool = False
    address: str | None
    lat: float
    lon: float
    created_at: datetime
    sla_due_at: datetime
    overdue: bool
    late_minutes: int | None = Field(
        default=None, description="how late (domain/lateness.py): unanswered past its target"
    )
    priority: str = "normal"
    assignee: str | None = None
    reopen_count: int = 0
    supporters: int = 0
    citizen_photos: int = Field(default=0, description="photos the reporter sent")
    attributes: dict[str, str | float | list[str]] | None = None
    pin_id: str | None = Field(default=None, description="listed first for you, because (to show)")
    pin_en: str | None = None


class Page(Model, Generic[Item]):
    items: list[Item]
    next_cursor: str | None = Field(default=None, description="send as ?cursor= for the next page")


class CommandQueueItem(QueueItem):
    squad: str
    covert: bool


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


class BodyOut(Model):
    """An outside body a report can be forwarded to."""

    code: str
    name_id: str
    name_en: str
    handles_id: str = ""
    handles_en: str = ""


class VillageOut(Model):
    code: str = Field(description="Kemendagri code")
    name: str
    district: str = Field(description="its kecamatan's code (GET /districts)")
    kind: str = Field(description="desa or kelurahan")
