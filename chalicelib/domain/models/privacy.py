"""What a person is told of their data (UU PDP): the privacy notice with the register
of processing, what Kawal holds about them, and the audit of their requests."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from chalicelib.domain.schema import Model


class Processing(Model):
    data: str
    what_id: str
    what_en: str
    why_id: str
    why_en: str
    basis: str
    who_id: str
    who_en: str
    retention_days: int | None = Field(description="null: kept as the public-service archive")


class PrivacyNotice(Model):
    controller: str
    law: str = "UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi"
    request_deadline_hours: int = Field(description="requests are acted on within this")
    processing: list[Processing] = Field(description="the register of processing")
    rights_id: list[str]
    rights_en: list[str]
    page: str = Field(description="the notice for people, in the citizens' app")


class HeldContact(Model):
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    notify: bool | None = None


class HeldReport(Model):
    code: str
    label: str
    status: str
    created_at: datetime
    location: dict[str, float]
    address: str | None = None
    description: str | None = None
    photos: int = 0
    contact: HeldContact | None = None
    on_this_device: bool = False


class HeldData(Model):
    via: str = Field(description="report_token or device_token: how the person was known")
    reports: list[HeldReport]
    device_registered: bool


class Erased(Model):
    erased: list[str] = Field(description="the reports whose contact is gone (they stay)")
    device_forgotten: bool


class PrivacyRequest(Model):
    id: str
    action: str = Field(description="access, correct or erase")
    via: str
    reports: list[str]
    fields: list[str]
    received_at: datetime
    done_at: datetime
