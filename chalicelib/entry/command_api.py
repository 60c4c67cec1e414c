"""The command centre's HTTP API: every report (covert ones too), and the
reporter's contact through an explicit, audited read."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import bootstrap, config
from chalicelib.domain import geo
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.lateness import is_late
from chalicelib.domain.models import (
    STATUSES,
    AssigneeIn,
    CheckRequestIn,
    CommandQueueItem,
    ContactAudit,
    ContactRead,
    ContactReadIn,
    NoteIn,
    Page,
    ReportCommand,
)
from chalicelib.domain.principals import Forbidden
from chalicelib.entry import views
from chalicelib.entry.authn import principal, staff
from chalicelib.entry.contract import q
from chalicelib.entry.http import json_response, optional_body, parse_body, query, route
from chalicelib.routing import SQUAD_CODES
from chalicelib.services.reports import resolve_ref, utc_now

bp = Blueprint(__name__)


def _command():
    who = principal(bp.current_request)
    if who.role != "command":
        raise Forbidden("for the command centre only")
    return who


@route(
    bp,
    "/command/reports",
    methods=["GET"],
    authorizer=staff,
    doc={
        "returns": {200: Page[CommandQueueItem]},
        "query": (
            q("month", "YYYY-MM; default this month", pattern=r"^\d{4}-\d{2}$"),
            q("squad", "a squad code"),
            q("status", "one status", enum=list(STATUSES)),
            q("district", "a district code"),
            q("overdue", "1 for overdue reports only", enum=["0", "1", "true", "false"]),
            q("cursor", "next_cursor of the previous page"),
        ),
    },
)
def all_reports():
    """Every report of a month (default: this one), newest first, filterable by
    squad, status, district and overdue."""
    _command()
    params = query(bp.current_request)
    now = utc_now()
    store = bootstrap.report_store()
    month = views.month(params.get("month"), now)
    every = [store.public_month(month), store.covert_month(month)]
    filters: dict = {}
    if params.get("squad"):
        if params["squad"] not in SQUAD_CODES:
            raise InvalidInput(f"unknown squad {params['squad']!r}", code="squad_not_found")
        filters["squad"] = params["squad"]
    if params.get("status"):
        if params["status"] not in STATUSES:
            raise InvalidInput("unknown status", code="invalid_status")
        filters["status"] = params["status"]
    if params.get("district"):
        if geo.load_regency().district(params["district"]) is None:
            raise InvalidInput("unknown district", code="unknown_district")
        filters["district"] = params["district"]
    overdue_only = params.get("overdue") in ("1", "true")
    found, cursor = views.page_of(
        store,
        every,
        params.get("cursor"),
        newest_first=True,
        filters=filters or None,
        keep=lambda r: not overdue_only or is_late(r, now),
    )
    page = Page[CommandQueueItem](
        items=[
            CommandQueueItem(
                **views.queue_item(r, now).model_dump(), squad=r.squad, covert=r.covert
            )
            for r in found
        ],
        next_cursor=cursor,
    )
    return json_response(page)


@route(
    bp,
    "/command/reports/{ref}/contact-reads",
    methods=["POST"],
    authorizer=staff,
    doc={"body": ContactReadIn, "returns": {200: ContactRead}, "errors": (503,)},
)
def read_contact(ref: str):
    """The reporter's contact, for the command centre only; every read is recorded
    (who, when, why) before the contact is returned."""
    who = _command()
    body = parse_body(bp.current_request, ContactReadIn)
    store = bootstrap.report_store()
    report_id = resolve_ref(ref, store)
    found = store.get_report(report_id) if report_id else None
    if report_id is None or found is None:
        raise NotFound(f"no report {ref!r}", code="report_not_found")
    contact = store.read_contact_audited(
        report_id, who.id, body.reason, utc_now(), covert=found[0].covert
    )
    return json_response(ContactRead.model_validate({"report_id": report_id, "contact": contact}))


@route(
    bp,
    "/command/reports/{ref}/contact-reads",
    methods=["GET"],
    authorizer=staff,
    doc={"returns": {200: ContactAudit}},
)
def contact_audit(ref: str):
    """Who read this report's contact, when and why."""
    _command()
    store = bootstrap.report_store()
    report_id = resolve_ref(ref, store)
    if report_id is None or store.get_report(report_id) is None:
        raise NotFound(f"no report {ref!r}", code="report_not_found")
    reads = store.contact_reads(report_id)
    return json_response(ContactAudit.model_validate({"report_id": report_id, "reads": reads}))


# -- what the command centre may do to a report from its drawer ------------------------
def _command_view(report_id: str):
    from chalicelib.entry.staff_api import staff_view

    store = bootstrap.report_store()
    return json_response(staff_view(store, report_id, principal(bp.current_request)))


@route(
    bp,
    "/command/reports/{ref}/reminders",
    methods=["POST"],
    authorizer=staff,
    doc={"body": NoteIn, "body_required": False, "returns": {200: ReportCommand}, "errors": (409,)},
)
def remind(ref: str):
    """Remind the squad (a high-priority message, "TEGURAN"): the regent is watching."""
    who = principal(bp.current_request)
    note = optional_body(bp.current_request, NoteIn).note
    store = bootstrap.report_store()
    report_id = _known(ref, store)
    bootstrap.workflow(store).remind(report_id, who, note)
    return _command_view(report_id)


@route(
    bp,
    "/command/reports/{ref}/assignee",
    methods=["POST"],
    authorizer=staff,
    doc={"body": AssigneeIn, "returns": {200: ReportCommand}, "errors": (409,)},
)
def reassign(ref: str):
    """Hand a report being worked to another member of its squad."""
    from chalicelib.adapters import cognito
    from chalicelib.domain.principals import Principal

    who = _command()
    data = parse_body(bp.current_request, AssigneeIn)
    store = bootstrap.report_store()
    report_id = _known(ref, store)
    try:
        groups = cognito.groups_of(config.user_pool_id(), data.member)
    except NotFound:
        raise InvalidInput(f"no account {data.member!r}", code="not_squad_member") from None
    member = Principal.from_groups(data.member, groups)
    bootstrap.workflow(store).reassign(report_id, who, member)
    return _command_view(report_id)


@route(
    bp,
    "/command/reports/{ref}/check-requests",
    methods=["POST"],
    authorizer=staff,
    doc={
        "body": CheckRequestIn,
        "body_required": False,
        "returns": {200: ReportCommand},
        "errors": (409,),
    },
)
def request_check(ref: str):
    """Ask the shadow squad to check a resolved or closed report on the spot (covert:
    no squad view, public page or Open311 update shows it); their check closes it."""
    who = principal(bp.current_request)
    if who.role != "command":  # absent, not forbidden: the words name the covert squad's work
        raise NotFound(f"no report {ref!r}", code="report_not_found")
    note = optional_body(bp.current_request, CheckRequestIn).note
    store = bootstrap.report_store()
    report_id = _known(ref, store)
    bootstrap.check_requests(store).request(report_id, who, note)
    return _command_view(report_id)


def _known(ref: str, store) -> str:
    report_id = resolve_ref(ref, store)
    if report_id is None:
        raise NotFound(f"no report {ref!r}", code="report_not_found")
    return report_id
