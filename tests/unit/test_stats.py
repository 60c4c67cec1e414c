import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import stats
from chalicelib.domain.lateness import is_late
from chalicelib.domain.models import Report, TimelineEntry
from chalicelib.routing import load_catalogue


def exact(values, p):
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("p", [50, 90])
def test_histogram_percentiles_are_within_5_percent_of_exact(seed, p):
    rng = random.Random(seed)
    draw = [
        lambda: rng.lognormvariate(8, 1.5),  # minutes to days
        lambda: rng.uniform(60, 7 * 86400),
        lambda: rng.expovariate(1 / 3600),
    ][seed % 3]
    values = [draw() for _ in range(rng.randint(50, 5000))]
    # split across "days" and merged, as windows are built
    parts = [stats.Durations() for _ in range(7)]
    for v in values:
        rng.choice(parts).add(v, within_sla=True)
    merged = stats.Durations()
    for part in parts:
        merged.merge(part)
    assert merged.count == len(values) and merged.total == pytest.approx(sum(values))
    assert merged.percentile(p) == pytest.approx(exact(values, p), rel=0.05)


AT = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 08:00 WIB


def report(
    n, label="banjir", squad="orange", district="panggul", created=AT, status="submitted", **kw
):
    return Report(
        id=f"r{n:019d}", code=f"TRG-00000{n}", label=label, squad=squad, covert=squad == "shadow",
        status=status, lat=-8.2, lon=111.5, geohash="qqx", district=district, created_at=created,
        updated_at=created, sla_due_at=created + timedelta(hours=6), token_hash="t",
        request_hash="r", **kw,
    )  # fmt: skip


def entry(at, action, to, actor="squad", who="budi", seq=0):
    return TimelineEntry(
        key=f"EVENT#{at.isoformat()}#{seq:04d}", at=at, to_status=to, action=action,
        actor_role=actor, actor_id=who if actor == "squad" else None,
    )  # fmt: skip


def test_hand_computed_figures_on_a_small_data_set():
    catalogue = load_catalogue()  # banjir: 6 h SLA
    minutes = [10, 20, 30, 400]  # the last one misses the 6 h SLA
    contribs = []
    for n, m in enumerate(minutes):
        r = report(n)
        timeline = [
            entry(AT, "submit", "submitted", actor="citizen"),
            entry(AT + timedelta(minutes=m), "claim", "accepted", seq=1),
        ]
        if n < 2:
            timeline.append(entry(AT + timedelta(hours=2 + n), "resolve", "resolved", seq=2))
        contribs += stats.contributions(r, timeline, catalogue)
    summary = stats.summarize(contribs)["squad#orange"]
    figures = summary.figures()
    assert {k: figures[k] for k in ("received", "accepted", "resolved", "reopened")} == {
        "received": 4, "accepted": 4, "resolved": 2, "reopened": 0,
    }  # fmt: skip
    response = figures["time_to_first_response"]
    assert response["count"] == 4
    assert response["median_minutes"] == pytest.approx(20, rel=0.03)  # nearest rank 2 of 4
    assert response["p90_minutes"] == pytest.approx(400, rel=0.03)  # rank 4 of 4
    assert response["mean_minutes"] == pytest.approx(115, abs=0.1)
    assert response["within_sla_share"] == 0.75
    resolution = figures["time_to_resolution"]
    assert resolution["count"] == 2 and resolution["within_sla_share"] == 1.0
    assert resolution["median_minutes"] == pytest.approx(120, rel=0.03)
    member = stats.summarize(contribs)["member#orange#budi"]
    assert member.counts["accepted"] == 4


def test_a_report_submitted_at_2330_wib_counts_on_that_wib_day():
    late = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)  # 23:30 WIB on the 22nd
    after = datetime(2026, 11, 22, 17, 30, tzinfo=UTC)  # 00:30 WIB on the 23rd
    assert stats.wib_day(late) == "2026-11-22" and stats.wib_day(after) == "2026-11-23"
    (c,) = stats.contributions(
        report(1, created=late), [entry(late, "submit", "submitted", "citizen")], load_catalogue()
    )
    assert c.day == "2026-11-22"


def test_only_the_first_response_and_resolution_are_timed_and_reopens_count():
    r = report(1)
    t = [
        entry(AT, "submit", "submitted", "citizen"),
        entry(AT + timedelta(minutes=30), "claim", "accepted", seq=1),
        entry(AT + timedelta(hours=1), "resolve", "resolved", seq=2),
        entry(AT + timedelta(hours=5), "dispute", "reopened", "citizen", seq=3),
        entry(AT + timedelta(hours=9), "claim", "accepted", seq=4),
        entry(AT + timedelta(hours=10), "resolve", "resolved", seq=5),
    ]
    s = stats.summarize(stats.contributions(r, t, load_catalogue()))["all"]
    assert s.counts["accepted"] == 2 and s.counts["resolved"] == 2 and s.counts["reopened"] == 1
    assert s.response.count == 1 and s.resolution.count == 1
    assert s.figures()["reopen_rate"] == 0.5


def test_covert_reports_never_reach_the_public_total():
    covert = report(1, label="pungutan_liar", squad="shadow")
    (c,) = stats.contributions(
        covert, [entry(AT, "submit", "submitted", "citizen")], load_catalogue()
    )
    assert "public" not in c.dimensions() and "squad#shadow" in c.dimensions()


def test_backlog_buckets_by_age_and_overdue():
    now = AT + timedelta(days=10)
    reports = [
        report(1, created=now - timedelta(hours=2)),  # < 1 day, due in 4 h
        report(2, created=now - timedelta(days=2)),  # 1-3 days, overdue
        report(3, created=now - timedelta(days=5), status="accepted"),  # 3-7, responded
        report(4, created=now - timedelta(days=9)),  # > 7, overdue
    ]
    b = stats.backlog(reports, now, is_late)["squad#orange"]
    assert b == {"lt_1d": 1, "1_3d": 1, "3_7d": 1, "gt_7d": 1, "overdue": 2, "open": 4}


def test_windows_are_wib_days():
    today = datetime(2026, 11, 23).date()
    assert stats.window_days("today", today) == ["2026-11-23"]
    assert (
        len(stats.window_days("7d", today)) == 7
        and min(stats.window_days("7d", today)) == "2026-11-17"
    )
    assert len(stats.window_days("2026-02", today)) == 28


def test_the_wait_for_the_reporters_answer_is_not_response_time():
    t = [
        entry(AT, "submit", "submitted", "citizen"),
        entry(AT + timedelta(hours=1), "ask", "awaiting_info", seq=1),
        entry(AT + timedelta(hours=9), "answer", "submitted", "citizen", seq=2),
        entry(AT + timedelta(hours=10), "claim", "accepted", seq=3),
    ]
    s = stats.summarize(stats.contributions(report(1), t, load_catalogue()))["squad#orange"]
    # 10 h after it came, 8 of them waiting for the answer: 2 h, within banjir's 6 h
    assert s.response.total == pytest.approx(2 * 3600)
    assert s.response.within_sla == 1 and s.counts["asked"] == 1


def test_a_transfer_counts_for_the_squad_that_handed_it_over():
    moved = entry(AT + timedelta(hours=1), "transfer", "submitted", seq=1)
    moved = moved.model_copy(update={"squad_from": "yellow", "note": "bukan sampah"})
    t = [entry(AT, "submit", "submitted", "citizen"), moved]
    by_dim = stats.summarize(stats.contributions(report(1), t, load_catalogue()))
    assert by_dim["squad#yellow"].counts["transferred"] == 1
    assert by_dim["squad#orange"].counts.get("transferred", 0) == 0
    assert by_dim["squad#orange"].counts["received"] == 1


def test_ratings_are_averaged_per_squad_and_member_and_low_ones_counted():
    contribs = []
    for n, stars in enumerate([5, 4, 1]):
        rated = entry(AT + timedelta(days=1), "rate", "closed", "citizen", seq=5)
        rated = rated.model_copy(update={"stars": stars})
        r = report(n, status="closed", assignee="budi")
        contribs += stats.contributions(r, [entry(AT, "submit", "submitted", "citizen"), rated],
                                        load_catalogue())  # fmt: skip
    by_dim = stats.summarize(contribs)
    for dim in ("squad#orange", "member#orange#budi"):
        figures = by_dim[dim].figures()
        assert (figures["rated"], figures["rating_average"], figures["low_ratings"]) == (
            3, 3.33, 1)  # fmt: skip


# -- per member: the figures of the member whose work it was (issue #36) ----------------


def test_a_reopen_counts_against_the_member_who_resolved_it():
    t = [
        entry(AT, "submit", "submitted", "citizen"),
        entry(AT + timedelta(minutes=30), "claim", "accepted", who="joko", seq=1),
        entry(AT + timedelta(hours=1), "resolve", "resolved", who="joko", seq=2),
        entry(AT + timedelta(hours=5), "dispute", "reopened", "citizen", seq=3),
        entry(AT + timedelta(hours=9), "claim", "accepted", who="budi", seq=4),
        entry(AT + timedelta(hours=10), "resolve", "resolved", who="budi", seq=5),
    ]
    by_dim = stats.summarize(stats.contributions(report(1), t, load_catalogue()))
    assert by_dim["member#orange#joko"].figures()["reopen_rate"] == 1.0
    assert by_dim["member#orange#budi"].figures()["reopen_rate"] == 0.0


def test_a_failed_shadow_check_counts_against_the_member_who_closed_it():
    from chalicelib.domain.models import ShadowCheck

    t = [
        entry(AT, "submit", "submitted", "citizen"),
        entry(AT + timedelta(minutes=30), "claim", "accepted", who="joko", seq=1),
        entry(AT + timedelta(hours=1), "resolve", "resolved", who="joko", seq=2),
    ]
    check = ShadowCheck(key="CHECK#x", report_id=report(1).id, at=AT + timedelta(days=1),
                        verdict="not_fixed", checker="bayu")  # fmt: skip
    by_dim = stats.summarize(stats.contributions(report(1), t, load_catalogue(), [check]))
    figures = by_dim["member#orange#joko"].figures()
    assert (figures["shadow_checks"], figures["shadow_not_fixed_share"]) == (1, 1.0)


def test_a_rating_counts_for_the_member_who_resolved_it_not_a_later_assignee():
    rated = entry(AT + timedelta(days=1), "rate", "closed", "citizen", seq=3)
    t = [
        entry(AT, "submit", "submitted", "citizen"),
        entry(AT + timedelta(minutes=30), "claim", "accepted", who="joko", seq=1),
        entry(AT + timedelta(hours=1), "resolve", "resolved", who="joko", seq=2),
        rated.model_copy(update={"stars": 2}),
    ]
    r = report(1, status="closed", assignee="budi")
    by_dim = stats.summarize(stats.contributions(r, t, load_catalogue()))
    assert by_dim["member#orange#joko"].figures()["rating_average"] == 2.0
    assert "member#orange#budi" not in by_dim


def test_the_command_centre_working_a_report_is_not_a_squad_member():
    regent = {"actor_role": "command", "actor_id": "komando"}
    t = [
        entry(AT, "submit", "submitted", "citizen"),
        entry(AT + timedelta(minutes=30), "claim", "accepted", seq=1).model_copy(update=regent),
        entry(AT + timedelta(hours=1), "resolve", "resolved", seq=2).model_copy(update=regent),
    ]
    covert = report(1, label="pungutan_liar", squad="shadow", assignee="komando")
    by_dim = stats.summarize(stats.contributions(covert, t, load_catalogue()))
    assert not [dim for dim in by_dim if dim.startswith("member#")]
    assert by_dim["squad#shadow"].counts["resolved"] == 1
