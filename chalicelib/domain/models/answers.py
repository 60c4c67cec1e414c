"""The small answers beside the reports' views: health, accounts and second factors,
devices and support, subscriptions, contacts read (and their audit), API keys, push
and the error body."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from chalicelib.domain.schema import Model


class PasswordReset(Model):
    username: str
    temporary_password: str = Field(description="shown once; the next sign-in replaces it")


class MfaSecret(Model):
    secret: str = Field(description="base32, to type into the authenticator app")
    otpauth_uri: str = Field(description="the same as a QR code (drawn in the page)")


class MfaStatus(Model):
    username: str
    enabled: bool = Field(description="whether a sign-in asks for the app's code")


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


class ErrorDetail(Model):
    code: str = Field(description="stable, for programs: validation_failed, report_not_found…")
    message: str = Field(description="for people")
    details: list[dict[str, Any]] = []


class ErrorOut(Model):
    error: ErrorDetail


class PushKey(Model):
    public_key: str = Field(description="applicationServerKey: VAPID P-256, base64url")


class PushSubscribed(Model):
    created: bool = Field(description="false: this subscription was known already")
