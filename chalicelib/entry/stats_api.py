"""Statistics over HTTP: the command centre's, a squad's own, the public's; JSON or CSV."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from chalice import Blueprint, Response

from chalicelib import bootstrap
from chalicelib.domain import evaluation
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.models import PublicStats, Stats
from chalicelib.domain.principals import Forbidden
from chalicelib.domain.sms_text import WIB
from chalicelib.entry.authn import principal, staff
from chalicelib.entry.contract import q
from chalicelib.entry.http import json_response, query, route
from chalicelib.routing import SQUAD_CODES, load_catalogue
from chalicelib.services import reports, stats_job

bp = Blueprint(__name__)
_WINDOW = re.compile(r"^(today|7d|30d|\d{4}-(0[1-9]|1[0-2]))$")
STATS = {200: {"application/json": Stats, "text/csv": {"type": "string"}}}
VIEW = (
    q("window", "today, 7d, 30d (default) or YYYY-MM", pattern=_WINDOW.pattern),
    q("format", "csv for a spreadsheet", enum=["json", "csv"]),
    q(
        "sep",
        "with format=csv: semicolon for Excel with Indonesian settings (';' between "
        "columns, decimal commas, a UTF-8 BOM)",
        enum=["comma", "semicolon"],
    ),
)
_TIMES = ("count", "median_minutes", "p90_minutes", "mean_minutes", "within_sla_share")
COLUMNS = [
    "dimension", "name", *("received", "accepted", "resolved", "closed", "reopened", "rejected"),
    "reopen_rate",
    *(f"response_{k}" for k in _TIMES),
    *(f"resolution_{k}" for k in _TIMES),
    *(f"backlog_{k}" for k in ("open", "overdue", "lt_1d", "1_3d", "3_7d", "gt_7d")),
]  # fmt: skip


def _view() -> dict[str, Any]:
    params = query(bp.current_request)
    window = params.get("window", "30d")
    if not _WINDOW.match(window):
        raise InvalidInput("window is today, 7d, 30d or YYYY-MM", code="invalid_window")
    view = bootstrap.stats_store().view(window)
    if view is None:  # not computed yet (the job runs every few minutes)
        view = {"window": window, "days": None, "computed_at": None, "counts_until": None,
                "figures": {}, "backlog": {}, "most_overdue": []}  # fmt: skip
    return view


def _render(body: dict[str, Any], filename: str, model: type[PublicStats] = Stats):
    model.model_validate(body)  # the published contract; a drift fails loudly in tests
    if query(bp.current_request).get("format") != "csv":
        return json_response(body)
    excel = query(bp.current_request).get("sep") == "semicolon"
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, extrasaction="ignore", delimiter=";" if excel else ",")
    writer.writeheader()
    names = sorted(set(body["figures"]) | set(body["backlog"]))
    for dim in names:
        f = body["figures"].get(dim, {})
        kind, _, name = dim.partition("#")
        row: dict[str, Any] = {"dimension": kind, "name": name or kind}
        row.update({k: v for k, v in f.items() if not isinstance(v, dict)})
        for prefix, key in (
            ("response", "time_to_first_response"),
            ("resolution", "time_to_resolution"),
        ):
            row.update({f"{prefix}_{k}": v for k, v in f.get(key, {}).items()})
        row.update({f"backlog_{k}": v for k, v in body["backlog"].get(dim, {}).items()})
        if excel:  # Indonesian Excel reads 0,75 as a number and 0.75 as text
            row = {
                k: str(v).replace(".", ",") if isinstance(v, float) else v for k, v in row.items()
            }
        writer.writerow(row)
    header = (
        f"# window={body['window']} computed_at={body['computed_at']}"
        f" counts_until={body['counts_until']}\n"
    )
    if excel:  # Excel takes a first line as data: the window is in the file's name instead
        header = "\ufeff"  # the BOM: Excel then reads UTF-8 (names with accents, "—")
    return Response(
        body=header + out.getvalue(),
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}-{body["window"]}.csv"',
        },
    )


@route(
    bp,
    "/stats",
    methods=["GET"],
    authorizer=staff,
    doc={
        "returns": STATS,
        "query": (
            *VIEW,
            q("squad", "only this squad (and its members)"),
            q("label", "only this label"),
            q("district", "only this district"),
        ),
    },
)
def command_stats():
    """Everything, for the command centre: filters squad, label, district."""
    if principal(bp.current_request).role != "command":
        raise Forbidden("for the command centre only")
    params = query(bp.current_request)
    body = stats_job.for_command(
        _view(),
        squad=params.get("squad"),
        label=params.get("label"),
        district=params.get("district"),
    )
    body["squads"] = [s.model_dump() for s in load_catalogue().squads]
    body["extra_metrics"] = [QUALITY_METRIC]
    return _render(body, "kawal-stats")


@route(
    bp,
    "/stats/squads/{squad}",
    methods=["GET"],
    authorizer=staff,
    doc={"returns": STATS, "query": VIEW},
)
def squad_stats(squad: str):
    who = principal(bp.current_request)
    if squad not in SQUAD_CODES or (squad == "shadow" and who.role != "command"):
        raise NotFound(f"no squad {squad!r}", code="squad_not_found")
    if not (who.role == "command" or (who.role == "squad" and who.squad == squad)):
        raise Forbidden("a squad's figures are for its members and the command centre")
    return _render(stats_job.for_squad(_view(), squad, load_catalogue()), f"kawal-{squad}")


QUALITY_METRIC = {
    "metric": "shadow_fail",
    "field": "shadow_not_fixed_share",
    "name_id": "Gagal cek bayangan",
    "name_en": "Shadow check failed",
}
PUBLIC_STATS = {200: {"application/json": PublicStats, "text/csv": {"type": "string"}}}


@route(bp, "/stats/public", methods=["GET"], doc={"returns": PUBLIC_STATS, "query": VIEW})
def public_stats():
    body = stats_job.for_public(_view(), load_catalogue())
    return _render(body, "kawal-public", PublicStats)


@route(
    bp,
    "/stats/recurring",
    methods=["GET"],
    authorizer=staff,
    doc={"returns": {200: {"application/json": {"type": "object"}}}},
)
def recurring_problems():
    """Places where one kind of problem keeps coming back after a fix ("masalah
    berulang"), most returns first: the command centre's only (never from covert
    reports, which the finder is never given)."""
    if principal(bp.current_request).role != "command":
        raise Forbidden("for the command centre only")
    return json_response(stats_job.recurring_view(bootstrap.stats_store(), reports.utc_now()))


_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@route(
    bp,
    "/command/evaluation",
    methods=["GET"],
    authorizer=staff,
    doc={
        "returns": {200: {"application/json": {"type": "object"}}},
        "query": (
            q("from", "first month, YYYY-MM (default: six months ago)", pattern=_MONTH.pattern),
            q("to", "last month, YYYY-MM (default: this month)", pattern=_MONTH.pattern),
        ),
    },
)
def command_evaluation():
    """The evaluation of a period (default: the last six months) against the one
    before: use, response, oversight, people, recurring problems."""
    if principal(bp.current_request).role != "command":
        raise Forbidden("for the command centre only")
    params = query(bp.current_request)
    now = reports.utc_now()
    first, last = evaluation.default_period(now.astimezone(WIB).date())
    first, last = params.get("from", first), params.get("to", last)
    if not (_MONTH.match(first) and _MONTH.match(last)) or first > last:
        raise InvalidInput(
            "from and to are months YYYY-MM, from not after to "
            "(bulan YYYY-MM, 'from' tidak sesudah 'to')",
            code="invalid_period",
            details=[{"from": first, "to": last}],
        )
    if len(evaluation.months_between(first, last)) > 24:
        raise InvalidInput("at most 24 months (paling lama 24 bulan)", code="period_too_long")
    store = bootstrap.stats_store()
    body = stats_job.evaluation_view(store, first, last)
    body["recurring"] = stats_job.recurring_view(store, now)["places"][:20]
    body["squads"] = [s.model_dump() for s in load_catalogue().squads]
    return json_response(body)
