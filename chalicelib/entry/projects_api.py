"""Public works over HTTP: importing a year's projects (CSV), an OPD's weekly progress."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.domain.errors import InvalidInput, PayloadTooLarge
from chalicelib.domain.projects import Progress, ProgressIn
from chalicelib.entry.authn import principal, staff
from chalicelib.entry.http import json_response, parse_body, raw_body, route

bp = Blueprint(__name__)
MAX_CSV_BYTES = 1024 * 1024  # 100 rows with long road lines fit many times over
IMPORTED = {
    "type": "object",
    "properties": {
        "created": {"type": "array", "items": {"type": "string"}},
        "unchanged": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["created", "unchanged"],
}


@route(
    bp,
    "/projects/import",
    methods=["POST"],
    authorizer=staff,
    content_types=["text/csv"],
    doc={"body": {"text/csv": {"type": "string"}}, "returns": {200: IMPORTED}, "errors": (409,)},
)
def import_projects():
    """Import a year's projects from an OPD's CSV export (all rows or none)."""
    raw = raw_body(bp.current_request)
    if len(raw) > MAX_CSV_BYTES:
        raise PayloadTooLarge(f"a CSV file is at most {MAX_CSV_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(
            "the CSV is not UTF-8; save it as 'CSV UTF-8'",
            [{"field": "(body)", "issue_id": "simpan sebagai CSV UTF-8", "issue": "not UTF-8"}],
            code="csv_invalid",
        ) from None
    done = bootstrap.project_import().import_csv(text, principal(bp.current_request))
    return json_response({"created": done.created, "unchanged": done.unchanged})


@route(
    bp,
    "/projects/{project_id}/progress",
    methods=["POST"],
    authorizer=staff,
    doc={"body": ProgressIn, "returns": {201: Progress, 200: Progress}, "errors": (409,)},
)
def file_progress(project_id: str):
    """An OPD files a week's progress on its own project (physical %, Rupiah paid)."""
    report = parse_body(bp.current_request, ProgressIn)
    who = principal(bp.current_request)
    stored, new = bootstrap.project_progress().file(project_id, report, who)
    return json_response(stored.model_dump(mode="json"), 201 if new else 200)
