"""The scheduled statistics job and the views it serves.

Cost follows activity, not history: each run reads the timeline entries written
since its watermark (minus a lookback, for entries that commit late), recomputes
the contributions of the reports they touch (idempotent overwrites), recomputes
the day summaries of the days those contributions fall on, and merges day
summaries into windows. Running twice, or two runs at once, writes the same
items: nothing is ever incremented, so nothing is counted twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from chalicelib import observe
from chalicelib.domain import evaluation, geo, lateness, recurring, stats
from chalicelib.domain.models import Report
from chalicelib.domain.sms_text import WIB
from chalicelib.routing import SQUAD_CODES, Catalogue
from chalicelib.services.ports import StatsKeeping, StatsReads

log = logging.getLogger("kawal.stats")
LOOKBACK = timedelta(minutes=30)
FIRST_RUN_BACKFILL = timedelta(days=62)
# What one run takes on, so a job that fell behind (an outage, a throttled table)
# catches up run by run instead of timing out on the whole gap every time: at most
# this many hours of the activity index (one small Query each: a first run's
# backfill fits) and this many reports touched after the watermark (each a Query,
# its contributions rewritten: the part that costs time).
MAX_HOURS = int(FIRST_RUN_BACKFILL / timedelta(hours=1))
MAX_REPORTS = 1000


def _contribution(item: dict[str, Any]) -> stats.Contribution:
    fields = stats.Contribution.__dataclass_fields__
    return stats.Contribution(**{k: v for k, v in item.items() if k in fields})


def run(
    *,
    reports: StatsReads,
    stats_store: StatsKeeping,
    catalogue: Catalogue,
    now: Callable[[], datetime],
) -> dict[str, Any]:
    until = now()
    mark = stats_store.watermark() or until - FIRST_RUN_BACKFILL
    # How stale the figures were: alarmed on, and "missing" (a dead job) alarms too.
    observe.count("StatsLagSeconds", (until - mark).total_seconds(), "Seconds")
    activity, reached = _taken_on(stats_store, mark, until)
    touched = sorted({a["report_id"] for a in activity})
    new_keys = {a["GSI3SK"] for a in activity}
    days: set[str] = set()
    places: list[recurring.Occurrence] = []
    for report_id in touched:
        loaded = reports.load(report_id)
        if loaded is None:
            continue
        made = stats.contributions(loaded.report, loaded.timeline, catalogue, loaded.checks)
        stats_store.put_contributions(made)
        days |= {c.day for c in made if _activity_key(c) in new_keys}
        places.append(recurring.occurrence(loaded.report, loaded.timeline))
    _recurring(stats_store, places, until)
    for day in sorted(days):
        contribs = [_contribution(i) for i in stats_store.contributions_of(day)]
        stats_store.put_day_summaries(day, stats.summarize(contribs))
    today = until.astimezone(WIB).date()
    months = {today.strftime("%Y-%m")} | {d[:7] for d in days}
    windows = {w: stats.window_days(w, today) for w in ["today", "7d", "30d", *sorted(months)]}
    for window, view in _views(
        windows, until, reached, stats_store, _open_reports(reports)
    ).items():
        stats_store.put_view(window, view)
    stats_store.advance_watermark(reached)  # progress kept, even if still behind
    result = {
        "events": len(activity),
        "reports": len(touched),
        "days": sorted(days),
        "counts_until": reached.isoformat(),
        "caught_up": reached >= until,
    }
    log.info("stats run: %s", result)
    return result


def _recurring(
    stats_store: StatsKeeping, touched: list[recurring.Occurrence], until: datetime
) -> None:
    """Keep what the recurring-problem finder needs of the reports this run touched,
    then recompute the places of their cells and the cells around them (a report can
    join a place centred next door): each cell read once a run."""
    by_cell: dict[str, list[recurring.Occurrence]] = {}
    for o in touched:
        by_cell.setdefault(recurring.cell_of(o.lat, o.lon), []).append(o)
    for cell, found in by_cell.items():
        counted = [o for o in found if not (o.covert or o.ignored)]
        stats_store.put_occurrences(cell, [o.to_item() for o in counted])
        stats_store.drop_occurrences(cell, [o.report_id for o in found if o not in counted])
    redo = {c for cell in by_cell for c in geo.neighbourhood(cell)}
    read: dict[str, list[recurring.Occurrence]] = {}

    def occurrences(cell: str) -> list[recurring.Occurrence]:
        if cell not in read:
            read[cell] = [
                recurring.Occurrence.from_item(i) for i in stats_store.occurrences_in(cell)
            ]
        return read[cell]

    for cell in sorted(redo):
        around = [o for c in geo.neighbourhood(cell) for o in occurrences(c)]
        found_places = recurring.places_of_cell(cell, around, until)
        stats_store.put_recurring(cell, [p.to_item() for p in found_places])


def recurring_view(stats_store: Any, now: datetime) -> dict[str, Any]:
    """The command centre's list of recurring places (never covert: none is kept)."""
    places = recurring.current(stats_store.recurring_places(), now)
    return {
        "computed_at": now.isoformat(),
        "radius_m": recurring.RADIUS_M,
        "min_returns": recurring.MIN_RETURNS,
        "min_months": recurring.MIN_MONTHS,
        "settled_after_days": recurring.SETTLED_AFTER.days,
        "places": places,
    }


def evaluation_view(stats_store: Any, first: str, last: str) -> dict[str, Any]:
    """The evaluation of [first, last] (``YYYY-MM``) and the period before, from the
    day summaries ``GET /stats`` merges: one read per dimension, as a run's views."""
    start = evaluation.previous(first, last)[0] + "-01"
    end = last + "-31"  # day keys are ISO dates: past a month's last day is harmless
    by_dim = {
        dim: {
            day: stats.Summary.from_item(json.loads(text))
            for day, text in stats_store.day_summaries(dim, start, end).items()
        }
        for dim in stats_store.dimensions()
    }
    return evaluation.report(by_dim, first, last)


def _taken_on(
    stats_store: StatsKeeping, mark: datetime, until: datetime
) -> tuple[list[dict[str, Any]], datetime]:
    """The activity one run takes on, read hour by hour from the watermark (less the
    lookback): up to now, ``MAX_HOURS`` of the index, or the first entry of a report
    past ``MAX_REPORTS``; and where that stops (the next watermark: everything before
    it is in; the next run re-reads from a lookback before it)."""
    last = min(until, mark + timedelta(hours=MAX_HOURS))
    taken: dict[str, dict[str, Any]] = {}
    fresh: set[str] = set()  # reports with entries after the watermark
    start = mark - LOOKBACK
    while start <= last:
        hour_end = start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        end = min(last, hour_end - timedelta(microseconds=1))  # one hour bucket a Query
        for item in sorted(stats_store.activity_between(start, end), key=lambda a: a["GSI3SK"]):
            at = datetime.fromisoformat(item["GSI3SK"].split("#", 1)[0].replace("Z", "+00:00"))
            if at > mark and item["report_id"] not in fresh:
                if len(fresh) >= MAX_REPORTS:
                    return list(taken.values()), at
                fresh.add(item["report_id"])
            taken[item["GSI3SK"]] = item
        start = hour_end
    return list(taken.values()), last


def _activity_key(c: stats.Contribution) -> str:
    """The GSI3 sort key of what a contribution comes from: ``<at>#<report>#<seq>`` for
    a timeline entry (``EVENT#<at>#<seq>``), ``<at>#<report>#check`` for a shadow check."""
    kind, at, rest = c.key.split("#", 2)
    return f"{at}#{c.report_id}#{'check' if kind == 'CHECK' else rest}"


def _without_quality(figures: dict[str, Any]) -> dict[str, Any]:
    """Shadow-check figures are for the command centre only."""
    return {
        d: {k: v for k, v in f.items() if not k.startswith("shadow_")} for d, f in figures.items()
    }


def _open_reports(reports: StatsReads) -> list[Report]:
    out = []
    for squad in SQUAD_CODES:
        start = None
        while True:
            items, start = reports.read(reports.squad_queue(squad), start=start, limit=500)
            out += reports.reports_from(items)
            if not start:
                break
    return out


def _views(
    windows: dict[str, list[str]],
    until: datetime,
    counted: datetime,
    stats_store: Any,
    open_reports: list[Any],
) -> dict[str, dict[str, Any]]:
    """Every window from one read of each dimension's day summaries."""
    first = min(min(days) for days in windows.values())
    last = max(max(days) for days in windows.values())
    by_dim = {
        dim: {
            day: stats.Summary.from_item(json.loads(text))
            for day, text in stats_store.day_summaries(dim, first, last).items()
        }
        for dim in stats_store.dimensions()
    }
    backlog = stats.backlog(open_reports, until, lateness.is_late)
    late = [(r, by) for r in open_reports if (by := lateness.late_by(r, until))]
    overdue = sorted(late, key=lambda pair: pair[0].sla_due_at)
    most_overdue = [
        {
            "id": r.id,
            "code": r.code,
            "squad": r.squad,
            "label": r.label,
            "district": r.district,
            "covert": r.covert,
            "overdue_hours": round(by.total_seconds() / 3600, 1),
        }
        for r, by in overdue[:10]
    ]
    views = {}
    trend_dims = [d for d in by_dim if d.startswith("squad#") or d == "public"]
    for window, days in windows.items():
        figures = {}
        for dim, summaries in by_dim.items():
            merged = stats.Summary()
            for day in days:
                if day in summaries:
                    merged.merge(summaries[day])
            figures[dim] = merged.figures()
        views[window] = {
            "window": window,
            "days": [min(days), max(days)],
            "computed_at": until.isoformat(),
            "counts_until": counted.isoformat(),  # behind "computed_at" while catching up
            "figures": figures,
            "backlog": backlog,
            "most_overdue": most_overdue,
            # day by day, for the command centre's small charts (no extra reads)
            "trends": {
                dim: [_trend_point(day, by_dim[dim].get(day)) for day in sorted(days)]
                for dim in trend_dims
            }
            if window == "30d"
            else {},
        }
    return views


def _trend_point(day: str, summary: Any) -> dict[str, Any]:
    f = summary.figures() if summary is not None else None
    response = f["time_to_first_response"] if f else {}
    return {
        "day": day,
        "received": f["received"] if f else 0,
        "resolved": f["resolved"] if f else 0,
        "on_time_share": response.get("within_sla_share"),
        "median_response_minutes": response.get("median_minutes"),
    }


# -- audiences --------------------------------------------------------------------


def _ranking(figures: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    rows = []
    for dim, f in figures.items():
        if dim.startswith(prefix):
            share = f["time_to_first_response"]["within_sla_share"]
            rows.append(
                {"name": dim[len(prefix) :], "on_time_share": share, "accepted": f["accepted"]}
            )
    return sorted(rows, key=lambda r: (r["on_time_share"] is None, -(r["on_time_share"] or 0)))


def for_command(view: dict[str, Any], *, squad=None, label=None, district=None) -> dict[str, Any]:
    """Everything, or the dimensions a filter names (a squad's members with it)."""
    wanted = {f"squad#{squad}" if squad else "", f"label#{label}" if label else ""}
    wanted |= {f"district#{district}" if district else ""}
    wanted.discard("")

    def keep(dim: str) -> bool:
        if not wanted:
            return True
        return dim in wanted or bool(squad and dim.startswith(f"member#{squad}#"))

    figures = {d: f for d, f in view["figures"].items() if keep(d)}
    return {
        **{k: view[k] for k in ("window", "days", "computed_at", "counts_until")},
        "figures": figures,
        "backlog": {d: b for d, b in view["backlog"].items() if keep(d)},
        "rankings": {
            "squads": _ranking(view["figures"], "squad#"),
            "members": _ranking(view["figures"], "member#"),
        },
        "most_overdue": [r for r in view["most_overdue"] if not squad or r["squad"] == squad],
        "trends": {d: t for d, t in view.get("trends", {}).items() if keep(d)},
    }


def for_squad(view: dict[str, Any], squad: str, catalogue: Catalogue) -> dict[str, Any]:
    labels = {f"label#{label.code}" for label in catalogue.labels if label.squad == squad}

    def mine(dim: str) -> bool:
        return dim == f"squad#{squad}" or dim.startswith(f"member#{squad}#") or dim in labels

    return {
        **{k: view[k] for k in ("window", "days", "computed_at", "counts_until")},
        "figures": _without_quality({d: f for d, f in view["figures"].items() if mine(d)}),
        "backlog": {d: b for d, b in view["backlog"].items() if mine(d)},
        "rankings": {
            "members": _ranking(
                {d: f for d, f in view["figures"].items() if mine(d)}, f"member#{squad}#"
            )
        },
        "most_overdue": [r for r in view["most_overdue"] if r["squad"] == squad],
    }


def for_public(view: dict[str, Any], catalogue: Catalogue) -> dict[str, Any]:
    """Per squad and label and the public total; never the shadow squad, its labels or
    members' names."""
    covert = {
        f"label#{label.code}" for label in catalogue.labels if catalogue.is_covert(label.code)
    }

    def visible(dim: str) -> bool:
        if dim == "public":
            return True
        if dim.startswith("squad#"):
            return dim != "squad#shadow"
        return dim.startswith("label#") and dim not in covert

    def rename(dim: str) -> str:
        return "all" if dim == "public" else dim

    return {
        **{k: view[k] for k in ("window", "days", "computed_at", "counts_until")},
        "figures": _without_quality(
            {rename(d): f for d, f in view["figures"].items() if visible(d)}
        ),
        "backlog": {rename(d): b for d, b in view["backlog"].items() if visible(d)},
        "rankings": {
            "squads": [r for r in _ranking(view["figures"], "squad#") if r["name"] != "shadow"]
        },
    }
