"""A citizen's phone: registered once, its token gathers every report it files."""

from __future__ import annotations

from typing import Any, Literal, overload

from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.domain import identifiers
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import DeviceRegistered, Page, ReportSummary
from chalicelib.entry.contract import q
from chalicelib.entry.http import json_response, query, route
from chalicelib.routing import load_catalogue
from chalicelib.services import reports
from chalicelib.storage import ReportStore

bp = Blueprint(__name__)


@overload
def device_hash(request: Any, store: ReportStore, *, required: Literal[True]) -> str: ...
@overload
def device_hash(request: Any, store: ReportStore, *, required: bool) -> str | None: ...
def device_hash(request: Any, store: ReportStore, *, required: bool) -> str | None:
    """The registered phone behind ``X-Device-Token``, as the hash it is stored by."""
    token = request.headers.get("x-device-token")
    if not token:
        if required:
            raise InvalidInput("send the X-Device-Token from POST /devices", code="device_required")
        return None
    device_hash = identifiers.hash_secret(token)
    if not store.device_exists(device_hash):
        raise InvalidInput(
            "unknown device token; register with POST /devices", code="unknown_device"
        )
    return device_hash


@route(bp, "/devices", methods=["POST"], doc={"returns": {201: DeviceRegistered}})
def register_device():
    """Register a phone once: its token then gathers every report it files ("my
    reports"), whatever each report's own reporter token. Stored only as a hash."""
    import secrets

    token = secrets.token_urlsafe(32)
    bootstrap.report_store().register_device(identifiers.hash_secret(token), reports.utc_now())
    return json_response(DeviceRegistered(device_token=token), 201)


@route(
    bp,
    "/devices/reports",
    methods=["GET"],
    doc={
        "returns": {200: Page[ReportSummary]},
        "auth": ("device",),
        "query": (q("cursor", "next_cursor of the previous page"),),
    },
)
def my_reports():
    """The reports this phone filed, newest first (every one of them: they are its own)."""
    from chalicelib.entry import views

    store = bootstrap.report_store()
    listing = store.device_reports(device_hash(bp.current_request, store, required=True))
    cursor = query(bp.current_request).get("cursor")
    mine, cursor = views.page_of(store, listing, cursor, newest_first=True)
    catalogue = load_catalogue()
    found = [reports.to_summary(r, catalogue) for r in mine]
    return json_response(Page[ReportSummary](items=found, next_cursor=cursor))
