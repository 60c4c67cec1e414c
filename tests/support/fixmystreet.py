"""What FixMyStreet's Open311 client (``perllib/Open311.pm`` in mysociety/fixmystreet)
sends and how it reads the answers, rebuilt in Python from its source so Kawal can
be driven exactly as a FixMyStreet instance drives a council's endpoint:

- a report (``_populate_service_request_params``): its description is "title, a
  blank line, the detail, a blank line, the report's URL" (the detail typed in a
  browser, so CRLF), first/last name split from one name, lat/long, every
  ``media_url`` (``multi_photos``), ``deviceid`` (``use_service_as_deviceid``) and its
  extra fields as ``attribute[...]``, a list as the same key repeated
  (HTTP::Request::Common flattens an array reference so);
- a comment (``_populate_service_request_update_params``): ``update_id`` is its own
  comment id, ``status`` an extended status, name and email of whoever wrote it;
- XML read as XML::Simple does with its ``ForceArray``: every ``request``,
  ``request_update`` and ``error`` a list, leaves as text, empty elements as None.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

FORCE_ARRAY = {"service", "attribute", "value", "request", "error", "request_update", "group"}


def split_name(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first, last.strip()


def report_form(problem: dict[str, Any], api_key: str, jurisdiction: str | None = None):
    """The form FixMyStreet POSTs to requests.xml for one problem, as ordered pairs."""
    first, last = split_name(problem["name"])
    description = f"{problem['title']}\n\n{problem['detail']}\n\n{problem['url']}\n"
    pairs: list[tuple[str, str]] = [
        ("description", description),
        ("service_code", problem["category"]),
        ("first_name", first),
        ("last_name", last),
        ("email", problem["email"]),
        ("lat", f"{problem['latitude']:.6f}"),
        ("long", f"{problem['longitude']:.6f}"),
    ]
    pairs += [("media_url", url) for url in problem.get("photos", [])]
    if problem.get("service"):
        pairs.append(("deviceid", problem["service"]))
    for name, value in problem.get("extra_fields", {}).items():
        values = value if isinstance(value, list) else [value]
        pairs += [(f"attribute[{name}]", v) for v in values]
    if jurisdiction:
        pairs.append(("jurisdiction_id", jurisdiction))
    pairs.append(("api_key", api_key))
    return pairs


def update_form(comment: dict[str, Any], api_key: str):
    """The form FixMyStreet POSTs to servicerequestupdates.xml for one comment."""
    first, last = split_name(comment["name"])
    return [
        ("updated_datetime", comment["confirmed"]),
        ("service_request_id", comment["external_id"]),
        ("status", comment["status"]),
        ("description", comment["text"]),
        ("last_name", last or "-"),
        ("first_name", first),
        ("email", comment["email"]),
        ("update_id", str(comment["id"])),
        ("api_key", api_key),
    ]


def xml_object(text: str | bytes) -> dict[str, Any]:
    """The root's children the way XML::Simple hands them to FixMyStreet."""
    root = ET.fromstring(text.encode() if isinstance(text, str) else text)
    return _children(root)


def _children(element: ET.Element) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in element:
        value = _children(child) if len(child) else child.text
        if child.tag in FORCE_ARRAY:
            out.setdefault(child.tag, []).append(value)
        else:
            out[child.tag] = value
    return out


# FixMyStreet's map_state: an Open311 status (extended or not) to its own states.
STATE_MAP = {
    "fixed": "fixed - council",
    "not councils responsibility": "not responsible",
    "no further action": "unable to fix",
    "open": "confirmed",
}


def map_state(status: str, extended_statuses: bool = True) -> str:
    state = status.lower().replace("_", " ")
    if state == "closed":
        return "closed" if extended_statuses else "fixed - council"
    return STATE_MAP.get(state, state)
