"""The ports: what the use cases need from the world, as typing.Protocols. The DynamoDB,
S3 and Pillow adapters implement them (bootstrap hands them in); tests/fakes.py holds
in-memory fakes, kept honest by tests/contracts. The dispatcher's own ports (Outbox,
Publisher), the counters (quotas.Counters) and the imaging port (photos.Images) live
beside the use case that defines them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.models import (
    CheckRequest,
    ListedReport,
    Loaded,
    Photo,
    Report,
    ShadowCheck,
    TimelineEntry,
)


class Media(Protocol):
    """Photo files: upload forms, originals and derivatives (S3)."""

    MIN_BYTES: int
    MAX_BYTES: int
    SLOT_SECONDS: int

    def upload_key(self, report_id: str, photo_id: str) -> str: ...
    def parse_upload_key(self, key: str) -> tuple[str, str] | None: ...
    def derivative_keys(self, report_id: str, photo_id: str) -> tuple[str, str]: ...
    def presigned_post(self, key: str, content_type: str = "image/jpeg") -> dict[str, Any]: ...
    def put_upload(self, key: str, data: bytes, content_type: str) -> None: ...
    def head(self, key: str) -> dict[str, Any] | None: ...
    def read(self, key: str) -> bytes: ...
    def put_derivative(self, key: str, data: bytes) -> None: ...
    def view_url(self, key: str) -> str: ...


class ReportReads(Protocol):
    """A report as one read (its timeline, photos, checks), by id or short code."""

    def load(self, report_id: str) -> Loaded | None: ...
    def get_report(self, report_id: str) -> tuple[Report, list[TimelineEntry]] | None: ...
    def report_id_for_code(self, code: str) -> str | None: ...


class Lists(Protocol):
    """Reports as the store lists them, by intent; a list is opaque to its reader."""

    def squad_queue(self, squad: str, status: str | None = None) -> Any: ...
    def read(
        self,
        listing: Any,
        *,
        newest_first: bool = False,
        limit: int = 50,
        start: dict[str, Any] | None = None,
        filters: dict[str, Any] | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]: ...
    def reports_from(self, items: list[dict[str, Any]]) -> list[Report]: ...


class ReportWrites(ReportReads, Protocol):
    """Filing a report and every change to it, each one conditional."""

    def create_report(
        self,
        report: Report,
        first: TimelineEntry,
        contact: dict | None,
        photo: Photo | None = None,
    ) -> None: ...
    def record_transition(
        self,
        report: Report,
        entry: TimelineEntry,
        expected_version: int,
        action_id: str | None = None,
    ) -> None: ...
    def action_done(self, report_id: str, action_id: str) -> dict[str, Any] | None: ...
    def record_comment(
        self, report: Report, entry: TimelineEntry, expected_version: int, resend_key: str
    ) -> tuple[str, bool]: ...
    def mark_escalated(self, report: Report, entry: TimelineEntry) -> bool: ...
    # the check, and the command centre's request for it closed, in one write
    def add_check(self, check: ShadowCheck) -> None: ...
    def merge(
        self, duplicate: Report, entry: TimelineEntry, original_id: str, carried: int
    ) -> None: ...
    def open_reports_near(self, label: str, geohash: str, precision: int = 7) -> list[Report]: ...


class CheckRequests(Protocol):
    """The command centre's open requests for a closure check, one per report."""

    def request_check(self, request: CheckRequest) -> bool: ...
    def check_request(self, report_id: str) -> CheckRequest | None: ...
    def check_requests(self) -> list[CheckRequest]: ...
    def close_check_request(self, report_id: str) -> None: ...


class Changes(ReportReads, Protocol):
    """What changed in a window: the public reports' timeline entries, by time."""

    def changes_between(self, start: datetime, end: datetime) -> list[tuple[str, str]]: ...


class Open311Lists(Protocol):
    """Open311's public lists: requests by key in batches, by window, by change."""

    def listed(self, report_ids: list[str]) -> list[ListedReport]: ...
    def report_ids_for_codes(self, codes: list[str]) -> dict[str, str]: ...
    def codes_of(self, report_ids: list[str]) -> dict[str, str]: ...
    def changes_between(self, start: datetime, end: datetime) -> list[tuple[str, str]]: ...
    def created_between(
        self,
        start: datetime,
        end: datetime,
        *,
        filters: dict[str, Any],
        limit: int,
        queries: int | None = None,
    ) -> list[ListedReport]: ...


class PhotoSlots(Protocol):
    """A report's photo items: slots, the three-photo count, claims and outcomes."""

    def load(self, report_id: str) -> Loaded | None: ...
    def add_photo(self, photo: Photo, counted: bool) -> Photo: ...
    def get_photo(self, report_id: str, photo_id: str) -> Photo | None: ...
    def claim_photo(
        self, report_id: str, photo_id: str, now: datetime, stale: datetime
    ) -> bool: ...
    def finish_photo(self, photo: Photo) -> None: ...
    def expire_unused_slots(self, report_id: str, created_before: datetime) -> int: ...


class People(Protocol):
    """The people around a report: sealed contacts and supporters."""

    def add_supporter(
        self, report_id: str, supporter_id: str, contact: dict[str, Any] | None, now: datetime
    ) -> bool: ...
    def contacts(self, report_id: str, supporters: bool = True) -> list[dict[str, Any]]: ...
    def wants_updates(self, report_id: str) -> bool: ...


class WorkflowStore(ReportWrites, Lists, PhotoSlots, People, Protocol):
    """Everything the squad workflow reads and writes."""


class DispatchReads(ReportReads, Protocol):
    """What the dispatcher reads: the report, and whether anyone asked for updates
    (a contact that wants them, or the filing phone's push subscriptions)."""

    def wants_updates(self, report_id: str) -> bool: ...
    def push_subscriptions(self, owner: str) -> list[dict[str, Any]]: ...


class StatsReads(ReportReads, Lists, Protocol):
    """What the statistics job reads: reports by id, and every squad's open queue."""


class StatsKeeping(Protocol):
    """What the statistics job keeps between runs."""

    def watermark(self) -> datetime | None: ...
    def advance_watermark(self, until: datetime) -> None: ...
    def activity_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]: ...
    def put_contributions(self, contributions: list[Any]) -> None: ...
    def contributions_of(self, day: str) -> list[dict[str, Any]]: ...
    def put_day_summaries(self, day: str, summaries: dict[str, Any]) -> None: ...
    def dimensions(self) -> list[str]: ...
    def day_summaries(self, dim: str, first: str, last: str) -> dict[str, str]: ...
    def put_view(self, window: str, view: dict[str, Any]) -> None: ...
