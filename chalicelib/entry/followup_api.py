"""Follow-up over HTTP: staff ask the reporter, transfer a report, change its
priority; the reporter answers, withdraws or rates it (with their token)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import bootstrap, observe
from chalicelib.adapters import media
from chalicelib.domain import geo
from chalicelib.domain.bodies import load_bodies
from chalicelib.domain.models import (
    AnswerIn,
    BodyOut,
    ForwardIn,
    NoteIn,
    PlaceIn,
    PriorityIn,
    QuestionIn,
    RatingIn,
    ReportPublic,
    SettleIn,
    TransferIn,
)
from chalicelib.entry import views
from chalicelib.entry.authn import staff
from chalicelib.entry.http import json_response, optional_body, parse_body, route
from chalicelib.entry.staff_api import staff_principal, staff_view, step
from chalicelib.routing import load_catalogue
from chalicelib.services import places, reports
from chalicelib.services.reports import utc_now

bp = Blueprint(__name__)


def _reporter_step(body: type, required: bool = True) -> dict:
    return {
        "body": body,
        "body_required": required,
        "returns": {200: ReportPublic},
        "auth": ("reporter",),
        "errors": (403, 409),
    }


def _staff(ref: str, act, data: Any, *, handed_over: bool = False) -> object:
    """A follow-up step by staff, answered with the staff view after it (the squad
    that ``handed_over`` a report sees it this once: from now on it is not theirs).
    A retry of a step already made (``data.client_action_id``) answers the same."""
    who, store = staff_principal(), bootstrap.report_store()
    report_id = reports.report_id_or_404(ref, store)
    observe.correlate(report_id=report_id)
    follow_up = bootstrap.follow_up(store).once(data.client_action_id)
    if not follow_up.done_before(report_id, who):
        act(follow_up, report_id, who)
    if handed_over and who.role != "command":
        return json_response(
            views.to_staff(
                store.load(report_id),
                catalogue=load_catalogue(),
                media=media,
                now=utc_now(),
                command=False,
            )
        )
    return json_response(staff_view(store, report_id, who))


def _reporter(ref: str, act) -> object:
    """A follow-up step by the reporter, answered with what they see after it."""
    request = bp.current_request
    store = bootstrap.report_store()
    report_id = reports.report_id_or_404(ref, store)
    token = request.headers.get("x-reporter-token")
    act(bootstrap.follow_up(store), report_id, token)
    return json_response(views.reporter_view(store, report_id))


@route(bp, "/reports/{ref}/questions", methods=["POST"], authorizer=staff, doc=step(QuestionIn))
def ask(ref: str):
    """Ask the reporter (never named to the squad): the report waits for the answer,
    its response clock paused; they are told if they left a phone or an email."""
    data = parse_body(bp.current_request, QuestionIn)
    return _staff(ref, lambda f, rid, who: f.ask(rid, who, data.note, public=data.public), data)


@route(bp, "/reports/{ref}/transfer", methods=["POST"], authorizer=staff, doc=step(TransferIn))
def transfer(ref: str):
    """Hand the report to the squad it belongs to, saying why: new in their queue."""
    data = parse_body(bp.current_request, TransferIn)
    return _staff(
        ref,
        lambda f, rid, who: f.transfer(rid, who, data.squad, data.reason),
        data,
        handed_over=True,
    )


@route(bp, "/reports/{ref}/priority", methods=["POST"], authorizer=staff, doc=step(PriorityIn))
def reprioritise(ref: str):
    """Make the report urgent, normal or low, saying why (urgent ones come first)."""
    data = parse_body(bp.current_request, PriorityIn)
    return _staff(
        ref, lambda f, rid, who: f.reprioritise(rid, who, data.priority, data.reason), data
    )


@route(bp, "/reports/{ref}/place", methods=["POST"], authorizer=staff, doc=step(PlaceIn))
def relocate(ref: str):
    """Correct where the report is: its kecamatan (a guess becomes certain) and desa."""
    data = parse_body(bp.current_request, PlaceIn)
    regency = geo.load_regency()
    place = places.named(regency, data.district, data.village)
    return _staff(ref, lambda f, rid, who: f.relocate(rid, who, place, regency, data.reason), data)


@route(bp, "/bodies", methods=["GET"], authorizer=staff, doc={"returns": {200: [BodyOut]}})
def list_bodies():
    """The outside bodies a report can be forwarded to (their channels stay private)."""
    staff_principal()
    return json_response([BodyOut(**b.model_dump()) for b in load_bodies().bodies])


@route(bp, "/reports/{ref}/forward", methods=["POST"], authorizer=staff, doc=step(ForwardIn))
def forward(ref: str):
    """Send the report to the outside body it belongs to (PLN, PDAM…): it is told
    through the outbox, and the report stays tracked as forwarded."""
    data = parse_body(bp.current_request, ForwardIn)
    body = load_bodies().get(data.body)
    return _staff(ref, lambda f, rid, who: f.forward(rid, who, body, data.note), data)


@route(bp, "/reports/{ref}/settle", methods=["POST"], authorizer=staff, doc=step(SettleIn))
def settle(ref: str):
    """A forwarded report's end: what the body did (it closes), or that it declined
    (``declined``: new again in the squad's queue)."""
    data = parse_body(bp.current_request, SettleIn)
    return _staff(
        ref, lambda f, rid, who: f.settle(rid, who, data.note, declined=data.declined), data
    )


@route(bp, "/reports/{ref}/answers", methods=["POST"], doc=_reporter_step(AnswerIn))
def answer(ref: str):
    """The reporter answers the squad's question: the report goes back to work."""
    data = parse_body(bp.current_request, AnswerIn)
    return _reporter(ref, lambda f, rid, token: f.answer(rid, token, data.note))


@route(bp, "/reports/{ref}/withdraw", methods=["POST"], doc=_reporter_step(NoteIn, False))
def withdraw(ref: str):
    """The reporter takes back a report nobody has claimed yet."""
    data = optional_body(bp.current_request, NoteIn)
    return _reporter(ref, lambda f, rid, token: f.withdraw(rid, token, data.note))


@route(bp, "/reports/{ref}/rating", methods=["POST"], doc=_reporter_step(RatingIn))
def rate(ref: str):
    """The reporter's 1-5 stars once it is resolved (2 or fewer: the regent hears)."""
    data = parse_body(bp.current_request, RatingIn)
    return _reporter(ref, lambda f, rid, token: f.rate(rid, token, data.stars, data.note))
