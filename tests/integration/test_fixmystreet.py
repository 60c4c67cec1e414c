"""Kawal driven the way FixMyStreet drives a council's Open311 endpoint: its forms as
``Open311.pm`` builds them (repeated keys, CRLF, its own fields, two photos), its
polls of ``requests.xml`` and ``servicerequestupdates.xml``, its comments, and its
answers read the way XML::Simple hands them to it."""

from __future__ import annotations

import json
import urllib.parse
from datetime import timedelta

import pytest

from chalicelib import bootstrap, config
from chalicelib.services import apikeys, reports
from chalicelib.storage import ApiKeyStore, StatsStore
from kawal_local.pump import StreamReader, drain
from tests.conftest import bearer
from tests.support.fixmystreet import map_state, report_form, update_form, xml_object
from tests.support.images import camera_jpeg
from tests.support.open311 import as_text, from_xml
from tests.support.photo_host import Route, photo_host

from .test_dispatch import received, subscribe_queue
from .workflow_helpers import after_photo, process_uploads, shifted, staff_post

V2 = "/open311/v2"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def key(aws):
    key, _record = apikeys.issue(ApiKeyStore(), "FixMyStreet", "operator", reports.utc_now())
    return key


def problem(**changes):
    """A FixMyStreet problem as its database hands it to the Open311 sender."""
    return {
        "title": "Jalan berlubang dekat SDN 2",
        "detail": "Lubang besar di tengah jalan,\r\nsudah dua motor jatuh.",
        "url": "https://fixmystreet.example/report/4242",
        "name": "Budi Santoso",
        "email": "budi@example.com",
        "category": "jalan_rusak",
        "latitude": -8.0512349,
        "longitude": 111.7112345,
        "extra_fields": {"fixmystreet_id": "4242"},
        **changes,
    }


def send(client, path, pairs, fmt="xml"):
    body = urllib.parse.urlencode(pairs, encoding="utf-8")
    return client.http.post(f"{V2}/{path}.{fmt}", headers=FORM, body=body)


def sent(client, key, **changes) -> str:
    r = send(client, "requests", report_form(problem(**changes), key))
    assert r.status_code == 201, r.body
    return xml_object(r.body)["request"][0]["service_request_id"]


def staff_view(client, tokens, code):
    report_id = bootstrap.report_store().report_id_for_code(code)
    r = client.http.get(f"/staff/reports/{report_id}", headers=bearer(tokens["command"]))
    assert r.status_code == 200, r.body
    return r.json_body


def test_a_problem_is_filed_with_its_own_fields_its_answers_and_both_photos(
    client, aws, key, tokens, tmp_path, monkeypatch
):
    with photo_host(tmp_path) as host:
        host.routes["/photo/1.jpeg"] = Route(body=camera_jpeg(1200, 900))
        host.routes["/photo/2.jpeg"] = Route(body=camera_jpeg(900, 1200))
        monkeypatch.setattr(bootstrap, "fetch_linked_photo", lambda url: host.fetcher().fetch(url))
        pairs = report_form(
            problem(
                photos=[host.url("/photo/1.jpeg"), host.url("/photo/2.jpeg")],
                service="Android",
                extra_fields={"fixmystreet_id": "4242", "jenis_kerusakan": ["berlubang", "retak"]},
            ),
            key,
            jurisdiction=config.open311_jurisdiction(),
        )
        first = send(client, "requests", pairs)
        assert first.status_code == 201, first.body
        code = xml_object(first.body)["request"][0]["service_request_id"]
        again = send(client, "requests", pairs)  # FixMyStreet resends after a timeout
        assert again.status_code == 200
        assert xml_object(again.body)["request"][0]["service_request_id"] == code
        assert sorted(host.hits) == ["/photo/1.jpeg", "/photo/2.jpeg"]  # fetched once each
    process_uploads(aws)

    staff = staff_view(client, tokens, code)
    assert staff["attributes"] == {"jenis_kerusakan": ["berlubang", "retak"]}
    assert staff["client_fields"] == {
        "attribute[fixmystreet_id]": "4242",
        "deviceid": "Android",
        "media_url[2]": f"https://foto.warga.example:{host.port}/photo/2.jpeg",
    }
    assert "\r" not in staff["description"] and "sudah dua motor jatuh" in staff["description"]
    befores = [p for p in staff["photos"] if p["role"] == "before"]
    assert [p["state"] for p in befores] == ["ready", "ready"]
    assert {(p["width"], p["height"]) for p in befores} != set()

    request = xml_object(client.http.get(f"{V2}/requests/{code}.xml").body)["request"][0]
    assert request["title"].startswith("Jalan rusak")  # FixMyStreet would say "… problem"
    assert request["media_url"].endswith(f"/reports/{code}/photo")
    photo = client.http.get(f"/reports/{code}/photo")
    assert photo.status_code == 302


def test_status_comes_back_through_servicerequestupdates_step_by_step(
    client, aws, key, tokens, monkeypatch
):
    start = reports.utc_now() - timedelta(minutes=1)
    fixed = sent(client, key)
    duplicate = sent(client, key, detail="Lubang yang sama")
    elsewhere = sent(client, key, category="lampu_jalan_mati", detail="Lampu PLN mati")
    covert = sent(client, key, category="pungutan_liar", detail="Pungli di parkir pasar")
    ids = {c: bootstrap.report_store().report_id_for_code(c) for c in (fixed, duplicate)}
    orange = tokens["orange"]
    merge = staff_post(client, orange, f"/reports/{ids[duplicate]}/merge", {"into": fixed})
    assert merge.status_code == 200, merge.body
    for step in ("claim", "progress"):
        assert staff_post(client, orange, f"/reports/{ids[fixed]}/{step}").status_code == 200
    report = {"id": ids[fixed], "lat": -8.0512, "lon": 111.7112}
    photo_id = after_photo(client, aws, orange, report, -8.0512, 111.7112)
    r = staff_post(
        client,
        orange,
        f"/reports/{ids[fixed]}/resolve",
        {"note": "Sudah ditambal", "photo_id": photo_id},
    )
    assert r.status_code == 200, r.body
    lamp_id = bootstrap.report_store().report_id_for_code(elsewhere)
    r = staff_post(client, orange, f"/reports/{lamp_id}/claim")
    assert r.status_code in (200, 403)  # lamps are the orange squad's in this catalogue
    blue = tokens["command"]
    r = staff_post(client, blue, f"/reports/{lamp_id}/reject", {"reason": "other_authority"})
    assert r.status_code == 200, r.body

    end = reports.utc_now() + timedelta(minutes=1)
    query = urllib.parse.urlencode(
        {"api_key": key, "start_date": start.isoformat(), "end_date": end.isoformat()}
    )
    xml = client.http.get(f"{V2}/servicerequestupdates.xml?{query}")
    assert xml.status_code == 200, xml.body
    updates = xml_object(xml.body)["request_update"]
    by_request: dict[str, list[dict]] = {}
    for u in updates:
        by_request.setdefault(u["service_request_id"], []).append(u)
    assert covert not in by_request and covert.encode() not in xml.body
    assert [u["status"] for u in by_request[fixed]] == [
        "OPEN",
        "IN_PROGRESS",
        "IN_PROGRESS",
        "FIXED",
    ]
    assert [map_state(u["status"]) for u in by_request[fixed]][-1] == "fixed - council"
    assert by_request[fixed][-1]["media_url"].endswith(f"/reports/{fixed}/photo?id={photo_id}")
    assert "Sudah ditambal" in by_request[fixed][-1]["description"]
    assert [u["status"] for u in by_request[duplicate]] == ["OPEN", "DUPLICATE"]
    assert fixed in by_request[duplicate][-1]["description"]
    rejected = by_request[elsewhere][-1]
    assert rejected["status"] == "NOT_COUNCILS_RESPONSIBILITY"
    assert map_state(rejected["status"]) == "not responsible"  # not "fixed - council"
    assert rejected["external_status_code"] == "rejected:other_authority"
    assert (
        "bukan kewenangan" in rejected["description"]
        and "other_authority" not in rejected["description"]
    )
    update_ids = [u["update_id"] for u in updates]
    assert len(update_ids) == len(set(update_ids))
    assert all(u["updated_datetime"].endswith("+07:00") for u in updates)

    again = client.http.get(f"{V2}/servicerequestupdates.xml?{query}")
    assert [u["update_id"] for u in xml_object(again.body)["request_update"]] == update_ids
    as_json = client.http.get(f"{V2}/servicerequestupdates.json?{query}")
    assert from_xml(xml.body) == ("service_requests_updates", as_text(as_json.json_body))
    photo = client.http.get(
        by_request[fixed][-1]["media_url"].split(config.public_base_url().rstrip("/"), 1)[-1]
    )
    assert photo.status_code == 302

    # the request list tells the same story, in the standard's two statuses
    listed = xml_object(client.http.get(f"{V2}/requests.xml?service_request_id={elsewhere}").body)
    assert listed["request"][0]["status"] == "closed"
    assert listed["request"][0]["external_status_code"] == "rejected:other_authority"

    assert (
        client.http.get(
            f"{V2}/servicerequestupdates.xml?start_date={start.isoformat()}"
        ).status_code
        == 403
    )
    wide = urllib.parse.urlencode(
        {
            "api_key": key,
            "start_date": (start - timedelta(days=8)).isoformat(),
            "end_date": end.isoformat(),
        }
    )
    assert client.http.get(f"{V2}/servicerequestupdates.xml?{wide}").status_code == 400


def test_a_comment_from_fixmystreet_reaches_the_squad_once_and_keeps_its_writer_unknown(
    client, aws, key, tokens
):
    queue = subscribe_queue(aws, "orange", "test-orange-comments")
    code = sent(client, key)
    stream = StreamReader(config.table_name())
    from chalicelib.entry import events

    drain(stream, events.dispatch_stream)
    received(aws, queue)  # the new report's message
    comment = {
        "id": 9001,
        "external_id": code,
        "status": "OPEN",
        "text": "Masih berlubang,\r\nmakin lebar setelah hujan.",
        "name": "Siti Aminah",
        "email": "siti@example.com",
        "confirmed": "2026-12-02T10:00:00+07:00",
    }
    first = send(client, "servicerequestupdates", update_form(comment, key))
    assert first.status_code == 201, first.body
    update_id = xml_object(first.body)["request_update"][0]["update_id"]
    again = send(client, "servicerequestupdates", update_form(comment, key))
    assert again.status_code == 200
    assert xml_object(again.body)["request_update"][0]["update_id"] == update_id

    drain(stream, events.dispatch_stream)
    messages = [json.loads(m["Message"]) for m in received(aws, queue)]
    assert [m["kind"] for m in messages] == ["reporter_comment"]
    assert "makin lebar setelah hujan" in messages[0]["email"]
    staff = staff_view(client, tokens, code)
    comments = [e for e in staff["staff_timeline"] if e["action"] == "comment"]
    assert [c["note"] for c in comments] == ["Masih berlubang,\nmakin lebar setelah hujan."]
    assert staff["status"] == "submitted"  # a comment moves nothing
    for secret in ("Siti", "Aminah", "siti@example.com"):
        assert secret not in json.dumps(staff) and secret not in json.dumps(messages)

    # FixMyStreet recognises its own comment when it polls: the same update_id
    start = (reports.utc_now() - timedelta(hours=2)).isoformat()
    query = urllib.parse.urlencode(
        {"api_key": key, "start_date": start, "end_date": reports.utc_now().isoformat()}
    )
    polled = xml_object(client.http.get(f"{V2}/servicerequestupdates.xml?{query}").body)
    assert update_id in [u["update_id"] for u in polled["request_update"]]

    covert = sent(client, key, category="pungutan_liar")
    hidden = send(
        client,
        "servicerequestupdates",
        update_form({**comment, "id": 9002, "external_id": covert}, key),
    )
    unknown = send(
        client,
        "servicerequestupdates",
        update_form({**comment, "id": 9003, "external_id": "TRG-ZZZZZZ"}, key),
    )
    assert hidden.status_code == unknown.status_code == 404
    assert xml_object(hidden.body) == xml_object(unknown.body) | {}  # the same answer
    bad_key = send(
        client, "servicerequestupdates", update_form({**comment, "id": 9004}, "k311_bukan")
    )
    assert bad_key.status_code == 403


def test_fixmystreet_polls_every_open_request_in_one_get(client, key):
    codes = [sent(client, key, detail=f"Lubang {n}") for n in range(3)]
    covert = sent(client, key, category="pungutan_liar")
    made_up = [f"TRG-{n:06d}" for n in range(250)]
    ids = ",".join([*made_up[:120], *codes, covert, *made_up[120:]])
    r = client.http.get(f"{V2}/requests.xml?service_request_id={ids}")
    assert r.status_code == 200, r.body
    requests = xml_object(r.body)["request"]
    assert [q["service_request_id"] for q in requests] == codes
    paged = client.http.get(f"{V2}/requests.json?service_request_id={ids}&page=2&page_size=100")
    assert [q["service_request_id"] for q in paged.json_body] == codes  # ids 101-200
    first = client.http.get(f"{V2}/requests.json?service_request_id={ids}&page_size=100")
    assert first.status_code == 200 and first.json_body == []  # ids 1-100: none known


def test_updated_after_lists_only_what_changed(client, key, tokens, monkeypatch):
    quiet, busy = sent(client, key), sent(client, key, detail="Lubang lain")
    later = shifted(reports.utc_now, timedelta(hours=3))
    monkeypatch.setattr(reports, "utc_now", later)
    busy_id = bootstrap.report_store().report_id_for_code(busy)
    assert staff_post(client, tokens["orange"], f"/reports/{busy_id}/claim").status_code == 200
    since = (later() - timedelta(hours=1)).isoformat()
    r = client.http.get(f"{V2}/requests.json?" + urllib.parse.urlencode({"updated_after": since}))
    assert r.status_code == 200, r.body
    assert [q["service_request_id"] for q in r.json_body] == [busy]
    everything = client.http.get(f"{V2}/requests.json").json_body
    assert {q["service_request_id"] for q in everything} == {quiet, busy}
    old = (later() - timedelta(days=9)).isoformat()
    r = client.http.get(
        f"{V2}/requests.json?"
        + urllib.parse.urlencode({"updated_after": old, "updated_before": later().isoformat()})
    )
    assert r.status_code == 400
    assert StatsStore  # the activity index both read is the statistics job's
