"""The seeded history (`make run`'s first start): through the real services, a story
in which every panel of the command centre has something to say."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from chalicelib.domain.lateness import is_late
from chalicelib.domain.principals import OPEN_SQUADS
from chalicelib.entry import events
from chalicelib.storage import ReportStore, StatsStore
from kawal_local import history, pump

from .helpers import all_items


def test_three_weeks_of_history_tell_the_regent_something(aws):
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    done = history.seed_history(21, now=now)
    assert done.reports > 400 and done.steps > 3 * done.reports

    items = all_items()
    reports = [i for i in items if i.get("type") == {"S": "report"}]
    events_ = [i for i in items if i.get("type") == {"S": "event"}]
    squads = Counter(r["squad"]["S"] for r in reports)
    assert set(squads) == {*OPEN_SQUADS, "shadow"}
    statuses = Counter(r["status"]["S"] for r in reports)
    assert {"submitted", "accepted", "in_progress", "resolved", "closed", "rejected"} <= set(
        statuses
    )
    actions = Counter(e["action"]["S"] for e in events_)
    for action in (
        "claim",
        "progress",
        "resolve",
        "confirm",
        "auto_close",
        "dispute",
        "reject",
        "overdue",
        "rate",
    ):
        assert actions[action] > 0, action
    assert any("merged_into" in r for r in reports)  # duplicates merged into the first
    checks = [i for i in items if i.get("type") == {"S": "check"}]
    assert {c["verdict"]["S"] for c in checks} == {"fixed", "not_fixed"}
    assert all(e["at"]["S"] < "2026-12-02T12:00:01" for e in events_)  # nothing in the future
    store = ReportStore()
    loaded = [store.load(r["PK"]["S"].removeprefix("REPORT#")) for r in reports[:50]]
    overdue = [lo.report for lo in loaded if is_late(lo.report, now)]
    assert all(r.escalated_at is not None for r in overdue)  # the schedule's work is done

    # the statistics see the slow squads and the slow member
    events.compute_stats(pump.scheduled_event(), None)
    view = StatsStore().view("30d")
    figures = view["figures"]
    on_time = {
        s: figures[f"squad#{s}"]["time_to_first_response"]["within_sla_share"] for s in OPEN_SQUADS
    }
    assert on_time["white"] > on_time["orange"] and on_time["white"] > on_time["red"]
    members = {
        m: figures[f"member#orange#{m}"]["time_to_first_response"]["within_sla_share"]
        for m in ("orange-joko", "orange-budi", "tim-orange")
    }
    others = min(members["orange-budi"], members["tim-orange"])
    assert members["orange-joko"] < others - 0.2, members
    # the reporters' stars say it too
    slow, quick = figures["member#orange#orange-joko"], figures["squad#white"]
    assert slow["rated"] > 0 and quick["rated"] > 0
    assert slow["rating_average"] < quick["rating_average"], (slow, quick)


def test_the_seed_has_places_where_the_same_problem_comes_back(aws, monkeypatch):
    monkeypatch.setattr(history, "PER_DAY", 2)  # the recurring spots, a little else: fast
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    history.seed_history(70, now=now)
    monkeypatch.setattr(events, "utc_now", lambda: now)
    events.compute_stats(pump.scheduled_event(), None)
    from chalicelib.services import stats_job

    places = stats_job.recurring_view(StatsStore(), now)["places"]
    labels = {label for p in places for label in p["labels"]}
    assert {"saluran_tersumbat", "jalan_rusak"} <= labels
    assert all(p["returns"] >= 2 and p["months"] >= 2 for p in places)
