"""Open311 mapping without HTTP: XML rendering, status folding, the date window,
form parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest

from chalicelib.domain import open311, open311_forms, open311_queries
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.entry.open311_xml import render

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def test_xml_is_utf8_without_namespace_and_names_list_items_as_specified():
    text = render("services", [{"service_code": "a", "metadata": True, "group": None}])
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<services><service>')
    root = ET.fromstring(text.encode())
    assert root.tag == "services" and root[0].tag == "service"
    assert root[0].find("metadata").text == "true"
    assert root[0].find("group").text is None  # null: an empty element


def test_xml_carries_any_unicode_and_replaces_what_xml_cannot_hold():
    text = render("errors", [{"code": 400, "description": "— 🚧 <&> \x00\x1b"}])
    parsed = ET.fromstring(text.encode())
    assert parsed[0].find("description").text == "— 🚧 <&> \ufffd\ufffd"


def test_the_date_window_defaults_to_90_days_and_never_exceeds_it():
    assert open311_queries.window({}, NOW) == (NOW - timedelta(days=90), NOW)
    start, end = open311_queries.window({"start_date": "2026-11-01T00:00:00+07:00"}, NOW)
    assert start == datetime(2026, 10, 31, 17, tzinfo=UTC) and end - start == timedelta(days=90)
    start, end = open311_queries.window({"end_date": "2026-11-01T00:00:00Z"}, NOW)
    assert end - start == timedelta(days=90)
    with pytest.raises(InvalidInput, match="90 days"):
        open311_queries.window(
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-05-01Z"}, NOW
        )


def test_form_parsing_keeps_repeated_fields_and_refuses_broken_encodings():
    form = open311_forms.parse_form(b"a=1&attribute%5Bx%5D%5B%5D=p&attribute%5Bx%5D%5B%5D=q")
    assert form == {"a": ["1"], "attribute[x][]": ["p", "q"]}
    assert open311_forms.parse_form(b"d=%E2%80%94%F0%9F%9A%A7") == {"d": ["—🚧"]}
    with pytest.raises(InvalidInput):
        open311_forms.parse_form(b"d=%FF%FE")
    with pytest.raises(InvalidInput):
        open311_forms.single({"lat": ["1", "2"]}, "lat")


def test_unknown_formats_and_documents_are_404():
    assert open311.split_document("requests.xml") == ("requests", "xml")
    for name in ("requests", "requests.csv", ".json"):
        with pytest.raises(NotFound):
            open311.split_document(name)


def test_error_codes_fold_to_the_standards_three():
    assert open311_queries.error_status(NotFound("x")) == 404
    assert open311_queries.error_status(open311.Forbidden("x")) == 403
    assert open311_queries.error_status(InvalidInput("x")) == 400
    from chalicelib.domain.errors import Conflict, PayloadTooLarge, Unavailable

    assert open311_queries.error_status(Conflict("x")) == 400
    assert open311_queries.error_status(PayloadTooLarge("x")) == 400
    assert open311_queries.error_status(Unavailable("x")) == 503


def test_each_step_has_an_extended_status_fixmystreet_shows_truthfully():
    from chalicelib.domain.lifecycle import REJECT_REASONS

    assert [open311.extended_status(s) for s in ("submitted", "accepted", "in_progress")] == [
        "OPEN",
        "IN_PROGRESS",
        "IN_PROGRESS",
    ]
    assert open311.extended_status("resolved") == open311.extended_status("closed") == "FIXED"
    assert open311.extended_status("reopened") == "OPEN"
    rejected = {r: open311.extended_status("rejected", r) for r in REJECT_REASONS}
    assert "FIXED" not in rejected.values() and "CLOSED" not in rejected.values()
    assert rejected["other_authority"] == "NOT_COUNCILS_RESPONSIBILITY"
    assert open311.external_status_code("rejected", "duplicate") == "rejected:duplicate"


def test_a_step_becomes_one_update_and_an_escalation_none():
    from chalicelib.domain.models import Report, TimelineEntry
    from chalicelib.routing import load_catalogue

    at = NOW
    report = Report(
        id="a" * 20, code="TRG-7K3F9Q", label="jalan_rusak", squad="orange", covert=False,
        status="resolved", lat=-8.05, lon=111.71, geohash="qqx", created_at=at,
        updated_at=at, sla_due_at=at, token_hash="x", request_hash="y",
    )  # fmt: skip
    step = TimelineEntry(
        key="EVENT#2026-11-23T03:00:00.000000Z#0004", at=at, from_status="in_progress",
        to_status="resolved", action="resolve", actor_role="squad", actor_id="tim-oranye",
        note="Sudah ditambal", photo_id="p1",
    )  # fmt: skip
    update = open311.request_update(report, step, load_catalogue(), lang="id", base_url="https://k")
    assert update["update_id"] == "TRG-7K3F9Q-0004" and update["status"] == "FIXED"
    assert update["media_url"] == "https://k/reports/TRG-7K3F9Q/photo?id=p1"
    assert update["updated_datetime"] == "2026-11-23T10:00:00+07:00"
    assert update["description"].endswith("Sudah ditambal") and "tim-oranye" not in str(update)
    overdue = step.model_copy(update={"action": "overdue"})
    assert open311.is_public_step(step) and not open311.is_public_step(overdue)


def test_a_clients_own_fields_are_kept_not_refused():
    from chalicelib.domain import geo
    from chalicelib.routing import load_catalogue

    form = open311_forms.parse_form(
        b"service_code=jalan_rusak&lat=-8.05&long=111.71&deviceid=Android"
        b"&attribute%5Bjenis_kerusakan%5D=berlubang&attribute%5Bjenis_kerusakan%5D=retak"
        b"&attribute%5Bfixmystreet_id%5D=42&media_url=javascript%3Aalert(1)"
        b"&media_url=https%3A%2F%2Ffoto.example%2F1.jpg&media_url=http%3A%2F%2Ffoto.example%2F2.jpg"
        b"&description=a%0D%0Ab"
    )
    filed = open311_forms.report_in(form, "k", load_catalogue(), geo.load_regency(), b"s")
    assert filed.report.attributes == {"jenis_kerusakan": ["berlubang", "retak"]}
    assert filed.report.description == "a\nb"
    assert filed.report.media_url == "https://foto.example/1.jpg"
    assert filed.media_urls == ["https://foto.example/1.jpg"]  # only https is fetched
    assert filed.client_fields == {
        "deviceid": "Android",
        "attribute[fixmystreet_id]": "42",
        "media_url[2]": "javascript:alert(1)",
        "media_url[3]": "http://foto.example/2.jpg",
    }
    many = "&".join(f"x{n}=1" for n in range(31)).encode()
    with pytest.raises(InvalidInput):
        open311_forms.report_in(
            open311_forms.parse_form(b"service_code=jalan_rusak&lat=-8.05&long=111.71&" + many),
            "k", load_catalogue(), geo.load_regency(), b"s",
        )  # fmt: skip
