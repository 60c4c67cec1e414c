"""+1 instead of a duplicate, and merging a duplicate into its original."""

from __future__ import annotations

import json
import uuid

from tests.conftest import bearer

from .helpers import JSON_HEADERS, post_json, report_body
from .test_dispatch import sms_sent
from .workflow_helpers import staff_post


def support(client, report, **body):
    return client.http.post(
        f"/reports/{report['id']}/support",
        headers=JSON_HEADERS,
        body=json.dumps(body) if body else "",
    )


def test_a_supporter_counts_once_and_gets_the_updates(client, aws, tokens):
    from chalicelib import config
    from chalicelib.entry import events
    from kawal_local.pump import StreamReader, drain

    report = post_json(client, "/reports", report_body()).json_body
    sid = str(uuid.uuid4())
    contact = {"phone": "081377778888", "notify": True}
    first = support(client, report, client_support_id=sid, contact=contact)
    again = support(client, report, client_support_id=sid, contact=contact)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json_body["supporters"] == again.json_body["supporters"] == 1
    assert support(client, report).json_body["supporters"] == 2
    assert client.http.get(f"/reports/{report['id']}").json_body["supporters"] == 2
    staff_post(client, tokens["orange"], f"/reports/{report['id']}/claim")
    drain(StreamReader(config.table_name()), events.dispatch_stream)
    texts = [text for phone, text in sms_sent(aws) if phone == "+6281377778888"]
    assert texts == []  # supporters hear the outcome, not every step (issue #15)
    public = client.http.get(f"/reports/{report['id']}").body.decode()
    assert "77778888" not in public


def test_covert_and_closed_reports_take_no_support(client, tokens):
    covert = post_json(client, "/reports", report_body(label="pungutan_liar")).json_body
    assert support(client, covert).status_code == 404
    rejected = post_json(client, "/reports", report_body()).json_body
    staff_post(
        client, tokens["orange"], f"/reports/{rejected['id']}/reject", {"reason": "not_a_problem"}
    )
    assert support(client, rejected).status_code == 409


def test_merging_a_duplicate_carries_its_people_over(client, tokens):
    original = post_json(client, "/reports", report_body()).json_body
    duplicate = post_json(
        client, "/reports", report_body(contact={"phone": "081299990000", "notify": True})
    ).json_body
    support(client, duplicate, contact={"email": "tetangga@desa.id", "notify": True})
    r = staff_post(
        client, tokens["orange"], f"/reports/{duplicate['id']}/merge", {"into": original["code"]}
    )
    assert r.status_code == 200, r.body
    merged = client.http.get(f"/reports/{duplicate['id']}").json_body
    assert merged["status"] == "rejected" and merged["merged_into"] == original["id"]
    assert merged["timeline"][-1]["reason"] == "duplicate"
    assert client.http.get(f"/reports/{original['id']}").json_body["supporters"] == 2
    again = staff_post(
        client, tokens["orange"], f"/reports/{duplicate['id']}/merge", {"into": original["id"]}
    )
    assert again.status_code == 409
    assert client.http.get(f"/reports/{original['id']}").json_body["supporters"] == 2
    from chalicelib.storage import ReportStore

    people = ReportStore().contacts(original["id"])
    assert {c.get("phone") or c.get("email") for c in people} == {
        "+6281299990000",
        "tetangga@desa.id",
    }


def test_who_may_merge(client, tokens):
    original = post_json(client, "/reports", report_body()).json_body
    duplicate = post_json(client, "/reports", report_body()).json_body
    path = f"/reports/{duplicate['id']}/merge"
    assert staff_post(client, tokens["blue"], path, {"into": original["id"]}).status_code == 403
    assert client.http.post(path, headers=JSON_HEADERS, body="{}").status_code == 401
    assert staff_post(client, tokens["orange"], path, {"into": duplicate["id"]}).status_code == 400
    assert staff_post(client, tokens["command"], path, {"into": original["id"]}).status_code == 200
    merged_into = client.http.get(
        f"/staff/reports/{original['id']}", headers=bearer(tokens["command"])
    ).json_body
    assert merged_into["duplicates"] == [{"id": duplicate["id"], "code": duplicate["code"]}]
    view = client.http.get(
        f"/staff/reports/{duplicate['id']}", headers=bearer(tokens["command"])
    ).json_body
    assert view["status"] == "rejected"


def test_the_open311_list_names_a_merged_requests_original_without_reading_it(
    client, tokens, monkeypatch
):
    """The original's code is written with the merge: a page of a hundred requests
    does not read each merged one's original again."""
    from chalicelib.storage import ReportStore

    original = post_json(client, "/reports", report_body()).json_body
    duplicate = post_json(client, "/reports", report_body()).json_body
    staff_post(
        client, tokens["orange"], f"/reports/{duplicate['id']}/merge", {"into": original["id"]}
    )

    def no_reads(*_args, **_kwargs):
        raise AssertionError("the list read a report one at a time")

    monkeypatch.setattr(ReportStore, "get_report", no_reads)
    listed = client.http.get("/open311/v2/requests.json").json_body
    merged = next(r for r in listed if r["service_request_id"] == duplicate["code"])
    assert merged["status"] == "closed"
    assert original["code"] in merged["status_notes"]


def ask(client, tokens, report):
    asked = staff_post(client, tokens["orange"], f"/reports/{report['id']}/questions",
                       {"note": "Di sebelah mana tepatnya?"})  # fmt: skip
    assert asked.json_body["status"] == "awaiting_info", asked.body


def test_a_report_awaiting_the_reporters_answer_is_open_for_support_and_merge(client, tokens):
    # open is one thing everywhere: a squad's question does not close a report
    original, duplicate = (post_json(client, "/reports", report_body()).json_body for _ in "ab")
    ask(client, tokens, original)
    assert support(client, original).status_code == 201
    path = f"/reports/{duplicate['id']}/merge"
    merged = staff_post(client, tokens["orange"], path, {"into": original["id"]})
    assert merged.status_code == 200, merged.body
    assert client.http.get(f"/reports/{original['id']}").json_body["supporters"] == 2


def test_support_for_a_closed_report_is_refused_in_bahasa_first(client, tokens):
    rejected = post_json(client, "/reports", report_body()).json_body
    staff_post(
        client, tokens["orange"], f"/reports/{rejected['id']}/reject", {"reason": "not_a_problem"}
    )
    error = support(client, rejected).json_body["error"]
    assert error["code"] == "report_closed"
    assert error["message"].startswith("Laporan ini sudah ditutup"), error


def test_a_merge_that_fails_copies_no_contact(client, tokens):
    from chalicelib.storage import ReportStore

    first, second = (post_json(client, "/reports", report_body()).json_body for _ in "ab")
    duplicate = post_json(
        client, "/reports", report_body(contact={"phone": "081299990000", "notify": True})
    ).json_body
    path = f"/reports/{duplicate['id']}/merge"
    assert staff_post(client, tokens["orange"], path, {"into": first["id"]}).status_code == 200
    again = staff_post(client, tokens["orange"], path, {"into": second["id"]})
    assert again.status_code == 409
    assert ReportStore().contacts(second["id"]) == []  # nobody hears of a report not theirs
