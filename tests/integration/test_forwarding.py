"""A report that belongs to an outside body (PLN, PDAM…): forwarded through the
outbox to each of the body's channels (a signed webhook, a desk's SMS), tracked as
forwarded, then settled or recalled; a body that cannot be reached loses nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import ssl
import urllib.request
from datetime import timedelta

import pytest

from chalicelib import bootstrap, config
from chalicelib.adapters.server_secret import server_key
from chalicelib.entry import events
from chalicelib.services import reports
from kawal_local.pump import StreamReader, drain
from tests.conftest import bearer
from tests.support.photo_host import NAME, Route, photo_host

from .helpers import post_json, report_body
from .test_dispatch import sms_sent
from .test_stats import command_view, run_job
from .workflow_helpers import staff_post

DESK = "+6281200000999"


@pytest.fixture
def pdam(tmp_path, monkeypatch):
    """An outside body whose webhook is an HTTPS host on loopback, and a desk phone."""
    with photo_host(tmp_path) as host:
        bodies = {"bodies": [
            {"code": "pdam", "name_id": "Perumda Air Minum Tirta Wening", "name_en": "Water",
             "channels": [{"kind": "webhook", "url": host.url("/kawal")},
                          {"kind": "sms", "phone": DESK}]},
            {"code": "pln", "name_id": "PLN ULP Trenggalek", "name_en": "Electricity",
             "channels": [{"kind": "webhook", "url": host.url("/pln")}]},
        ]}  # fmt: skip
        path = tmp_path / "bodies.json"
        path.write_text(json.dumps(bodies))
        monkeypatch.setenv("BODIES_PATH", str(path))
        real = socket.getaddrinfo

        def resolve(name, *args, **kwargs):  # the body's name, on loopback
            return real("127.0.0.1" if name == NAME else name, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", resolve)
        monkeypatch.setattr(ssl, "_create_default_https_context", lambda: host.context)
        # urllib builds its opener (and its TLS context) once per process: anew here
        monkeypatch.setattr(urllib.request, "_opener", None)
        yield host


@pytest.fixture
def stream(aws):
    reader = StreamReader(config.table_name())
    return lambda: drain(reader, events.dispatch_stream)


def test_a_forwarded_report_reaches_the_body_and_stays_tracked_until_settled(
    client, aws, tokens, pdam, stream
):
    contact = {"name": "Siti", "phone": "081234567890", "notify": True}
    report = post_json(client, "/reports", report_body(contact=contact)).json_body
    stream()
    note = "Pipa PDAM bocor di bawah jalan, air menggenang"
    r = staff_post(client, tokens["orange"], f"/reports/{report['id']}/forward",
                   {"body": "pdam", "note": note})  # fmt: skip
    assert r.status_code == 200, r.body
    assert (r.json_body["status"], r.json_body["forwarded_to"]) == ("forwarded", "pdam")
    again = staff_post(client, tokens["orange"], f"/reports/{report['id']}/forward",
                       {"body": "pdam", "note": note})  # fmt: skip
    assert again.status_code == 200  # a retried tap forwards once
    stream()

    (path, headers, raw) = pdam.posts[0]
    assert path == "/kawal" and len(pdam.posts) == 1
    signature = hmac.new(server_key("webhooks"), raw, hashlib.sha256).hexdigest()
    assert headers["X-Kawal-Signature"] == f"sha256={signature}"
    sent = json.loads(raw)
    assert sent["report"] == report["code"] and note in sent["text"]
    assert "Siti" not in raw.decode() and "1234567890" not in raw.decode()  # never the reporter
    texts = dict((phone, text) for phone, text in sms_sent(aws))
    assert report["code"] in texts[DESK] and len(texts[DESK]) <= 160
    assert "diteruskan ke Perumda Air Minum Tirta Wening" in texts["+6281234567890"]

    public = client.http.get(f"/reports/{report['id']}").json_body
    assert public["status"] == "forwarded"
    open311 = client.http.get(f"/open311/v2/requests/{report['code']}.json").json_body[0]
    assert open311["status"] == "closed"  # another body's to fix, as Open311 says it
    queue = client.http.get("/squads/orange/reports?status=forwarded", headers=bearer(
        tokens["orange"])).json_body  # fmt: skip
    assert [i["code"] for i in queue["items"]] == [report["code"]]

    done = staff_post(client, tokens["orange"], f"/reports/{report['id']}/settle",
                      {"note": "PDAM sudah mengganti pipa"})  # fmt: skip
    assert done.status_code == 200 and done.json_body["status"] == "closed"
    run_job()
    figures = command_view(client, tokens)["figures"]["body#pdam"]
    assert (figures["forwarded"], figures["settled"]) == (1, 1)


def test_a_body_that_declines_gives_the_report_back_to_the_squad(client, tokens, pdam, stream):
    report = post_json(client, "/reports", report_body()).json_body
    staff_post(client, tokens["command"], f"/reports/{report['id']}/forward",
               {"body": "pln", "note": "Tiang listrik miring"})  # fmt: skip
    back = staff_post(client, tokens["orange"], f"/reports/{report['id']}/settle",
                      {"note": "PLN: tiang milik Telkom", "declined": True})  # fmt: skip
    assert back.status_code == 200
    assert (back.json_body["status"], back.json_body["forwarded_to"]) == ("submitted", None)
    queue = client.http.get("/squads/orange/reports", headers=bearer(tokens["orange"])).json_body
    assert report["code"] in {i["code"] for i in queue["items"]}


def test_an_unreachable_body_is_told_later_not_never(client, tokens, pdam, stream):
    pdam.routes["/pln"] = Route(status=503)
    report = post_json(client, "/reports", report_body()).json_body
    staff_post(client, tokens["orange"], f"/reports/{report['id']}/forward",
               {"body": "pln", "note": "Kabel listrik putus"})  # fmt: skip
    stream()
    assert [p for p, _h, _b in pdam.posts] == ["/pln"]  # tried, refused
    pdam.routes["/pln"] = Route(status=200)
    dispatcher = bootstrap.dispatcher()
    dispatcher.now = lambda: reports.utc_now() + timedelta(minutes=5)
    assert dispatcher.redrive() == {"sent": 1}
    assert [p for p, _h, _b in pdam.posts] == ["/pln", "/pln"]
    first, second = pdam.posts[0][1], pdam.posts[1][1]
    assert first["X-Kawal-Delivery"] == second["X-Kawal-Delivery"]  # the body can drop repeats


def test_what_cannot_be_forwarded(client, tokens, pdam):
    report = post_json(client, "/reports", report_body()).json_body
    levy = post_json(client, "/reports", report_body(label="pungutan_liar")).json_body
    unknown = staff_post(client, tokens["orange"], f"/reports/{report['id']}/forward",
                         {"body": "telkom", "note": "kabel telepon"})  # fmt: skip
    assert unknown.status_code == 400
    covert = staff_post(client, tokens["command"], f"/reports/{levy['id']}/forward",
                        {"body": "pln", "note": "bukan urusan kita"})  # fmt: skip
    assert covert.status_code == 409
    listed = client.http.get("/bodies", headers=bearer(tokens["orange"]))
    assert [b["code"] for b in listed.json_body] == ["pdam", "pln"]
    assert "channels" not in listed.body.decode() and DESK not in listed.body.decode()
