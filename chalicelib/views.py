"""Per-audience renderings of a stored report, and opaque page cursors."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.errors import InvalidInput
from chalicelib.models import QueueItem, Report, ReportCommand, ReportStaff, StaffTimelineEntry
from chalicelib.photos import to_public as photo_to_public
from chalicelib.reports import to_public
from chalicelib.routing import Catalogue
from chalicelib.storage import GSI
from chalicelib.workflow import AFTER_PHOTO_MAX_DISTANCE_M, distance_m, is_overdue


def to_staff(loaded: Any, *, catalogue: Catalogue, media: Any, now: datetime, command: bool):
    report = loaded.report
    public = to_public(
        report, loaded.timeline, catalogue=catalogue, photos=loaded.photos, media=media
    )
    fields = dict(
        public.model_dump(),
        squad=report.squad,
        assignee=report.assignee,
        first_response_at=report.first_response_at,
        resolved_at=report.resolved_at,
        reopen_count=report.reopen_count,
        rejection_reason=report.rejection_reason,
        overdue=is_overdue(report, now),
        attributes=report.attributes,
        media_url=report.media_url,
        source=report.source,
        duplicates=[dict(d) for d in loaded.duplicates],
        staff_timeline=[
            StaffTimelineEntry(**e.model_dump(exclude={"key"}))
            for e in sorted(loaded.timeline, key=lambda e: e.at)
        ],
    )
    if not command:
        return ReportStaff(**fields)
    distance = report.after_photo_distance_m
    if distance is None:  # not resolved yet: where the latest after-photo was taken
        placed = [p for p in loaded.photos if p.role == "after" and p.lat is not None]
        if placed:
            latest = max(placed, key=lambda p: p.created_at)
            distance = round(distance_m(report.lat, report.lon, latest.lat, latest.lon), 1)
    return ReportCommand(
        **fields,
        covert=report.covert,
        escalated_at=report.escalated_at,
        after_photo_distance_m=distance,
        after_photo_far=distance is not None and distance > AFTER_PHOTO_MAX_DISTANCE_M,
        has_contact=report.has_contact,
        shadow_checks=sorted(loaded.checks, key=lambda c: c.at),
        check_photos=[photo_to_public(p, media) for p in loaded.photos if p.role == "check"],
    )


def queue_item(report: Report, now: datetime) -> QueueItem:
    return QueueItem(
        **report.model_dump(include=set(QueueItem.model_fields) - {"overdue"}),
        overdue=is_overdue(report, now),
    )


def encode_cursor(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, partition_attr: str, partition: str) -> dict | None:
    """The start key of the next page; refused unless it belongs to this very query."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        assert isinstance(key, dict) and key[partition_attr] == {"S": partition}
        assert all(isinstance(v, dict) and set(v) == {"S"} for v in key.values())
    except Exception:
        raise InvalidInput(
            "this cursor does not belong to this list", code="invalid_cursor"
        ) from None
    return key


def month_partition(value: str | None, now: datetime) -> str:
    """``ALL#YYYY-MM`` (GSI5) for a ``month`` parameter, this month by default."""
    month = value or now.strftime("%Y-%m")
    if len(month) != 7 or month[4] != "-" or not (month[:4] + month[5:]).isdigit():
        raise InvalidInput("month is YYYY-MM", code="invalid_month")
    return f"ALL#{month}"


def page_of(
    store: Any,
    index: str,
    partition: str,
    cursor: str | None,
    *,
    limit: int = 50,
    newest_first: bool = False,
    filters: dict[str, Any] | None = None,
    keep: Callable[[Report], bool] = lambda _report: True,
) -> tuple[list[Report], str | None]:
    """Up to ``limit`` reports of an index partition that pass ``filters`` and ``keep``,
    and the cursor of the rest. Filters can thin a page out, so a few pages are read."""
    start = decode_cursor(cursor, GSI[index][0], partition)
    found: list[Report] = []
    for _ in range(5):
        items, start = store.query_index(
            index,
            partition,
            newest_first=newest_first,
            limit=limit - len(found),
            start=start,
            filters=filters,
        )
        found += [r for r in store.reports_from(items) if keep(r)]
        if not start or len(found) >= limit:
            break
    return found, encode_cursor(start)
