"""Per-audience renderings of a stored report, and pages of an index with sealed cursors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.adapters import cursors
from chalicelib.domain.closure_checks import check_ask
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.lateness import is_late, late_minutes
from chalicelib.domain.models import (
    QueueItem,
    Report,
    ReportCommand,
    ReportStaff,
    StaffTimelineEntry,
)
from chalicelib.routing import Catalogue
from chalicelib.services.photos import to_public as photo_to_public
from chalicelib.services.reports import to_public
from chalicelib.services.workflow import AFTER_PHOTO_MAX_DISTANCE_M, distance_m


def reporter_view(store: Any, report_id: str) -> Any:
    """What the reporter sees of their report (after one of their own steps)."""
    from chalicelib.adapters import media
    from chalicelib.routing import load_catalogue

    loaded = store.load(report_id)
    if loaded is None:
        raise NotFound(f"no report {report_id!r}", code="report_not_found")
    return to_public(
        loaded.report,
        loaded.timeline,
        catalogue=load_catalogue(),
        photos=loaded.photos,
        media=media,
        reporter=True,
    )


def transfer_targets(report: Report) -> list[str]:
    """The squads this report may be handed to (none for a covert one)."""
    from chalicelib.domain.followup import TRANSFERABLE
    from chalicelib.services.followup import PUBLIC_SQUADS

    if report.covert or report.status not in TRANSFERABLE:
        return []
    return [s for s in PUBLIC_SQUADS if s != report.squad]


def to_staff(
    loaded: Any,
    *,
    catalogue: Catalogue,
    media: Any,
    now: datetime,
    command: bool,
    offers: list | None = None,
    check_requested: Any = None,
):
    report = loaded.report
    media = _with_covert_links(media, loaded)
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
        overdue=is_late(report, now),
        late_minutes=late_minutes(report, now),
        attributes=report.attributes,
        media_url=report.media_url,
        client_fields=report.client_fields,
        source=report.source,
        duplicates=[dict(d) for d in loaded.duplicates],
        offers=offers or [],
        transfer_to=transfer_targets(report),
        forwarded_to=report.forwarded_to,
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
        check_requested=check_requested,
        # what the command centre may ask, in words that reach its screen only after sign-in
        asks=[check_ask(report, check_requested)] if offers else [],
    )


class _CovertLinks:
    """Media whose covert photos' links come from the vault (issue #35: they are stored
    under the covert key, which the API's role may not use to decrypt)."""

    def __init__(self, media: Any, signed: dict[str, str]) -> None:
        self.media, self.signed = media, signed

    def __getattr__(self, name: str) -> Any:
        return getattr(self.media, name)

    def view_url(self, key: str) -> str:
        return self.signed.get(key) or self.media.view_url(key)


def _with_covert_links(media: Any, loaded: Any) -> Any:
    """One vault call for every covert photo of the report (a covert report's, a
    shadow check's); only a command-centre or shadow request gets this far with one."""
    from chalicelib.adapters import covert

    keys = [
        key
        for p in loaded.photos
        if p.state == "ready" and (loaded.report.covert or p.role == "check")
        for key in (p.display_key, p.thumb_key)
        if key
    ]
    if not keys or not covert.cleared():
        return media
    return _CovertLinks(media, covert.view_urls(keys))


def queue_item(report: Report, now: datetime) -> QueueItem:
    return QueueItem(
        **report.model_dump(include=set(QueueItem.model_fields) - {"overdue", "late_minutes"}),
        overdue=is_late(report, now),
        late_minutes=late_minutes(report, now),
    )


def month(value: str | None, now: datetime) -> str:
    """A ``month`` parameter, checked (``YYYY-MM``; this month by default)."""
    month = value or now.strftime("%Y-%m")
    if len(month) != 7 or month[4] != "-" or not (month[:4] + month[5:]).isdigit():
        raise InvalidInput("month is YYYY-MM", code="invalid_month")
    return month


def page_of(
    store: Any,
    listing: Any,
    cursor: str | None,
    *,
    limit: int = 50,
    newest_first: bool = False,
    filters: dict[str, Any] | None = None,
    keep: Callable[[Report], bool] = lambda _report: True,
) -> tuple[list[Report], str | None]:
    """Up to ``limit`` reports of one of the store's lists, or of several merged in
    sort order, that pass ``filters`` and ``keep``, and the sealed cursor of the rest.
    Filters can thin a page out, so a few pages are read per list."""
    listings = {str(one): one for one in (listing if isinstance(listing, list) else [listing])}
    bound = "|".join(listings)
    starts: dict[str, Any] = cursors.open_sealed(cursor, bound) or {n: None for n in listings}
    if set(starts) != set(listings):  # pragma: no cover - sealed for this very list
        raise InvalidInput("this cursor is not valid for this list", code="invalid_cursor")
    candidates: list[tuple[str, str, dict[str, Any], Report]] = []
    scanned_to: dict[str, Any] = {}
    for name, one in listings.items():
        start = starts[name]
        if start == "done":
            continue
        found = 0
        for _ in range(5):
            items, start = store.read(
                one,
                newest_first=newest_first,
                limit=limit - found,
                start=start,
                filters=filters,
            )
            for item, report in zip(items, store.reports_from(items), strict=True):
                if keep(report):
                    candidates.append((store.sort_key(one, item), name, item, report))
                    found += 1
            if not start or found >= limit:
                break
        scanned_to[name] = start or "done"
    candidates.sort(key=lambda c: c[0], reverse=newest_first)
    chosen = candidates[:limit]
    following = dict(starts)
    for name in scanned_to:
        mine = [c for c in chosen if c[1] == name]
        everything = [c for c in candidates if c[1] == name]
        if len(mine) == len(everything):  # all it offered was taken: resume where it stopped
            following[name] = scanned_to[name]
        else:  # resume right after the last one taken
            following[name] = (
                store.start_after(listings[name], mine[-1][2]) if mine else starts[name]
            )
    more = any(v != "done" for v in following.values())
    return [c[3] for c in chosen], cursors.seal(following, bound) if more else None
