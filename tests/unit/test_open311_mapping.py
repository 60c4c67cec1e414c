"""Open311 mapping without HTTP: XML rendering, status folding, the date window,
form parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest

from chalicelib.domain import open311, open311_forms
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
    assert open311.window({}, NOW) == (NOW - timedelta(days=90), NOW)
    start, end = open311.window({"start_date": "2026-11-01T00:00:00+07:00"}, NOW)
    assert start == datetime(2026, 10, 31, 17, tzinfo=UTC) and end - start == timedelta(days=90)
    start, end = open311.window({"end_date": "2026-11-01T00:00:00Z"}, NOW)
    assert end - start == timedelta(days=90)
    with pytest.raises(InvalidInput, match="90 days"):
        open311.window({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-05-01Z"}, NOW)


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
    assert open311.error_status(NotFound("x")) == 404
    assert open311.error_status(open311.Forbidden("x")) == 403
    assert open311.error_status(InvalidInput("x")) == 400
    from chalicelib.domain.errors import Conflict, PayloadTooLarge, Unavailable

    assert open311.error_status(Conflict("x")) == 400
    assert open311.error_status(PayloadTooLarge("x")) == 400
    assert open311.error_status(Unavailable("x")) == 503
