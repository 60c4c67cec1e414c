"""The squad workflow through the API: a report followed to the end, and every guard."""

from __future__ import annotations

import json
from datetime import timedelta

from chalicelib.adapters import media
from chalicelib.routing import load_catalogue
from chalicelib.services import reports
from chalicelib.services.workflow import Workflow
from chalicelib.storage import ReportStore
from tests.conftest import bearer

from .helpers import post_json, report_body
from .workflow_helpers import after_photo, citizen_post, resolved_report, staff_post

CONTACT = {
    "name": "Siti Aminah",
    "phone": "0812-3456-7890",
    "email": "siti@desa.id",
    "notify": True,
}


def test_a_report_followed_to_the_end_with_a_dispute_on_the_way(client, aws, tokens):
    report = resolved_report(client, aws, tokens, contact=CONTACT)
    view = client.http.get(
        f"/staff/reports/{report['id']}", headers=bearer(tokens["orange"])
    ).json_body
    assert view["status"] == "resolved" and view["assignee"] == "orange"
    assert [p["role"] for p in view["photos"]] == ["after"]
    assert [e["action"] for e in view["staff_timeline"]] == [
        "submit",
        "claim",
        "progress",
        "resolve",
    ]

    disputed = citizen_post(client, report, "dispute", "Masih berlubang")
    assert disputed.status_code == 200 and disputed.json_body["status"] == "reopened"
    queue = client.http.get("/squads/orange/reports", headers=bearer(tokens["orange"])).json_body
    assert report["id"] in {i["id"] for i in queue["items"]}  # back in the squad's queue

    report = {**report}
    for action in ("claim", "progress"):
        assert (
            staff_post(client, tokens["orange"], f"/reports/{report['id']}/{action}").status_code
            == 200
        )
    photo = after_photo(client, aws, tokens["orange"], report, report["lat"], report["lon"])
    body = {"note": "Ditambal ulang dengan aspal", "photo_id": photo}
    assert (
        staff_post(client, tokens["orange"], f"/reports/{report['id']}/resolve", body).status_code
        == 200
    )
    closed = citizen_post(client, report, "confirm")
    assert closed.status_code == 200 and closed.json_body["status"] == "closed"
    public = client.http.get(f"/reports/{report['id']}").json_body
    assert [e["status"] for e in public["timeline"]] == [
        "submitted", "accepted", "in_progress", "resolved", "reopened",
        "accepted", "in_progress", "resolved", "closed",
    ]  # fmt: skip
    queue = client.http.get("/squads/orange/reports", headers=bearer(tokens["orange"])).json_body
    assert report["id"] not in {i["id"] for i in queue["items"]}

    command = client.http.get(f"/staff/reports/{report['id']}", headers=bearer(tokens["command"]))
    full = command.json_body
    assert full["reopen_count"] == 1 and len(full["staff_timeline"]) == 9
    assert {p["role"] for p in full["photos"]} == {"after"}


def test_resolving_needs_a_ready_after_photo(client, aws, tokens):
    report = post_json(client, "/reports", report_body()).json_body
    for action in ("claim", "progress"):
        staff_post(client, tokens["orange"], f"/reports/{report['id']}/{action}")
    r = staff_post(
        client,
        tokens["orange"],
        f"/reports/{report['id']}/resolve",
        {"note": "Beres semua", "photo_id": "x"},
    )
    assert r.status_code == 400 and r.json_body["error"]["code"] == "after_photo_required"
    slot = staff_post(
        client,
        tokens["orange"],
        f"/reports/{report['id']}/after-photos",
        {"lat": -8.05, "lon": 111.71},
    )
    r = staff_post(
        client, tokens["orange"], f"/reports/{report['id']}/resolve",
        {"note": "Beres semua", "photo_id": slot.json_body["photo_id"]},
    )  # fmt: skip
    assert r.status_code == 409 and r.json_body["error"]["code"] == "after_photo_not_ready"


def test_an_after_photo_far_from_the_report_is_flagged_for_the_command_centre(client, aws, tokens):
    report = post_json(client, "/reports", report_body()).json_body
    for action in ("claim", "progress"):
        staff_post(client, tokens["orange"], f"/reports/{report['id']}/{action}")
    photo = after_photo(
        client, aws, tokens["orange"], report, report["lat"] + 0.01, report["lon"]
    )  # ~1.1 km
    staff_post(
        client,
        tokens["orange"],
        f"/reports/{report['id']}/resolve",
        {"note": "Sudah beres", "photo_id": photo},
    )
    command = client.http.get(
        f"/staff/reports/{report['id']}", headers=bearer(tokens["command"])
    ).json_body
    assert command["after_photo_far"] is True and 1000 < command["after_photo_distance_m"] < 1300
    squad = client.http.get(
        f"/staff/reports/{report['id']}", headers=bearer(tokens["orange"])
    ).json_body
    assert "after_photo_far" not in squad and "after_photo_distance_m" not in squad


def test_an_illegal_transition_is_409_with_the_allowed_ones(client, tokens):
    report = post_json(client, "/reports", report_body()).json_body
    r = staff_post(client, tokens["orange"], f"/reports/{report['id']}/progress")
    assert r.status_code == 409
    assert r.json_body["error"]["details"] == [
        {"status": "submitted", "allowed": ["claim", "reject"]}
    ]
    r = citizen_post(client, report, "confirm")
    assert r.status_code == 409 and r.json_body["error"]["details"][0]["allowed"] == ["withdraw"]


def test_two_members_claiming_at_once_exactly_one_wins(client, aws, tokens, monkeypatch):
    report = post_json(client, "/reports", report_body()).json_body
    store = ReportStore()
    snapshot = store.load(report["id"])  # what both members read before claiming
    first = staff_post(client, tokens["orange"], f"/reports/{report['id']}/claim")
    monkeypatch.setattr(ReportStore, "load", lambda self, rid: snapshot)  # the second read the same
    second = staff_post(client, tokens["orange2"], f"/reports/{report['id']}/claim")
    monkeypatch.undo()
    assert first.status_code == 200
    assert second.status_code == 409 and second.json_body["error"]["code"] == "changed_meanwhile"
    final = store.load(report["id"])
    assert final.report.assignee == "orange" and [e.action for e in final.timeline] == [
        "submit",
        "claim",
    ]


def test_rejection_tells_the_reporter_why(client, tokens):
    report = post_json(client, "/reports", report_body()).json_body
    r = staff_post(
        client, tokens["orange"], f"/reports/{report['id']}/reject",
        {"reason": "other_authority", "note": "Jalan provinsi: kewenangan Dinas PU Jatim"},
    )  # fmt: skip
    assert r.status_code == 200
    public = client.http.get(f"/reports/{report['id']}").json_body
    assert public["status"] == "rejected"
    assert public["timeline"][-1]["reason"] == "other_authority"
    assert "Dinas PU Jatim" in public["timeline"][-1]["note"]
    r = staff_post(client, tokens["orange"], f"/reports/{report['id']}/reject", {"reason": "maybe"})
    assert r.status_code == 400


def workflow_at(offset: timedelta) -> Workflow:
    return Workflow(
        store=ReportStore(), catalogue=load_catalogue(), media=media,
        now=lambda: reports.utc_now() + offset,
    )  # fmt: skip


def test_an_undisputed_resolution_closes_itself_after_seven_days(client, aws, tokens):
    report = resolved_report(client, aws, tokens)
    assert workflow_at(timedelta(days=6, hours=23)).housekeeping()["closed"] == 0
    assert workflow_at(timedelta(days=7, minutes=1)).housekeeping()["closed"] == 1
    public = client.http.get(f"/reports/{report['id']}").json_body
    assert public["status"] == "closed"
    assert workflow_at(timedelta(days=8)).housekeeping()["closed"] == 0
    assert citizen_post(client, report, "dispute", "terlambat").status_code == 409


def test_a_dispute_after_seven_days_is_refused(client, aws, tokens, monkeypatch):
    report = resolved_report(client, aws, tokens)
    later = reports.utc_now() + timedelta(days=7, minutes=5)
    monkeypatch.setattr(reports, "utc_now", lambda: later)
    r = citizen_post(client, report, "dispute", "Masih rusak")
    assert r.status_code == 409 and "within 7 days" in r.json_body["error"]["message"]


def test_an_overdue_report_is_escalated_once(client, aws, tokens):
    report = post_json(client, "/reports", report_body(label="banjir")).json_body  # 6 h SLA
    assert workflow_at(timedelta(hours=5)).housekeeping()["escalated"] == 0
    assert workflow_at(timedelta(hours=7)).housekeeping()["escalated"] == 1
    assert workflow_at(timedelta(hours=8)).housekeeping()["escalated"] == 0
    full = client.http.get(
        f"/staff/reports/{report['id']}", headers=bearer(tokens["command"])
    ).json_body
    assert full["escalated_at"] is not None
    assert [e["action"] for e in full["staff_timeline"]] == ["submit", "overdue"]


def test_the_squad_queue_is_oldest_first_paginated_and_filtered(client, tokens):
    ids = [
        post_json(client, "/reports", report_body(district=d)).json_body["id"]
        for d in ["panggul", "trenggalek", "panggul", "trenggalek", "panggul"]
    ]
    headers = bearer(tokens["orange"])
    first = client.http.get("/squads/orange/reports?limit=2", headers=headers).json_body
    assert [i["id"] for i in first["items"]] == ids[:2] and first["next_cursor"]
    second = client.http.get(
        f"/squads/orange/reports?limit=2&cursor={first['next_cursor']}", headers=headers
    )
    assert [i["id"] for i in second.json_body["items"]] == ids[2:4]
    panggul = client.http.get("/squads/orange/reports?district=panggul", headers=headers).json_body
    assert [i["id"] for i in panggul["items"]] == [ids[0], ids[2], ids[4]]
    item = panggul["items"][0]
    assert item["sla_due_at"] and item["overdue"] is False
    forged = client.http.get(
        f"/squads/blue/reports?cursor={first['next_cursor']}", headers=bearer(tokens["command"])
    )
    assert forged.status_code == 400 and forged.json_body["error"]["code"] == "invalid_cursor"
    by_status = client.http.get("/squads/orange/reports?status=accepted", headers=headers).json_body
    assert by_status["items"] == []


def test_the_reporters_identity_is_in_no_squad_or_public_payload(client, aws, tokens):
    report = resolved_report(client, aws, tokens, contact=CONTACT)
    payloads = [
        client.http.get(f"/reports/{report['id']}").body,
        client.http.get(f"/staff/reports/{report['id']}", headers=bearer(tokens["orange"])).body,
        client.http.get(f"/staff/reports/{report['id']}", headers=bearer(tokens["command"])).body,
        client.http.get(
            "/squads/orange/reports?status=resolved", headers=bearer(tokens["orange"])
        ).body,
        client.http.get("/command/reports", headers=bearer(tokens["command"])).body,
    ]
    for body in payloads:
        text = body.decode()
        for secret in ("Siti", "3456", "siti@desa.id", report["reporter_token"]):
            assert secret not in text


def test_the_contact_is_read_only_through_the_audited_endpoint(client, tokens):
    report = post_json(client, "/reports", report_body(contact=CONTACT)).json_body
    path = f"/command/reports/{report['id']}/contact-reads"
    reason = {"reason": "Reporter asked for a call back about the flood"}
    r = staff_post(client, tokens["command"], path, reason)
    assert r.status_code == 200 and r.json_body["contact"]["phone"] == "+6281234567890"
    for role in ("orange", "operator", "shadow"):
        assert staff_post(client, tokens[role], path, reason).status_code == 403
    assert staff_post(client, tokens["command"], path, {"reason": "x"}).status_code == 400
    reads = client.http.get(path, headers=bearer(tokens["command"])).json_body["reads"]
    assert [(x["reader"], x["reason"]) for x in reads] == [("command", reason["reason"])]


def test_the_command_centre_sees_every_report_covert_ones_too(client, tokens):
    normal = post_json(client, "/reports", report_body()).json_body
    covert = post_json(client, "/reports", report_body(label="pungutan_liar")).json_body
    everything = client.http.get("/command/reports", headers=bearer(tokens["command"])).json_body
    ids = [i["id"] for i in everything["items"]]
    assert ids == [covert["id"], normal["id"]]  # newest first
    assert {i["id"]: i["covert"] for i in everything["items"]}[covert["id"]] is True
    shadow_only = client.http.get(
        "/command/reports?squad=shadow", headers=bearer(tokens["command"])
    ).json_body
    assert [i["id"] for i in shadow_only["items"]] == [covert["id"]]
    full = client.http.get(f"/staff/reports/{covert['id']}", headers=bearer(tokens["command"]))
    assert full.status_code == 200 and full.json_body["covert"] is True
    for role in ("orange", "blue", "operator", "shadow"):
        r = client.http.get(f"/staff/reports/{covert['id']}", headers=bearer(tokens[role]))
        assert r.status_code == 404, role
    # those who check closures get the public squads' resolved reports: never a covert one
    to_check = client.http.get("/squads/shadow/reports", headers=bearer(tokens["shadow"]))
    assert to_check.status_code == 200
    assert covert["id"] not in {i["id"] for i in to_check.json_body["items"]}


def test_the_escalation_reaches_the_command_topic(client, aws, tokens):
    from chalicelib import config
    from chalicelib.entry import events
    from kawal_local.pump import StreamReader, drain

    from .test_dispatch import received, subscribe_queue

    queue = subscribe_queue(aws, "command", "command-desk")
    report = post_json(client, "/reports", report_body(label="banjir")).json_body
    workflow_at(timedelta(hours=7)).housekeeping()
    drain(StreamReader(config.table_name()), events.dispatch_stream)
    (message,) = received(aws, queue)
    body = json.loads(message["Message"])
    assert body["kind"] == "overdue" and body["report_code"] == report["code"]
    assert "TERLAMBAT" in body["sms"]
