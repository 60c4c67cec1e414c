"""Open311's XML: the same data as its JSON, in the element names the
specification gives (``<services><service>…``, ``<service_requests><request>…``,
``<errors><error>…``). UTF-8, no namespace. Null becomes an empty element."""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree as ET

# A list's element name -> its items' element name.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ET.SubElement(element, name), child)
    elif isinstance(value, list):
        item = ITEMS[element.tag]
        for child in value:
            _fill(ET.SubElement(element, item), child)
    else:
        element.text = _text(value)


def render(root: str, value: Any) -> str:
    element = ET.Element(root)
    _fill(element, value)
    return DECLARATION + ET.tostring(element, encoding="unicode")
