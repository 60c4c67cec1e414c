"""Staff HTTP API for the workflow: a squad's queue, the full report, and the
actions that move a report (claim, progress, after-photo, resolve, reject)."""

from __future__ import annotations

from functools import partial
from typing import Any

from chalice import Blueprint

from chalicelib import bootstrap, observe
from chalicelib.adapters import media
from chalicelib.domain import geo
from chalicelib.domain.closure_checks import asked_words, check_offer, checkable
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.lifecycle import staff_actor
from chalicelib.domain.models import (
    STATUSES,
    InlinePhotoIn,
    MergeIn,
    Page,
    PhotoRole,
    PhotoSlot,
    PositionedPhotoIn,
    QueueItem,
    RejectIn,
    ReportCommand,
    ReportStaff,
    ResolveIn,
    ShadowCheck,
    ShadowCheckIn,
    StaffNoteIn,
)
from chalicelib.domain.principals import Forbidden, Principal
from chalicelib.entry import views
from chalicelib.entry.authn import principal, staff
from chalicelib.entry.contract import q
from chalicelib.entry.http import json_response, optional_body, parse_body, query, route
from chalicelib.routing import SQUAD_CODES, load_catalogue
from chalicelib.services.photos import decode_inline
from chalicelib.services.reports import report_id_or_404, utc_now
from chalicelib.storage import ReportStore

bp = Blueprint(__name__)
STAFF_VIEW = (ReportStaff, ReportCommand)  # the command centre's view carries more
PHOTO_SLOT = {
    "body": PositionedPhotoIn,
    "returns": {201: PhotoSlot, 200: PhotoSlot},
    "errors": (409,),
}


def step(body: type, required: bool = True) -> dict:
    """The contract of a workflow step: the staff view of the report after it."""
    return {"body": body, "body_required": required, "returns": {200: STAFF_VIEW}, "errors": (409,)}


def staff_principal() -> Principal:
    who = principal(bp.current_request)
    if not who.is_staff:
        raise Forbidden("this account has no staff role")
    return who


def staff_view(store: ReportStore, report_id: str, who: Principal):
    loaded = store.load(report_id)
    if loaded is None:
        raise NotFound(f"no report {report_id!r}", code="report_not_found")
    try:
        staff_actor(loaded.report, who)
    except Forbidden:  # those who check closures read what they check, and nothing else
        if not (who.role == "shadow" and checkable(loaded.report)):
            raise
    checks = who.role in ("shadow", "command") and checkable(loaded.report)
    # the command centre's request for this check, if one is open (only those who check
    # and the command centre ever read it)
    asked = bootstrap.check_requests(store).for_report(loaded) if checks else None
    return views.to_staff(
        loaded,
        catalogue=load_catalogue(),
        media=media,
        now=utc_now(),
        command=who.role == "command",
        offers=[check_offer(loaded.report, asked)] if checks else [],
        check_requested=asked,
    )


@route(
    bp,
    "/squads/{squad}/reports",
    methods=["GET"],
    authorizer=staff,
    doc={
        "returns": {200: Page[QueueItem]},
        "query": (
            q("status", "one status (default: the open ones)", enum=list(STATUSES)),
            q("district", "a district code"),
            q("limit", "1 to 100 (default 25)", pattern=r"^\d{1,3}$"),
            q("cursor", "next_cursor of the previous page"),
        ),
    },
)
def squad_queue(squad: str):
    """A squad's reports: the open ones by default, urgent first, then oldest; or
    those in one status, oldest first."""
    who = staff_principal()
    if squad == "shadow" and who.role == "shadow":
        return _closures_to_check(query(bp.current_request))
    if squad not in SQUAD_CODES or (squad == "shadow" and who.role != "command"):
        raise NotFound(f"no squad {squad!r}", code="squad_not_found")
    if not (who.role == "command" or (who.role == "squad" and who.squad == squad)):
        raise Forbidden("a squad's queue is for its members and the command centre")
    params = query(bp.current_request)
    status, district = params.get("status"), params.get("district")
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", code="invalid_status")
    if district is not None and geo.load_regency().district(district) is None:
        raise InvalidInput(f"unknown district {district!r}", code="unknown_district")
    try:
        limit = min(max(int(params.get("limit", "25")), 1), 100)
    except ValueError:
        raise InvalidInput("limit must be a number from 1 to 100", code="invalid_limit") from None
    store = bootstrap.report_store()
    found, cursor = views.page_of(
        store,
        store.squad_queue(squad, status),
        params.get("cursor"),
        limit=limit,
        filters={"district": district} if district else None,
    )
    now = utc_now()
    items = [views.queue_item(r, now) for r in found]
    return json_response(Page[QueueItem](items=items, next_cursor=cursor))


def _closures_to_check(params: dict):
    """Those who check closures: what the command centre asked them to check first
    (on the first page), then the public squads' resolved reports, newest first (their
    own queue; never a covert report, which is not in these lists)."""
    store = bootstrap.report_store()
    checking = bootstrap.check_requests(store)
    if params.get("cursor"):  # later pages: the pinned ones stay off, unread
        asked, pinned = [], {r.report_id for r in checking.asked()}
    else:  # the first page: pinned on top (expiring those with nothing left to check)
        asked = checking.pinned()
        pinned = {r.report_id for r, _ in asked}
    lists = [store.squad_queue(s, "resolved") for s in SQUAD_CODES if s != "shadow"]
    found, cursor = views.page_of(store, lists, params.get("cursor"), limit=50, newest_first=True)
    now = utc_now()
    first = []
    for request, report in asked:
        words = asked_words(request)
        item = views.queue_item(report, now)
        first.append(item.model_copy(update={"pin_id": words[0], "pin_en": words[1]}))
    items = first + [views.queue_item(r, now) for r in found if r.id not in pinned]
    return json_response(Page[QueueItem](items=items, next_cursor=cursor))


@route(
    bp,
    "/staff/reports/{ref}",
    methods=["GET"],
    authorizer=staff,
    doc={"returns": {200: STAFF_VIEW}},
)
def staff_report(ref: str):
    who, store = staff_principal(), bootstrap.report_store()
    return json_response(staff_view(store, report_id_or_404(ref, store), who))


def _act(ref: str, action: str, action_id: Any = None, **fields):
    """A workflow step on a report, answered with the staff view after it (a retry of
    a step already made, by its ``action_id``, changes nothing and answers the same)."""
    who, store = staff_principal(), bootstrap.report_store()
    report_id = report_id_or_404(ref, store)
    observe.correlate(report_id=report_id)
    workflow = bootstrap.workflow(store).once(action_id)
    if not workflow.done_before(report_id, who):
        workflow.staff_action(report_id, action, who, **fields)
    return json_response(staff_view(store, report_id, who))


@route(bp, "/reports/{ref}/claim", methods=["POST"], authorizer=staff, doc=step(StaffNoteIn, False))
def claim(ref: str):
    """Take the report: the squad's first response (exactly one member wins)."""
    body = optional_body(bp.current_request, StaffNoteIn)
    return _act(ref, "claim", body.client_action_id, note=body.note)


@route(
    bp, "/reports/{ref}/progress", methods=["POST"], authorizer=staff, doc=step(StaffNoteIn, False)
)
def progress(ref: str):
    body = optional_body(bp.current_request, StaffNoteIn)
    return _act(ref, "progress", body.client_action_id, note=body.note)


@route(bp, "/reports/{ref}/resolve", methods=["POST"], authorizer=staff, doc=step(ResolveIn))
def resolve(ref: str):
    body = parse_body(bp.current_request, ResolveIn)
    return _act(
        ref, "resolve", body.client_action_id, note=body.note, photo_id=body.photo_id,
        client_photo_id=body.client_photo_id,
    )  # fmt: skip


@route(bp, "/reports/{ref}/reject", methods=["POST"], authorizer=staff, doc=step(RejectIn))
def reject(ref: str):
    body = parse_body(bp.current_request, RejectIn)
    return _act(ref, "reject", body.client_action_id, note=body.note, reason=body.reason)


def checker(ref: str) -> Principal:
    """Those who check closures (and the command centre); to anyone else the checks'
    routes are absent: the 404 of an unknown report, before the body is even read."""
    who = staff_principal()
    if who.role not in ("shadow", "command"):
        raise NotFound(f"no report {ref!r}", code="report_not_found")
    return who


def _photo_slot(ref: str, role: PhotoRole):
    who = checker(ref) if role == "check" else staff_principal()
    store = bootstrap.report_store()
    body = parse_body(bp.current_request, PositionedPhotoIn)
    inline = None
    if body.data_base64:  # the photo in the request itself (one call to queue offline)
        photo = InlinePhotoIn(content_type=body.content_type, data_base64=body.data_base64)
        inline = decode_inline(photo)
    slot, created = bootstrap.workflow(store).photo_slot(
        report_id_or_404(ref, store),
        who,
        role,
        lat=body.lat,
        lon=body.lon,
        client_photo_id=body.client_photo_id,
        content_type=body.content_type,
        inline=inline,
    )
    return json_response(slot, 201 if created else 200)


@route(bp, "/reports/{ref}/after-photos", methods=["POST"], authorizer=staff, doc=PHOTO_SLOT)
def after_photo(ref: str):
    """A presigned POST for the photo of the fix, with where the phone took it."""
    return _photo_slot(ref, "after")


@route(bp, "/reports/{ref}/check-photos", methods=["POST"], authorizer=staff, doc=PHOTO_SLOT)
def check_photo(ref: str):
    """A presigned POST for a shadow check's photo (shadow squad, command centre)."""
    return _photo_slot(ref, "check")


@route(
    bp,
    "/reports/{ref}/shadow-checks",
    methods=["POST"],
    authorizer=staff,
    doc={"body": ShadowCheckIn, "returns": {201: ShadowCheck}, "errors": (409,)},
)
def shadow_check(ref: str):
    """A covert check of a resolved or closed report; only the command centre sees it."""
    who, store = checker(ref), bootstrap.report_store()
    body = parse_body(bp.current_request, ShadowCheckIn)
    check = bootstrap.workflow(store).shadow_check(
        report_id_or_404(ref, store),
        who,
        verdict=body.verdict,
        note=body.note,
        photo_id=body.photo_id,
        client_photo_id=body.client_photo_id,
    )
    return json_response(check, 201)


@route(bp, "/reports/{ref}/merge", methods=["POST"], authorizer=staff, doc=step(MergeIn))
def merge(ref: str):
    """Merge this report (a duplicate) into ``into``; its people become supporters."""
    who, store = staff_principal(), bootstrap.report_store()
    body = parse_body(bp.current_request, MergeIn)
    duplicate = report_id_or_404(ref, store)
    resolve = partial(report_id_or_404, store=store)
    bootstrap.workflow(store).merge(duplicate, body.into, who, resolve)
    return json_response(staff_view(store, duplicate, who))
