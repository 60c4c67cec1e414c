"""Personal data over HTTP (UU PDP): the privacy notice with the register of
processing, and a person's own data: see it, correct it, erase it, proving who
they are with their report's token or their phone's device token."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import bootstrap, config
from chalicelib.domain import datafile
from chalicelib.domain.models import (
    ContactIn,
    Erased,
    HeldData,
    PrivacyNotice,
    PrivacyRequest,
)
from chalicelib.domain.principals import Forbidden
from chalicelib.entry.authn import principal, staff
from chalicelib.entry.contract import q
from chalicelib.entry.http import json_response, parse_body, query, route
from chalicelib.entry.views import month
from chalicelib.services import privacy, reports

bp = Blueprint(__name__)
SUBJECT = {
    "auth": ("reporter", "device"),
    "query": (q("report", "the report's code, with X-Reporter-Token"),),
}
RIGHTS_ID = [
    "Melihat data pribadi Anda yang kami simpan: GET /privacy/my-data.",
    "Membetulkan kontak Anda: PATCH /privacy/my-data.",
    "Menghapus kontak Anda dan tanda HP Anda (laporan tetap ada, tanpa identitas): "
    "DELETE /privacy/my-data.",
    "Setiap permintaan dijalankan seketika (paling lambat 3×24 jam) dan dicatat tanpa isi datanya.",
]
RIGHTS_EN = [
    "See the personal data we hold about you: GET /privacy/my-data.",
    "Correct your contact: PATCH /privacy/my-data.",
    "Erase your contact and your phone's code (the report stays, anonymised): "
    "DELETE /privacy/my-data.",
    "Each request is carried out at once (within 3×24 hours at most) and logged without its data.",
]


def _as_read(data: dict) -> dict:
    return data


def _notice(data: dict) -> PrivacyNotice:
    days = config.contact_retention_days()
    register = [
        {**p, "retention_days": days if p["retention_days"] == "contact" else p["retention_days"]}
        for p in data["register"]
    ]
    return PrivacyNotice.model_validate(
        {
            "controller": data["controller"],
            "request_deadline_hours": data["request_deadline_hours"],
            "processing": register,
            "rights_id": RIGHTS_ID,
            "rights_en": RIGHTS_EN,
            "page": "lapor/privasi.html",
        }
    )


@route(bp, "/privacy", methods=["GET"], doc={"returns": {200: PrivacyNotice}})
def notice():
    """What Kawal holds about people, why, who sees it and how long; and your rights."""
    data = datafile.load(config.DATA_DIR / "processing.json", _as_read)
    return json_response(_notice(data))


def _subject():
    from chalicelib.adapters import covert

    request = bp.current_request
    token = request.headers.get("x-reporter-token")

    def who():
        return privacy.subject(
            bootstrap.report_store(),
            report_ref=query(request).get("report"),
            reporter_token=token,
            device_token=request.headers.get("x-device-token"),
        )

    found = who()
    if token and found.via == "report_token" and found.reports[0].covert:
        # their own covert report (UU PDP): read again, opened by the vault, which
        # checks their token itself; only once the token is known to be theirs, so a
        # stranger's guess costs what it costs on a public code
        covert.clear(covert.Reporter(token))
        found = who()
    return found


@route(bp, "/privacy/my-data", methods=["GET"], doc={**SUBJECT, "returns": {200: HeldData}})
def my_data():
    """Everything Kawal holds about you: your reports as you sent them, your contact."""
    store = bootstrap.report_store()
    return json_response(HeldData(**privacy.access(store, _subject(), reports.utc_now)))


@route(
    bp,
    "/privacy/my-data",
    methods=["PATCH"],
    doc={**SUBJECT, "body": ContactIn, "returns": {200: HeldData}},
)
def correct_my_data():
    """Correct your contact (a field sent as null is removed) on each of your reports."""
    data = parse_body(bp.current_request, ContactIn)
    changes = data.model_dump(exclude_unset=True)
    store = bootstrap.report_store()
    return json_response(HeldData(**privacy.correct(store, _subject(), changes, reports.utc_now)))


@route(bp, "/privacy/my-data", methods=["DELETE"], doc={**SUBJECT, "returns": {200: Erased}})
def erase_my_data():
    """Erase your contact from your reports and forget your phone; the reports stay,
    without anything that names you."""
    store = bootstrap.report_store()
    return json_response(Erased(**privacy.erase(store, _subject(), reports.utc_now)))


@route(
    bp,
    "/command/privacy-requests",
    methods=["GET"],
    authorizer=staff,
    doc={
        "returns": {200: [PrivacyRequest]},
        "query": (q("month", "YYYY-MM (default: this month)", pattern=r"^\d{4}-\d{2}$"),),
    },
)
def privacy_requests():
    """The month's data-subject requests, for the regency's data-protection officer."""
    who = principal(bp.current_request)
    if who.role != "command":
        raise Forbidden("the audit of privacy requests is the command centre's")
    wanted = month(query(bp.current_request).get("month"), reports.utc_now())
    found = bootstrap.report_store().privacy_requests(wanted)
    return json_response([PrivacyRequest(**r) for r in found])
