"""Staff HTTP API about squads: who is subscribed to a squad's notifications, and
which desks get its morning digest."""

from __future__ import annotations

import re
from urllib.parse import unquote

from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.adapters import notify
from chalicelib.domain import geo
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.models import (
    DigestIn,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionRemoved,
)
from chalicelib.domain.principals import Forbidden, Principal
from chalicelib.entry.authn import principal, staff
from chalicelib.entry.http import json_response, parse_body, route
from chalicelib.routing import SQUAD_CODES
from chalicelib.services.reports import utc_now

bp = Blueprint(__name__)
_SUBSCRIPTION_ID = re.compile(r"^[0-9a-f-]{36}$")
EMAILS = {"type": "array", "items": {"type": "string", "format": "email"}}  # the desks


def _squad_for_subscriptions(squad: str, who: Principal) -> str:
    # The shadow squad is absent, not forbidden, for everyone but the command centre.
    if squad not in SQUAD_CODES or (squad == "shadow" and who.role != "command"):
        raise NotFound(f"no squad {squad!r}", code="squad_not_found")
    if not who.can_manage_subscriptions(squad):
        raise Forbidden("only the command centre and operators manage subscriptions")
    return squad


@route(
    bp,
    "/squads/{squad}/subscriptions",
    methods=["GET"],
    authorizer=staff,
    doc={"returns": {200: [SubscriptionOut]}},
)
def list_subscriptions(squad: str):
    squad = _squad_for_subscriptions(squad, principal(bp.current_request))
    subs = [SubscriptionOut(**s) for s in notify.list_subscriptions(squad)]
    return json_response(subs)


@route(
    bp,
    "/squads/{squad}/subscriptions",
    methods=["POST"],
    authorizer=staff,
    doc={"body": SubscriptionIn, "returns": {201: SubscriptionOut}},
)
def add_subscription(squad: str):
    squad = _squad_for_subscriptions(squad, principal(bp.current_request))
    data = parse_body(bp.current_request, SubscriptionIn)
    regency = geo.load_regency()
    unknown = [d for d in data.districts or [] if regency.district(d) is None]
    if unknown:
        raise InvalidInput(
            f"unknown districts: {', '.join(unknown)}",
            [{"field": "districts", "allowed": [d.code for d in regency.districts]}],
            code="unknown_district",
        )
    sub_id = notify.subscribe(squad, data.protocol, data.endpoint, data.districts, data.urgent_only)
    body = SubscriptionOut(
        id=sub_id,
        protocol=data.protocol,
        endpoint=data.endpoint,
        districts=data.districts,
        pending_confirmation=data.protocol == "email",  # SNS mails a confirmation link
    )
    return json_response(body, 201)


@route(
    bp,
    "/squads/{squad}/subscriptions/{subscription_id}",
    methods=["DELETE"],
    authorizer=staff,
    doc={"returns": {200: SubscriptionRemoved}},
)
def remove_subscription(squad: str, subscription_id: str):
    squad = _squad_for_subscriptions(squad, principal(bp.current_request))
    if not _SUBSCRIPTION_ID.match(subscription_id) or not notify.unsubscribe(
        squad, subscription_id
    ):
        raise NotFound("no such subscription on this squad", code="subscription_not_found")
    return json_response(SubscriptionRemoved(removed=subscription_id))


@route(bp, "/squads/{squad}/digests", methods=["GET"], authorizer=staff,
       doc={"returns": {200: EMAILS}})  # fmt: skip
def list_digests(squad: str):
    """The desks' emails that get the squad's morning digest (06.00 WIB): what is open,
    urgent and overdue first."""
    squad = _squad_for_subscriptions(squad, principal(bp.current_request))
    return json_response(bootstrap.report_store().digest_emails(squad))


@route(bp, "/squads/{squad}/digests", methods=["POST"], authorizer=staff,
       doc={"body": DigestIn, "returns": {201: EMAILS}})  # fmt: skip
def add_digest(squad: str):
    """One more desk gets the morning digest; the list comes back."""
    squad = _squad_for_subscriptions(squad, principal(bp.current_request))
    data = parse_body(bp.current_request, DigestIn)
    store = bootstrap.report_store()
    store.add_digest(squad, data.email, utc_now())
    return json_response(store.digest_emails(squad), 201)


@route(bp, "/squads/{squad}/digests/{email}", methods=["DELETE"], authorizer=staff,
       doc={"returns": {200: EMAILS}})  # fmt: skip
def remove_digest(squad: str, email: str):
    """No more digests to this desk."""
    squad = _squad_for_subscriptions(squad, principal(bp.current_request))
    store = bootstrap.report_store()
    if not store.remove_digest(squad, unquote(email)):
        raise NotFound("no such digest email", code="digest_not_found")
    return json_response(store.digest_emails(squad))
