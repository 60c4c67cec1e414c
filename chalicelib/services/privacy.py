"""A person's rights over their personal data (UU PDP 27/2022, arts. 5-8): to see
what Kawal holds about them, to correct it, and to have it erased. They prove who
they are with what Kawal gave them: a report's token (that report) or the phone's
device token (every report it sent). Each request is acted on at once, well within
the law's 3×24 hours, and audited without the data itself."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.domain import identifiers
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.models import Report

CORRECTABLE = ("name", "phone", "email", "notify")


class Subject:
    """The person behind a request and the reports that are theirs."""

    def __init__(self, via: str, reports: list[Report], device_hash: str | None = None):
        self.via, self.reports, self.device_hash = via, reports, device_hash


def subject(
    store: Any, *, report_ref: str | None, reporter_token: str | None, device_token: str | None
) -> Subject:
    """Who asks, from the token they hold. A code that is unknown, covert or simply not
    theirs answers one and the same 404: no answer tells which it was."""
    from chalicelib.services.reports import resolve_ref

    if device_token:
        device = identifiers.hash_secret(device_token)
        if not store.device_exists(device):
            raise NotFound("unknown device token", code="unknown_device")
        mine, start = [], None
        listing = store.device_reports(device)
        while True:
            items, start = store.read(listing, limit=100, start=start)
            mine += store.reports_from(items)
            if not start:
                return Subject("device_token", mine, device)
    if not report_ref:
        raise InvalidInput(
            "send X-Device-Token, or X-Reporter-Token with ?report=<code>",
            code="subject_required",
        )
    report_id = resolve_ref(report_ref, store)
    loaded = store.load(report_id) if report_id else None
    if loaded is None or not (
        reporter_token and identifiers.token_matches(reporter_token, loaded.report.token_hash)
    ):
        raise NotFound(
            "no report with this code for this X-Reporter-Token", code="report_not_found"
        )
    return Subject("report_token", [loaded.report])


def held(store: Any, who: Subject) -> dict[str, Any]:
    """Everything Kawal holds about this person, as they would read it."""
    out = []
    for report in who.reports:
        contact = store.get_contact(report.id) if report.has_contact else None
        out.append(
            {
                "code": report.code,
                "label": report.label,
                "status": report.status,
                "created_at": report.created_at,
                "location": {"lat": report.lat, "lon": report.lon},
                "address": report.address,
                "description": report.description,
                "photos": report.citizen_photos,
                "contact": {k: contact.get(k) for k in CORRECTABLE} if contact else None,
                "on_this_device": report.device_hash is not None,
            }
        )
    return {"via": who.via, "reports": out, "device_registered": who.device_hash is not None}


def _audit(store: Any, who: Subject, action: str, fields: list[str], now: datetime) -> None:
    store.record_privacy_request(
        {
            "id": uuid.uuid4().hex[:12],
            "action": action,
            "via": who.via,
            "reports": [r.code for r in who.reports],
            "fields": fields,
            "received_at": now,
            "done_at": now,  # done at once: within the law's 3×24 hours
        },
        now,
    )


def access(store: Any, who: Subject, now: Callable[[], datetime]) -> dict[str, Any]:
    found = held(store, who)
    _audit(store, who, "access", [], now())
    return found


def merged_into(store: Any, report: Report) -> list[str]:
    """The reports a merge carried this report's people into (the original, and the
    report it was merged into in turn): where copies of its reporter's contact are."""
    chain: list[str] = []
    at = report.merged_into
    while at and at not in chain and at != report.id:
        chain.append(at)
        loaded = store.load(at)
        at = loaded.report.merged_into if loaded else None
    return chain


def _number_links(store: Any, report: Report, old: str | None, new: str | None) -> None:
    """A report filed by SMS is tied to its number's hash (the number's later words
    answer the squad): it follows the contact's number, and goes with it."""
    from chalicelib.services.sms_inbound import number_key

    if not old or old == new or report.id not in store.reports_of_number(number_key(old)):
        return
    store.unlink_number(number_key(old), report.id)
    if new:
        store.link_number(number_key(new), report.id, report.created_at)


def correct(
    store: Any, who: Subject, changes: dict[str, Any], now: Callable[[], datetime]
) -> dict[str, Any]:
    """Their contact as they say it should be (a report left without one gains it),
    wherever a merge copied it."""
    fields = sorted(k for k in changes if k in CORRECTABLE)
    for report in who.reports:
        current = (store.get_contact(report.id) if report.has_contact else {}) or {}
        merged = {k: current.get(k) for k in CORRECTABLE} | changes
        if report.has_contact or any(merged.get(k) for k in ("phone", "email", "name")):
            store.replace_contact(report.id, merged, merged_into(store, report), report.covert)
            _number_links(store, report, current.get("phone"), merged.get("phone"))
    _audit(store, who, "correct", fields, now())
    return held(store, who)


def erase(store: Any, who: Subject, now: Callable[[], datetime]) -> dict[str, Any]:
    """Their contact gone from every report of theirs and every copy a merge made, the
    number links and the phone forgotten with its push subscriptions; the reports
    stay, anonymised, as the public-service record."""
    for report in who.reports:
        if report.has_contact:
            current = store.get_contact(report.id) or {}
            _number_links(store, report, current.get("phone"), None)
            store.erase_contact(report.id, merged_into(store, report))
    # a report's token unties that report from the phone that sent it (no push for it)
    linked = [r.id for r in who.reports if who.device_hash or r.device_hash]
    if linked or who.device_hash:
        store.forget_device(who.device_hash, linked)
    _audit(store, who, "erase", ["contact", *(["device"] if who.device_hash else [])], now())
    return {"erased": [r.code for r in who.reports], "device_forgotten": bool(who.device_hash)}
