"""The evaluation report: its figures are GET /stats's for the same period (#38)."""

from __future__ import annotations

from chalicelib.domain.sms_text import WIB
from chalicelib.services import reports
from tests.conftest import bearer

from .helpers import post_json, report_body
from .test_stats import run_job
from .workflow_helpers import staff_post


def test_the_evaluation_figures_equal_get_stats_for_the_same_month(client, tokens):
    made = [post_json(client, "/reports", report_body()).json_body for _ in range(3)]
    made.append(post_json(client, "/reports", report_body(label="balap_liar")).json_body)
    for r in made[:2]:
        staff_post(client, tokens["orange"], f"/reports/{r['id']}/claim")
    run_job()
    month = reports.utc_now().astimezone(WIB).strftime("%Y-%m")
    command = bearer(tokens["command"])
    stats = client.http.get(f"/stats?window={month}", headers=command).json_body
    r = client.http.get(f"/command/evaluation?from={month}&to={month}", headers=command)
    assert r.status_code == 200, r.body
    body = r.json_body
    for dim in ("all", "public", "squad#orange", "squad#blue", "member#orange#orange"):
        assert body["figures"][dim] == stats["figures"][dim], dim
    assert body["monthly_figures"][month]["all"] == stats["figures"]["all"]
    assert body["use"]["by_month"] == [{"month": month, "received": 4}]
    orange = body["response"]["squad#orange"][0]
    assert (orange["received"], orange["on_time_share"]) == (3, 1.0)
    assert body["compare"]["received"] == {
        "now": 4, "before": 0, "trend": "naik", "few_reports": True
    }  # fmt: skip
    # the default period: the last six months, this one included
    default = client.http.get("/command/evaluation", headers=command).json_body
    assert default["months"][-1] == month and len(default["months"]) == 6


def test_a_bad_period_is_a_clear_400(client, tokens):
    command = bearer(tokens["command"])
    for q in ("from=2026-13", "from=2026-06&to=2026-01", "from=2020-01&to=2026-01"):
        r = client.http.get(f"/command/evaluation?{q}", headers=command)
        assert r.status_code == 400, q
        assert set(r.json_body["error"]) >= {"code", "message"}


def test_the_evaluation_is_the_command_centres_only(client, tokens):
    for role in ("orange", "shadow", "operator"):
        assert (
            client.http.get("/command/evaluation", headers=bearer(tokens[role])).status_code == 403
        )
    assert client.http.get("/command/evaluation").status_code == 401
