"""Follow-up through the HTTP API: a squad asks the reporter and hears the answer,
a report moves to the right squad, urgent reports come first, the reporter
withdraws or rates a report. Each as the people involved would check it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from chalicelib import config
from chalicelib.entry import events
from chalicelib.services import apikeys, reports
from chalicelib.storage import ApiKeyStore
from kawal_local.pump import StreamReader, drain
from tests.conftest import bearer

from .helpers import JSON_HEADERS, post_json, report_body
from .test_dispatch import received, sms_sent, subscribe_queue
from .test_stats import command_view, run_job
from .workflow_helpers import resolved_report, shifted, staff_post

PHONE = "081234567890"


@pytest.fixture
def stream(aws):
    reader = StreamReader(config.table_name())
    return lambda: drain(reader, events.dispatch_stream)


def reporter_post(client, report: dict, path: str, body: dict | None = None, token=None):
    headers = {**JSON_HEADERS, "X-Reporter-Token": token or report["reporter_token"]}
    return client.http.post(
        f"/reports/{report['id']}/{path}", headers=headers, body=json.dumps(body or {})
    )


def reporter_get(client, report: dict, token: str | None = None):
    headers = {"X-Reporter-Token": token} if token else {}
    return client.http.get(f"/reports/{report['id']}", headers=headers).json_body


def test_a_question_waits_for_the_reporters_answer_with_the_clock_paused(
    client, aws, tokens, stream, monkeypatch
):
    contact = {"name": "Siti Aminah", "phone": PHONE, "notify": True}
    report = post_json(client, "/reports", report_body(contact=contact)).json_body
    orange = subscribe_queue(aws, "orange", "test-orange-followup")
    stream()
    received(aws, orange)  # the new report's message
    question = "Di sebelah mana tepatnya? Dekat pasar atau dekat sekolah?"
    asked = staff_post(client, tokens["orange"], f"/reports/{report['id']}/questions",
                       {"note": question})  # fmt: skip
    assert asked.status_code == 200, asked.body
    assert asked.json_body["status"] == "awaiting_info"
    again = staff_post(client, tokens["orange"], f"/reports/{report['id']}/questions",
                       {"note": question})  # fmt: skip
    assert again.status_code == 200  # a retried tap: one question, not two
    assert [e["action"] for e in again.json_body["staff_timeline"]].count("ask") == 1

    stream()
    (text,) = [t for phone, t in sms_sent(aws) if phone == "+6281234567890"]
    assert report["code"] in text and "Di sebelah mana tepatnya?" in text and len(text) <= 160

    # the question is between the squad and the reporter: the public sees the status only
    public = reporter_get(client, report)
    assert public["status"] == "awaiting_info" and public["question"] is None
    assert question not in json.dumps(public)
    own = reporter_get(client, report, report["reporter_token"])
    assert own["question"] == question
    assert own["timeline"][-1]["action"] == "ask"

    # another citizen cannot answer; the reporter answers eight hours later
    other = post_json(client, "/reports", report_body()).json_body
    wrong = reporter_post(client, report, "answers", {"note": "x"}, token=other["reporter_token"])
    assert wrong.status_code == 403
    due_before = own["sla_due_at"]
    monkeypatch.setattr(reports, "utc_now", shifted(reports.utc_now, timedelta(hours=8)))
    answered = reporter_post(client, report, "answers", {"note": "Depan SD Negeri 2"})
    assert answered.status_code == 200, answered.body
    assert answered.json_body["status"] == "submitted" and answered.json_body["question"] is None
    moved = datetime.fromisoformat(answered.json_body["sla_due_at"]) - datetime.fromisoformat(
        due_before
    )
    assert timedelta(hours=7, minutes=59) <= moved <= timedelta(hours=8, minutes=1)
    assert (
        reporter_post(client, report, "answers", {"note": "Depan SD Negeri 2"}).status_code == 200
    )

    stream()
    told = [json.loads(e["Message"]) for e in received(aws, orange)]
    (message,) = [m for m in told if m["report_code"] == report["code"]]
    assert message["kind"] == "reporter_answer" and "Depan SD Negeri 2" in message["email"]
    staff = client.http.get(f"/staff/reports/{report['id']}", headers=bearer(tokens["orange"]))
    body = staff.body.decode()
    assert "Siti" not in body and PHONE[1:] not in body  # the squad never learns who answered
    (answer,) = [e for e in staff.json_body["staff_timeline"] if e["action"] == "answer"]
    assert answer["actor_id"] is None and answer["public"] is False


def test_a_public_question_is_in_the_public_timeline(client, tokens):
    report = post_json(client, "/reports", report_body()).json_body
    staff_post(client, tokens["command"], f"/reports/{report['id']}/questions",
               {"note": "Apakah jalan masih bisa dilewati?", "public": True})  # fmt: skip
    public = reporter_get(client, report)
    assert public["question"] == "Apakah jalan masih bisa dilewati?"


def test_a_transfer_moves_the_report_to_the_right_squads_queue(client, aws, tokens, stream):
    report = post_json(client, "/reports", report_body()).json_body
    yellow = subscribe_queue(aws, "yellow", "test-yellow-transfers")
    stream()  # orange hears of it first
    staff_post(client, tokens["orange"], f"/reports/{report['id']}/claim")
    why = {"squad": "yellow", "reason": "Ini tumpukan sampah, bukan jalan rusak"}
    moved = staff_post(client, tokens["orange"], f"/reports/{report['id']}/transfer", why)
    assert moved.status_code == 200, moved.body
    # the orange squad hands it over and no longer works it (it is not theirs to see)
    assert client.http.get(
        f"/staff/reports/{report['id']}", headers=bearer(tokens["orange"])
    ).status_code == 403  # fmt: skip
    queue = client.http.get("/squads/yellow/reports", headers=bearer(tokens["command"])).json_body
    assert [(i["code"], i["status"], i["assignee"]) for i in queue["items"]] == [
        (report["code"], "submitted", None)
    ]
    orange = client.http.get("/squads/orange/reports", headers=bearer(tokens["command"])).json_body
    assert report["code"] not in {i["code"] for i in orange["items"]}
    stream()
    kinds = [json.loads(e["Message"])["kind"] for e in received(aws, yellow)]
    assert kinds == ["transferred"]
    bad = staff_post(client, tokens["command"], f"/reports/{report['id']}/transfer",
                     {"squad": "shadow", "reason": "coba coba"})  # fmt: skip
    assert bad.status_code == 400  # never to the covert squad


def test_urgent_reports_come_first_in_the_queue_and_priority_changes_say_why(client, tokens):
    older = post_json(client, "/reports", report_body()).json_body  # jalan rusak: normal
    flood = post_json(client, "/reports", report_body(label="banjir")).json_body  # urgent
    queue = client.http.get("/squads/orange/reports", headers=bearer(tokens["orange"])).json_body
    assert [(i["code"], i["priority"]) for i in queue["items"]] == [
        (flood["code"], "urgent"),
        (older["code"], "normal"),
    ]
    why = {"priority": "urgent", "reason": "Lubang besar di tikungan, rawan kecelakaan"}
    r = staff_post(client, tokens["orange"], f"/reports/{older['id']}/priority", why)
    assert r.status_code == 200 and r.json_body["priority"] == "urgent"
    assert "normal -> urgent: Lubang besar" in r.json_body["staff_timeline"][-1]["note"]
    queue = client.http.get("/squads/orange/reports", headers=bearer(tokens["orange"])).json_body
    assert [i["code"] for i in queue["items"]] == [older["code"], flood["code"]]  # both urgent
    assert [e["status"] for e in reporter_get(client, older)["timeline"]] == ["submitted"]
    short = staff_post(client, tokens["orange"], f"/reports/{flood['id']}/priority",
                       {"priority": "low", "reason": ""})  # fmt: skip
    assert short.status_code == 400


def test_the_reporter_withdraws_a_report_nobody_claimed(client, aws, tokens, stream):
    report = post_json(client, "/reports", report_body()).json_body
    orange = subscribe_queue(aws, "orange", "test-orange-withdrawn")
    stream()
    received(aws, orange)
    gone = reporter_post(client, report, "withdraw", {"note": "Sudah diperbaiki warga"})
    assert gone.status_code == 200 and gone.json_body["status"] == "withdrawn"
    assert reporter_post(client, report, "withdraw").status_code == 200  # a retry
    stream()
    (envelope,) = received(aws, orange)
    assert json.loads(envelope["Message"])["kind"] == "withdrawn"
    assert staff_post(client, tokens["orange"], f"/reports/{report['id']}/claim").status_code == 409
    open311 = client.http.get(f"/open311/v2/requests/{report['code']}.json").json_body[0]
    assert open311["status"] == "closed"

    claimed = post_json(client, "/reports", report_body()).json_body
    staff_post(client, tokens["orange"], f"/reports/{claimed['id']}/claim")
    assert reporter_post(client, claimed, "withdraw").status_code == 409


def test_a_rating_counts_for_the_member_and_a_poor_one_reaches_the_regent(
    client, aws, tokens, stream
):
    report = resolved_report(client, aws, tokens)
    command = subscribe_queue(aws, "command", "test-command-ratings")
    stream()
    received(aws, command)
    early = post_json(client, "/reports", report_body()).json_body
    assert reporter_post(client, early, "rating", {"stars": 5}).status_code == 409  # not yet
    for bad in ({"stars": 0}, {"stars": 6}, {"stars": "5"}, {}):
        assert reporter_post(client, report, "rating", bad).status_code == 400, bad
    r = reporter_post(client, report, "rating", {"stars": 1, "note": "Lubangnya muncul lagi"})
    assert r.status_code == 200 and r.json_body["rating"] == 1
    again = reporter_post(client, report, "rating", {"stars": 1, "note": "Lubangnya muncul lagi"})
    assert again.status_code == 200  # the same rating, resent
    assert reporter_post(client, report, "rating", {"stars": 5}).status_code == 409  # once
    stream()
    (envelope,) = received(aws, command)
    message = json.loads(envelope["Message"])
    assert message["kind"] == "low_rating" and "1/5: Lubangnya muncul lagi" in message["email"]
    run_job()
    figures = command_view(client, tokens)["figures"]
    for dim in ("squad#orange", "member#orange#orange"):
        assert (figures[dim]["rated"], figures[dim]["rating_average"]) == (1, 1.0), dim
        assert figures[dim]["low_ratings"] == 1


def test_an_open311_comment_answers_the_squads_question(client, aws, tokens, stream):
    from tests.support.fixmystreet import update_form

    from .test_fixmystreet import send, sent

    key, _record = apikeys.issue(ApiKeyStore(), "FixMyStreet", "operator", reports.utc_now())
    code = sent(client, key)
    report_id = client.http.get(f"/reports/{code}").json_body["id"]
    staff_post(client, tokens["orange"], f"/reports/{report_id}/questions",
               {"note": "Di sebelah mana tepatnya?", "public": True})  # fmt: skip
    comment = {"id": 77, "external_id": code, "status": "OPEN", "text": "Depan SDN 2",
               "name": "Siti", "email": "siti@example.com",
               "confirmed": "2026-12-02T10:00:00+07:00"}  # fmt: skip
    assert send(client, "servicerequestupdates", update_form(comment, key)).status_code == 201
    after = client.http.get(f"/reports/{code}").json_body
    assert after["status"] == "submitted"
    assert [e["action"] for e in after["timeline"]][-2:] == ["ask", "answer"]


def test_the_staff_view_offers_the_squads_a_report_may_move_to(client, tokens):
    road = post_json(client, "/reports", report_body()).json_body
    levy = post_json(client, "/reports", report_body(label="pungutan_liar")).json_body
    view = client.http.get(f"/staff/reports/{road['id']}", headers=bearer(tokens["orange"]))
    assert view.json_body["transfer_to"] == ["pink", "white", "yellow", "blue", "red"]
    covert = client.http.get(f"/staff/reports/{levy['id']}", headers=bearer(tokens["command"]))
    assert covert.json_body["transfer_to"] == []  # it stays where it is
