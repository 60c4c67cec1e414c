"""The published contract over HTTP: OpenAPI 3.1.

``GET /openapi.json`` is public and lists only what anyone may call, in words that
name nothing staff-only or covert; the full contract is the command centre's."""

from __future__ import annotations

import functools

from chalice import Blueprint

from chalicelib.domain.principals import Forbidden
from chalicelib.entry import contract
from chalicelib.entry.authn import principal, staff
from chalicelib.entry.http import json_response, route

bp = Blueprint(__name__)


@functools.cache
def _document(full: bool) -> dict:
    return contract.document(full=full)  # routes are all registered by the time anyone asks


@route(bp, "/openapi.json", methods=["GET"], doc={"returns": {200: {"type": "object"}}})
def openapi():
    """This API's public contract (OpenAPI 3.1), generated from the handlers' models."""
    return json_response(_document(False), headers={"Cache-Control": "public, max-age=300"})


@route(
    bp,
    "/command/openapi.json",
    methods=["GET"],
    authorizer=staff,
    doc={"returns": {200: {"type": "object"}}},
)
def openapi_full():
    """Every operation, staff ones included: for the command centre."""
    if principal(bp.current_request).role != "command":
        raise Forbidden("for the command centre only")
    return json_response(_document(True), headers={"Cache-Control": "private, no-store"})
