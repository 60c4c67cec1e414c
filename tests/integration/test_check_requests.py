"""The command centre asks the shadow squad to check a closure on the spot: the
checkers hear it on their own topic and find the report first in their list, with the
regent's words; their check closes the request. Covert all through: the squad, the
public and Open311 never see it. Nobody but the command centre may ask."""

from __future__ import annotations

import json

from chalicelib import config
from chalicelib.entry import events
from kawal_local.pump import StreamReader, drain
from tests.conftest import bearer

from .helpers import post_json, report_body
from .test_dispatch import received, subscribe_queue
from .workflow_helpers import citizen_post, resolved_report, staff_post, work_and_resolve

WORDS = "Cek tambalan di depan pasar"


def ask(client, tokens, role, ref, body=None):
    return staff_post(client, tokens[role], f"/command/reports/{ref}/check-requests", body)


def shadow_list(client, tokens) -> list[dict]:
    answer = client.http.get("/squads/shadow/reports", headers=bearer(tokens["shadow"]))
    assert answer.status_code == 200, answer.body
    return answer.json_body["items"]


def test_the_checkers_hear_it_see_it_first_and_their_check_closes_it(client, aws, tokens):
    older = resolved_report(client, aws, tokens)
    report = resolved_report(client, aws, tokens, lat=-8.06)
    checkers = subscribe_queue(aws, "shadow", "test-shadow-asked")
    squad = subscribe_queue(aws, "orange", "test-orange-asked")
    stream = StreamReader(config.table_name())
    drain(stream, events.dispatch_stream)
    received(aws, checkers), received(aws, squad)  # what filing and resolving said
    assert [i["id"] for i in shadow_list(client, tokens)][:2] == [report["id"], older["id"]]

    # asked for the older one, twice (a retry): one request, one message
    for _ in range(2):
        r = ask(client, tokens, "command", older["code"], {"note": WORDS})
        assert r.status_code == 200, r.body
        assert r.json_body["check_requested"]["note"] == WORDS
    drain(stream, events.dispatch_stream)
    (envelope,) = received(aws, checkers)
    message = json.loads(envelope["Message"])
    assert message["kind"] == "check_requested" and "PERIKSA ULANG" in message["sms"]
    assert older["code"] in message["sms"] and WORDS in message["email"]
    assert received(aws, squad) == []  # the squad whose work is checked hears nothing

    # first in the checkers' list, with the regent's words; offered with them too
    listed = shadow_list(client, tokens)
    assert listed[0]["id"] == older["id"] and WORDS in listed[0]["pin_id"]
    assert [i["id"] for i in listed].count(older["id"]) == 1
    assert listed[1]["id"] == report["id"] and listed[1]["pin_id"] is None
    view = client.http.get(f"/staff/reports/{older['id']}", headers=bearer(tokens["shadow"]))
    assert WORDS in view.json_body["offers"][0]["context_id"]

    # no trace for the squad, the public or Open311
    seen = [
        client.http.get(f"/staff/reports/{older['id']}", headers=bearer(tokens["orange"])),
        client.http.get(f"/reports/{older['id']}"),
        client.http.get(f"/open311/v2/requests/{older['id']}.json"),
        client.http.get("/squads/orange/reports?status=resolved", headers=bearer(tokens["orange"])),
    ]
    for answer in seen:
        text = answer.body.decode()
        assert "tambalan di depan" not in text.lower() and "check_requested" not in text
        assert "Diminta Pusat Komando" not in text

    # the check closes it: off the top of the list, gone from the command centre's view
    done = staff_post(
        client, tokens["shadow"], f"/reports/{older['id']}/shadow-checks", {"verdict": "fixed"}
    )
    assert done.status_code == 201
    assert all(i["pin_id"] is None for i in shadow_list(client, tokens))
    command = client.http.get(f"/staff/reports/{older['id']}", headers=bearer(tokens["command"]))
    assert command.json_body["check_requested"] is None
    assert [c["verdict"] for c in command.json_body["shadow_checks"]] == ["fixed"]


def test_only_the_command_centre_asks_and_only_of_a_public_closure(client, aws, tokens):
    report = resolved_report(client, aws, tokens)
    for role in ("orange", "blue", "shadow", "operator"):
        assert ask(client, tokens, role, report["id"]).status_code == 404, role  # absent
    assert ask(client, tokens, "command", "TRG-ZZZZZZ").status_code == 404
    too_long = ask(client, tokens, "command", report["id"], {"note": "x" * 301})
    assert too_long.status_code == 400
    still_open = post_json(client, "/reports", report_body()).json_body
    assert ask(client, tokens, "command", still_open["id"]).status_code == 409
    covert = post_json(client, "/reports", report_body(label="pungutan_liar")).json_body
    for role in ("orange", "shadow", "operator"):  # a covert report is absent, not forbidden
        assert ask(client, tokens, role, covert["id"]).status_code == 404, role
    refused = ask(client, tokens, "command", covert["id"])
    assert refused.status_code == 409
    assert refused.json_body["error"]["code"] == "report_not_checkable"
    assert ask(client, tokens, "command", report["id"]).status_code == 200  # no body: fine


def test_a_request_expires_when_the_reporter_reopens_the_report(client, aws, tokens):
    """Disputed by its reporter, the report went back to its squad: the closure the
    regent asked about is gone, so the request is deleted, not kept (and re-read on
    every look at the checkers' list) to come back pinned with stale words when the
    squad resolves the report again."""
    report = resolved_report(client, aws, tokens)
    assert ask(client, tokens, "command", report["id"], {"note": WORDS}).status_code == 200
    assert WORDS in shadow_list(client, tokens)[0]["pin_id"]
    disputed = citizen_post(client, report, "dispute", "Masih berlubang")
    assert disputed.status_code == 200 and disputed.json_body["status"] == "reopened"
    work_and_resolve(client, aws, tokens, report)  # resolved again: a new closure
    command = client.http.get(f"/staff/reports/{report['id']}", headers=bearer(tokens["command"]))
    assert command.json_body["check_requested"] is None
    assert command.json_body["offers"][0]["context_id"] is None  # offered without old words
    listed = shadow_list(client, tokens)
    assert report["id"] in [i["id"] for i in listed]  # to check as any closure, not pinned
    assert all(i["pin_id"] is None for i in listed)
