"""Open311 GeoReport v2, the civic standard, mapped onto Kawal. Pure: no boto3,
no Chalice; the entry module (``open311_api``) feeds it requests and stores.

Labels are services (group: the squad; covert labels under the same neutral
"Regent's Command Centre" the app shows), reports are service requests under
their short code (``TRG-7K3F9Q``), our seven statuses fold into open/closed with
the detail in ``status_notes``. Bahasa Indonesia first; ``locale=en`` for English.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain import workdays
from chalicelib.domain.errors import NotFound
from chalicelib.domain.geo import Regency
from chalicelib.domain.lifecycle import OPEN
from chalicelib.domain.models import STATUSES, ListedReport, Report, TimelineEntry
from chalicelib.domain.principals import Forbidden as Forbidden  # an api_key refused: 403
from chalicelib.domain.sms_text import WIB
from chalicelib.routing import Catalogue, Label

Shown = Report | ListedReport  # a whole report, or what a list reads of one

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ("json", "xml")
WINDOW = timedelta(days=90)  # the standard's default and largest date range
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 100, 1000
MAX_FORM_BYTES = 64 * 1024
# FixMyStreet asks after every open request it sent in one GET; API Gateway's
# 10 KB request line holds ~800 short codes, so this bound is never the client's.
MAX_IDS = 1000
# servicerequestupdates and updated_after/before read the hourly activity index:
# one Query per hour, so servicerequestupdates (a keyed client) may ask a week
# (FixMyStreet asks for 2 hours), an anonymous updated_after/before a day.
UPDATES_WINDOW = timedelta(days=7)
CHANGED_WINDOW = timedelta(days=1)
# The work one anonymous list may cause (README, Open311): pages reach at most this
# many requests deep (narrow the dates to go further back), a list of the window
# reads at most LIST_QUERIES Queries of 100 index items, and updated_after/before
# reads at most MAX_LISTED changed requests (100 to a BatchGetItem).
MAX_LISTED = 2000
LIST_QUERIES = 40
# Open311's "open" is everything before the squad's fix; "closed" is fixed,
# closed, rejected or merged into another request.
_CLOSED = frozenset(STATUSES) - OPEN


def localised(locale: str | None) -> str:
    return "en" if (locale or "").lower().startswith("en") else "id"


def split_document(name: str) -> tuple[str, str]:
    """``requests.json`` -> ("requests", "json"); unknown formats are 404s."""
    stem, dot, fmt = name.rpartition(".")
    if not dot or fmt not in FORMATS or not stem:
        raise NotFound(f"no such document {name!r}; use .json or .xml")
    return stem, fmt


def w3c(at: datetime) -> str:
    """Times in the regency's own zone (WIB), as W3C date-times with the offset."""
    return at.astimezone(WIB).isoformat(timespec="seconds")


# -- discovery and services ------------------------------------------------------


def _agency(catalogue: Catalogue, report: Shown, lang: str) -> str:
    """Who handles a request, by name (a label gone from the catalogue: its squad's,
    never the covert one's)."""
    return catalogue.report_handler(report.label, report.squad)[f"name_{lang}"]


_NOTES = {
    "id": {
        "submitted": "Laporan diterima, menunggu tanggapan {squad}.",
        "accepted": "Diterima oleh {squad}.",
        "in_progress": "Sedang ditangani {squad}.",
        "reopened": "Dibuka kembali: menurut pelapor belum selesai.",
        "resolved": "Selesai dikerjakan {squad}; menunggu konfirmasi pelapor.",
        "closed": "Selesai.",
        "rejected": "Ditolak: {reason}",
        "awaiting_info": "{squad} menunggu keterangan dari pelapor.",
        "withdrawn": "Ditarik oleh pelapor.",
        "forwarded": "Diteruskan ke instansi yang berwenang; dipantau {squad}.",
        "merged": "Digabung dengan laporan {other} (masalah yang sama).",
    },
    "en": {
        "submitted": "Received, awaiting a response from {squad}.",
        "accepted": "Accepted by {squad}.",
        "in_progress": "In progress with {squad}.",
        "reopened": "Reopened: the reporter says it is not fixed.",
        "resolved": "Fixed by {squad}; awaiting the reporter's confirmation.",
        "closed": "Done.",
        "rejected": "Rejected: {reason}",
        "awaiting_info": "{squad} awaits more information from the reporter.",
        "withdrawn": "Withdrawn by the reporter.",
        "forwarded": "Forwarded to the responsible body; {squad} keeps track.",
        "merged": "Merged into request {other} (the same problem).",
    },
}


def status_of(report: Shown) -> str:
    return "closed" if report.status in _CLOSED or report.merged_into else "open"


# Why a report was rejected, in words a reader understands (not the code).
REJECTION_WORDS = {
    "id": {
        "duplicate": "laporan ganda",
        "not_a_problem": "bukan masalah yang perlu ditangani",
        "outside_regency": "di luar wilayah Kabupaten Trenggalek",
        "other_authority": "bukan kewenangan Pemerintah Kabupaten; diteruskan ke instansi terkait",
    },
    "en": {
        "duplicate": "a duplicate report",
        "not_a_problem": "not a problem to act on",
        "outside_regency": "outside Trenggalek Regency",
        "other_authority": "not the regency's responsibility; for another authority",
    },
}


def status_notes(report: Shown, squad: str, lang: str, merged_code: str | None = None) -> str:
    merged = (merged_code or report.merged_into) if report.merged_into else None
    return step_words(report.status, report.rejection_reason, squad, lang, merged)


def step_words(
    status: str, reason: str | None, squad: str, lang: str, merged_code: str | None = None
) -> str:
    """A status (and why, for a rejection) in words a reader understands."""
    notes = _NOTES[lang]
    if merged_code:
        return notes["merged"].format(other=merged_code)
    words = REJECTION_WORDS[lang].get(reason or "", "-")
    return notes[status].format(squad=squad, reason=words)


# mySociety's extended statuses (FixMyStreet's ``extended_statuses``), by Kawal's
# status (and rejection reason): a claim is "in progress", a rejection "not our
# responsibility" or "no further action", never "fixed". A reopened report is
# OPEN: FixMyStreet maps it to "confirmed" (its REOPEN is not a state it keeps).
EXTENDED = {
    "submitted": "OPEN",
    "accepted": "IN_PROGRESS",
    "in_progress": "IN_PROGRESS",
    "reopened": "OPEN",
    "resolved": "FIXED",
    "closed": "FIXED",
    # asked the reporter: still being looked into (FixMyStreet's "investigating")
    "awaiting_info": "INVESTIGATING",
    "withdrawn": "CLOSED",
    # another body's to fix (PLN, PDAM…); Kawal keeps track of it
    "forwarded": "NOT_COUNCILS_RESPONSIBILITY",
}
EXTENDED_REJECTED = {
    "duplicate": "DUPLICATE",
    "other_authority": "NOT_COUNCILS_RESPONSIBILITY",
    "outside_regency": "NOT_COUNCILS_RESPONSIBILITY",
    "not_a_problem": "NO_FURTHER_ACTION",
}


def extended_status(status: str, reason: str | None = None) -> str:
    if status == "rejected":
        return EXTENDED_REJECTED.get(reason or "", "CLOSED")
    return EXTENDED[status]


def external_status_code(status: str, reason: str | None = None) -> str:
    """Kawal's own status, for clients that show the council's detail."""
    return f"{status}:{reason}" if status == "rejected" and reason else status


def title(report: Shown, label: Label | None, district_name: str | None, lang: str) -> str:
    """A short title (FixMyStreet would otherwise say "Jalan rusak problem")."""
    name = (label.name_en if lang == "en" else label.name_id) if label else report.label
    where = f"Kec. {district_name}" if district_name else None
    if where:
        return f"{name} in {where}" if lang == "en" else f"{name} di {where}"
    return name


def service_request(
    report: Shown,
    catalogue: Catalogue,
    regency: Regency,
    *,
    lang: str,
    base_url: str,
    merged_code: str | None = None,
) -> dict[str, Any]:
    label = catalogue.label(report.label)
    squad = _agency(catalogue, report, lang)
    district = regency.district(report.district) if report.district else None
    where = [report.address, f"Kec. {district.name}" if district else None, regency.regency]
    return {
        "service_request_id": report.code,
        "title": title(report, label, district.name if district else None, lang),
        "status": status_of(report),
        "status_notes": status_notes(report, squad, lang, merged_code),
        "external_status_code": external_status_code(report.status, report.rejection_reason),
        "service_name": (label.name_en if lang == "en" else label.name_id) if label else None,
        "service_code": report.label,
        "description": report.description,
        "agency_responsible": squad,
        "service_notice": None,
        "requested_datetime": w3c(report.created_at),
        "updated_datetime": w3c(report.updated_at),
        "expected_datetime": w3c(report.sla_due_at),
        "address": ", ".join(p for p in where if p),
        "address_id": None,
        "zipcode": None,
        "lat": report.lat,
        "long": report.lon,
        # a stable link that forwards to a fresh presigned URL of the display size
        "media_url": f"{base_url}/reports/{report.code}/photo" if report.citizen_photos else None,
    }


COMMENT_WORDS = {"id": "Tanggapan pelapor: {note}", "en": "The reporter adds: {note}"}


def update_id(code: str, entry_key: str) -> str:
    """A timeline entry's stable id: the request's code and the entry's number."""
    return f"{code}-{entry_key.rsplit('#', 1)[-1]}"


def is_public_step(entry: TimelineEntry) -> bool:
    """What a client is told of: every status change and comment, not staff matters
    (an overdue report's escalation, a reminder, a reassignment, a priority), not a
    question asked the reporter alone (nor its answer), not a rating (Open311 has none)."""
    from chalicelib.domain.lifecycle import INTERNAL_ACTIONS

    return (
        entry.action not in INTERNAL_ACTIONS
        and entry.action != "rate"
        and entry.public
        and entry.key is not None
    )


def request_update(
    report: Report,
    entry: TimelineEntry,
    catalogue: Catalogue,
    *,
    lang: str,
    base_url: str,
    merged_code: str | None = None,
) -> dict[str, Any]:
    """One ``<request_update>`` of mySociety's servicerequestupdates extension."""
    squad = _agency(catalogue, report, lang)
    if entry.action == "comment":
        description = COMMENT_WORDS[lang].format(note=entry.note or "")
    else:
        merged = merged_code if entry.action == "reject" and report.merged_into else None
        description = step_words(entry.to_status, entry.reason, squad, lang, merged)
        if entry.note and not merged:
            description += f" {entry.note}"
    photo = entry.photo_id and f"{base_url}/reports/{report.code}/photo?id={entry.photo_id}"
    return {
        "update_id": update_id(report.code, entry.key or ""),
        "service_request_id": report.code,
        "status": extended_status(entry.to_status, entry.reason),
        "updated_datetime": w3c(entry.at),
        "description": description,
        "media_url": photo,
        "external_status_code": external_status_code(entry.to_status, entry.reason),
    }


def created(report: Report, catalogue: Catalogue, lang: str) -> dict[str, Any]:
    """POST's answer: the id at once (and the token, for clients that poll by it)."""
    label = catalogue.label(report.label)
    squad = _agency(catalogue, report, lang)
    if lang == "en":
        notice = (
            f"Report {report.code} sent to {squad}; "
            f"expect a response within {workdays.target_words(label, 'en')}."
        )
    else:
        notice = (
            f"Laporan {report.code} diteruskan ke {squad}; "
            f"ditanggapi dalam {workdays.target_words(label, 'id')}."
        )
    return {
        "service_request_id": report.code,
        "token": report.id,
        "service_notice": notice,
        "account_id": None,
    }
