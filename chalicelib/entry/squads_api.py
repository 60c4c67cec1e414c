"""Staff HTTP API about squads: who is subscribed to a squad's notifications."""

from __future__ import annotations

import re

from chalice import Blueprint

from chalicelib.adapters import notify
from chalicelib.domain import geo
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.models import SubscriptionIn, SubscriptionOut, SubscriptionRemoved
from chalicelib.domain.principals import Forbidden, Principal
from chalicelib.entry.authn import principal, staff
from chalicelib.entry.http import json_response, parse_body, route
from chalicelib.routing import SQUAD_CODES

bp = Blueprint(__name__)
_SUBSCRIPTION_ID = re.compile(r"^[0-9a-f-]{36}$")


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
