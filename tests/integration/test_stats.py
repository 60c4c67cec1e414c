"""The statistics job under moto and the views on it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.routing import load_catalogue
from chalicelib.services import reports, stats_job
from chalicelib.storage import ReportStore, StatsStore
from tests.conftest import bearer

from .helpers import post_json, report_body
from .workflow_helpers import staff_post


def run_job(offset=timedelta(0)):
    return stats_job.run(
        reports=ReportStore(),
        stats_store=StatsStore(),
        catalogue=load_catalogue(),
        now=lambda: reports.utc_now() + offset,
    )


def command_view(client, tokens, window="today", **params):
    query = "&".join(f"{k}={v}" for k, v in {"window": window, **params}.items())
    r = client.http.get(f"/stats?{query}", headers=bearer(tokens["command"]))
    assert r.status_code == 200, r.body
    return r.json_body


@pytest.fixture
def activity(client, tokens):
    """Three orange reports (two claimed), one blue, one covert."""
    made = [post_json(client, "/reports", report_body()).json_body for _ in range(3)]
    made.append(post_json(client, "/reports", report_body(label="balap_liar")).json_body)
    made.append(post_json(client, "/reports", report_body(label="pungutan_liar")).json_body)
    for r in made[:2]:
        staff_post(client, tokens["orange"], f"/reports/{r['id']}/claim")
    return made


def test_the_job_computes_what_happened_today(client, tokens, activity):
    run_job()
    view = command_view(client, tokens)
    orange = view["figures"]["squad#orange"]
    assert (orange["received"], orange["accepted"]) == (3, 2)
    assert orange["time_to_first_response"]["count"] == 2
    assert orange["time_to_first_response"]["within_sla_share"] == 1.0
    assert view["figures"]["all"]["received"] == 5
    assert view["figures"]["squad#shadow"]["received"] == 1  # the command centre sees it
    assert view["figures"]["member#orange#orange"]["accepted"] == 2
    assert view["backlog"]["squad#orange"]["open"] == 3
    assert view["computed_at"] and view["counts_until"]
    assert view["rankings"]["squads"][0]["name"] == "orange"


def test_running_twice_gives_the_same_figures(client, tokens, activity):
    run_job()
    first = command_view(client, tokens)
    run_job()
    second = command_view(client, tokens)
    assert first["figures"] == second["figures"] and first["backlog"] == second["backlog"]


def test_activity_after_the_watermark_is_counted_once(client, tokens, activity):
    run_job()
    late = post_json(client, "/reports", report_body()).json_body
    staff_post(client, tokens["orange"], f"/reports/{late['id']}/claim")
    run_job()
    run_job()
    orange = command_view(client, tokens)["figures"]["squad#orange"]
    assert (orange["received"], orange["accepted"]) == (4, 3)


def test_a_run_reads_only_the_activity_since_its_watermark(client, tokens, activity):
    first = run_job()
    assert first["reports"] == 5
    post_json(client, "/reports", report_body())
    second = run_job()
    # the lookback re-reads recent entries, but never the whole history
    assert second["events"] <= first["events"] + 1


def test_the_public_never_sees_the_shadow_squad_or_member_names(client, tokens, activity):
    run_job()
    r = client.http.get("/stats/public?window=today")
    assert r.status_code == 200
    body = r.json_body
    text = r.body.decode()
    assert "shadow" not in text and "pungutan" not in text and "member#" not in text
    assert body["figures"]["all"]["received"] == 4  # the covert report is not counted
    assert body["figures"]["squad#orange"]["received"] == 3


def test_a_squad_reads_its_own_figures_only(client, tokens, activity):
    run_job()
    own = client.http.get("/stats/squads/orange?window=today", headers=bearer(tokens["orange"]))
    assert own.status_code == 200
    assert set(own.json_body["figures"]) >= {"squad#orange", "member#orange#orange"}
    assert not any(d.startswith("squad#") and d != "squad#orange" for d in own.json_body["figures"])
    assert (
        client.http.get("/stats/squads/blue", headers=bearer(tokens["orange"])).status_code == 403
    )
    assert (
        client.http.get("/stats/squads/shadow", headers=bearer(tokens["orange"])).status_code == 404
    )
    assert client.http.get("/stats", headers=bearer(tokens["orange"])).status_code == 403
    assert client.http.get("/stats").status_code == 401


def test_csv_export_for_the_regents_spreadsheets(client, tokens, activity):
    run_job()
    r = client.http.get("/stats?window=today&format=csv", headers=bearer(tokens["command"]))
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    lines = r.body.decode().splitlines()
    assert lines[0].startswith("# window=today computed_at=")
    header = lines[1].split(",")
    assert header[:3] == ["dimension", "name", "received"]
    rows = {tuple(line.split(",")[:2]): line.split(",") for line in lines[2:]}
    assert rows[("squad", "orange")][header.index("received")] == "3"
    public = client.http.get("/stats/public?format=csv").body.decode()
    assert "shadow" not in public
    # for Excel with Indonesian settings: a BOM, ';' between columns, decimal commas
    excel = client.http.get(
        "/stats?window=today&format=csv&sep=semicolon", headers=bearer(tokens["command"])
    ).body.decode("utf-8")
    assert excel.startswith("\ufeffdimension;name;received")
    rows = [line.split(";") for line in excel.splitlines()[1:]]
    head = excel.splitlines()[0].lstrip("\ufeff").split(";")
    orange = next(r for r in rows if r[:2] == ["squad", "orange"])
    assert orange[head.index("received")] == "3"
    shares = [r[head.index("response_within_sla_share")] for r in rows]
    assert any("," in v for v in shares) and not any("." in v for v in shares if v)


def test_an_unknown_window_is_a_4xx(client, tokens):
    r = client.http.get("/stats?window=forever", headers=bearer(tokens["command"]))
    assert r.status_code == 400 and r.json_body["error"]["code"] == "invalid_window"


def test_before_the_first_run_the_views_say_so(client):
    body = client.http.get("/stats/public").json_body
    assert body["computed_at"] is None and body["figures"] == {}


def test_a_job_weeks_behind_catches_up_run_by_run(client, tokens, activity, monkeypatch):
    """After an outage the job does not take on the whole gap (and time out on every
    run): each run reads a bounded stretch, keeps its progress, and the runs that
    follow reach now with the same figures as a job that never stopped."""
    monkeypatch.setattr(stats_job, "MAX_HOURS", 24 * 7, raising=False)
    monkeypatch.setattr(stats_job, "MAX_REPORTS", 2, raising=False)
    store, now = StatsStore(), reports.utc_now()
    behind = now - timedelta(weeks=3)
    store.advance_watermark(behind)
    first = run_job()
    assert store.watermark() == behind + timedelta(days=7)  # a week of the index, kept
    assert not first["caught_up"] and first["events"] == 0
    runs = [run_job() for _ in range(6)]
    assert [r["caught_up"] for r in runs][:2] == [False, False]  # two more empty weeks
    assert max(r["reports"] for r in runs[2:]) <= 2 + 3  # the cap, and a lookback's worth
    assert runs[-1]["caught_up"] and store.watermark() > now
    view = command_view(client, tokens)
    assert view["figures"]["all"]["received"] == 5
    assert view["figures"]["squad#orange"]["accepted"] == 2


def test_the_local_runners_first_run_counts_now_without_reading_back_62_days(
    client, tokens, monkeypatch
):
    """The runner makes its world fresh: nothing in it is older than the history it
    seeds, so the job's first run starts there. Reading 62 empty days of the index
    an hour a Query took that run 13-32 s on moto, and every step taken meanwhile
    waited for it (the end-to-end run's figures missed their 30 s)."""
    from kawal_local import seed

    hours = []
    real = StatsStore.activity_between
    monkeypatch.setattr(
        StatsStore,
        "activity_between",
        lambda self, start, end: hours.append(start) or real(self, start, end),
    )
    seed.start_statistics(history_days=0)  # as kawal_local.run does with no history
    post_json(client, "/reports", report_body())
    first = run_job()
    assert first["reports"] == 1 and first["caught_up"]
    assert len(hours) <= 2  # the lookback and now: not 1,488 hours
    assert command_view(client, tokens)["figures"]["all"]["received"] == 1

    seed.start_statistics(history_days=30)  # a watermark never moves back
    assert StatsStore().watermark() >= reports.utc_now() - timedelta(minutes=1)


def test_a_seeded_history_is_counted_from_its_first_day(client, tokens):
    from kawal_local import seed
    from kawal_local.history import seed_history

    seed.start_statistics(history_days=2)  # as kawal_local.run does before seeding
    made = seed_history(2)
    assert run_job()["reports"] == made.reports
    # its first day starts at midnight WIB, up to a day before "two days ago"
    assert command_view(client, tokens, "7d")["figures"]["all"]["received"] == made.reports
