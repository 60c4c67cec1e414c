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
