"""What the command centre may do from a report's drawer: remind the squad (a
high-priority message; the regent is watching) and hand a report being worked to
another member of its squad. Nobody else may; the public never sees either."""

from __future__ import annotations

import json

import pytest

from chalicelib import config
from chalicelib.entry import events
from kawal_local.pump import StreamReader, drain
from tests.conftest import bearer

from .helpers import post_json, report_body
from .test_dispatch import received, subscribe_queue
from .workflow_helpers import staff_post


@pytest.fixture
def report(client):
    return post_json(client, "/reports", report_body()).json_body


def test_a_reminder_reaches_the_squad_and_stays_among_staff(client, aws, tokens, report):
    queue = subscribe_queue(aws, "orange", "test-orange-reminders")
    stream = StreamReader(config.table_name())
    drain(stream, events.dispatch_stream)
    received(aws, queue)  # the new report's message
    r = staff_post(
        client, tokens["command"], f"/command/reports/{report['code']}/reminders",
        {"note": "Bupati menunggu laporan ini ditangani hari ini."},
    )  # fmt: skip
    assert r.status_code == 200, r.body
    assert r.json_body["staff_timeline"][-1]["action"] == "remind"
    assert r.json_body["status"] == "submitted"
    drain(stream, events.dispatch_stream)
    (envelope,) = received(aws, queue)
    message = json.loads(envelope["Message"])
    assert message["kind"] == "reminder" and "TEGURAN" in message["sms"]
    assert "Bupati menunggu" in message["email"]
    assert envelope["MessageAttributes"]["priority"]["Value"] == "high"
    public = client.http.get(f"/reports/{report['id']}").json_body
    assert [e["status"] for e in public["timeline"]] == ["submitted"]  # not a public step

    # squads, the shadow squad and operators may not; a closed report needs no reminder
    for role, status in (("orange", 403), ("blue", 403), ("shadow", 403), ("operator", 403)):
        r = staff_post(client, tokens[role], f"/command/reports/{report['id']}/reminders")
        assert r.status_code == status, (role, r.body)
    assert (
        staff_post(client, tokens["command"], "/command/reports/TRG-ZZZZZZ/reminders").status_code
        == 404
    )
    staff_post(
        client, tokens["orange"], f"/reports/{report['id']}/reject", {"reason": "not_a_problem"}
    )
    late = staff_post(client, tokens["command"], f"/command/reports/{report['id']}/reminders")
    assert late.status_code == 409


def test_a_covert_report_is_absent_for_everyone_but_the_command_centre(client, tokens):
    covert = post_json(client, "/reports", report_body(label="pungutan_liar")).json_body
    for role in ("orange", "operator"):
        r = staff_post(client, tokens[role], f"/command/reports/{covert['id']}/reminders")
        assert r.status_code == 404, (role, r.body)
    ok = staff_post(client, tokens["command"], f"/command/reports/{covert['id']}/reminders")
    assert ok.status_code == 200


def test_a_report_being_worked_can_be_handed_to_another_member_of_its_squad(client, tokens, report):
    path = f"/command/reports/{report['id']}/assignee"
    early = staff_post(client, tokens["command"], path, {"member": "orange2"})
    assert early.status_code == 409  # nobody works it yet: the squad claims it first
    assert staff_post(client, tokens["orange"], f"/reports/{report['id']}/claim").status_code == 200
    handed = staff_post(client, tokens["command"], path, {"member": "orange2"})
    assert handed.status_code == 200, handed.body
    assert handed.json_body["assignee"] == "orange2"
    step = handed.json_body["staff_timeline"][-1]
    assert step["action"] == "reassign" and "orange2" in step["note"]
    for member, code in (("blue", "not_squad_member"), ("shadow", "not_squad_member"),
                         ("nobody-here", "not_squad_member")):  # fmt: skip
        r = staff_post(client, tokens["command"], path, {"member": member})
        assert r.status_code == 400 and r.json_body["error"]["code"] == code, (member, r.body)
    again = staff_post(client, tokens["command"], path, {"member": "orange2"})
    assert again.status_code == 409  # already theirs
    mine = staff_post(client, tokens["orange"], path, {"member": "orange"})
    assert mine.status_code == 403
    # the new member works it on; the old one's claim stays in the history
    progress = staff_post(client, tokens["orange2"], f"/reports/{report['id']}/progress")
    assert progress.status_code == 200
    public = client.http.get(f"/reports/{report['id']}", headers=bearer(None)).json_body
    assert "orange2" not in json.dumps(public)
