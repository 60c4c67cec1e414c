"""Citizen-facing HTTP API: labels, districts, reports."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import bootstrap
from chalicelib.adapters import media
from chalicelib.domain import geo, identifiers
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.models import (
    STATUSES,
    NearbyQuery,
    NearbyReport,
    NoteIn,
    Page,
    PhotoSlot,
    PhotoSlotIn,
    ReportCreated,
    ReportIn,
    ReportPublic,
    ReportSummary,
    Supported,
    SupportIn,
)
from chalicelib.entry import devices_api, views
from chalicelib.entry.contract import q
from chalicelib.entry.http import (
    json_response,
    optional_body,
    parse_body,
    parse_query,
    query,
    route,
    source_ip,
)
from chalicelib.routing import load_catalogue
from chalicelib.services import photos, quotas, reports
from chalicelib.services.limits import counted, submit_counted

bp = Blueprint(__name__)
CURSOR = q("cursor", "next_cursor of the previous page")
CITIZEN_ACTION = {
    "body": NoteIn,
    "body_required": False,
    "returns": {200: ReportPublic},
    "auth": ("reporter",),
    "errors": (403, 409),
}


@route(
    bp,
    "/reports",
    methods=["POST"],
    doc={
        "body": ReportIn,
        "returns": {201: ReportCreated, 200: ReportCreated},
        "auth": ("", "device"),
        "errors": (429,),
    },
)
def submit_report():
    """File a report (a retry with the same client_report_id returns it: 200)."""
    data = parse_body(bp.current_request, ReportIn)
    catalogue = load_catalogue()
    regency = geo.load_regency()
    store = bootstrap.report_store()
    device_hash = devices_api.device_hash(bp.current_request, store, required=False)
    subjects = [(quotas.REPORTS_PER_IP, source_ip(bp.current_request))]
    if device_hash:
        subjects.append((quotas.REPORTS_PER_DEVICE, device_hash))
    stored, created, token = submit_counted(
        data,
        subjects,
        store=store,
        counters=bootstrap.counters(),
        catalogue=catalogue,
        regency=regency,
        boundaries=geo.load_boundaries(regency),
        media=media,
        device_hash=device_hash,
    )
    report = stored.report
    body = reports.to_created(
        report, stored.timeline, token, catalogue=catalogue, photos=stored.photos, media=media
    )
    body.nearby = reports.nearby_open(report, store)
    return json_response(body, 201 if created else 200, {"Location": f"/reports/{report.id}"})


@route(
    bp,
    "/reports/nearby",
    methods=["GET"],
    doc={
        "returns": {200: [NearbyReport]},
        "query": (
            q("label", "a label code (GET /labels)", required=True),
            q("lat", "latitude", required=True, type="number", minimum=-90, maximum=90),
            q("lon", "longitude", required=True, type="number", minimum=-180, maximum=180),
        ),
    },
)
def nearby_reports():
    """Before sending: open reports of the same label within ~50 m of a point, closest
    first, so the citizen can support one (+1) instead of filing it again."""
    where = parse_query(bp.current_request, NearbyQuery)
    label = load_catalogue().label(where.label)
    if label is None:
        raise InvalidInput(f"unknown label {where.label!r}", code="unknown_label")
    if load_catalogue().is_covert(label.code):
        return json_response([])  # like a label with no report near: nothing to tell
    store = bootstrap.report_store()
    return json_response(reports.open_near(label.code, where.lat, where.lon, store))


@route(bp, "/reports/{ref}", methods=["GET"], doc={"returns": {200: ReportPublic}})
def get_report(ref: str):
    """A report by id or short code, as anyone may see it (with its reporter's token:
    also the questions asked them alone, and their answers)."""
    body = reports.get_public(
        ref,
        store=bootstrap.report_store(),
        catalogue=load_catalogue(),
        media=media,
        token=bp.current_request.headers.get("x-reporter-token"),
    )
    return json_response(body)


@route(
    bp,
    "/reports/{ref}/photos",
    methods=["POST"],
    doc={
        "body": PhotoSlotIn,
        "body_required": False,
        "returns": {201: PhotoSlot, 200: PhotoSlot},
        "auth": ("reporter",),
        "errors": (403, 409),
    },
)
def request_photo_slot(ref: str):
    """A presigned S3 POST for one more photo; only the reporter (X-Reporter-Token)."""
    request = bp.current_request
    data = optional_body(request, PhotoSlotIn)
    store = bootstrap.report_store()
    report_id = reports.report_id_or_404(ref, store)
    slot, created = photos.request_slot(
        report_id,
        request.headers.get("x-reporter-token"),
        data.client_photo_id,
        store=store,
        media=media,
        now=reports.utc_now(),
        content_type=data.content_type,
    )
    return json_response(slot, 201 if created else 200)


@route(
    bp,
    "/reports/{ref}/photo",
    methods=["GET"],
    doc={
        "returns": {302: None},
        "query": (
            q("size", "display (default) or thumb", enum=["display", "thumb"]),
            q("id", "one photo of the report (an after-photo in an Open311 update)"),
        ),
    },
)
def report_photo(ref: str):
    """A stable link to the reporter's first photo (Open311's media_url), or to one
    named public photo (``id``): forwards to a fresh presigned URL of the display
    size (or ``size=thumb``, the apps' lists), so links in feeds never expire."""
    store = bootstrap.report_store()
    loaded = store.load(reports.report_id_or_404(ref, store))
    if loaded is None or loaded.report.covert:
        raise NotFound(f"no report {ref!r}", code="report_not_found")
    params = query(bp.current_request)
    # a shadow check's photo is covert: never served here
    ready = [p for p in loaded.photos if p.role != "check" and p.state == "ready"]
    if params.get("id"):
        ready = [p for p in ready if p.id == params["id"]]
    else:
        ready = [p for p in ready if p.role == "before"]
    first = min(ready, key=lambda p: p.created_at) if ready else None
    if first is None or not first.display_key:
        raise NotFound("this report has no such processed photo yet", code="photo_not_found")
    thumb = params.get("size") == "thumb"
    key = (thumb and first.thumb_key) or first.display_key
    return Response(
        body="",
        status_code=302,
        headers={"Location": media.view_url(key), "Cache-Control": "no-store"},
    )


@route(
    bp,
    "/r/{code}",
    methods=["GET"],
    doc={
        "returns": {200: {"text/html": {"type": "string"}}, 302: None},
        "query": (
            q("view", "public: the follow page even for staff", enum=["public"]),
            q("lang", "the follow page's language (Bahasa Indonesia unless en)", enum=["id", "en"]),
        ),
    },
)
def short_link(code: str):
    """The link in every SMS: a browser gets the report's follow page (HTML, Bahasa);
    an API client is forwarded to the report's JSON (relative, so it works under API
    Gateway's stage prefix and under a custom domain alike)."""
    from chalicelib.entry import follow_page

    request = bp.current_request
    browser = follow_page.wants_html(request.headers)
    public = query(request).get("view") == "public"
    lang = follow_page.language(query(request).get("lang"))
    if not identifiers.is_short_code(code):
        if browser:
            return follow_page.not_found(code, lang)
        raise NotFound(f"no report {code!r}", code="report_not_found")
    if browser and not public and follow_page.staff_browser(request):
        # a squad member's phone: the report in the squads' app (it checks who may see it)
        where = f"../tim/#r/{code.upper()}"
        return Response(body="", status_code=302, headers={"Location": where})
    if not browser:
        return Response(
            body="", status_code=302, headers={"Location": f"../reports/{code.upper()}"}
        )
    try:
        report = reports.get_public(
            code, store=bootstrap.report_store(), catalogue=load_catalogue(), media=media
        )
    except NotFound:  # unknown and covert alike
        return follow_page.not_found(code, lang)
    return follow_page.render(report, reports.utc_now(), lang)


def _citizen_action(ref: str, action: str):
    request = bp.current_request
    data = optional_body(request, NoteIn)
    store = bootstrap.report_store()
    report_id = reports.report_id_or_404(ref, store)
    bootstrap.workflow(store).citizen_action(
        report_id, action, request.headers.get("x-reporter-token"), note=data.note
    )
    return json_response(views.reporter_view(store, report_id))


@route(bp, "/reports/{ref}/confirm", methods=["POST"], doc=CITIZEN_ACTION)
def confirm(ref: str):
    """The reporter agrees the problem is fixed: the report closes."""
    return _citizen_action(ref, "confirm")


@route(bp, "/reports/{ref}/dispute", methods=["POST"], doc=CITIZEN_ACTION)
def dispute(ref: str):
    """The reporter says it is not fixed (within 7 days): back to the squad."""
    return _citizen_action(ref, "dispute")


def _bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """``min_lon,min_lat,max_lon,max_lat``, as GeoJSON orders a bounding box."""
    if not value:
        return None
    try:
        west, south, east, north = (float(v) for v in value.split(","))
    except ValueError:
        raise InvalidInput("bbox is min_lon,min_lat,max_lon,max_lat", code="invalid_bbox") from None
    if not (west <= east and south <= north):
        raise InvalidInput("bbox is min_lon,min_lat,max_lon,max_lat", code="invalid_bbox")
    return west, south, east, north


@route(
    bp,
    "/reports",
    methods=["GET"],
    doc={
        "returns": {
            200: {
                "application/json": Page[ReportSummary],
                "application/geo+json": {"type": "object"},
            }
        },
        "query": (
            q("month", "YYYY-MM; default this month", pattern=r"^\d{4}-\d{2}$"),
            q("label", "a label code (GET /labels)"),
            q("status", "one status", enum=list(STATUSES)),
            q("bbox", "min_lon,min_lat,max_lon,max_lat"),
            q("format", "geojson for a FeatureCollection", enum=["json", "geojson"]),
            CURSOR,
        ),
    },
)
def list_reports():
    """Public transparency: reports of a month (default this one), newest first,
    anonymised, filterable by label, status and bounding box; ``format=geojson``."""

    params = query(bp.current_request)
    catalogue = load_catalogue()
    store = bootstrap.report_store()
    public = store.public_month(views.month(params.get("month"), reports.utc_now()))
    # Covert reports are not in the public month partition at all (storage), so a
    # covert label answers like any label with no report: an empty page.
    filters: dict = {}
    if params.get("label"):
        label = catalogue.label(params["label"])
        if label is None:
            raise InvalidInput(f"unknown label {params['label']!r}", code="unknown_label")
        filters["label"] = label.code
    if params.get("status"):
        if params["status"] not in STATUSES:
            raise InvalidInput("unknown status", code="invalid_status")
        filters["status"] = params["status"]
    box = _bbox(params.get("bbox"))
    chosen, cursor = views.page_of(
        store,
        public,
        params.get("cursor"),
        newest_first=True,
        filters=filters,
        keep=lambda r: not box or (box[0] <= r.lon <= box[2] and box[1] <= r.lat <= box[3]),
    )
    found = [reports.to_summary(r, catalogue) for r in chosen]
    if params.get("format") == "geojson":
        response = json_response(reports.geojson(found, cursor))
        response.headers["Content-Type"] = "application/geo+json"
        return response
    return json_response(Page[ReportSummary](items=found, next_cursor=cursor))


@route(
    bp,
    "/reports/{ref}/support",
    methods=["POST"],
    doc={
        "body": SupportIn,
        "body_required": False,
        "returns": {201: Supported, 200: Supported},
        "auth": ("", "device", "reporter"),
        "errors": (409, 429),
    },
)
def support(ref: str):
    """+1: "this affects me too", instead of a duplicate report (one per person)."""
    request = bp.current_request
    data = optional_body(request, SupportIn)
    store = bootstrap.report_store()
    report_id = reports.report_id_or_404(ref, store)
    contact = data.contact.model_dump(exclude_none=True) if data.contact else None
    device_hash = devices_api.device_hash(bp.current_request, store, required=False)
    subjects = [(quotas.SUPPORTS_PER_IP, source_ip(request))]
    if device_hash:
        subjects.append((quotas.SUPPORTS_PER_DEVICE, device_hash))
    created, supporters = counted(
        subjects,
        lambda: bootstrap.workflow(store).support(
            report_id,
            data.client_support_id,
            contact,
            device_hash=device_hash,
            reporter_token=request.headers.get("x-reporter-token"),
        ),
        counters=bootstrap.counters(),
    )
    body = Supported(report_id=report_id, supporters=supporters)
    return json_response(body, 201 if created else 200)
