"""Projects over HTTP on moto: the CSV import, and an OPD filing weekly progress on
its own projects only (another OPD: 404; squads, the shadow squad, the public: no)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import bearer

TEMPLATE = Path(__file__).resolve().parents[2] / "chalicelib" / "data" / "projects-template.csv"
USERS = {"pupr": "opd-pupr", "perkim": "opd-perkim", "orange": "squad-orange",
         "shadow": "shadow", "command": "command", "operator": "operator"}  # fmt: skip
ROAD = "2026-pupr-001"  # PUPR's, from the template: 10 weeks from 2026-03-02


@pytest.fixture
def who(aws, monkeypatch):
    from chalicelib import config
    from chalicelib.services import reports
    from kawal_deploy import resources

    monkeypatch.setattr(reports, "utc_now", lambda: datetime(2026, 4, 1, 3, 0, tzinfo=UTC))
    out = {}
    for name, group in USERS.items():
        resources.create_staff_user(config.user_pool_id(), name, "Test-password-1", group)
        out[name] = resources.sign_in(config.user_pool_client_id(), name, "Test-password-1")
    return out


def import_csv(client, token, text: str):
    headers = {"Content-Type": "text/csv", **bearer(token)}
    return client.http.post("/projects/import", headers=headers, body=text.encode())


def progress(client, token, project_id=ROAD, **body):
    fields = {"week": "2026-03-22", "physical": 28.5, "financial": 270_000_000, **body}
    headers = {"Content-Type": "application/json", **bearer(token)}
    return client.http.post(
        f"/projects/{project_id}/progress", headers=headers, body=json.dumps(fields)
    )


@pytest.fixture
def imported(client, who):
    done = import_csv(client, who["command"], TEMPLATE.read_text(encoding="utf-8"))
    assert done.status_code == 200, done.json_body
    return done.json_body


def test_the_command_centre_imports_and_a_bad_file_loses_nothing(client, who, imported):
    assert imported["created"] == ["2026-pupr-001", "2026-perkim-004", "2026-pendidikan-011"]
    again = import_csv(client, who["operator"], TEMPLATE.read_text(encoding="utf-8"))
    assert again.status_code == 200 and again.json_body["created"] == []
    bad = TEMPLATE.read_text(encoding="utf-8").replace("2026-pupr-001", "2026-pupr-002", 1)
    bad = bad.replace("1.350.000.000", "1.650.000.000")  # above the pagu
    refused = import_csv(client, who["command"], bad)
    assert refused.status_code == 400
    error = refused.json_body["error"]
    assert error["code"] == "csv_invalid"
    assert [(d["row"], d["field"]) for d in error["details"]] == [(2, "nilai_kontrak")]
    assert "pagu" in error["details"][0]["issue_id"]
    from chalicelib.adapters.dynamodb.projects import ProjectStore

    assert ProjectStore().project("2026-pupr-002") is None
    not_utf8 = import_csv(client, who["command"], "")
    assert not_utf8.status_code == 400


@pytest.mark.parametrize("role", ["pupr", "orange", "shadow"])
def test_only_the_command_centre_or_an_operator_imports(client, who, role):
    assert import_csv(client, who[role], TEMPLATE.read_text(encoding="utf-8")).status_code == 403
    assert import_csv(client, None, TEMPLATE.read_text(encoding="utf-8")).status_code == 401


def test_an_opd_files_its_weekly_progress_once(client, who, imported):
    filed = progress(client, who["pupr"], note="Pengaspalan lapis pertama")
    assert filed.status_code == 201, filed.json_body
    assert filed.json_body["physical"] == 28.5 and filed.json_body["by"] == "pupr"
    again = progress(client, who["pupr"], note="Pengaspalan lapis pertama")  # a retry
    assert again.status_code == 200
    other = progress(client, who["pupr"], physical=29.0)  # the same week, other numbers
    assert other.status_code == 400
    from chalicelib.adapters.dynamodb.projects import ProjectStore

    assert len(ProjectStore().progress_of(ROAD)) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"physical": 100.5}, "physical"),
        ({"physical": -1}, "physical"),
        ({"financial": 1_350_000_001}, "financial"),
        ({"week": "2026-05-01"}, "week"),  # not yet happened (today is 1 April)
        ({"week": "2026-02-27"}, "week"),  # before the contract
    ],
)
def test_bad_progress_is_refused_and_nothing_stored(client, who, imported, body, field):
    got = progress(client, who["pupr"], **body)
    assert got.status_code == 400, got.json_body
    assert field in json.dumps(got.json_body["error"]["details"])
    from chalicelib.adapters.dynamodb.projects import ProjectStore

    assert ProjectStore().progress_of(ROAD) == []


def test_progress_going_backwards_needs_a_reason(client, who, imported):
    assert progress(client, who["pupr"]).status_code == 201
    later = {"week": "2026-03-29", "physical": 25.0, "financial": 270_000_000}
    refused = progress(client, who["pupr"], **later)
    assert refused.status_code == 400
    assert refused.json_body["error"]["details"][0]["issue_id"].startswith("progres fisik turun")
    reason = "Opname ulang: galian dibongkar"
    assert progress(client, who["pupr"], **later, reason=reason).status_code == 201


def test_another_opd_finds_no_such_project_and_others_may_not_file(client, who, imported):
    assert progress(client, who["perkim"]).status_code == 404
    assert progress(client, who["perkim"], project_id="none-such").status_code == 404
    assert progress(client, who["pupr"], project_id="none-such").status_code == 404
    for role in ("orange", "shadow", "command", "operator"):
        assert progress(client, who[role]).status_code == 403
    assert progress(client, None).status_code == 401


def test_an_opd_account_has_no_staff_rights_over_reports(client, who):
    headers = bearer(who["pupr"])
    assert client.http.get("/squads/orange/reports", headers=headers).status_code == 403
    # the shadow squad's queue answers exactly as a squad that does not exist
    shadow = client.http.get("/squads/shadow/reports", headers=headers)
    unknown = client.http.get("/squads/nosuch/reports", headers=headers)
    assert (shadow.status_code, shadow.json_body) == (unknown.status_code, unknown.json_body)
    assert client.http.get("/command/reports", headers=headers).status_code == 403


def test_anyone_lists_a_years_projects_with_planned_and_reported_progress(client, who, imported):
    # 28.5 % on 22 March, plan 30 % then: late, not kritis; then 15 % on 29 March
    # against a plan of 40 %: 25 points behind, kritis
    assert progress(client, who["pupr"]).status_code == 201
    listed = client.http.get("/projects?year=2026").json_body
    assert [p["id"] for p in listed] == ["2026-pendidikan-011", "2026-perkim-004", ROAD]
    road = next(p for p in listed if p["id"] == ROAD)
    assert road["reported"] == {"week": "2026-03-22", "physical": 28.5, "financial": 270000000}
    assert (road["deviation"], road["standing"]) == (-1.5, "terlambat")
    assert road["opd_name"].startswith("Dinas Pekerjaan Umum")
    school = next(p for p in listed if p["id"] == "2026-pendidikan-011")
    assert (school["standing"], school["reported"]) == ("belum_mulai", None)
    behind = {"week": "2026-03-29", "physical": 15.0, "reason": "Material aspal terlambat datang"}
    assert progress(client, who["pupr"], **behind).status_code == 201
    road = client.http.get("/projects?opd=pupr&year=2026").json_body
    assert [(p["id"], p["standing"]) for p in road] == [(ROAD, "kritis")]
    assert client.http.get("/projects?kecamatan=watulimo&year=2026").json_body[0]["id"] == (
        "2026-pendidikan-011"
    )
    assert client.http.get("/projects?year=2031").json_body == []
    assert client.http.get("/projects?opd=dinas-rahasia").status_code == 400


def test_the_list_is_open_data_as_csv(client, imported):
    got = client.http.get("/projects?year=2026&format=csv")
    assert got.status_code == 200 and got.headers["Content-Type"].startswith("text/csv")
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(got.body.decode())))
    assert len(rows) == 3 and rows[2]["id"] == ROAD
    assert rows[2]["contract_value"] == "1350000000" and rows[2]["lat"].startswith("-8.08")


def test_one_project_shows_its_s_curve_and_every_week_against_it(client, who, imported):
    progress(client, who["pupr"], note="Galian dan pemadatan")
    got = client.http.get(f"/projects/{ROAD}")
    assert got.status_code == 200
    body = got.json_body
    assert body["plan"] == [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert body["progress"] == [
        {"week": "2026-03-22", "planned": 30.0, "physical": 28.5, "financial": 270000000,
         "note": "Galian dan pemadatan", "reason": None}
    ]  # fmt: skip
    assert "by" not in json.dumps(body["progress"])  # the OPD's staff are not named
    assert client.http.get("/projects/none-such").status_code == 404


def visit(client, token, squad="shadow", **body):
    fields = {
        "client_id": "6f1f4a52-8a8e-4f43-9d55-0d6c1c3f2a10",
        "project_id": ROAD,
        "visited_on": "2026-03-24",
        "observed_physical": 10.0,
        "findings": ["material", "pekerja_tidak_ada"],
        "verdict": "bermasalah",
        "note": "Lapisan aspal tipis, hanya 2 pekerja",
        **body,
    }
    headers = {"Content-Type": "application/json", **bearer(token)}
    return client.http.post(
        f"/squads/{squad}/inspections", headers=headers, body=json.dumps(fields)
    )


def public_reads(client) -> list:
    paths = ["/projects?year=2026", "/projects?year=2026&format=csv", f"/projects/{ROAD}"]
    paths += ["/projects?year=2026&opd=pupr", "/openapi.json"]
    return [(p, client.http.get(p).status_code, client.http.get(p).body) for p in paths]


def test_the_shadow_squad_inspects_and_no_public_read_changes(client, who, imported):
    assert progress(client, who["pupr"]).status_code == 201
    before = public_reads(client)
    made = visit(client, who["shadow"])
    assert made.status_code == 201, made.json_body
    assert made.json_body["covert"]["observed_physical"] == 10.0
    again = visit(client, who["shadow"])  # the phone's retry
    assert again.status_code == 200 and again.json_body["id"] == made.json_body["id"]
    assert public_reads(client) == before  # not in any list, count, file or export
    for role in ("shadow", "command"):
        listed = client.http.get(f"/squads/shadow/inspections?project={ROAD}",
                                 headers=bearer(who[role]))  # fmt: skip
        assert listed.status_code == 200 and len(listed.json_body) == 1
    # the project's own partition (what a public read queries) holds no inspection
    from chalicelib.adapters.dynamodb.projects import ProjectStore

    store = ProjectStore()
    kinds = {i["type"] for i in store._partition(f"PROJECT#{ROAD}")}
    assert kinds == {"project", "progress"}


@pytest.mark.parametrize("role", ["pupr", "perkim", "orange", "operator"])
def test_to_everyone_else_an_inspection_is_absent_like_an_unknown_squad(
    client, who, imported, role
):
    visit(client, who["shadow"])
    token = who[role]
    for squad in ("shadow", "nosuch"):
        got = visit(client, token, squad=squad)
        assert got.status_code == 404

    def same(a, b):  # the answer for the shadow squad is the unknown squad's, name for name
        return json.dumps(a.json_body).replace("shadow", "nosuch") == json.dumps(b.json_body)

    shadow, unknown = visit(client, token), visit(client, token, squad="nosuch")
    assert same(shadow, unknown)
    read = client.http.get(f"/squads/shadow/inspections?project={ROAD}", headers=bearer(token))
    none = client.http.get(f"/squads/nosuch/inspections?project={ROAD}", headers=bearer(token))
    assert read.status_code == none.status_code == 404 and same(read, none)
    assert client.http.get("/command/projects", headers=bearer(token)).status_code == 403
    assert visit(client, None).status_code == 401


def test_the_command_centre_sees_the_worst_first_and_the_gap_reported_vs_observed(
    client, who, imported
):
    progress(client, who["pupr"])  # 28.5 % reported
    visit(client, who["shadow"])  # 10 % observed
    assert visit(client, who["command"]).status_code == 403  # the squad records, not the regent
    rows = client.http.get("/command/projects?year=2026", headers=bearer(who["command"])).json_body
    road = next(r for r in rows if r["project_id"] == ROAD)
    assert (road["reported_physical"], road["observed_physical"], road["gap"]) == (28.5, 10.0, 18.5)
    assert road["verdict"] == "bermasalah" and road["financial_ahead"] == pytest.approx(-8.5)
    rank = {"kritis": 0, "terlambat": 1, "belum_mulai": 2, "sesuai": 3}
    assert [rank[r["standing"]] for r in rows] == sorted(rank[r["standing"]] for r in rows)
    assert rows[0]["project_id"] == ROAD  # of the late ones, the widest gap first


def test_a_bad_visit_is_refused_and_nothing_stored(client, who, imported):
    for bad in ({"observed_physical": 120}, {"findings": ["material", "material"]},
                {"verdict": "lumayan"}, {"project_id": "none-such"}):  # fmt: skip
        assert visit(client, who["shadow"], **bad).status_code in (400, 404)
    listed = client.http.get(f"/squads/shadow/inspections?project={ROAD}",
                             headers=bearer(who["shadow"]))  # fmt: skip
    assert listed.json_body == []


def stage(client, token, to, on, project_id=ROAD):
    headers = {"Content-Type": "application/json", **bearer(token)}
    body = json.dumps({"stage": to, "on": on})
    return client.http.post(f"/projects/{project_id}/stage", headers=headers, body=body)


def test_an_opd_moves_its_project_through_its_stages_on_documents_dates(client, who, imported):
    assert stage(client, who["perkim"], "pelaksanaan", "2026-03-02").status_code == 404
    assert stage(client, who["orange"], "pelaksanaan", "2026-03-02").status_code == 403
    assert stage(client, who["pupr"], "pho", "2026-03-02").status_code == 400  # a step skipped
    assert stage(client, who["pupr"], "pelaksanaan", "2026-04-02").status_code == 400  # future
    moved = stage(client, who["pupr"], "pelaksanaan", "2026-03-02")
    assert moved.status_code == 200 and moved.json_body["stage"] == "pelaksanaan"
    refused = stage(client, who["pupr"], "pho", "2026-03-30")
    assert refused.status_code == 400 and "100" in refused.json_body["error"]["message"]
    done = {"week": "2026-03-29", "physical": 100, "financial": 1_300_000_000}
    assert progress(client, who["pupr"], **done).status_code == 201
    pho = stage(client, who["pupr"], "pho", "2026-03-30")
    assert pho.status_code == 200, pho.json_body
    assert (pho.json_body["stage"], pho.json_body["pho_date"]) == ("pho", "2026-03-30")
    assert client.http.get(f"/projects/{ROAD}").json_body["stage"] == "pho"
