"""Citizens' proposals (usulan, issue #39): propose, read, support (anyone); moderate,
step, export (Bappeda and the command centre). Not Open311: a proposal is no
service request (no service, SLA or squad)."""

from __future__ import annotations

import re

from chalice import Blueprint, Response

from chalicelib import bootstrap
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.geo import load_regency, load_villages
from chalicelib.domain.models.proposal_views import (
    ProposalCreated,
    ProposalPublic,
    ProposalStaff,
    ProposalStepIn,
    ProposalSupported,
    ProposalSupportIn,
    to_public,
)
from chalicelib.domain.principals import Forbidden, Principal
from chalicelib.domain.proposals import ProposalInput, load_themes
from chalicelib.entry import devices_api
from chalicelib.entry.authn import principal, staff
from chalicelib.entry.contract import q
from chalicelib.entry.http import json_response, optional_body, parse_body, query, route, source_ip
from chalicelib.services import proposals, quotas
from chalicelib.services.limits import counted

bp = Blueprint(__name__)
TOKEN_HEADER = "x-proposer-token"
PLACE = (q("district", "a kecamatan code"), q("village", "a desa code"))


def _planner() -> Principal:
    """Bappeda or the command centre."""
    who = principal(bp.current_request)
    if not who.plans:
        raise Forbidden("Khusus Bappeda dan pusat komando. / For Bappeda and the command centre.")
    return who


@route(
    bp,
    "/proposals",
    methods=["POST"],
    doc={
        "body": ProposalInput,
        "returns": {201: ProposalCreated, 200: ProposalCreated},
        "auth": ("", "device"),
        "errors": (409, 429),
    },
)
def propose():
    """Send a proposal (usulan): public once Bappeda accepts it; a retry is the same one."""
    request = bp.current_request
    data = parse_body(request, ProposalInput)
    store = bootstrap.proposal_store()
    device_hash = devices_api.device_hash(request, bootstrap.report_store(), required=False)
    subjects = [(quotas.REPORTS_PER_IP, source_ip(request))]
    if device_hash:
        subjects.append((quotas.REPORTS_PER_DEVICE, device_hash))

    def submit():
        proposal, created, token = proposals.submit(
            data,
            store=store,
            themes=load_themes(),
            regency=load_regency(),
            villages=load_villages(),
            device_hash=device_hash,
        )
        return created, (proposal, token)

    created, (proposal, token) = counted(subjects, submit, counters=bootstrap.counters())
    body = ProposalCreated(proposal=to_public(proposal, load_themes()), proposer_token=token)
    return json_response(body, 201 if created else 200)


@route(
    bp,
    "/proposals",
    methods=["GET"],
    doc={"returns": {200: [ProposalPublic]}, "query": (*PLACE, q("theme", "a theme code"))},
)
def board():
    """The public board: accepted proposals with their support and status, most supported first."""
    params = query(bp.current_request)
    found = proposals.board(
        bootstrap.proposal_store(), district=params.get("district"), village=params.get("village")
    )
    theme = params.get("theme")
    themes = load_themes()
    return json_response([to_public(p, themes) for p in found if not theme or p.theme == theme])


@route(bp, "/proposals/{ref}", methods=["GET"], doc={"returns": {200: ProposalPublic}})
def read(ref: str):
    """One proposal by id or code; before moderation or after refusal only its proposer
    (X-Proposer-Token) reads it, with the reason."""
    request = bp.current_request
    token = request.headers.get(TOKEN_HEADER)
    found = proposals.get_for(ref, bootstrap.proposal_store(), token=token)
    return json_response(to_public(found, load_themes()))


@route(
    bp,
    "/proposals/{ref}/support",
    methods=["POST"],
    doc={
        "body": ProposalSupportIn,
        "body_required": False,
        "returns": {201: ProposalSupported, 200: ProposalSupported},
        "auth": ("", "device"),
        "errors": (409, 429),
    },
)
def support(ref: str):
    """+1 on a public proposal: one per person, within the report-support limits."""
    request = bp.current_request
    data = optional_body(request, ProposalSupportIn)
    store = bootstrap.proposal_store()
    created, supporters = proposals.support(
        ref,
        data.client_support_id,
        {"phone": data.phone, "notify": True} if data.phone else None,
        store=store,
        counters=bootstrap.counters(),
        ip=source_ip(request),
        device_hash=devices_api.device_hash(request, bootstrap.report_store(), required=False),
        token=request.headers.get(TOKEN_HEADER),
    )
    proposal_id = proposals.find(ref, store).id
    return json_response(ProposalSupported(proposal_id=proposal_id, supporters=supporters),
                         201 if created else 200)  # fmt: skip


@route(
    bp,
    "/bappeda/proposals",
    methods=["GET"],
    authorizer=staff,
    doc={
        "returns": {200: [ProposalStaff]},
        "query": (q("status", "one status; default pending (the moderation queue)"),),
    },
)
def planner_list():
    """Bappeda's moderation queue (oldest first), or the proposals in one status."""
    _planner()
    status = query(bp.current_request).get("status", "pending")
    found = bootstrap.proposal_store().proposals_in(status)
    return json_response([to_public(p, load_themes(), staff=True) for p in found])


@route(
    bp,
    "/bappeda/proposals/{ref}/steps",
    methods=["POST"],
    authorizer=staff,
    doc={"body": ProposalStepIn, "returns": {200: ProposalStaff}, "errors": (409,)},
)
def planner_step(ref: str):
    """Moderate (accept, refuse with a reason, to_report) or record a Musrenbang step."""
    who = _planner()
    data = parse_body(bp.current_request, ProposalStepIn)
    if data.action == "to_report":  # the report, filed as usual, must exist
        if not data.report_id:
            raise InvalidInput(
                "Perlu report_id. / 'report_id' is needed.", [{"field": "report_id"}]
            )
        found = bootstrap.report_store().get_report(data.report_id)
        if found is None or found[0].covert:  # covert: absent, as an unknown one
            raise NotFound(f"Laporan {data.report_id!r} tidak ada. / No such report.")
    moved = proposals.take_step(
        proposals.find(ref, bootstrap.proposal_store()).id,
        data.step(),
        "command" if who.role == "command" else "bappeda",
        store=bootstrap.proposal_store(),
    )
    return json_response(to_public(moved, load_themes(), staff=True))


@route(
    bp,
    "/bappeda/proposals/export",
    methods=["GET"],
    authorizer=staff,
    doc={"returns": {200: {"text/csv": {"type": "string"}}}, "query": PLACE},
)
def planner_export():
    """A desa's or kecamatan's proposals on the path, ranked by support: CSV for Excel."""
    _planner()
    params = query(bp.current_request)
    if not (params.get("district") or params.get("village")):
        raise InvalidInput(
            "Pilih kecamatan atau desa. / Choose a district or a village.",
            [{"field": "district"}, {"field": "village"}],
        )
    text = proposals.export_csv(
        bootstrap.proposal_store(),
        themes=load_themes(),
        regency=load_regency(),
        villages=load_villages(),
        district=params.get("district"),
        village=params.get("village"),
    )
    # the file's name from the place asked for, kept to what any header can carry
    name = re.sub(r"[^A-Za-z0-9_-]", "", params.get("village") or params.get("district") or "")
    return Response(
        body=text,
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="usulan-{name or "tempat"}.csv"',
        },
    )
