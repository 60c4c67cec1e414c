"""Reporting by WhatsApp, against a fake Graph API on loopback that checks what Meta
checks: a photo, a problem from a list, a place, a confirmation, and the report is
filed like the app's, its photo fetched, the number sealed as the contact. A bad
signature stores nothing; a redelivered webhook files once; a half-finished
conversation expires; malformed bodies are acknowledged."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.services import reports
from tests.conftest import bearer
from tests.support.graph_api import PHONE_ID, TOKEN, VERSION, graph_api, signature, webhook
from tests.support.images import camera_jpeg

from .helpers import all_items
from .workflow_helpers import shifted

SECRET = "meta-app-secret-for-tests"
SENDER = "6281234567890"


@pytest.fixture
def graph(aws, monkeypatch):
    with graph_api() as fake:
        monkeypatch.setenv("WHATSAPP_GRAPH_URL", f"{fake.base}/{VERSION}")
        aws.client("secretsmanager").put_secret_value(
            SecretId="kawal-dev-whatsapp",
            SecretString=json.dumps({"app_secret": SECRET, "verify_token": "kawal-verify",
                                     "access_token": TOKEN, "phone_number_id": PHONE_ID}),
        )  # fmt: skip
        from chalicelib.adapters import whatsapp

        whatsapp._secrets.cache_clear()
        fake.media["MEDIA1"] = (camera_jpeg(1200, 900), "image/jpeg")
        yield fake


def deliver(client, payload: dict, secret: str = SECRET):
    raw = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature(secret, raw)}
    return client.http.post("/whatsapp/webhook", headers=headers, body=raw)


def say(client, n: int, kind: str, sender: str = SENDER, **content):
    answer = deliver(client, webhook(sender, f"wamid.in{n}", kind, **content))
    assert answer.status_code == 200, answer.body
    return answer


def choose(client, n: int, choice: str, how: str = "list_reply", sender: str = SENDER):
    return say(client, n, "interactive", sender, type=how, **{how: {"id": choice, "title": "x"}})


def file_by_whatsapp(client, graph, start: int, place: str) -> str:
    """A whole conversation from photo to code; the code."""
    say(client, start, "image", id="MEDIA1", mime_type="image/jpeg")
    choose(client, start + 1, "g:orange")
    choose(client, start + 2, "l:jalan_rusak")
    say(client, start + 3, "text", body=place)
    choose(client, start + 4, "ok", how="button_reply")
    return next(w.strip("*.") for w in graph.to(SENDER)[-1]["text"]["body"].split()
                if w.startswith("*TRG-"))  # fmt: skip


def test_the_handshake_answers_the_challenge_only_to_the_right_token(client, graph):
    ok = client.http.get(
        "/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=kawal-verify&hub.challenge=1158201444"
    )
    assert ok.status_code == 200 and ok.body == b"1158201444"
    bad = client.http.get("/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1")
    assert bad.status_code == 403


def test_a_report_by_whatsapp_from_photo_to_code(client, aws, graph, tokens):
    say(client, 1, "image", id="MEDIA1", mime_type="image/jpeg")
    groups = graph.to(SENDER)[-1]["interactive"]
    rows = [r["id"] for r in groups["action"]["sections"][0]["rows"]]
    assert rows[:1] and "g:orange" in rows and "g:command" in rows  # as the app offers them
    choose(client, 2, "g:orange")
    labels = [r["id"] for r in graph.to(SENDER)[-1]["interactive"]["action"]["sections"][0]["rows"]]
    assert "l:jalan_rusak" in labels
    choose(client, 3, "l:jalan_rusak")
    assert graph.to(SENDER)[-1]["interactive"]["type"] == "location_request_message"
    say(client, 4, "location", latitude=-8.0501, longitude=111.7102)
    assert graph.to(SENDER)[-1]["interactive"]["type"] == "button"
    choose(client, 5, "ok", how="button_reply")
    last = graph.to(SENDER)[-1]["text"]["body"]
    code = next(w.strip("*.") for w in last.split() if w.startswith("*TRG-"))
    assert f"/r/{code}" in last
    assert not graph.refused  # every message we sent would pass Meta's checks

    public = client.http.get(f"/reports/{code}").json_body
    assert public["label"]["code"] == "jalan_rusak" and public["status"] == "submitted"
    staff = client.http.get(f"/staff/reports/{public['id']}", headers=bearer(tokens["command"]))
    assert staff.json_body["source"] == "whatsapp" and staff.json_body["has_contact"] is True
    assert SENDER not in json.dumps(staff.json_body)  # the number is sealed, not shown
    assert len(public["photos"]) == 1  # fetched from the Graph API into the photo pipeline

    # Meta redelivers the confirmation: one report, no second answer
    before = len(graph.sent)
    choose(client, 5, "ok", how="button_reply")
    assert len(graph.sent) == before
    codes = [
        i for i in all_items() if i["PK"]["S"].startswith("REPORT#") and i["SK"]["S"] == "META"
    ]
    assert len(codes) == 1


def test_a_kecamatan_by_name_with_a_typo_and_the_command_centres_own_labels(client, graph):
    say(client, 11, "image", id="MEDIA1", mime_type="image/jpeg")
    choose(client, 12, "g:command")
    rows = graph.to(SENDER)[-1]["interactive"]["action"]["sections"][0]["rows"]
    assert "l:pungutan_liar" in [r["id"] for r in rows]
    choose(client, 13, "l:pungutan_liar")
    say(client, 14, "text", body="kec. pangul")
    confirm = graph.to(SENDER)[-1]["interactive"]["body"]["text"]
    assert "Kecamatan Panggul" in confirm
    choose(client, 15, "ok", how="button_reply")
    said = json.dumps(graph.sent).lower()
    assert "bayangan" not in said and "shadow" not in said  # never the covert squad


def test_a_bad_signature_is_401_and_nothing_is_stored(client, graph):
    before = len(all_items())
    answer = deliver(client, webhook(SENDER, "wamid.x", "text", body="halo"), secret="wrong")
    assert answer.status_code == 401
    unsigned = client.http.post("/whatsapp/webhook", headers={"Content-Type": "application/json"},
                                body=b"{}")  # fmt: skip
    assert unsigned.status_code == 401
    assert len(all_items()) == before and graph.sent == []


@pytest.mark.parametrize("stored", [{}, {"app_secret": ""}, {"app_secret": None}])
def test_a_stage_secret_without_an_app_secret_refuses_every_delivery(client, aws, graph, stored):
    """An HMAC with an empty key is one anyone can compute: fail closed."""
    from chalicelib.adapters import whatsapp

    aws.client("secretsmanager").put_secret_value(
        SecretId="kawal-dev-whatsapp",
        SecretString=json.dumps({**stored, "verify_token": "kawal-verify",
                                 "access_token": TOKEN, "phone_number_id": PHONE_ID}),
    )  # fmt: skip
    whatsapp._secrets.cache_clear()
    before = len(all_items())
    answer = deliver(client, webhook(SENDER, "wamid.empty", "text", body="halo"), secret="")
    assert answer.status_code == 401
    assert len(all_items()) == before and graph.sent == []
    assert whatsapp.valid_signature("", b"{}", signature("", b"{}")) is False


def test_an_unreadable_or_missing_stage_secret_refuses_every_delivery(client, aws, graph):
    from chalicelib.adapters import whatsapp

    sm = aws.client("secretsmanager")
    for broken in ("not json", '["a list"]'):
        sm.put_secret_value(SecretId="kawal-dev-whatsapp", SecretString=broken)
        whatsapp._secrets.cache_clear()
        assert deliver(client, webhook(SENDER, "wamid.b", "text", body="halo")).status_code == 401
    sm.delete_secret(SecretId="kawal-dev-whatsapp", ForceDeleteWithoutRecovery=True)
    whatsapp._secrets.cache_clear()
    assert deliver(client, webhook(SENDER, "wamid.c", "text", body="halo")).status_code == 401
    assert graph.sent == []


def test_the_runner_puts_a_random_app_secret_where_the_stage_has_none(aws):
    from chalicelib.adapters import whatsapp
    from kawal_deploy import resources

    sm = aws.client("secretsmanager")
    blank = json.dumps({"verify_token": "v", "app_secret": " "})
    sm.put_secret_value(SecretId="kawal-dev-whatsapp", SecretString=blank)
    resources.ensure_whatsapp_secret()
    whatsapp._secrets.cache_clear()
    found = whatsapp.secrets()
    assert len(found["app_secret"]) >= 32 and found["verify_token"] == "v"


def test_malformed_bodies_are_acknowledged_not_retried(client, graph):
    raw = b"{not json"
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature(SECRET, raw)}
    assert client.http.post("/whatsapp/webhook", headers=headers, body=raw).status_code == 200
    odd = {"entry": [{"changes": [{"value": {"messages": [{"type": "sticker"}]}}]}]}
    assert deliver(client, odd).status_code == 200
    status_only = {"entry": [{"changes": [{"value": {"statuses": [{"id": "wamid.out1"}]}}]}]}
    assert deliver(client, status_only).json_body == {"handled": 0}


def test_a_half_finished_conversation_expires(client, graph, monkeypatch):
    say(client, 21, "image", id="MEDIA1", mime_type="image/jpeg")
    choose(client, 22, "g:orange")
    monkeypatch.setattr(reports, "utc_now", shifted(reports.utc_now, timedelta(hours=25)))
    choose(client, 23, "l:jalan_rusak")
    assert "Kirim *foto*" in graph.to(SENDER)[-1]["text"]["body"]  # back to the start


def test_a_number_that_files_too_many_is_told_to_wait(client, graph, monkeypatch):
    monkeypatch.setenv("QUOTA_REPORTS_PER_DEVICE_HOUR", "1")
    for start in (31, 41):
        say(client, start, "image", id="MEDIA1", mime_type="image/jpeg")
        choose(client, start + 1, "g:orange")
        choose(client, start + 2, "l:jalan_rusak")
        say(client, start + 3, "text", body="Trenggalek")
        choose(client, start + 4, "ok", how="button_reply")
    assert "Terlalu banyak laporan" in graph.to(SENDER)[-1]["text"]["body"]


def test_a_whatsapp_reporter_hears_back_on_whatsapp_not_by_sms(client, aws, graph, tokens):
    from chalicelib import config
    from chalicelib.entry import events
    from kawal_local.pump import StreamReader, drain

    from .test_dispatch import sms_sent
    from .workflow_helpers import staff_post

    code = file_by_whatsapp(client, graph, 51, "Pogalan")
    report_id = client.http.get(f"/reports/{code}").json_body["id"]
    staff_post(client, tokens["orange"], f"/reports/{report_id}/claim")
    drain(StreamReader(config.table_name()), events.dispatch_stream)
    (update,) = [m for m in graph.to(SENDER) if m["type"] == "template"]
    words = update["template"]["components"][0]["parameters"][0]["text"]
    assert code in words and "diterima" in words
    assert not graph.refused
    assert [t for p, t in sms_sent(aws) if p == f"+{SENDER}"] == []  # not by SMS as well


def test_the_reporter_answers_the_squads_question_on_whatsapp(client, aws, graph, tokens):
    from chalicelib import config
    from chalicelib.entry import events
    from kawal_local.pump import StreamReader, drain

    from .workflow_helpers import staff_post

    code = file_by_whatsapp(client, graph, 61, "Tugu")
    report_id = client.http.get(f"/reports/{code}").json_body["id"]
    staff_post(client, tokens["orange"], f"/reports/{report_id}/questions",
               {"note": "Di sebelah mana tepatnya? Dekat jembatan?"})  # fmt: skip
    drain(StreamReader(config.table_name()), events.dispatch_stream)
    (asked,) = [m for m in graph.to(SENDER) if m["type"] == "template"]
    assert "Dekat jembatan" in asked["template"]["components"][0]["parameters"][0]["text"]
    say(client, 66, "text", body="Sebelah barat jembatan Ngulankulon")
    assert code in graph.to(SENDER)[-1]["text"]["body"]  # thanked, not a new conversation
    staff = client.http.get(f"/staff/reports/{report_id}", headers=bearer(tokens["orange"]))
    assert staff.json_body["status"] == "submitted"
    (answer,) = [e for e in staff.json_body["staff_timeline"] if e["action"] == "answer"]
    assert answer["note"] == "Sebelah barat jembatan Ngulankulon" and answer["actor_id"] is None


def test_the_code_reaches_the_reporter_when_whatsapp_fails_at_the_last_step(
    client, graph, monkeypatch
):
    """The Graph API down just as the code goes back: the webhook answers 503 (Meta
    sends the message again), and the redelivery sends the kept reply once."""
    from chalicelib.adapters import whatsapp

    say(client, 40, "image", id="MEDIA1", mime_type="image/jpeg")
    choose(client, 41, "g:orange")
    choose(client, 42, "l:jalan_rusak")
    say(client, 43, "text", body="Panggul")
    real_send, down = whatsapp.GraphApi.send, {"left": 1}

    def send(self, to, reply):
        if down["left"]:
            down["left"] -= 1
            raise whatsapp.GraphError("Graph API unreachable")
        return real_send(self, to, reply)

    monkeypatch.setattr(whatsapp.GraphApi, "send", send)
    told = len(graph.to(SENDER))
    kirim = webhook(SENDER, "wamid.in44", "interactive", type="button_reply",
                    button_reply={"id": "ok", "title": "x"})  # fmt: skip
    assert deliver(client, kirim).status_code == 503
    assert len(graph.to(SENDER)) == told
    assert deliver(client, kirim).status_code == 200  # Meta's redelivery
    assert deliver(client, kirim).status_code == 200
    (sent,) = graph.to(SENDER)[told:]
    assert "*TRG-" in sent["text"]["body"]


def test_a_retry_after_a_supporter_failed_sends_no_second_whatsapp_update(
    client, aws, graph, monkeypatch
):
    from .test_dispatch import resolved_with_one_email_failing

    code = file_by_whatsapp(client, graph, 61, "Pogalan")
    report = client.http.get(f"/reports/{code}").json_body
    resolved_with_one_email_failing(client, aws, monkeypatch, report)
    assert len([m for m in graph.to(SENDER) if m["type"] == "template"]) == 1
