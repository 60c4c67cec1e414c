"""Checking Open311 responses: the standard's own JSON Schemas (copied unchanged
into tests/data/open311) and XML read back into the JSON's shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).resolve().parent.parent / "data" / "open311"
# The lists the specification names, and the element each item takes.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "service_requests_updates": "request_update",
    "service_request_updates": "request_update",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text())


def _registry() -> Registry:
    return Registry().with_resources(
        (name, Resource.from_contents(_schema(name), default_specification=DRAFT7))
        for name in ("request.json", "service.json")
    )


def validator(name: str) -> Draft7Validator:
    """A validator for one of the standard's schemas that checks formats too
    (date-time and uri: rfc3339-validator and rfc3986-validator are installed)."""
    return Draft7Validator(_schema(name), registry=_registry(), format_checker=FormatChecker())


def assert_valid(name: str, document: Any) -> None:
    problems = sorted(validator(name).iter_errors(document), key=lambda e: list(e.path))
    assert not problems, [f"{list(p.path)}: {p.message}" for p in problems]


def from_xml(text: str | bytes) -> tuple[str, Any]:
    """(root element name, the JSON-shaped value) of an Open311 XML document.
    Leaves stay text (the XML carries no types): compare with ``as_text``."""
    root = ET.fromstring(text.encode() if isinstance(text, str) else text)
    return root.tag, _value(root)


def _value(element: ET.Element) -> Any:
    if element.tag in ITEMS:
        item = ITEMS[element.tag]
        assert all(child.tag == item for child in element), (element.tag, item)
        return [_value(child) for child in element]
    if len(element):
        names = [child.tag for child in element]
        assert len(names) == len(set(names)), f"repeated element in <{element.tag}>"
        return {child.tag: _value(child) for child in element}
    return element.text


def as_text(value: Any) -> Any:
    """JSON values as their XML text: true/false, numbers as written, null as empty."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if value is None:
        return None
    return str(value)
