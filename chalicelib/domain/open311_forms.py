"""Open311's form POST as the same ``ReportIn`` the app sends: the form parsed, its
location, attributes and contact read, and the idempotent client id derived."""

from __future__ import annotations

import hmac
import math
import re
import urllib.parse
import uuid
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from pydantic import ValidationError

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.geo import Regency
from chalicelib.domain.models import MAX_CITIZEN_PHOTOS, ContactIn, ReportIn
from chalicelib.domain.open311 import MAX_FORM_BYTES
from chalicelib.domain.open311_services import label_or_404
from chalicelib.domain.principals import Forbidden as Forbidden  # an api_key refused: 403
from chalicelib.routing import Catalogue


def parse_form(raw: bytes) -> dict[str, list[str]]:
    """``application/x-www-form-urlencoded`` in UTF-8, every field as a list."""
    if len(raw) > MAX_FORM_BYTES:
        raise InvalidInput(f"the form is larger than {MAX_FORM_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
        pairs = urllib.parse.parse_qsl(
            text, keep_blank_values=True, strict_parsing=bool(text), errors="strict"
        )
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput(
            "the body is not a UTF-8 application/x-www-form-urlencoded form"
        ) from None
    form: dict[str, list[str]] = {}
    for name, value in pairs:
        form.setdefault(name, []).append(value)
    return form


def plain_newlines(text: str) -> str:
    """FixMyStreet and browsers send CRLF: keep plain newlines."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def single(form: dict[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise InvalidInput(f"{name} was sent more than once")
    return values[0].strip() or None


_FIELDS = {
    "api_key",
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
}


# A client's own fields (FixMyStreet's ``deviceid``, ``fixmystreet_id``, …) are kept
# for staff, not refused; these bounds only stop a form used as free storage.
MAX_CLIENT_FIELDS, MAX_CLIENT_VALUE = 30, 2000
_LINK = re.compile(r"https?://\S{1,2040}", re.IGNORECASE)


def _answers(form: dict[str, list[str]]) -> tuple[dict[str, Any], dict[str, str]]:
    """``attribute[CODE]=v`` (one value), and a list as ``attribute[CODE][]=v`` or, as
    FixMyStreet sends a multi-choice answer, the same ``attribute[CODE]=v`` repeated;
    and every field the standard does not name, kept as sent."""
    answers: dict[str, Any] = {}
    others: dict[str, str] = {}
    for name, values in form.items():
        if name in _FIELDS:
            continue
        code, _, rest = name[len("attribute[") :].partition("]")
        if not name.startswith("attribute[") or "]" not in name or rest not in ("", "[]"):
            others[name] = ", ".join(v.strip() for v in values)
        elif rest == "[]" or len(values) > 1:
            answers[code] = [v.strip() for v in values if v.strip()]
        else:
            answers[code] = values[0]
    return answers, others


def _client_fields(others: dict[str, str]) -> dict[str, str] | None:
    kept = {k: v for k, v in others.items() if v}
    if len(kept) > MAX_CLIENT_FIELDS:
        raise InvalidInput(f"at most {MAX_CLIENT_FIELDS} fields beyond the standard's")
    long = next((k for k, v in kept.items() if len(v) > MAX_CLIENT_VALUE), None)
    if long:
        raise InvalidInput(f"{long} is longer than {MAX_CLIENT_VALUE} characters")
    return kept or None


def _coordinate(form: dict[str, list[str]], name: str) -> float | None:
    value = single(form, name)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a decimal number") from None
    if not math.isfinite(number):
        raise InvalidInput(f"{name} must be a decimal number")
    return number


def _location(form: dict[str, list[str]], regency: Regency) -> tuple[float, float, str | None]:
    """lat+long, or an address that names one of the regency's kecamatan (its
    centre is used: there is no geocoder on a locked-down network)."""
    lat, lon = _coordinate(form, "lat"), _coordinate(form, "long")
    if (lat is None) != (lon is None):
        raise InvalidInput("send lat and long together")
    if lat is not None and lon is not None:
        return lat, lon, None
    address = (single(form, "address_string") or "").lower()
    if address:
        for district in regency.districts:
            if district.name.lower() in address:
                return district.lat, district.lon, district.code
        raise InvalidInput(
            "address_string names no kecamatan of "
            f"{regency.regency} ({', '.join(d.name for d in regency.districts)}); "
            "send lat and long instead"
        )
    raise InvalidInput("a location is required: lat and long, or address_string")


def _client_report_id(key_id: str, form: dict[str, list[str]], secret: bytes) -> uuid.UUID:
    """Open311 has no idempotency key: a resent form (a flaky network's retry)
    is recognised by its content, per API key, and returns the same request. The
    id is the reporter token's seed, so it is keyed with a server-side secret:
    whoever reads the request back cannot recompute it."""
    canonical = sorted((k, v) for k, vs in form.items() if k != "api_key" for v in vs)
    digest = hmac.new(secret, repr((key_id, canonical)).encode(), sha256).digest()
    return uuid.UUID(bytes=digest[:16], version=4)


def digest(key_id: str, form: dict[str, list[str]]) -> str:
    """A resent form's fingerprint, per API key (for a comment without an update_id)."""
    canonical = sorted((k, v) for k, vs in form.items() if k != "api_key" for v in vs)
    return sha256(repr((key_id, canonical)).encode()).hexdigest()[:32]


def _problems(exc: ValidationError) -> str:
    first = exc.errors(include_url=False, include_input=False)[0]
    field = ".".join(str(p) for p in first["loc"])
    return f"{field}: {first['msg']}"


@dataclass(frozen=True)
class Filed:
    """A form as Kawal files it: the report, the client's own fields (kept for
    staff), and the photos it links to (fetched into the photo pipeline)."""

    report: ReportIn
    client_fields: dict[str, str] | None
    media_urls: list[str]


def report_in(
    form: dict[str, list[str]],
    key_id: str,
    catalogue: Catalogue,
    regency: Regency,
    secret: bytes,
) -> Filed:
    """The form as the same ``ReportIn`` the app sends (then the same pipeline)."""
    label = label_or_404(catalogue, single(form, "service_code"))
    given, others = _answers(form)
    known = {a.code for a in label.attributes}
    answers = {k: v for k, v in given.items() if k in known}
    for code in sorted(set(given) - known):  # a client's own question: kept, not judged
        value = given[code]
        others[f"attribute[{code}]"] = ", ".join(value) if isinstance(value, list) else value
    for field in ("device_id", "account_id", "address_id"):  # the standard's, unused here
        others[field] = ", ".join(v.strip() for v in form.get(field, []))
    urls = [u.strip() for u in form.get("media_url", []) if u.strip()]
    links = [u for u in urls if _LINK.fullmatch(u)]
    for n, url in enumerate(u for u in urls if u not in links[:1]):
        others[f"media_url[{n + 2}]"] = url  # kept for staff; the first link is the photo
    lat, lon, district = _location(form, regency)
    description = single(form, "description")
    if description:  # FixMyStreet and browsers send CRLF: keep plain newlines
        description = plain_newlines(description)
    if description and len(description) > 4000:
        raise InvalidInput("description is at most 4,000 characters")
    first, last = single(form, "first_name"), single(form, "last_name")
    name = " ".join(p for p in (first, last) if p) or None
    phone, email = single(form, "phone"), single(form, "email")
    try:
        contact = (
            ContactIn(name=name, phone=phone, email=email) if (name or phone or email) else None
        )
        report = ReportIn(
            client_report_id=_client_report_id(key_id, form, secret),
            label=label.code,
            lat=lat,
            lon=lon,
            description=description,
            address=single(form, "address_string"),
            district=district,
            contact=contact,
            attributes=answers or None,
            media_url=links[0] if links else None,
        )
    except ValidationError as exc:
        raise InvalidInput(_problems(exc)) from None
    fetchable = [u for u in links if u.lower().startswith("https://")]
    return Filed(report, _client_fields(others), fetchable[:MAX_CITIZEN_PHOTOS])
