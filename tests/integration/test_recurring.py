"""Recurring problems fed by the statistics job and served to the command centre (#38)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.routing import load_catalogue
from chalicelib.services import reports, stats_job
from chalicelib.storage import ReportStore, StatsStore
from tests.conftest import bearer

from .helpers import post_json, report_body
from .workflow_helpers import work_and_resolve

DRAIN = {"lat": -8.0512, "lon": 111.7123}
ELSEWHERE = {"lat": -8.0512 + 300 / 111_195, "lon": 111.7123}  # 300 m north


@pytest.fixture
def clock(monkeypatch):
    moved = {"by": timedelta(0)}
    real = reports.utc_now
    monkeypatch.setattr(reports, "utc_now", lambda: real() + moved["by"])
    # a report's own clock is bound as submit's default: it moves with the rest
    monkeypatch.setitem(reports.submit.__kwdefaults__, "now", reports.utc_now)
    return moved


def run_job():
    return stats_job.run(
        reports=ReportStore(),
        stats_store=StatsStore(),
        catalogue=load_catalogue(),
        now=reports.utc_now,
    )


def recurring_list(client, token):
    return client.http.get("/stats/recurring", headers=bearer(token))


def fixed_again_and_again(client, aws, tokens, clock, times, **where):
    """A road reported and patched again and again, a few weeks apart."""
    made = []
    for _ in range(times):
        report = post_json(client, "/reports", report_body(**where)).json_body
        made.append(work_and_resolve(client, aws, tokens, report))
        run_job()  # the job runs every few minutes: it sees each step as it happens
        clock["by"] += timedelta(days=24)
    return made


def test_a_road_patched_again_and_again_is_listed_for_the_command_centre(
    client, aws, tokens, clock
):
    made = fixed_again_and_again(client, aws, tokens, clock, 3, **DRAIN)
    once = post_json(client, "/reports", report_body(**ELSEWHERE)).json_body
    work_and_resolve(client, aws, tokens, once)
    covert = [
        post_json(client, "/reports", report_body(label="pungutan_liar", **DRAIN)).json_body
        for _ in range(3)
    ]
    assert all(c.get("id") for c in covert)
    run_job()
    r = recurring_list(client, tokens["command"])
    assert r.status_code == 200, r.body
    places = r.json_body["places"]
    assert [(p["labels"], p["reports"], p["resolved_times"], p["returns"]) for p in places] == [
        (["jalan_rusak"], 3, 3, 2)
    ]
    assert sorted(places[0]["report_ids"]) == sorted(m["id"] for m in made)
    assert r.json_body["radius_m"] == 100
    # the covert line: nothing of it is kept for the finder, let alone listed
    assert "pungutan_liar" not in r.body.decode()
    kept = aws.client("dynamodb").scan(TableName=StatsStore().table_name)["Items"]
    finder = [i for i in kept if i["PK"]["S"].startswith("RECUR")]
    assert finder and all("pungutan_liar" not in str(i) for i in finder)
    assert not any(c["id"] in str(finder) for c in covert)


def test_the_list_is_the_command_centres_only(client, tokens):
    assert recurring_list(client, tokens["orange"]).status_code == 403
    assert recurring_list(client, tokens["shadow"]).status_code == 403
    assert recurring_list(client, None).status_code == 401
