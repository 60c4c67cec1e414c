"""Covert leaks found by reading the code (issue #35), each as the one who could use it
would try: an existence oracle, a 403 that says what is behind it, a script served
before sign-in, a fallback that names the squad, a phone that never hears."""

from __future__ import annotations

import json
import re

import pytest

from chalicelib import config
from chalicelib.entry import events
from kawal_local.pump import StreamReader, drain
from tests.conftest import bearer
from tests.support.push_service import push_service

from .helpers import JSON_HEADERS, post_json, report_body
from .test_web_push import subscribe
from .workflow_helpers import resolved_report, staff_post

COVERT = "pungutan_liar"


# -- 1: /privacy/my-data answers the same for unknown, covert and public codes ------------
def test_privacy_answers_alike_for_an_unknown_a_covert_and_a_public_code(client):
    covert = post_json(client, "/reports", report_body(label=COVERT)).json_body
    public = post_json(client, "/reports", report_body()).json_body
    cases = {
        "unknown": ("TRG-AAAAAA", "x" * 43),
        "covert": (covert["code"], "x" * 43),
        "public": (public["code"], "x" * 43),
        "public, no token": (public["code"], None),
        "covert, no token": (covert["code"], None),
    }
    answers = {}
    for case, (code, token) in cases.items():
        headers = {"X-Reporter-Token": token} if token else {}
        for method in ("GET", "DELETE"):
            r = getattr(client.http, method.lower())(
                f"/privacy/my-data?report={code}", headers={**JSON_HEADERS, **headers}
            )
            answers[(case, method)] = (r.status_code, r.json_body)
    assert len(set(json.dumps(a) for a in answers.values())) == 1, answers
    status, body = answers[("unknown", "GET")]
    assert status == 404 and body["error"]["code"] == "report_not_found"
    # the owner still gets in, covert report or not
    own = {"X-Reporter-Token": covert["reporter_token"]}
    mine = client.http.get(f"/privacy/my-data?report={covert['code']}", headers=own)
    assert mine.status_code == 200 and mine.json_body["reports"][0]["code"] == covert["code"]


# -- 2: the closure-check endpoints are absent, not forbidden ---------------------------
@pytest.mark.parametrize("role", ["orange", "operator"])
def test_the_check_endpoints_are_absent_to_squads_and_operators(client, aws, tokens, role):
    report = resolved_report(client, aws, tokens)
    unknown = "0" * 20
    probes = [
        ("reports/{}/shadow-checks", {"verdict": "fixed"}),
        ("reports/{}/shadow-checks", {}),
        ("reports/{}/check-photos", {"lat": -8.05, "lon": 111.71}),
        ("reports/{}/check-photos", {}),
        ("command/reports/{}/check-requests", {"note": "lihat"}),
        ("command/reports/{}/check-requests", None),
    ]
    for path, body in probes:
        known = staff_post(client, tokens[role], "/" + path.format(report["id"]), body)
        ghost = staff_post(client, tokens[role], "/" + path.format(unknown), body)
        assert known.status_code == 404, (path, body, known.body)
        assert known.json_body["error"]["code"] == ghost.json_body["error"]["code"]
        assert known.json_body["error"]["code"] == "report_not_found"
        text = known.body.decode().lower()
        assert not [w for w in ("shadow", "check", "closure", "periksa") if w in text], text
    # those who check still do
    made = staff_post(client, tokens["shadow"], f"/reports/{report['id']}/check-photos",
                      {"lat": -8.05, "lon": 111.71})  # fmt: skip
    assert made.status_code == 201


# -- 3: nothing about checks before the command centre's sign-in ----------------------
CHECK_WORDS = (
    "periksa", "pemeriksaan", "on-the-spot", "on the spot", "check-request", "check_request",
    "checkask", "closure", "shadow", "covert", "bayangan",
)  # fmt: skip


def _unsigned(client, path: str) -> str:
    answer = client.http.get(path)
    assert answer.status_code == 200, path
    text = answer.body.decode().lower()
    return re.sub(r"\b(box|text)-shadow\b", "", text)


def test_the_command_centre_names_no_check_before_sign_in(aws, client, tokens):
    page = client.http.get("/command-centre").body.decode()
    own = sorted(set(re.findall(r'(?:src|href)="(command-centre/[^"]+)"', page)))
    assert "command-centre/app.js" in own
    served = [_unsigned(client, "/command-centre")]
    served += [_unsigned(client, "/" + path) for path in own]
    served.append(_unsigned(client, "/openapi.json"))  # the public contract, too
    found = {w for text in served for w in CHECK_WORDS if w in text}
    assert not found, found
    # after sign-in, the words arrive with the report itself
    report = resolved_report(client, aws, tokens)
    view = client.http.get(f"/staff/reports/{report['id']}", headers=bearer(tokens["command"]))
    (ask,) = view.json_body["asks"]
    assert ask["title_id"] == "Minta pemeriksaan lapangan"
    assert ask["path"] == f"command/reports/{report['id']}/check-requests"
    squad = client.http.get(f"/staff/reports/{report['id']}", headers=bearer(tokens["orange"]))
    assert "asks" not in squad.json_body and "pemeriksaan" not in squad.body.decode()


def test_the_squads_app_names_no_check_before_sign_in(client):
    page = client.http.get("/tim/").body.decode()
    assets = sorted(set(re.findall(r'(?:src|href)="([^"#:]+\.(?:js|css))"', page)))
    served = [_unsigned(client, "/tim/")]
    served += [_unsigned(client, "/" + a[3:] if a.startswith("../") else "/tim/" + a)
               for a in assets]  # fmt: skip
    found = {w for text in served for w in CHECK_WORDS if w in text}
    assert not found, found


# -- 4: a covert label gone from the catalogue does not name the squad ------------------
def test_a_covert_label_removed_from_the_catalogue_still_shows_the_command_centre(
    client, tmp_path, monkeypatch
):
    device = post_json(client, "/devices", {}).json_body["device_token"]
    headers = {**JSON_HEADERS, "X-Device-Token": device}
    filed = post_json(client, "/reports", report_body(label=COVERT), headers).json_body
    catalogue = json.loads(config.catalogue_path().read_text())
    catalogue["labels"] = [lb for lb in catalogue["labels"] if lb["code"] != COVERT]
    edited = tmp_path / "catalogue.json"
    edited.write_text(json.dumps(catalogue))
    monkeypatch.setenv("CATALOGUE_PATH", str(edited))
    listed = client.http.get("/devices/reports", headers={"X-Device-Token": device})
    assert listed.status_code == 200
    (mine,) = [i for i in listed.json_body["items"] if i["id"] == filed["id"]]
    assert mine["handled_by"]["code"] == "command"
    assert "shadow" not in listed.body.decode()


def test_the_public_handler_of_a_report_whose_label_is_gone():
    from chalicelib.routing import load_catalogue

    catalogue = load_catalogue()
    assert catalogue.report_handler("no_such_label", "shadow")["code"] == "command"
    assert catalogue.report_handler("pungutan_liar", "shadow")["code"] == "command"
    orange = catalogue.report_handler("no_such_label", "orange")
    assert orange["code"] == "orange" and orange["name_id"] == catalogue.squad("orange").name_id


# -- 5: shadow members' (and the command centre's) phones hear by push ------------------
@pytest.fixture
def push(aws, monkeypatch):
    monkeypatch.setenv("PUSH_HOSTS", "127.0.0.1")
    with push_service() as service:
        yield service


def test_a_shadow_members_phone_hears_of_a_check_asked_for(client, aws, tokens, push):
    reader = StreamReader(config.table_name())
    phone = push.phone("shadow-1")
    made = subscribe(client, "/staff/push/subscriptions", phone.subscription(),
                     bearer(tokens["shadow"]))  # fmt: skip
    assert made.status_code == 201, made.body
    report = resolved_report(client, aws, tokens)
    drain(reader, events.dispatch_stream)
    path = f"/command/reports/{report['id']}/check-requests"
    asked = staff_post(client, tokens["command"], path, {"note": "saluran"})
    assert asked.status_code == 200, asked.body
    drain(reader, events.dispatch_stream)
    assert push.problems == []
    told = push.to("shadow-1")
    assert [p for p in told if "PERIKSA ULANG" in p["title"] and report["code"] in p["body"]]


def test_an_operator_is_told_their_phone_gets_no_push(client, tokens, push):
    phone = push.phone("ops-1")
    refused = subscribe(client, "/staff/push/subscriptions", phone.subscription(),
                        bearer(tokens["operator"]))  # fmt: skip
    assert refused.status_code == 403
    assert refused.json_body["error"]["code"] == "no_push_for_role"
    from chalicelib.storage import ReportStore

    assert ReportStore().push_subscriptions("operator") == []
