"""Recurring problems ("masalah berulang"), pure: places where the same kind of
problem is reported again after being fixed — a drain that floods every rain, a
road patched four times. No storage, no clock (both are passed in).

A place is a cluster of one label's (or one family's) reports within ``radius_m``
of the cluster's centre. It recurs when reports came back after an earlier one
there was resolved at least ``min_returns`` times, over at least ``min_months``
WIB months. It drops off once fixed for good: its last report resolved and
nothing new there for ``settled_after``. Covert reports never feed it: the list is
shown beside public figures and a shadow-squad place would reveal the squad.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.geo import distance_m, geohash
from chalicelib.domain.sms_text import WIB

RADIUS_M = 100.0
MIN_RETURNS = 2  # came back after a fix twice: three reports at least
MIN_MONTHS = 2
# a drain that floods in the rains can stay dry half a year: only longer is "for good"
SETTLED_AFTER = timedelta(days=240)
# The statistics job keeps reports by geohash cell of this precision (~4.9 km square)
# and recomputes only the cells its run touched (with their neighbours: a place at an
# edge). A cell is keyed by where, never by label: a report turned covert is simply
# deleted from it, and no covert label is ever written.
CELL_PRECISION = 5
CLOSING = ("resolve",)  # the timeline actions that count as a fix (a closure)


@dataclass(frozen=True)
class Occurrence:
    """What one report tells the finder: where, what, when, and when it was fixed."""

    report_id: str
    label: str
    lat: float
    lon: float
    created_at: datetime
    closures: tuple[datetime, ...] = ()  # each time it was resolved (a reopen resolves again)
    covert: bool = False
    district: str | None = None
    open: bool = False  # still being worked (not resolved, rejected or withdrawn)
    # not a problem of its own: merged into another, rejected or withdrawn
    ignored: bool = False

    def to_item(self) -> dict[str, Any]:
        return {
            "report_id": self.report_id,
            "label": self.label,
            "lat": self.lat,
            "lon": self.lon,
            "created_at": self.created_at.isoformat(),
            "closures": [c.isoformat() for c in self.closures],
            "district": self.district,
            "open": self.open,
            "ignored": self.ignored,
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Occurrence:
        return cls(
            report_id=item["report_id"],
            label=item["label"],
            lat=float(item["lat"]),
            lon=float(item["lon"]),
            created_at=datetime.fromisoformat(item["created_at"]),
            closures=tuple(datetime.fromisoformat(c) for c in item.get("closures", [])),
            district=item.get("district"),
            open=bool(item.get("open")),
            ignored=bool(item.get("ignored")),
        )


def occurrence(report: Any, timeline: Iterable[Any]) -> Occurrence:
    """A stored report and its timeline as the finder sees them."""
    return Occurrence(
        report_id=report.id,
        label=report.label,
        lat=report.lat,
        lon=report.lon,
        created_at=report.created_at,
        closures=tuple(sorted(e.at for e in timeline if e.action in CLOSING)),
        covert=report.covert,
        district=report.district,
        open=report.status not in ("resolved", "closed", "rejected", "withdrawn"),
        ignored=bool(report.merged_into) or report.status in ("rejected", "withdrawn"),
    )


@dataclass
class _Place:
    family: str
    members: list[Occurrence] = field(default_factory=list)

    @property
    def lat(self) -> float:
        return sum(o.lat for o in self.members) / len(self.members)

    @property
    def lon(self) -> float:
        return sum(o.lon for o in self.members) / len(self.members)


@dataclass(frozen=True)
class Recurring:
    """A place that keeps coming back, as the command centre lists it."""

    family: str
    labels: tuple[str, ...]
    lat: float
    lon: float
    district: str | None
    reports: int
    closures: int
    returns: int  # reports made after an earlier one here was resolved
    months: int  # WIB months with a report
    first_at: datetime
    last_at: datetime
    last_closed_at: datetime | None
    report_ids: tuple[str, ...]
    open: bool = False  # one of its reports still being worked

    def to_item(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "labels": list(self.labels),
            "lat": round(self.lat, 6),
            "lon": round(self.lon, 6),
            "district": self.district,
            "reports": self.reports,
            "resolved_times": self.closures,
            "returns": self.returns,
            "months": self.months,
            "first_at": self.first_at.isoformat(),
            "last_at": self.last_at.isoformat(),
            "last_closed_at": self.last_closed_at.isoformat() if self.last_closed_at else None,
            "report_ids": list(self.report_ids),
            "open": self.open,
        }


def find(
    occurrences: Iterable[Occurrence],
    now: datetime,
    *,
    radius_m: float = RADIUS_M,
    min_returns: int = MIN_RETURNS,
    min_months: int = MIN_MONTHS,
    settled_after: timedelta = SETTLED_AFTER,
    family: Callable[[str], str] = lambda label: label,
) -> list[Recurring]:
    """The recurring places, most returns first. Clustering is greedy in the order
    reports came in (the same input gives the same places): each joins the nearest
    place of its family whose centre is within ``radius_m``, or starts one."""
    places: dict[str, list[_Place]] = defaultdict(list)
    for o in sorted(occurrences, key=lambda o: (o.created_at, o.report_id)):
        if o.covert or o.ignored:
            continue
        fam = family(o.label)
        near = [(distance_m(p.lat, p.lon, o.lat, o.lon), p) for p in places[fam]]
        near = [(d, p) for d, p in near if d <= radius_m]
        if near:
            min(near, key=lambda pair: pair[0])[1].members.append(o)
        else:
            places[fam].append(_Place(fam, [o]))
    found = [
        r
        for group in places.values()
        for p in group
        if (r := _judged(p, now, min_returns, min_months, settled_after))
    ]
    return sorted(found, key=lambda r: (-r.returns, -r.reports, r.family, r.lat, r.lon))


def _judged(
    place: _Place, now: datetime, min_returns: int, min_months: int, settled_after: timedelta
) -> Recurring | None:
    members = place.members
    closures = sorted(c for o in members for c in o.closures)
    # a return: a report made after an earlier report here had been fixed
    returns = sum(1 for o in members if any(c < o.created_at for c in closures))
    months = {o.created_at.astimezone(WIB).strftime("%Y-%m") for o in members}
    if returns < min_returns or len(months) < min_months:
        return None
    last_at = max(o.created_at for o in members)
    last_closed = closures[-1] if closures else None
    still_open = any(o.open for o in members)
    if _settled(still_open, last_at, last_closed, now, settled_after):
        return None
    districts = [o.district for o in members if o.district]
    return Recurring(
        family=place.family,
        labels=tuple(sorted({o.label for o in members})),
        lat=place.lat,
        lon=place.lon,
        district=max(set(districts), key=districts.count) if districts else None,
        reports=len(members),
        closures=len(closures),
        returns=returns,
        months=len(months),
        first_at=min(o.created_at for o in members),
        last_at=last_at,
        last_closed_at=last_closed,
        report_ids=tuple(o.report_id for o in members),
        open=still_open,
    )


def _settled(
    still_open: bool,
    last_at: datetime,
    last_closed: datetime | None,
    now: datetime,
    settled_after: timedelta,
) -> bool:
    """Fixed for good: nothing open and nothing came back for long enough."""
    return (
        not still_open
        and last_closed is not None
        and now - max(last_closed, last_at) >= settled_after
    )


def cell_of(lat: float, lon: float) -> str:
    return geohash(lat, lon, CELL_PRECISION)


def places_of_cell(
    cell: str, occurrences: Iterable[Occurrence], now: datetime, **options: Any
) -> list[Recurring]:
    """The recurring places whose centre lies in ``cell``, from the reports of the
    cell and its neighbours (so a place across an edge is whole, and kept once)."""
    return [p for p in find(occurrences, now, **options) if cell_of(p.lat, p.lon) == cell]


def current(
    places: Iterable[dict[str, Any]], now: datetime, settled_after: timedelta = SETTLED_AFTER
) -> list[dict[str, Any]]:
    """Stored places as of ``now``: those fixed for good since they were computed drop
    off (a quiet cell is not recomputed), most returns first."""

    def at(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text) if text else None

    kept = [
        p
        for p in places
        if not _settled(
            p["open"], at(p["last_at"]) or now, at(p["last_closed_at"]), now, settled_after
        )
    ]
    return sorted(kept, key=lambda p: (-p["returns"], -p["reports"], p["family"], p["lat"]))
