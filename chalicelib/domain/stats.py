"""Response-time statistics, pure: what each timeline entry contributes, mergeable
day summaries, windows, backlog. No storage, no clock (both are passed in).

Days, weeks and months are counted in WIB (Asia/Jakarta, UTC+7). Percentiles come
from log-bucketed histograms (each bucket 4% wider than the last), so any merge of
days is exact in counts and within ~2% in percentiles.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.domain import followup, workdays
from chalicelib.domain.followup import LOW_RATING
from chalicelib.domain.models import Report, TimelineEntry
from chalicelib.domain.sms_text import WIB
from chalicelib.routing import Catalogue

GROWTH = 1.04
KINDS = (
    "received", "accepted", "resolved", "closed", "reopened", "rejected", "withdrawn",
    "transferred", "asked", "rated", "forwarded", "settled",
)  # fmt: skip
CHECK_KINDS = ("check_fixed", "check_not_fixed")  # shadow checks: command centre only
BACKLOG_BUCKETS = ("lt_1d", "1_3d", "3_7d", "gt_7d")


def wib_day(at: datetime) -> str:
    return at.astimezone(WIB).date().isoformat()


# -- histograms ---------------------------------------------------------------


def bucket_of(seconds: float) -> int:
    return 0 if seconds < 1 else 1 + int(math.log(seconds) / math.log(GROWTH))


def bucket_value(index: int) -> float:
    """The geometric middle of a bucket, in seconds."""
    if index == 0:
        return 0.5
    low, high = GROWTH ** (index - 1), GROWTH**index
    return math.sqrt(low * high)


@dataclass
class Durations:
    """Count, sum and a sparse log histogram of durations (seconds): mergeable."""

    count: int = 0
    total: float = 0.0
    within_sla: int = 0
    buckets: dict[int, int] = field(default_factory=dict)

    def add(self, seconds: float, within_sla: bool) -> None:
        self.count += 1
        self.total += seconds
        self.within_sla += int(within_sla)
        b = bucket_of(seconds)
        self.buckets[b] = self.buckets.get(b, 0) + 1

    def merge(self, other: Durations) -> None:
        self.count += other.count
        self.total += other.total
        self.within_sla += other.within_sla
        for b, n in other.buckets.items():
            self.buckets[b] = self.buckets.get(b, 0) + n

    def percentile(self, p: float) -> float | None:
        """Nearest-rank percentile, estimated from the histogram (seconds)."""
        if not self.count:
            return None
        rank = max(1, math.ceil(p / 100 * self.count))
        seen = 0
        for b in sorted(self.buckets):
            seen += self.buckets[b]
            if seen >= rank:
                return bucket_value(b)
        return None  # pragma: no cover

    def figures(self) -> dict[str, Any]:
        def minutes(seconds: float | None) -> float | None:
            return None if seconds is None else round(seconds / 60, 1)

        return {
            "count": self.count,
            "median_minutes": minutes(self.percentile(50)),
            "p90_minutes": minutes(self.percentile(90)),
            "mean_minutes": minutes(self.total / self.count) if self.count else None,
            "within_sla_share": round(self.within_sla / self.count, 4) if self.count else None,
        }

    def to_item(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "total": self.total,
            "within_sla": self.within_sla,
            "buckets": {str(k): v for k, v in self.buckets.items()},
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Durations:
        return cls(
            count=int(item["count"]),
            total=float(item["total"]),
            within_sla=int(item["within_sla"]),
            buckets={int(k): int(v) for k, v in item["buckets"].items()},
        )


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    response: Durations = field(default_factory=Durations)
    resolution: Durations = field(default_factory=Durations)

    def merge(self, other: Summary) -> None:
        for k, v in other.counts.items():
            self.counts[k] = self.counts.get(k, 0) + v
        self.response.merge(other.response)
        self.resolution.merge(other.resolution)

    def figures(self) -> dict[str, Any]:
        resolved, rated = self.counts.get("resolved", 0), self.counts.get("rated", 0)
        checked = sum(self.counts.get(k, 0) for k in CHECK_KINDS)
        not_fixed = self.counts.get("check_not_fixed", 0)
        return {
            **{k: self.counts.get(k, 0) for k in KINDS},
            "time_to_first_response": self.response.figures(),
            "time_to_resolution": self.resolution.figures(),
            "reopen_rate": round(self.counts.get("reopened", 0) / resolved, 4)
            if resolved
            else None,
            # the reporters' stars: their mean, and how many gave 2 or fewer
            "rating_average": round(self.counts.get("stars", 0) / rated, 2) if rated else None,
            "low_ratings": self.counts.get("low_rated", 0),
            "shadow_checks": checked,
            "shadow_not_fixed_share": round(not_fixed / checked, 4) if checked else None,
        }

    def to_item(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "response": self.response.to_item(),
            "resolution": self.resolution.to_item(),
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Summary:
        return cls(
            counts={k: int(v) for k, v in item["counts"].items()},
            response=Durations.from_item(item["response"]),
            resolution=Durations.from_item(item["resolution"]),
        )


# -- contributions --------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """What one timeline entry adds to the figures of its WIB day."""

    key: str  # the timeline entry's key: one contribution per entry, ever
    report_id: str
    day: str
    kind: str
    squad: str
    label: str
    covert: bool
    district: str | None = None
    village: str | None = None
    member: str | None = None
    seconds: float | None = None  # for a first response or a first resolution
    within_sla: bool | None = None
    stars: int | None = None  # a rating
    body: str | None = None  # an outside body (forwarded to, settled by)

    def dimensions(self) -> list[str]:
        dims = ["all", f"squad#{self.squad}", f"label#{self.label}"]
        if not self.covert:
            dims.append("public")  # totals the public may see: never covert reports
        if self.district:
            dims.append(f"district#{self.district}")
        if self.member:
            dims.append(f"member#{self.squad}#{self.member}")
        if self.body:
            dims.append(f"body#{self.body}")
        if self.village:
            dims.append(f"village#{self.village}")
        return dims


KIND_OF_ACTION = {
    "submit": "received",
    "claim": "accepted",
    "resolve": "resolved",
    "confirm": "closed",
    "auto_close": "closed",
    "dispute": "reopened",
    "reject": "rejected",
    "withdraw": "withdrawn",
    "transfer": "transferred",  # counted for the squad that handed it over
    "ask": "asked",
    "rate": "rated",  # counted for the member who worked it
    "forward": "forwarded",  # also on the outside body's own line
    "settle": "settled",
}


def contributions(
    report: Report, timeline: list[TimelineEntry], catalogue: Catalogue, checks: Iterable[Any] = ()
) -> list[Contribution]:
    """Every contribution of a report, from its whole timeline and its shadow checks:
    a pure function of what is stored, so computing it again gives the same items."""
    label = catalogue.label(report.label)
    # the targets as the label sets them: on the clock, or in working days (WIB)
    due = {
        "accepted": workdays.respond_by(label, report.created_at),
        "resolved": workdays.resolve_by(label, report.created_at),
    }
    out, responded, resolved = [], False, False
    # whose work a reopen, a rating or a shadow check judges: the squad member who last
    # resolved it (the command centre working a report is nobody's squad member)
    resolver: str | None = None
    resolvers: list[tuple[datetime, str | None]] = []
    for entry in sorted(timeline, key=lambda e: e.at):
        kind = KIND_OF_ACTION.get(entry.action)
        if kind is None or entry.key is None:
            continue
        seconds = within = None
        if (kind == "accepted" and not responded) or (kind == "resolved" and not resolved):
            responded, resolved = responded or kind == "accepted", resolved or kind == "resolved"
            # the time it waited for its reporter's answers does not count
            waited = followup.paused(timeline, entry.at)
            seconds = (entry.at - report.created_at - waited).total_seconds()
            within = entry.at - waited <= due[kind]
        member = entry.actor_id if entry.actor_role == "squad" else None
        if kind == "resolved":
            resolver = member
            resolvers.append((entry.at, member))
        if kind in ("reopened", "rated"):
            # a rating with no resolution on record (older data): the one it was assigned to
            member = resolver or (report.assignee if kind == "rated" and not resolvers else None)
        elif kind not in ("accepted", "resolved"):
            member = None
        out.append(
            Contribution(
                key=entry.key,
                report_id=report.id,
                day=wib_day(entry.at),
                kind=kind,
                squad=entry.squad_from
                if kind == "transferred" and entry.squad_from
                else report.squad,
                label=report.label,
                district=report.district,
                village=report.village,
                member=member,
                covert=report.covert,
                seconds=seconds,
                within_sla=within,
                stars=entry.stars,
                body=entry.reason if kind in ("forwarded", "settled") else None,
            )
        )
    for check in checks:
        out.append(
            Contribution(
                key=check.key,
                report_id=report.id,
                day=wib_day(check.at),
                kind=f"check_{check.verdict}",
                squad=report.squad,
                label=report.label,
                covert=report.covert,
                district=report.district,
                member=next((m for at, m in reversed(resolvers) if at <= check.at), None),
            )
        )
    return out


def summarize(items: Iterable[Contribution]) -> dict[str, Summary]:
    """The day summaries of one day's contributions, per dimension."""
    out: dict[str, Summary] = defaultdict(Summary)
    for c in items:
        for dim in c.dimensions():
            s = out[dim]
            s.counts[c.kind] = s.counts.get(c.kind, 0) + 1
            if c.stars is not None:
                s.counts["stars"] = s.counts.get("stars", 0) + c.stars
                s.counts["low_rated"] = s.counts.get("low_rated", 0) + int(c.stars <= LOW_RATING)
            if c.seconds is not None:
                target = s.response if c.kind == "accepted" else s.resolution
                target.add(c.seconds, bool(c.within_sla))
    return dict(out)


# -- windows and backlog -----------------------------------------------------------


def window_days(window: str, today: date) -> list[str]:
    """``today``, ``7d``, ``30d`` (ending today) or ``YYYY-MM`` (a calendar month)."""
    if window == "today":
        return [today.isoformat()]
    if window in ("7d", "30d"):
        n = int(window[:-1])
        return [(today - timedelta(days=i)).isoformat() for i in range(n)]
    year, month = int(window[:4]), int(window[5:7])
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return [(first + timedelta(days=i)).isoformat() for i in range((nxt - first).days)]


def backlog(open_reports: list[Report], now: datetime, overdue: Any) -> dict[str, dict[str, int]]:
    """Open reports now, per dimension: by age and how many are overdue."""
    out: dict[str, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys((*BACKLOG_BUCKETS, "overdue", "open"), 0)
    )
    for r in open_reports:
        age = (now - r.created_at).total_seconds() / 86400
        bucket = "lt_1d" if age < 1 else "1_3d" if age < 3 else "3_7d" if age < 7 else "gt_7d"
        dims = ["all", f"squad#{r.squad}", f"label#{r.label}"]
        if not r.covert:
            dims.append("public")
        if r.district:
            dims.append(f"district#{r.district}")
        for dim in dims:
            out[dim][bucket] += 1
            out[dim]["open"] += 1
            out[dim]["overdue"] += int(overdue(r, now))
    return dict(out)
