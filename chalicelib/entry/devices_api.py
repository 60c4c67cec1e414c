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
def device_hash(
    request: Any, store: ReportStore, *, required: Literal[True], use: bool = ...
) -> str: ...
@overload
def device_hash(
    request: Any, store: ReportStore, *, required: bool, use: bool = ...
) -> str | None: ...
def device_hash(
    request: Any, store: ReportStore, *, required: bool, use: bool = True
) -> str | None:
    """The registered phone behind ``X-Device-Token``, as the hash it is stored by.
    ``use``: the phone files something (after the body was read), so it is kept; a phone
    that never does is forgotten after ``DEVICE_UNUSED_DAYS``."""
    token = request.headers.get("x-device-token")
    if not token:
        if required:
            raise InvalidInput("send the X-Device-Token from POST /devices", code="device_required")
        return None
    device_hash = identifiers.hash_secret(token)
    unused = store.device_unused(device_hash, reports.utc_now())
    if unused is None:
        raise InvalidInput(
            "unknown device token; register with POST /devices", code="unknown_device"
        )
    if unused and use:
        store.use_device(device_hash)
    return device_hash


@route(bp, "/devices", methods=["POST"], doc={"returns": {201: DeviceRegistered}, "errors": (429,)})
def register_device():
    """Register a phone once: its token then gathers every report it files ("my
    reports"), whatever each report's own reporter token. Stored only as a hash;
    counted per network, and forgotten if it files nothing within a week."""
    import secrets

    from chalicelib import config
    from chalicelib.entry.http import source_ip
    from chalicelib.services import quotas

    now = reports.utc_now()
    quotas.take(bootstrap.counters(), quotas.DEVICES_PER_IP, source_ip(bp.current_request), now)
    token = secrets.token_urlsafe(32)
    unused_until = int(now.timestamp()) + config.device_unused_days() * 86400
    bootstrap.report_store().register_device(identifiers.hash_secret(token), now, unused_until)
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
    listing = store.device_reports(device_hash(bp.current_request, store, required=True, use=False))
    cursor = query(bp.current_request).get("cursor")
    mine, cursor = views.page_of(store, listing, cursor, newest_first=True)
    catalogue = load_catalogue()
    found = [reports.to_summary(r, catalogue) for r in mine]
    return json_response(Page[ReportSummary](items=found, next_cursor=cursor))
