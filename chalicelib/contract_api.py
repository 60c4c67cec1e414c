"""The published contract over HTTP: OpenAPI 3.1 at ``GET /openapi.json``."""

from __future__ import annotations

import functools

from chalice import Blueprint

from chalicelib import contract
from chalicelib.http import json_response, route

bp = Blueprint(__name__)


@functools.cache
def _document() -> dict:
    return contract.document()  # routes are all registered by the time anyone asks


@route(bp, "/openapi.json", methods=["GET"], doc={"returns": {200: {"type": "object"}}})
def openapi():
    """This API's contract (OpenAPI 3.1), generated from the models the handlers use."""
    return json_response(_document(), headers={"Cache-Control": "public, max-age=300"})
