"""Covert at rest (issue #35): an operator who reads the raw table learns nothing of a
covert report but that an item exists; the command centre and the shadow squad still
read it in full through the API, and their lists still list it."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from chalicelib import bootstrap, config
from chalicelib.entry import events
from chalicelib.services import dispatch
from kawal_local.pump import StreamReader, drain
from tests.conftest import bearer

from .helpers import JSON_HEADERS, all_items, post_json, report_body
from .test_dispatch import Clock, received, sns_outage, subscribe_queue
from .workflow_helpers import resolved_report, staff_post

COVERT = "pungutan_liar"
WORDS = "Pungli retribusi pasar oleh petugas berseragam"
PLACE = "Jl. Kenanga 17, belakang balai desa"
VILLAGE = "35.03.01.2001"  # Besuki, Panggul
POINT = (-8.2468, 111.4321)


def covert_report(client) -> dict:
    body = report_body(
        label=COVERT,
        description=WORDS,
        address=PLACE,
        district="panggul",
        village=VILLAGE,
        lat=POINT[0],
        lon=POINT[1],
    )
    answer = post_json(client, "/reports", body)
    assert answer.status_code == 201, answer.body
    return answer.json_body


def raw_dump(report_id: str) -> str:
    """What an operator sees of a report: every item of the table that names it."""
    items = [i for i in all_items() if report_id in json.dumps(i, default=repr)]
    assert items, "the report is stored"
    return json.dumps(items, default=repr)


SECRETS = (WORDS, "Kenanga", "panggul", VILLAGE, "-8.2468", "111.4321")


def test_an_operator_reading_the_table_finds_none_of_a_covert_reports_words_or_place(client):
    report = covert_report(client)
    raw = raw_dump(report["id"])
    for secret in SECRETS:
        assert secret not in raw, secret


def test_a_public_report_stays_readable_in_the_table(client):
    body = report_body(description="Lampu jalan mati", address="Jl. Mawar 3")
    report = post_json(client, "/reports", body).json_body
    raw = raw_dump(report["id"])
    assert "Lampu jalan mati" in raw and "Mawar" in raw  # sealing is for covert ones


def test_the_command_centre_reads_it_in_full_and_lists_it(client, tokens):
    report = covert_report(client)
    view = client.http.get(f"/staff/reports/{report['id']}", headers=bearer(tokens["command"]))
    assert view.status_code == 200, view.body
    body = view.json_body
    assert body["description"] == WORDS and body["address"] == PLACE
    assert body["district"] == "panggul" and body["village"] == VILLAGE
    assert (body["lat"], body["lon"]) == POINT
    listed = client.http.get("/command/reports", headers=bearer(tokens["command"])).json_body
    (item,) = [i for i in listed["items"] if i["id"] == report["id"]]
    assert item["district"] == "panggul"


def test_a_squad_or_the_public_asking_for_it_opens_nothing(client, tokens, monkeypatch):
    from chalicelib.adapters import covert

    report = covert_report(client)
    opened = []
    real = covert.unseal
    monkeypatch.setattr(covert, "unseal", lambda *a: opened.append(a) or real(*a))
    for answer in (
        client.http.get(f"/reports/{report['id']}"),
        client.http.get(f"/staff/reports/{report['id']}", headers=bearer(tokens["orange"])),
    ):
        assert answer.status_code == 404
    assert opened == []  # not even to answer 404: no key use a squad's request could cause


NOTE = "Tim menyamar ke pasar hari Kamis"
ASK = "Cek ulang tambalan depan terminal"
CHECKED = "Tambalan sudah retak lagi"


def test_notes_checks_and_requests_of_covert_work_are_sealed_yet_read_in_full(client, aws, tokens):
    report = covert_report(client)
    for step, body in (("claim", None), ("progress", {"note": NOTE})):
        answer = staff_post(client, tokens["command"], f"/reports/{report['id']}/{step}", body)
        assert answer.status_code == 200, answer.body
    closed = resolved_report(client, aws, tokens)  # a squad's closure the checkers check
    path = f"/command/reports/{closed['code']}/check-requests"
    assert staff_post(client, tokens["command"], path, {"note": ASK}).status_code == 200
    assert ASK not in raw_dump(closed["id"])  # the request, before the check closes it
    answer = staff_post(
        client,
        tokens["shadow"],
        f"/reports/{closed['id']}/shadow-checks",
        {"verdict": "not_fixed", "note": CHECKED},
    )
    assert answer.status_code == 201, answer.body
    assert NOTE not in raw_dump(report["id"]) and CHECKED not in raw_dump(closed["id"])

    mine = client.http.get(f"/staff/reports/{report['id']}", headers=bearer(tokens["command"]))
    assert NOTE in [e.get("note") for e in mine.json_body["timeline"]]
    theirs = client.http.get(f"/staff/reports/{closed['id']}", headers=bearer(tokens["command"]))
    assert CHECKED in json.dumps(theirs.json_body)


def test_the_outbox_and_the_logs_hold_nothing_covert_and_the_shadow_topic_still_hears_it(
    client, aws, tokens, caplog, capsys
):
    caplog.set_level("DEBUG", logger="kawal")  # our own logs (botocore's debug is off on Lambda)
    report = covert_report(client)
    shadow = subscribe_queue(aws, "shadow", "test-shadow-at-rest")
    staff_post(client, tokens["command"], f"/reports/{report['id']}/claim")
    staff_post(client, tokens["command"], f"/reports/{report['id']}/progress", {"note": NOTE})
    drain(StreamReader(config.table_name()), events.dispatch_stream)
    notes = [i for i in all_items() if i["PK"]["S"].startswith("NOTIFY#")]
    outbox = json.dumps(notes, default=repr)
    assert report["id"] in outbox  # the notifications are recorded…
    for secret in (*SECRETS, NOTE, "Panggul"):
        assert secret not in outbox, secret  # …and nothing of the report in them
    logs = caplog.text + capsys.readouterr().out  # log lines and metrics (EMF on stdout)
    assert report["id"] in logs
    for secret in (*SECRETS, NOTE, "Panggul"):
        assert secret not in logs, secret
    (message,) = [json.loads(m["Message"]) for m in received(aws, shadow)]
    assert report["code"] in message["sms"] and "Panggul" in message["sms"]
    assert WORDS in message["email"] and PLACE in message["email"]


def test_a_covert_dead_letter_shows_an_id_and_a_reason(client, aws, monkeypatch):
    from chalicelib.adapters import covert

    sns_outage(aws, monkeypatch, {"down": True})
    report = covert_report(client)
    drain(StreamReader(config.table_name()), events.dispatch_stream)
    clock, d = Clock(), bootstrap.dispatcher()
    d.now = clock
    for _ in range(dispatch.MAX_ATTEMPTS):
        clock.at += timedelta(hours=2)
        with covert.opening():  # as the scheduled redrive runs it
            d.redrive()
    sqs = aws.client("sqs")
    dlq = sqs.get_queue_url(QueueName=config.dispatch_dlq_name())["QueueUrl"]
    (dead,) = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    body = json.loads(dead["Body"])
    assert body["notification"]["report_id"] == report["id"] and "Rate exceeded" in body["error"]
    for secret in (*SECRETS, "Panggul", "Pungutan"):
        assert secret not in dead["Body"], secret


def test_the_api_opens_through_the_vault_which_checks_the_callers_token_itself(
    client, tokens, monkeypatch
):
    from chalicelib.adapters import covert

    report = covert_report(client)
    (item,) = [i for i in all_items() if i["PK"]["S"] == f"REPORT#{report['id']}"
               and i["SK"]["S"] == "META"]  # fmt: skip
    sealed = [[report["id"], "report", base64.b64encode(item["sealed"]["B"]).decode()]]
    for role in ("orange", "operator"):  # a squad's or an operator's own token: nothing
        with pytest.raises(covert.Refused):
            covert.vault({"token": tokens[role], "sealed": sealed})
    with pytest.raises(covert.Refused):
        covert.vault({"token": "forged", "sealed": sealed})
    (opened,) = covert.vault({"token": tokens["command"], "sealed": sealed})["opened"]
    assert opened["description"] == WORDS

    asked = []
    real = covert.vault
    monkeypatch.setattr(covert, "vault", lambda request: asked.append(request) or real(request))
    view = client.http.get(f"/staff/reports/{report['id']}", headers=bearer(tokens["command"]))
    assert view.json_body["description"] == WORDS
    assert len(asked) == 1 and tokens["command"] in asked[0]["token"]  # one call per read


def test_a_covert_reporters_contact_is_sealed_with_the_covert_key_and_read_by_the_command_centre(
    client, tokens
):
    from chalicelib.adapters import sealing
    from chalicelib.domain.errors import Unavailable

    body = report_body(label=COVERT, contact={"phone": "081234567890", "name": "Siti Aminah"})
    report = post_json(client, "/reports", body).json_body
    (item,) = [i for i in all_items() if i["PK"]["S"] == f"CONTACT#{report['id']}"]
    assert "sealed" not in item and "covert_sealed" in item  # not the contacts' key
    with pytest.raises(Unavailable):  # what the contacts' key (the API's) cannot open
        sealing.unseal(report["id"], item["covert_sealed"]["B"])
    path = f"/command/reports/{report['id']}/contact-reads"
    why = {"reason": "menghubungi pelapor untuk keterangan"}
    read = post_json(client, path, why, {**JSON_HEADERS, **bearer(tokens["command"])})
    assert read.status_code == 200, read.body
    assert read.json_body["contact"]["name"] == "Siti Aminah"


def bucket(aws, report_id: str) -> dict[str, dict]:
    """What an operator listing the bucket finds of a report: each object's head."""
    s3, name = aws.client("s3"), config.bucket_name()
    found = {}
    for prefix in (f"uploads/{report_id}/", f"photos/{report_id}/"):
        for obj in s3.list_objects_v2(Bucket=name, Prefix=prefix).get("Contents", []):
            found[obj["Key"]] = s3.head_object(Bucket=name, Key=obj["Key"])
    return found


def test_a_covert_reports_photos_are_sealed_at_rest_and_shown_to_the_command_centre_only(
    client, aws, tokens, process, monkeypatch
):
    from chalicelib.adapters import covert
    from tests.support.images import camera_jpeg, encoded

    photo = {"content_type": "image/jpeg", "data_base64": base64.b64encode(camera_jpeg()).decode()}
    body = report_body(label=COVERT, description=WORDS, photo=photo)
    report = post_json(client, "/reports", body).json_body
    headers = {**JSON_HEADERS, "X-Reporter-Token": report["reporter_token"]}
    slot = client.http.post(f"/reports/{report['id']}/photos", headers=headers, body="{}")
    assert slot.status_code == 201, slot.body  # and one by the presigned POST
    aws.client("s3").put_object(
        Bucket=config.bucket_name(),
        Key=slot.json_body["upload"]["fields"]["key"],
        Body=encoded("PNG", 640, 480),
        ContentType="image/png",
    )
    process()

    stored = bucket(aws, report["id"])
    assert not [k for k in stored if k.startswith("uploads/")]  # the originals are gone
    covert_key = aws.client("kms").describe_key(KeyId=config.covert_key_id())["KeyMetadata"]
    assert len(stored) == 4  # display and thumb of each, under the covert key
    for key, head in stored.items():
        assert head["ServerSideEncryption"] == "aws:kms", key
        assert head["SSEKMSKeyId"] in (config.covert_key_id(), covert_key["Arn"]), key

    asked = []
    real = covert.vault
    monkeypatch.setattr(covert, "vault", lambda request: asked.append(request) or real(request))
    view = client.http.get(f"/staff/reports/{report['id']}", headers=bearer(tokens["command"]))
    shown = view.json_body["photos"]
    assert [p["state"] for p in shown] == ["ready", "ready"]
    assert all("X-Amz-Signature=" in p["display_url"] for p in shown)
    signing = [sorted(r["sign"]) for r in asked if "sign" in r]
    assert signing == [sorted(stored)]  # signed by the vault, in one call

    for answer in (
        client.http.get(f"/reports/{report['id']}/photo"),
        client.http.get(f"/reports/{report['id']}/photo?size=thumb&id={shown[0]['id']}"),
        client.http.get(f"/staff/reports/{report['id']}", headers=bearer(tokens["orange"])),
    ):
        assert answer.status_code == 404
        assert "photos/" not in answer.body.decode()
    with pytest.raises(covert.Refused):  # a squad's token gets no link from the vault
        covert.vault({"token": tokens["orange"], "sign": list(stored)})


def test_a_public_reports_photos_stay_as_they_were(client, aws, process):
    from tests.support.images import camera_jpeg

    photo = {"content_type": "image/jpeg", "data_base64": base64.b64encode(camera_jpeg()).decode()}
    report = post_json(client, "/reports", report_body(photo=photo)).json_body
    process()
    stored = bucket(aws, report["id"])
    assert len([k for k in stored if k.startswith("photos/")]) == 2
    assert all("SSEKMSKeyId" not in head for head in stored.values())


def test_a_covert_reporter_gets_their_own_data_in_full_through_the_vault(client, monkeypatch):
    from chalicelib.adapters import covert

    body = report_body(
        label=COVERT,
        description=WORDS,
        address=PLACE,
        lat=POINT[0],
        lon=POINT[1],
        contact={"phone": "081234567890", "name": "Siti Aminah"},
    )
    report = post_json(client, "/reports", body).json_body
    asked = []
    real = covert.vault
    monkeypatch.setattr(covert, "vault", lambda request: asked.append(request) or real(request))
    mine = {"X-Reporter-Token": report["reporter_token"]}
    held = client.http.get(f"/privacy/my-data?report={report['code']}", headers=mine)
    assert held.status_code == 200, held.body
    (theirs,) = held.json_body["reports"]
    assert theirs["description"] == WORDS and theirs["address"] == PLACE
    assert (theirs["location"]["lat"], theirs["location"]["lon"]) == POINT
    assert theirs["contact"]["name"] == "Siti Aminah"
    assert asked and all("token" not in r for r in asked)  # their token, not a staff one
    # the vault checks the token itself: another report's token opens nothing of it
    (item,) = [i for i in all_items() if i["PK"]["S"] == f"REPORT#{report['id']}"
               and i["SK"]["S"] == "META"]  # fmt: skip
    sealed = [[report["id"], "report", base64.b64encode(item["sealed"]["B"]).decode()]]
    other = post_json(client, "/reports", report_body(label=COVERT)).json_body
    assert real({"reporter_token": other["reporter_token"], "sealed": sealed}) == {"opened": [None]}
    with pytest.raises(covert.Refused):  # and a reporter gets no photo links from it
        real({"token": report["reporter_token"], "sign": ["photos/x/y/display.jpg"]})


def test_a_covert_reporters_corrected_contact_stays_under_the_covert_key(client, tokens):
    body = report_body(label=COVERT, contact={"phone": "081234567890", "name": "Siti Aminah"})
    report = post_json(client, "/reports", body).json_body
    mine = {**JSON_HEADERS, "X-Reporter-Token": report["reporter_token"]}
    fixed = client.http.patch(
        f"/privacy/my-data?report={report['code']}",
        headers=mine,
        body=json.dumps({"name": "Siti A. Rahayu"}),
    )
    assert fixed.status_code == 200, fixed.body
    (item,) = [i for i in all_items() if i["PK"]["S"] == f"CONTACT#{report['id']}"]
    assert "sealed" not in item and "covert_sealed" in item  # not the contacts' key
    path = f"/command/reports/{report['id']}/contact-reads"
    why = {"reason": "menghubungi pelapor untuk keterangan"}
    read = post_json(client, path, why, {**JSON_HEADERS, **bearer(tokens["command"])})
    assert read.json_body["contact"]["name"] == "Siti A. Rahayu"
    assert read.json_body["contact"]["phone"] == "+6281234567890"  # not corrected: kept
