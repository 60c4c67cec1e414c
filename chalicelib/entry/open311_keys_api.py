"""The operator's Open311 API keys: issue (shown once), list, revoke."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.domain.models import ApiKeyIn, ApiKeyIssued, ApiKeyOut
from chalicelib.domain.principals import Forbidden
from chalicelib.entry.authn import principal, staff
from chalicelib.entry.http import json_response, parse_body, route
from chalicelib.services import apikeys, reports

bp = Blueprint(__name__)


def _operator():
    who = principal(bp.current_request)
    if who.role not in ("operator", "command"):
        raise Forbidden("Open311 API keys are managed by operators and the command centre")
    return who


@route(bp, "/open311-keys", methods=["GET"], authorizer=staff, doc={"returns": {200: [ApiKeyOut]}})
def list_keys():
    """Open311 API keys (operators and the command centre)."""
    _operator()
    keys = sorted(bootstrap.api_key_store().all(), key=lambda k: str(k["created_at"]))
    return json_response([ApiKeyOut(**apikeys.public(k)) for k in keys])


@route(
    bp,
    "/open311-keys",
    methods=["POST"],
    authorizer=staff,
    doc={"body": ApiKeyIn, "returns": {201: ApiKeyIssued}},
)
def issue_key():
    """Issue an Open311 API key; it is shown once."""
    who = _operator()
    data = parse_body(bp.current_request, ApiKeyIn)
    key, record = apikeys.issue(bootstrap.api_key_store(), data.name, who.id, reports.utc_now())
    # the key is shown this once; only its hash is stored
    return json_response(ApiKeyIssued(**apikeys.public(record), api_key=key), 201)


@route(
    bp,
    "/open311-keys/{key_id}",
    methods=["DELETE"],
    authorizer=staff,
    doc={"returns": {200: ApiKeyOut}},
)
def revoke_key(key_id: str):
    """Revoke an Open311 API key: it is refused from then on."""
    _operator()
    revoked = apikeys.revoke(bootstrap.api_key_store(), key_id, reports.utc_now())
    return json_response(ApiKeyOut(**apikeys.public(revoked)))
