"""Open311's XML: the same data as its JSON, in the element names the
specification gives (``<services><service>…``, ``<service_requests><request>…``,
``<errors><error>…``). UTF-8, no namespace. Null becomes an empty element."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

# A list's element name -> its items' element name.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "service_requests_updates": "request_update",  # GET servicerequestupdates (mySociety)
    "service_request_updates": "request_update",  # its POST's answer
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


@functools.cache
def _not_xml() -> re.Pattern[str]:
    """Characters XML 1.0 cannot carry at all, even escaped (compiled on first use:
    every function imports this module, few render XML)."""
    return re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _not_xml().sub("\ufffd", str(value))


def _fill(element: Element, value: Any) -> None:
    from xml.etree.ElementTree import SubElement

    if isinstance(value, dict):
        for name, child in value.items():
            _fill(SubElement(element, name), child)
    elif isinstance(value, list):
        item = ITEMS[element.tag]
        for child in value:
            _fill(SubElement(element, item), child)
    else:
        element.text = _text(value)


def render(root: str, value: Any) -> str:
    from xml.etree import ElementTree

    element = ElementTree.Element(root)
    _fill(element, value)
    return DECLARATION + ElementTree.tostring(element, encoding="unicode")
