"""Web push for the apps: the VAPID public key, and a phone's push subscription for
its squad (a member's) or for its own reports (a citizen's registered phone)."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.adapters import webpush
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import PushKey, PushSubscribed, PushSubscriptionIn
from chalicelib.domain.principals import Forbidden
from chalicelib.entry import devices_api
from chalicelib.entry.authn import principal, staff
from chalicelib.entry.http import json_response, parse_body, route
from chalicelib.services.reports import utc_now

bp = Blueprint(__name__)
SUBSCRIBE = {"body": PushSubscriptionIn, "returns": {201: PushSubscribed, 200: PushSubscribed}}


@route(bp, "/push/key", methods=["GET"], doc={"returns": {200: PushKey}})
def push_key():
    """The applicationServerKey to subscribe with (VAPID, P-256, base64url)."""
    return json_response(PushKey(public_key=webpush.public_key()))


def _subscription() -> dict:
    data = parse_body(bp.current_request, PushSubscriptionIn)
    if not webpush.acceptable_endpoint(data.endpoint):
        raise InvalidInput(
            "the endpoint is not a known browser push service", [{"field": "endpoint"}],
            code="unknown_push_service",
        )  # fmt: skip
    return data.model_dump()


def _added(owner: str, who: str, subscription: dict):
    created = bootstrap.report_store().add_push(owner, who, subscription, utc_now())
    return json_response(PushSubscribed(created=created), 201 if created else 200)


@route(bp, "/push/subscriptions", methods=["POST"], doc={**SUBSCRIBE, "auth": ("device",)})
def subscribe_device():
    """A citizen's registered phone is told of its reports' progress by push."""
    store = bootstrap.report_store()
    device = devices_api.device_hash(bp.current_request, store, required=True)
    return _added(f"device#{device}", "", _subscription())


@route(
    bp,
    "/staff/push/subscriptions",
    methods=["POST"],
    authorizer=staff,
    doc={**SUBSCRIBE, "errors": (403,)},
)
def subscribe_member():
    """A squad member's phone hears of its squad's reports by push (SMS stays for
    what is urgent)."""
    who = principal(bp.current_request)
    if who.push_owner is None:  # it would be kept and never used: say so instead
        raise Forbidden(
            "this account is sent no report notifications, so no phone of it is subscribed",
            code="no_push_for_role",
        )
    return _added(who.push_owner, who.id, _subscription())
