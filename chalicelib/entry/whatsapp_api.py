"""Meta's webhook for the regency's WhatsApp number: the subscription handshake, and
each delivery checked by its signature before anything is read or stored."""

from __future__ import annotations

import json
import logging

from chalice import Blueprint, Response

from chalicelib import bootstrap
from chalicelib.adapters import whatsapp
from chalicelib.entry.contract import q
from chalicelib.entry.http import json_response, query, raw_body, route

bp = Blueprint(__name__)
log = logging.getLogger("kawal.whatsapp")
HANDSHAKE = (
    q("hub.mode", "subscribe"),
    q("hub.verify_token", "the verify token set in Meta's app dashboard"),
    q("hub.challenge", "echoed back when the token matches"),
)


@route(
    bp,
    "/whatsapp/webhook",
    methods=["GET"],
    doc={
        "query": HANDSHAKE,
        "returns": {200: {"text/plain": {"type": "string"}}},
        "errors": (403,),
    },
)
def whatsapp_handshake():
    """Meta's verification of the webhook: the challenge back when the token matches."""
    params = query(bp.current_request)
    expected = whatsapp.secrets().get("verify_token")
    if (
        params.get("hub.mode") == "subscribe"
        and expected
        and params.get("hub.verify_token") == expected
    ):
        return Response(
            body=params.get("hub.challenge", ""),
            status_code=200,
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
    return json_response({"error": {"code": "forbidden", "message": "wrong verify token"}}, 403)


@route(
    bp,
    "/whatsapp/webhook",
    methods=["POST"],
    doc={"body": {"application/json": {"type": "object"}}, "returns": {200: {"type": "object"}},
         "errors": (401,)},
)  # fmt: skip
def whatsapp_messages():
    """Messages to the regency's WhatsApp number (signed by Meta with the app secret).
    A bad signature is 401 and nothing is read; a malformed body is acknowledged (a
    5xx would only make Meta send it again and again)."""
    request = bp.current_request
    raw = raw_body(request)
    signed = request.headers.get("x-hub-signature-256")
    if not whatsapp.valid_signature(whatsapp.app_secret(), raw, signed):  # none: refused
        return json_response({"error": {"code": "bad_signature", "message": "signature"}}, 401)
    try:
        payload = json.loads(raw)
        if not isinstance(payload, dict):
            raise ValueError("not an object")
    except ValueError as exc:
        log.warning("WhatsApp webhook body ignored: %s", exc)
        return json_response({"handled": 0})
    handled = bootstrap.chat_reports().handle(payload)
    return json_response({"handled": handled})
