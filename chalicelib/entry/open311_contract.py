"""The contract of the Open311 paths: the documents' own shapes are the standard's
(tests check them against its JSON Schemas); here, what format and which errors."""

from __future__ import annotations

from typing import Any

from chalicelib.entry.contract import q

DOCUMENT = {"application/json": {"type": ["array", "object"]}, "text/xml": {"type": "string"}}
ERRORS = {
    "application/json": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["code", "description"],
            "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        },
    },
    "text/xml": {"type": "string"},
}


def _form(required: list[str], names: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": required,
        "properties": {name: {"type": "string"} for name in names.split()},
    }


# a service request, form-encoded
FORM = _form(
    ["api_key", "service_code"],
    "api_key jurisdiction_id service_code lat long address_string address_id email device_id"
    " account_id first_name last_name phone description media_url",
)
# mySociety's servicerequestupdates POST (a comment from FixMyStreet)
UPDATE_FORM = _form(
    ["api_key", "service_request_id"],
    "api_key jurisdiction_id service_request_id update_id status updated_datetime description"
    " first_name last_name email phone media_url",
)


def open311_doc(*query: Any) -> dict[str, Any]:
    locale = q("locale", "en for English (Bahasa Indonesia by default)")
    jurisdiction = q("jurisdiction_id", "this server's jurisdiction (optional)")
    return {
        "returns": {200: DOCUMENT},
        "query": (*query, locale, jurisdiction),
        "error_model": ERRORS,
        "errors": (403,),
    }
