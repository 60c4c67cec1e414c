"""Open311's queries in: the date windows, filters, paging and ids a client asks
with, checked and turned into storage filters. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain.errors import InvalidInput, KawalError
from chalicelib.domain.lifecycle import OPEN
from chalicelib.domain.models import ListedReport, Report
from chalicelib.domain.open311 import (
    _CLOSED,
    CHANGED_WINDOW,
    DEFAULT_PAGE_SIZE,
    MAX_IDS,
    MAX_LISTED,
    MAX_PAGE_SIZE,
    UPDATES_WINDOW,
    WINDOW,
)
from chalicelib.domain.open311_services import label_or_404
from chalicelib.domain.sms_text import WIB
from chalicelib.routing import Catalogue

EARLIEST, LATEST = datetime(2000, 1, 1), datetime(2100, 1, 1)


def _when(name: str, value: str) -> datetime:
    try:
        at = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise InvalidInput(f"{name} must be a W3C date-time like 2026-11-01T00:00:00Z") from None
    # the regency's records start this century: a date past either end of the
    # calendar would otherwise overflow the window arithmetic (a 500)
    if not EARLIEST <= at.replace(tzinfo=None) < LATEST:
        raise InvalidInput(f"{name} must fall in the years {EARLIEST.year} to {LATEST.year - 1}")
    return (at if at.tzinfo else at.replace(tzinfo=WIB)).astimezone(UTC)


def _span(
    params: dict[str, str],
    now: datetime,
    names: tuple[str, str],
    default: timedelta,
    widest: timedelta,
) -> tuple[datetime, datetime]:
    first, last = names
    asked_start = _when(first, params[first]) if params.get(first) else None
    asked_end = _when(last, params[last]) if params.get(last) else None
    if asked_start is None:
        end = asked_end or now
        start = end - default
    else:
        start, end = asked_start, asked_end or asked_start + widest
    if start > end:
        raise InvalidInput(f"{first} is after {last}")
    if end - start > widest:
        days = f"{widest.days} day{'s' if widest.days != 1 else ''}"
        raise InvalidInput(f"{first} and {last} may span at most {days}")
    return start, end


def window(params: dict[str, str], now: datetime) -> tuple[datetime, datetime]:
    """[start, end] of ``requested_datetime``: the last 90 days unless told,
    and never more than 90 days (the standard's limit)."""
    return _span(params, now, ("start_date", "end_date"), WINDOW, WINDOW)


def updates_window(params: dict[str, str], now: datetime) -> tuple[datetime, datetime]:
    """[start, end] of ``servicerequestupdates``: the last day unless told, a week
    at most."""
    return _span(params, now, ("start_date", "end_date"), timedelta(days=1), UPDATES_WINDOW)


def updated_window(params: dict[str, str], now: datetime) -> tuple[datetime, datetime] | None:
    """``updated_after``/``updated_before`` on ``requests``, if asked: a day at most.
    ``updated_after`` alone means "since then": until now (a poller that fell more
    than a day behind is told to send ``updated_before`` too, not cut off silently)."""
    if not (params.get("updated_after") or params.get("updated_before")):
        return None
    if params.get("updated_after") and not params.get("updated_before"):
        start = _when("updated_after", params["updated_after"])
        if max(now, start) - start > CHANGED_WINDOW:
            raise InvalidInput(
                "updated_after alone asks until now, and the changes of a day at most are "
                "listed at once: add updated_before (within a day of updated_after)"
            )
        return start, max(now, start)
    names = ("updated_after", "updated_before")
    return _span(params, now, names, CHANGED_WINDOW, CHANGED_WINDOW)


def _listed(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def request_filters(params: dict[str, str], catalogue: Catalogue) -> dict[str, Any]:
    """Storage filters for ``service_code`` and ``status`` (comma-separated lists)."""
    filters: dict[str, Any] = {"covert": False}  # covert requests are never listed
    codes = _listed(params.get("service_code"))
    for code in codes:
        label_or_404(catalogue, code)
    if codes:
        filters["label"] = codes
    statuses = _listed(params.get("status"))
    unknown = [s for s in statuses if s not in ("open", "closed")]
    if unknown:
        raise InvalidInput(f"status is open or closed, not {unknown[0]!r}")
    if len(set(statuses)) == 1:
        ours = sorted(OPEN) if statuses[0] == "open" else sorted(_CLOSED)
        filters["status"] = ours
    return filters


def passes(report: Report | ListedReport, filters: dict[str, Any]) -> bool:
    """Whether a report passes ``request_filters`` (read already, not queried)."""
    for field, wanted in filters.items():
        value = getattr(report, field)
        if value not in (wanted if isinstance(wanted, list) else [wanted]):
            return False
    return True


def paging(params: dict[str, str]) -> tuple[int, int]:
    """The common ``page``/``page_size`` extension: 1-based pages."""
    try:
        page = int(params.get("page") or 1)
        size = int(params.get("page_size") or DEFAULT_PAGE_SIZE)
    except ValueError:
        raise InvalidInput("page and page_size are whole numbers") from None
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"page is 1 or more; page_size is 1 to {MAX_PAGE_SIZE}")
    return page, size


def listing_depth(page: int, size: int) -> int:
    """How many requests a list reads to answer this page: at most ``MAX_LISTED``."""
    if page * size > MAX_LISTED:
        raise InvalidInput(
            f"page x page_size reaches at most {MAX_LISTED:,} requests deep; "
            "narrow start_date/end_date (or updated_after/updated_before) to go further"
        )
    return page * size


def requested_ids(value: str) -> list[str]:
    ids = _listed(value)
    if len(ids) > MAX_IDS:
        raise InvalidInput(f"at most {MAX_IDS} service_request_id values at once")
    return ids


def error_list(status: int, message: str) -> list[dict[str, Any]]:
    return [{"code": status, "description": message}]


def error_status(error: KawalError) -> int:
    """The standard's codes: 403 and 404 as they are (and 405, and 429 with its
    Retry-After), other client errors 400."""
    if error.status in (403, 404, 405, 429) or error.status >= 500:
        return error.status
    return 400
