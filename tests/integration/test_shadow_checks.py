"""Covert closure checks: filed by the shadow squad, seen by the command centre only,
counted in the squad's quality figures."""

from __future__ import annotations

from chalicelib import config
from tests.conftest import bearer

from .helpers import post_json, report_body
from .test_stats import command_view, run_job
from .workflow_helpers import process_uploads, resolved_report, staff_post


def check(client, tokens, role, report, verdict="not_fixed", **extra):
    body = {"verdict": verdict, "note": "Tambalan sudah retak lagi", **extra}
    return staff_post(client, tokens[role], f"/reports/{report['id']}/shadow-checks", body)


def test_a_shadow_check_is_seen_by_the_command_centre_only(client, aws, tokens):
    report = resolved_report(client, aws, tokens)
    slot = staff_post(
        client,
        tokens["shadow"],
        f"/reports/{report['id']}/check-photos",
        {"lat": -8.05, "lon": 111.71},
    )
    assert slot.status_code == 201
    fields = slot.json_body["upload"]["fields"]
    from tests.support.images import camera_jpeg

    aws.client("s3").put_object(
        Bucket=config.bucket_name(),
        Key=fields["key"],
        Body=camera_jpeg(640, 480),
        ContentType="image/jpeg",
    )
    process_uploads(aws)
    made = check(client, tokens, "shadow", report, photo_id=slot.json_body["photo_id"])
    assert made.status_code == 201 and made.json_body["verdict"] == "not_fixed"

    command = client.http.get(
        f"/staff/reports/{report['id']}", headers=bearer(tokens["command"])
    ).json_body
    assert [c["verdict"] for c in command["shadow_checks"]] == ["not_fixed"]
    assert [(p["role"], p["state"]) for p in command["check_photos"]] == [("check", "ready")]
    assert "check" not in {p["role"] for p in command["photos"]}
    squad = client.http.get(f"/staff/reports/{report['id']}", headers=bearer(tokens["orange"]))
    public = client.http.get(f"/reports/{report['id']}")
    check_photo_id = slot.json_body["photo_id"]
    for body in (squad.body.decode(), public.body.decode()):
        assert "shadow_checks" not in body and "not_fixed" not in body and "retak" not in body
        assert check_photo_id not in body and '"check"' not in body


def test_who_may_check_and_when(client, aws, tokens):
    open_report = post_json(client, "/reports", report_body()).json_body
    assert check(client, tokens, "shadow", open_report).status_code == 409  # not resolved yet
    report = resolved_report(client, aws, tokens)
    for role in ("orange", "blue", "operator"):
        assert check(client, tokens, role, report).status_code == 404  # absent, not forbidden
    assert check(client, tokens, "command", report, verdict="fixed").status_code == 201
    assert check(client, tokens, "shadow", report, verdict="maybe").status_code == 400


def test_checks_count_in_the_command_centres_quality_figures_only(client, aws, tokens):
    first = resolved_report(client, aws, tokens)
    second = resolved_report(client, aws, tokens)
    check(client, tokens, "shadow", first, "not_fixed")
    check(client, tokens, "shadow", second, "fixed")
    run_job()
    orange = command_view(client, tokens)["figures"]["squad#orange"]
    assert orange["shadow_checks"] == 2 and orange["shadow_not_fixed_share"] == 0.5
    own = client.http.get("/stats/squads/orange?window=today", headers=bearer(tokens["orange"]))
    public = client.http.get("/stats/public?window=today")
    for body in (own.body.decode(), public.body.decode()):
        assert "shadow_not_fixed_share" not in body and "shadow_checks" not in body
