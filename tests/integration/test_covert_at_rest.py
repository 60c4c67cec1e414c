"""Covert at rest (issue #35): an operator who reads the raw table learns nothing of a
covert report but that an item exists; the command centre and the shadow squad still
read it in full through the API, and their lists still list it."""

from __future__ import annotations

import json

from tests.conftest import bearer

from .helpers import all_items, post_json, report_body

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
