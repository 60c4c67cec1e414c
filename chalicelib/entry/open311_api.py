"""Open311 GeoReport v2 over HTTP under ``/open311/v2``, and the operator's
API-key endpoints. Errors here take the standard's shape (``[{code,
description}]``, as JSON or XML by the document's extension), not ours.

API Gateway path parameters are whole segments, so ``services.json`` arrives
as one ``{document}`` and is split here."""

from __future__ import annotations

import json
from typing import Any

from chalice import Blueprint, Response

from chalicelib import bootstrap, config
from chalicelib.adapters import media
from chalicelib.domain import (
    geo,
    identifiers,
    open311,
    open311_forms,
    open311_queries,
    open311_services,
)
from chalicelib.domain.errors import InvalidInput, KawalError, NotFound
from chalicelib.domain.principals import Forbidden
from chalicelib.entry.contract import q
from chalicelib.entry.http import error_shape, query, raw_body, route, source_ip
from chalicelib.entry.open311_contract import DOCUMENT, FORM, UPDATE_FORM, open311_doc
from chalicelib.entry.open311_xml import render
from chalicelib.routing import load_catalogue
from chalicelib.services import apikeys, open311_lists, open311_updates, photos, quotas, reports
from chalicelib.services.limits import counted, submit_counted
from chalicelib.storage import ReportStore

bp = Blueprint(__name__)
PREFIX = "/open311/v2"
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
# Open311 clients are third-party apps and maps: let browsers call us too.
HEADERS = {"Access-Control-Allow-Origin": "*"}


def reply(fmt: str, root: str, value: Any, status: int = 200) -> Response:
    body = render(root, value) if fmt == "xml" else json.dumps(value, ensure_ascii=False)
    return Response(
        body=body, status_code=status, headers={"Content-Type": CONTENT_TYPES[fmt], **HEADERS}
    )


def errors(fmt: str, status: int, message: str, headers: dict | None = None) -> Response:
    response = reply(fmt, "errors", open311_queries.error_list(status, message), status)
    response.headers.update(headers or {})
    return response


def _format_of(request: Any) -> str:
    """The format a failed request asked for, guessed from its path's extension."""
    last = (request.uri_params or {}).get("document", "") if request else ""
    return "xml" if last.endswith(".xml") else "json"


def _standard_error(request: Any, error: KawalError) -> Response:
    return errors(
        _format_of(request), open311_queries.error_status(error), error.message, error.headers
    )


# Every error under /open311/ (ours, Chalice's 405, a crash) takes the standard's shape.
error_shape(PREFIX + "/", _standard_error)


def _check_jurisdiction(value: str | None) -> None:
    if value and value != config.open311_jurisdiction():
        raise InvalidInput(f"unknown jurisdiction_id {value!r}")


def _params() -> dict[str, str]:
    params = query(bp.current_request)
    _check_jurisdiction(params.get("jurisdiction_id"))
    return params


def _client(key: str | None) -> dict[str, Any]:
    record = apikeys.check(bootstrap.api_key_store(), key)
    if record is None:
        raise Forbidden("a valid api_key is required", code="invalid_api_key")
    return record


def _base_url() -> str:
    return config.public_base_url().rstrip("/")


def _render_requests(found: list, lang: str, store: ReportStore) -> list[dict[str, Any]]:
    catalogue, regency = load_catalogue(), geo.load_regency()
    # a merged duplicate names the surviving request by its code
    codes = open311_lists.merged_codes(store, found)
    return [
        open311.service_request(
            report,
            catalogue,
            regency,
            lang=lang,
            base_url=_base_url(),
            merged_code=_merged_code(report, codes),
        )
        for report in found
    ]


def _visible(report_id: str | None, store: ReportStore):
    """A report an Open311 client may see: never a covert one (absent, like a wrong id)."""
    found = store.get_report(report_id) if report_id else None
    if found is None or found[0].covert:
        return None
    return found[0]


@route(
    bp,
    PREFIX + "/{document}",
    methods=["GET"],
    doc=open311_doc(
        q("service_request_id", "comma-separated ids (overrides every other filter)"),
        q("updated_after", "ISO-8601: only requests changed since (a day at most)"),
        q("updated_before", "ISO-8601: only requests changed until"),
        q("api_key", "servicerequestupdates only: the client's key"),
        q("service_code", "comma-separated service codes"),
        q("start_date", "ISO-8601; default 90 days before end_date"),
        q("end_date", "ISO-8601; default now"),
        q("status", "open, closed or both", pattern="^(open|closed)(,(open|closed))?$"),
        q("page", "1, 2, …", pattern=r"^\d{1,4}$"),
        q("page_size", "up to 1000 (default 100)", pattern=r"^\d{1,4}$"),
    ),
)
def read_document(document: str):
    """discovery, services, requests (list) or servicerequestupdates (mySociety's
    extension: each public step of a window), as .json or .xml."""
    stem, fmt = open311.split_document(document)
    params = _params()
    lang = open311.localised(params.get("locale"))
    catalogue = load_catalogue()
    if stem == "discovery":
        body = open311_services.discovery(_base_url() + PREFIX, catalogue, config.open311_contact())
        return reply(fmt, "discovery", body)
    if stem == "services":
        return reply(fmt, "services", open311_services.services(catalogue, lang))
    if stem == "requests":
        return reply(fmt, "service_requests", _list_requests(params, lang))
    if stem == "servicerequestupdates":
        return reply(fmt, "service_requests_updates", _updates(params, lang))
    raise NotFound(f"no such document {stem!r}")


def _merged_code(report, codes: dict[str, str]) -> str | None:
    """The code of the request a merged duplicate went into: written with the merge
    (older merges have only the id: ``codes`` has theirs, read in one batch)."""
    return report.merged_into_code or codes.get(report.merged_into or "")


def _updates(params: dict[str, str], lang: str) -> list[dict[str, Any]]:
    _client(params.get("api_key"))
    start, end = open311_queries.updates_window(params, reports.utc_now())
    store, catalogue = bootstrap.report_store(), load_catalogue()
    steps = open311_updates.between(store, start, end)
    codes = open311_lists.merged_codes(store, [loaded.report for loaded, _ in steps])
    return [
        open311.request_update(
            loaded.report,
            entry,
            catalogue,
            lang=lang,
            base_url=_base_url(),
            merged_code=_merged_code(loaded.report, codes),
        )
        for loaded, entry in steps
    ]


def _list_requests(params: dict[str, str], lang: str) -> list[dict[str, Any]]:
    """Each list within the bound on the work one anonymous request may cause
    (``open311_lists``; README, Open311)."""
    store = bootstrap.report_store()
    if params.get("service_request_id"):  # overrides every other filter, as specified
        ids = open311_queries.requested_ids(params["service_request_id"])
        if params.get("page") or params.get("page_size"):  # all of them unless asked
            page, size = open311_queries.paging(params)
            ids = ids[(page - 1) * size : page * size]
        return _render_requests(open311_lists.by_refs(store, ids), lang, store)
    now = reports.utc_now()
    filters = open311_queries.request_filters(params, load_catalogue())
    page, size = open311_queries.paging(params)
    depth = open311_queries.listing_depth(page, size)
    changed = open311_queries.updated_window(params, now)
    if changed is not None:
        asked = params.get("start_date") or params.get("end_date")
        created = open311_queries.window(params, now) if asked else None
        found = open311_lists.changed(store, changed, filters, created, depth)
    else:
        found = open311_lists.created(store, open311_queries.window(params, now), filters, depth)
    return _render_requests(found[(page - 1) * size : page * size], lang, store)


@route(
    bp,
    PREFIX + "/{document}",
    methods=["POST"],
    content_types=["*/*"],
    doc={
        **open311_doc(),
        "returns": {201: DOCUMENT, 200: DOCUMENT},
        "body": {"application/x-www-form-urlencoded": {"anyOf": [FORM, UPDATE_FORM]}},
        "errors": (403, 429),
    },
)
def post_document(document: str):
    """File a service request at requests.json or requests.xml, or a comment on one
    at servicerequestupdates.json or .xml (mySociety's extension), form-encoded."""
    stem, fmt = open311.split_document(document)
    if stem not in ("requests", "servicerequestupdates"):
        raise NotFound(f"{document} takes no POST; file requests at requests.{fmt}")
    request = bp.current_request
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise InvalidInput("send the request as application/x-www-form-urlencoded")
    form = open311_forms.parse_form(raw_body(request))
    params = {**query(request)}
    record = _client(open311_forms.single(form, "api_key") or params.get("api_key"))
    _check_jurisdiction(open311_forms.single(form, "jurisdiction_id"))
    if stem == "servicerequestupdates":
        return _post_update(form, record, fmt)
    catalogue, regency = load_catalogue(), geo.load_regency()
    from chalicelib.adapters.server_secret import server_key

    secret = server_key("open311-client-report-id")
    filed = open311_forms.report_in(form, record["id"], catalogue, regency, secret)
    subjects = [
        (quotas.OPEN311_PER_KEY, record["id"]),
        (quotas.REPORTS_PER_IP, source_ip(request)),
    ]
    store = bootstrap.report_store()
    stored, created, _token = submit_counted(
        filed.report,
        subjects,
        store=store,
        counters=bootstrap.counters(),
        catalogue=catalogue,
        regency=regency,
        boundaries=geo.load_boundaries(regency),
        source="open311",
        client_key=record["id"],
        client_fields=filed.client_fields,
    )
    if filed.media_urls:  # the client's photo becomes the request's own
        photos.add_linked(
            stored,
            filed.media_urls,
            bootstrap.fetch_linked_photo,
            store=store,
            media=media,
            now=reports.utc_now(),
        )
    lang = open311.localised(params.get("locale"))
    body = [open311.created(stored.report, catalogue, lang)]
    return reply(fmt, "service_requests", body, 201 if created else 200)


def _post_update(form: dict[str, list[str]], record: dict[str, Any], fmt: str) -> Response:
    """A comment from the client's user: the squad is told; a resend (the same
    ``update_id``) answers with the first one's id. Who wrote it (name, email,
    phone) is not kept: a reporter stays unknown to the squad."""
    single = open311_forms.single
    store = bootstrap.report_store()
    ref = single(form, "service_request_id")
    if not ref:
        raise InvalidInput("service_request_id is required")
    note = single(form, "description")
    if note:
        note = open311_forms.plain_newlines(note)
    else:  # FixMyStreet sends state-only updates with no text: keep them, say so
        note = f"(tanpa teks; status {single(form, 'status') or '-'})"
    theirs = single(form, "update_id")
    resend_key = f"{record['id']}#{theirs}" if theirs else open311_forms.digest(record["id"], form)

    def comment() -> tuple[bool, Any]:
        loaded, key, created = open311_updates.comment(
            store,
            reports.resolve_ref(ref, store),
            note=note,
            resend_key=resend_key,
            now=reports.utc_now,
        )
        return created, (loaded, key)

    created, (loaded, key) = counted(
        [(quotas.OPEN311_PER_KEY, record["id"])], comment, counters=bootstrap.counters()
    )
    body = [{"update_id": open311.update_id(loaded.report.code, key)}]
    return reply(fmt, "service_request_updates", body, 201 if created else 200)


@route(bp, PREFIX + "/services/{document}", methods=["GET"], doc=open311_doc())
def service_definition(document: str):
    """A service definition (its attributes): {service_code}.json or .xml."""
    code, fmt = open311.split_document(document)
    params = _params()
    label = open311_services.label_or_404(load_catalogue(), code)
    body = open311_services.service_definition(label, open311.localised(params.get("locale")))
    return reply(fmt, "service_definition", body)


@route(bp, PREFIX + "/requests/{document}", methods=["GET"], doc=open311_doc())
def one_request(document: str):
    """One service request: {service_request_id}.json or .xml."""
    ref, fmt = open311.split_document(document)
    params = _params()
    store = bootstrap.report_store()
    report = _visible(reports.resolve_ref(ref, store), store)
    if report is None:
        raise NotFound(f"no service request {ref!r}")
    body = _render_requests([report], open311.localised(params.get("locale")), store)
    return reply(fmt, "service_requests", body)


@route(bp, PREFIX + "/tokens/{document}", methods=["GET"], doc=open311_doc())
def by_token(document: str):
    """The request id behind the token a POST returned: {token}.json or .xml."""
    token, fmt = open311.split_document(document)
    _params()
    store = bootstrap.report_store()
    report = _visible(token if identifiers.is_report_id(token) else None, store)
    if report is None:
        raise NotFound(f"no service request for token {token!r}")
    body = [{"service_request_id": report.code, "token": token}]
    return reply(fmt, "service_requests", body)
