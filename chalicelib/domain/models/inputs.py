"""What comes in: strict (``extra="forbid"``), phones and emails checked."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import UUID4, ConfigDict, Field, field_validator, model_validator

from chalicelib.domain.models.entities import Latitude, Longitude, PhotoType
from chalicelib.domain.schema import Model


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
    """A valid address, normalised (email-validator: RFC syntax, internationalised
    domains; no DNS lookup, so a form never waits on the network)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"email is not a valid address: {exc}") from None


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
    village: str | None = Field(
        default=None,
        pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$",
        description="the desa or kelurahan, by its Kemendagri code (GET /villages)",
    )
    contact: ContactIn | None = None
    photo: InlinePhotoIn | None = None
    media_url: str | None = Field(
        default=None,
        max_length=2048,
        pattern=r"^https?://[^\s]+$",
        description="a photo elsewhere, linked for staff (an Open311 form's is fetched as a photo)",
    )
    attributes: dict[str, str | float | list[str]] | None = Field(
        default=None,
        max_length=20,
        description="answers to the label's extra questions (GET /labels lists them)",
    )


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


class SubscriptionIn(_Input):
    """A squad member's phone (SMS) or office email on the squad's topic."""

    protocol: Literal["sms", "email"]
    endpoint: str = Field(min_length=3, max_length=254)
    districts: list[str] | None = Field(
        default=None, max_length=14, description="only reports from these kecamatan"
    )
    urgent_only: bool = Field(
        default=False,
        description="only urgent reports (a member who reads the squad app gets the rest by push)",
    )

    @model_validator(mode="after")
    def _endpoint(self) -> SubscriptionIn:
        if self.protocol == "sms":
            self.endpoint = normalize_phone(self.endpoint)
        else:
            check_email(self.endpoint)
        return self


class NoteIn(_Input):
    note: str | None = Field(default=None, max_length=2000)


class _StaffStep(_Input):
    """A staff step a phone may send again after a lost answer (from its outbox)."""

    client_action_id: UUID4 | None = Field(
        default=None, description="the phone's own id for this step: a retry answers as the first"
    )


class StaffNoteIn(_StaffStep):
    note: str | None = Field(default=None, max_length=2000)


class AssigneeIn(_Input):
    member: str = Field(
        min_length=1, max_length=128, pattern=r"^[\w.@+-]+$", description="a member's username"
    )


class ResolveIn(_StaffStep):
    note: str = Field(min_length=5, max_length=2000, description="what was done")
    photo_id: str | None = Field(
        default=None, min_length=1, max_length=40, description="the ready after-photo"
    )
    client_photo_id: UUID4 | None = Field(
        default=None,
        description="or the after-photo's client_photo_id (a phone that queued both offline)",
    )

    @model_validator(mode="after")
    def _one_photo(self) -> ResolveIn:
        if (self.photo_id is None) == (self.client_photo_id is None):
            raise ValueError("give the after-photo: photo_id or client_photo_id (one of them)")
        return self


class RejectIn(_StaffStep):
    reason: Literal["duplicate", "not_a_problem", "outside_regency", "other_authority"]
    note: str | None = Field(default=None, max_length=2000, description="shown to the reporter")


class PositionedPhotoIn(_Input):
    """An after-photo or a check photo slot, with where the phone took the photo."""

    lat: Latitude = Field(description="where the phone took the photo")
    lon: Longitude
    client_photo_id: UUID4 | None = None
    content_type: PhotoType = "image/jpeg"
    data_base64: str | None = Field(
        default=None,
        max_length=5_600_000,
        description="the photo itself (≤ 4 MB decoded) instead of an upload to `upload`",
    )


class ContactReadIn(_Input):
    reason: str = Field(min_length=10, max_length=500, description="why (recorded in the audit)")


class SignInIn(_Input):
    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=256)


class NewPasswordIn(_Input):
    username: str = Field(min_length=1, max_length=128)
    session: str = Field(
        min_length=20, max_length=2048, description="from the sign-in's password_change_required"
    )
    new_password: str = Field(min_length=8, max_length=256)


Code = Annotated[
    str, Field(pattern=r"^[0-9]{6}$", description="the 6 digits the authenticator app shows")
]


class MfaCodeIn(_Input):
    username: str = Field(min_length=1, max_length=128)
    session: str = Field(
        min_length=20, max_length=2048, description="from the sign-in's mfa_required"
    )
    code: Code


class MfaSetupIn(_Input):
    """A first sign-in's enrolment (``mfa_setup_required``): the password again and the
    first code from the app, which confirms the secret."""

    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=256)
    code: Code


class MfaConfirmIn(_Input):
    code: Code


class SignedIn(Model):
    access_token: str = Field(description="send as Authorization: Bearer …")
    expires_in: int = Field(description="seconds")
    username: str | None = None
    role: str | None = Field(default=None, description="the account's role (what the apps show)")
    squad: str | None = Field(default=None, description="a squad member's squad")


class ShadowCheckIn(_Input):
    verdict: Literal["fixed", "not_fixed"]
    note: str | None = Field(default=None, max_length=2000)
    photo_id: str | None = Field(default=None, max_length=40, description="a ready check photo")
    client_photo_id: UUID4 | None = Field(
        default=None, description="or the check photo's client_photo_id (queued offline)"
    )


class CheckRequestIn(_Input):
    note: str | None = Field(default=None, max_length=300, description="what to look at")


class PointQuery(_Input):
    """A point whose kecamatan and desa the phone wants to show before sending."""

    model_config = ConfigDict(extra="forbid", strict=False)  # a query string is text

    lat: Latitude
    lon: Longitude


class PlaceIn(_StaffStep):
    """A squad's correction of where a report is: its kecamatan, and its desa if known."""

    district: str = Field(min_length=1, max_length=40, description="GET /districts")
    village: str | None = Field(
        default=None, pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$", description="GET /villages"
    )
    reason: str | None = Field(default=None, max_length=2000)


class NearbyQuery(_Input):
    """Where a citizen is about to report: the same label's open reports close by."""

    model_config = ConfigDict(extra="forbid", strict=False)  # a query string is text

    label: str = Field(min_length=1, max_length=40)
    lat: Latitude
    lon: Longitude


class SupportIn(_Input):
    """+1 on an existing report instead of filing it again."""

    client_support_id: UUID4 | None = Field(default=None, description="a retry counts once")
    contact: ContactIn | None = None


class MergeIn(_Input):
    into: str = Field(min_length=1, max_length=40, description="the original report (id or code)")


class QuestionIn(_StaffStep):
    note: str = Field(min_length=5, max_length=2000, description="the question, in Bahasa")
    public: bool = Field(
        default=False,
        description="also in the public timeline (default: between the squad and the reporter)",
    )


class AnswerIn(_Input):
    note: str = Field(min_length=1, max_length=2000, description="the reporter's answer")


class TransferIn(_StaffStep):
    squad: Literal["pink", "white", "orange", "yellow", "blue", "red"] = Field(
        description="the squad the report belongs to"
    )
    reason: str = Field(min_length=5, max_length=2000, description="why, for the receiving squad")


class PriorityIn(_StaffStep):
    priority: Literal["urgent", "normal", "low"]
    reason: str = Field(min_length=5, max_length=2000)


class RatingIn(_Input):
    stars: int = Field(ge=1, le=5, strict=True, description="1 (bad) to 5 (very good)")
    note: str | None = Field(default=None, max_length=2000, description="a comment, optional")


class ForwardIn(_StaffStep):
    body: str = Field(
        min_length=2, max_length=32, description="an outside body's code (GET /bodies)"
    )
    note: str = Field(min_length=5, max_length=2000, description="for the body: what to do, where")


class SettleIn(_StaffStep):
    note: str = Field(min_length=5, max_length=2000, description="what the body did, or why not")
    declined: bool = Field(
        default=False, description="true: the body declined; the report is the squad's again"
    )


class PushKeysIn(_Input):
    p256dh: str = Field(min_length=80, max_length=100, pattern=r"^[A-Za-z0-9_-]+=*$")
    auth: str = Field(min_length=16, max_length=32, pattern=r"^[A-Za-z0-9_-]+=*$")


class PushSubscriptionIn(_Input):
    """``PushSubscription.toJSON()`` as the browser gives it."""

    model_config = ConfigDict(extra="ignore")  # expirationTime and what browsers add
    endpoint: str = Field(min_length=10, max_length=1000, pattern=r"^https?://")
    keys: PushKeysIn


class DigestIn(_Input):
    email: str = Field(min_length=3, max_length=254, description="a desk's email")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return check_email(value)
