"""Proposals (usulan) over HTTP: per role (public, squads, shadow, Bappeda, command
centre), the path from sending to the forum's CSV, bad input, Open311 untouched."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest

from tests.conftest import bearer

from .helpers import JSON_HEADERS, all_items, post_json, report_body


def _body(**kw):
    body = {"client_proposal_id": str(uuid.uuid4()), "title": "Lampu jalan gang Melati",
            "description": "Gang ke sekolah gelap setiap malam", "theme": "infrastruktur",
            "district": "trenggalek", "contact": "+6281234567890"}  # fmt: skip
    return {**body, **kw}


def _auth(tokens, role):
    return {**JSON_HEADERS, **bearer(tokens.get(role))}


def _propose(client, **kw):
    answer = post_json(client, "/proposals", _body(**kw))
    assert answer.status_code == 201, answer.body
    return json.loads(answer.body)


def _step(client, tokens, role, ref, **body):
    return post_json(client, f"/bappeda/proposals/{ref}/steps", body, _auth(tokens, role))


ROLES = ["anon", "orange", "shadow", "operator", "bappeda", "command"]
# endpoint                                  anon  orange shadow oper bappeda command
TABLE = {
    ("GET", "/bappeda/proposals"):           (401, 403, 403, 403, 200, 200),
    ("GET", "/bappeda/proposals/export?district=trenggalek"): (401, 403, 403, 403, 200, 200),
    ("POST", "/bappeda/proposals/P/steps"):  (401, 403, 403, 403, 200, 200),
    ("GET", "/proposals"):                   (200, 200, 200, 200, 200, 200),
    ("GET", "/proposals/P"):                 (404, 404, 404, 404, 404, 404),  # pending
    # Bappeda works proposals, never reports (nor learns of the covert squad)
    ("GET", "/command/reports"):             (401, 403, 403, 403, 403, 200),
    ("GET", "/squads/orange/reports"):       (401, 200, 403, 403, 403, 200),
    # a 403 for any squad, as for an account with no role: nothing tells shadow apart
    ("GET", "/squads/shadow/reports"):       (401, 404, 200, 404, 403, 200),
    ("GET", "/squads/nosuch/reports"):       (401, 404, 404, 404, 403, 404),
}  # fmt: skip


@pytest.mark.parametrize(("method", "path"), list(TABLE))
def test_who_may_do_what(client, tokens, method, path):
    got = []
    for role in ROLES:
        proposal = _propose(client)["proposal"]
        url = path.replace("P", proposal["code"]) if "/P" in path else path
        headers = _auth(tokens, role) if role != "anon" else JSON_HEADERS
        if method == "GET":
            answer = client.http.get(url, headers=headers)
        else:
            answer = client.http.post(url, headers=headers, body=json.dumps({"action": "accept"}))
        got.append(answer.status_code)
    assert dict(zip(ROLES, got, strict=True)) == dict(
        zip(ROLES, TABLE[(method, path)], strict=True)
    )


def test_from_sending_to_the_forums_csv(client, tokens):
    sent = _propose(client)
    code = sent["proposal"]["code"]
    assert sent["proposal"]["status_text"] == "menunggu moderasi"
    assert json.loads(client.http.get("/proposals").body) == []  # not public yet
    own = client.http.get(
        f"/proposals/{code}", headers={"X-Proposer-Token": sent["proposer_token"]}
    )
    assert own.status_code == 200
    queue = json.loads(client.http.get("/bappeda/proposals", headers=_auth(tokens, "bappeda")).body)
    assert [p["code"] for p in queue] == [code]
    assert _step(client, tokens, "bappeda", code, action="accept").status_code == 200
    board = json.loads(client.http.get("/proposals?district=trenggalek").body)
    assert [(p["code"], p["status_text"], p["supporters"]) for p in board] == [
        (code, "diterima", 0)
    ]
    assert "+6281234567890" not in json.dumps(board)
    support = post_json(client, f"/proposals/{code}/support", {"phone": "+6281111111111"})
    again = post_json(client, f"/proposals/{code}/support", {"phone": "+6281111111111"})
    assert (support.status_code, again.status_code) == (201, 200)
    assert json.loads(again.body)["supporters"] == 1
    forum = _step(client, tokens, "command", code, action="forum", forum_level="desa",
                  forum_date="2027-01-20")  # fmt: skip
    assert json.loads(forum.body)["status_text"] == "dibahas di Musrenbang desa (20 Januari 2027)"
    export = client.http.get("/bappeda/proposals/export?district=trenggalek",
                             headers=_auth(tokens, "bappeda"))  # fmt: skip
    assert export.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.body.decode().lstrip("\ufeff")), delimiter=";"))
    assert rows[1][:3] == ["1", code, "Lampu jalan gang Melati"] and rows[1][6] == "1"
    # no contact in the clear anywhere in the table
    assert "6281234567890" not in json.dumps(all_items(), default=repr)


def test_refused_stays_with_its_reason_for_the_proposer_alone(client, tokens):
    sent = _propose(client)
    code = sent["proposal"]["code"]
    bad = _step(client, tokens, "bappeda", code, action="refuse")
    assert bad.status_code == 400 and json.loads(bad.body)["error"]["message"].startswith("Perlu")
    assert (
        _step(client, tokens, "bappeda", code, action="refuse", reason="insult").status_code == 200
    )
    mine = client.http.get(
        f"/proposals/{code}", headers={"X-Proposer-Token": sent["proposer_token"]}
    )
    assert json.loads(mine.body)["status_text"] == "ditolak: memuat hinaan atau kata kasar"
    assert client.http.get(f"/proposals/{code}").status_code == 404
    assert _step(client, tokens, "bappeda", code, action="accept").status_code == 409


def test_turned_into_a_report_names_a_report_that_exists(client, tokens):
    code = _propose(client)["proposal"]["code"]
    missing = _step(client, tokens, "bappeda", code, action="to_report", report_id="a" * 20)
    assert missing.status_code == 404
    report = json.loads(post_json(client, "/reports", report_body()).body)
    done = _step(client, tokens, "bappeda", code, action="to_report", report_id=report["id"])
    assert (done.status_code, json.loads(done.body)["report_id"]) == (200, report["id"])


def test_bad_input_is_a_bahasa_400_and_stores_nothing(client):
    before = len(all_items())
    answer = post_json(client, "/proposals", _body(theme="perang", village="35.03.01.2001"))
    error = json.loads(answer.body)["error"]
    assert answer.status_code == 400 and error["message"].startswith("Usulan belum lengkap")
    assert {d["field"] for d in error["details"]} == {"theme", "village"}
    assert post_json(client, "/proposals", "{not json").status_code == 400
    assert len(all_items()) == before


def test_a_retry_is_the_same_proposal_and_open311_never_lists_proposals(client):
    body = _body()
    first = post_json(client, "/proposals", body)
    again = post_json(client, "/proposals", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert json.loads(first.body) == json.loads(again.body)
    listed = client.http.get("/open311/v2/requests.json")
    assert listed.status_code == 200 and "Lampu jalan" not in listed.body.decode()
