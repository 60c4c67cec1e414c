"""`make run`'s year of projects: a few dozen, some on time, some kritis, some whose
OPD reports run ahead of what the shadow squad found; every one valid."""

from __future__ import annotations

from datetime import UTC, date, datetime

from chalicelib.adapters.dynamodb.inspections import InspectionStore
from chalicelib.adapters.dynamodb.projects import ProjectStore
from chalicelib.domain.principals import Principal
from chalicelib.services.inspections import ProjectInspections
from kawal_local.projects_seed import seed_projects

TODAY = date(2026, 12, 8)


def test_the_seeded_year_has_every_kind_of_project(aws):
    assert seed_projects(TODAY) >= 30
    store = ProjectStore()
    projects = store.projects_of_year(2026)
    assert len(projects) >= 30 and {p.opd for p in projects} >= {"pupr", "perkim", "pendidikan"}
    assert all(store.progress_of(p.id) for p in projects if p.start < date(2026, 11, 1))
    overview = ProjectInspections(
        projects=store,
        inspections=InspectionStore(),
        now=lambda: datetime(2026, 12, 8, 3, tzinfo=UTC),
    ).overview(Principal("command", "komando"), 2026)
    standings = {g.standing for g in overview}
    assert {"kritis", "sesuai"} <= standings
    ahead = [g for g in overview if g.gap is not None and g.gap > 10]
    assert len(ahead) >= 5 and all(g.verdict == "bermasalah" for g in ahead)
    assert any(g.gap is not None and abs(g.gap) <= 3 for g in overview)  # checked, and true
    assert seed_projects(TODAY) >= 30  # run twice (a restart): nothing breaks


def test_per_opd_the_command_centre_sees_how_its_projects_stand(client, aws):
    from chalicelib import config
    from kawal_deploy import resources
    from tests.conftest import bearer

    seed_projects(TODAY)
    for name, group in (("komando", "command"), ("dinas", "opd-pupr"), ("tim", "squad-orange")):
        resources.create_staff_user(config.user_pool_id(), name, "Test-password-1", group)
    token = {n: resources.sign_in(config.user_pool_client_id(), n, "Test-password-1")
             for n in ("komando", "dinas", "tim")}  # fmt: skip
    got = client.http.get("/command/projects/opds?year=2026", headers=bearer(token["komando"]))
    assert got.status_code == 200
    opds = got.json_body
    assert len(opds) == 6 and sum(o["projects"] for o in opds) == 36
    assert [o["kritis"] for o in opds] == sorted((o["kritis"] for o in opds), reverse=True)
    assert any(o["mean_gap"] and o["mean_gap"] > 10 for o in opds)
    for who in ("dinas", "tim"):
        url = "/command/projects/opds?year=2026"
        assert client.http.get(url, headers=bearer(token[who])).status_code == 403
