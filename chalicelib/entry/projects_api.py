"""Public works over HTTP: importing a year's projects (CSV), an OPD's weekly progress,
and the public's read (a list as JSON or CSV open data, one project's file)."""

from __future__ import annotations

import csv
import io

from chalice import Blueprint, Response

from chalicelib import bootstrap
from chalicelib.domain.errors import InvalidInput, PayloadTooLarge
from chalicelib.domain.inspections import Gap, Inspection, InspectionIn, OpdStanding, per_opd
from chalicelib.domain.project_views import ProjectDetail, ProjectPublic
from chalicelib.domain.projects import OPDS, PROJECT_ID, Progress, ProgressIn, StageIn
from chalicelib.entry.authn import principal, staff
from chalicelib.entry.contract import q
from chalicelib.entry.http import json_response, parse_body, query, raw_body, route

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


LIST_QUERY = (
    q("year", "fiscal year (default: this year)", pattern=r"^20\d\d$"),
    q("opd", "one OPD's projects", enum=sorted(OPDS)),
    q("kecamatan", "one kecamatan's projects", pattern=r"^[a-z][a-z0-9_]{1,39}$"),
    q("format", "csv for open data", enum=["json", "csv"]),
)
CSV_COLUMNS = [
    "id", "fiscal_year", "name", "opd", "opd_name", "contractor", "consultant", "pagu",
    "contract_value", "funding", "contract_number", "start", "end", "district", "village",
    "stage", "lat", "lon", "planned_physical", "reported_week", "reported_physical",
    "reported_financial", "deviation", "standing",
]  # fmt: skip


@route(
    bp,
    "/projects",
    methods=["GET"],
    doc={
        "query": LIST_QUERY,
        "returns": {200: {"application/json": [ProjectPublic], "text/csv": {"type": "string"}}},
    },
)
def list_projects():
    """Every public work of a fiscal year: where, by whom, for how much, planned vs
    reported progress (open data: JSON or CSV, stable URL)."""
    params = query(bp.current_request)
    year = int(params["year"]) if params.get("year") else None
    found = bootstrap.project_reads().listing(year, params.get("opd"), params.get("kecamatan"))
    if params.get("format") != "csv":
        return json_response(found)
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for p in found:
        row = p.model_dump(mode="json")
        row["lat"], row["lon"] = (round(c, 6) for c in p.place.centre)
        if p.reported:
            row |= {f"reported_{k}": v for k, v in row["reported"].items()}
        writer.writerow(row)
    return Response(
        body=out.getvalue(),
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="proyek-{year or "tahun-ini"}.csv"',
        },
    )


@route(bp, "/projects/{project_id}", methods=["GET"], doc={"returns": {200: ProjectDetail}})
def get_project(project_id: str):
    """One project: the contract, the S-curve, and every weekly report against it."""
    return json_response(bootstrap.project_reads().detail(project_id))


# The shadow squad's inspections live under the squads' routes: to anyone but the
# shadow squad (and, to read, the command centre) they answer as a squad that does not
# exist, and the path names nothing covert.
@route(
    bp,
    "/squads/{squad}/inspections",
    methods=["POST"],
    authorizer=staff,
    doc={"body": InspectionIn, "returns": {201: Inspection, 200: Inspection}},
)
def record_inspection(squad: str):
    """The squad records a site visit (a retry with the same client_id is the same)."""
    visit = parse_body(bp.current_request, InspectionIn)
    who = principal(bp.current_request)
    stored, new = bootstrap.project_inspections().record(squad, visit, who)
    return json_response(stored, 201 if new else 200)


@route(
    bp,
    "/squads/{squad}/inspections",
    methods=["GET"],
    authorizer=staff,
    doc={
        "query": (q("project", "one project's visits", required=True, pattern=PROJECT_ID),),
        "returns": {200: [Inspection]},
    },
)
def list_inspections(squad: str):
    """A project's site visits, oldest first."""
    project_id = query(bp.current_request).get("project", "")
    who = principal(bp.current_request)
    found = bootstrap.project_inspections().of_project(squad, project_id, who)
    return json_response([i.model_dump(mode="json") for i in found])


@route(
    bp,
    "/command/projects",
    methods=["GET"],
    authorizer=staff,
    doc={"query": (q("year", "fiscal year", pattern=r"^20\d\d$"),), "returns": {200: [Gap]}},
)
def command_projects():
    """The command centre's projects: kritis and late first, reported vs observed."""
    return json_response([r.model_dump(mode="json") for r in _overview()])


def _overview() -> list[Gap]:
    """The command centre's year of projects (the ``year`` asked, or this one)."""
    year = query(bp.current_request).get("year")
    who = principal(bp.current_request)
    return bootstrap.project_inspections().overview(who, int(year) if year else None)


@route(
    bp,
    "/command/projects/opds",
    methods=["GET"],
    authorizer=staff,
    doc={
        "query": (q("year", "fiscal year", pattern=r"^20\d\d$"),),
        "returns": {200: [OpdStanding]},
    },
)
def command_opds():
    """Per OPD, how its projects stand: kritis, late, on time, the mean gap found."""
    rows = _overview()
    return json_response([o.model_dump(mode="json") for o in per_opd(rows)])


@route(
    bp,
    "/projects/{project_id}/stage",
    methods=["POST"],
    authorizer=staff,
    doc={"body": StageIn, "returns": {200: ProjectDetail}, "errors": (409,)},
)
def advance_stage(project_id: str):
    """An OPD moves its project to the next stage (PHO, FHO…) on its document's date."""
    change = parse_body(bp.current_request, StageIn)
    bootstrap.project_progress().advance(project_id, change, principal(bp.current_request))
    return json_response(bootstrap.project_reads().detail(project_id))
