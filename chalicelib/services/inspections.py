"""The shadow squad inspects public works covertly; the command centre weighs what
the OPD reports against what the squad found. To everyone else an inspection is
absent: the same 404 as a squad or project that does not exist."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from chalicelib.domain.errors import NotFound
from chalicelib.domain.inspections import Gap, Inspection, InspectionIn, Observed, gap
from chalicelib.domain.principals import Forbidden, Principal
from chalicelib.domain.project_views import standing
from chalicelib.domain.sms_text import WIB
from chalicelib.services.ports import Inspections, Projects

SHADOW = "shadow"


def _absent(squad: str) -> NotFound:
    return NotFound(f"no squad {squad!r}", code="squad_not_found")


class ProjectInspections:
    def __init__(self, *, projects: Projects, inspections: Inspections,
                 now: Callable[[], datetime]):  # fmt: skip
        self.projects, self.store, self.now = projects, inspections, now

    def _known_to(self, squad: str, who: Principal, *, record: bool) -> None:
        if squad != SHADOW or who.role not in ((SHADOW,) if record else (SHADOW, "command")):
            if squad == SHADOW and who.role == "command":
                raise Forbidden("the command centre plans inspections; the squad records them")
            raise _absent(squad)

    def record(self, squad: str, visit: InspectionIn, who: Principal) -> tuple[Inspection, bool]:
        """Record a visit; the same visit sent again (a retry) is the one stored."""
        self._known_to(squad, who, record=True)
        if self.projects.project(visit.project_id) is None:
            raise NotFound(f"no project {visit.project_id!r}", code="project_not_found")
        inspection_id = uuid.uuid5(uuid.NAMESPACE_URL, f"kawal/inspection/{visit.client_id}").hex
        kept = self.store.inspection(visit.project_id, inspection_id)
        if kept is not None:
            return kept, False
        inspection = Inspection(
            id=inspection_id,
            project_id=visit.project_id,
            visited_on=visit.visited_on,
            at=self.now(),
            covert=Observed(
                observed_physical=visit.observed_physical,
                findings=visit.findings,
                verdict=visit.verdict,
                note=visit.note,
                by=who.id,
            ),
        )
        if not self.store.add_inspection(inspection):  # the same retry, a moment earlier
            return self.store.inspection(visit.project_id, inspection_id) or inspection, False
        return inspection, True

    def of_project(self, squad: str, project_id: str, who: Principal) -> list[Inspection]:
        self._known_to(squad, who, record=False)
        return self.store.inspections(project_id)

    def _reported_by(self, visit: Inspection | None) -> float | None:
        """The OPD's figure in its last report on or before the visit (one read per
        inspected project: a few)."""
        if visit is None:
            return None
        history = self.projects.progress_of(visit.project_id)
        before = [p for p in history if p.week <= visit.visited_on]
        return before[-1].physical if before else None

    def overview(self, who: Principal, year: int | None = None) -> list[Gap]:
        """The command centre's view of a year: kritis first, then the widest gap
        between what the OPD reports and what the shadow squad observed."""
        if who.role != "command":
            raise Forbidden("for the command centre only")
        today = self.now().astimezone(WIB).date()
        latest: dict[str, Inspection] = {}
        for inspection in self.store.inspections():  # oldest first: the last one stays
            latest[inspection.project_id] = inspection
        rows = [
            gap(p, latest.get(p.id), self._reported_by(latest.get(p.id)), standing(p, today), today)
            for p in self.projects.projects_of_year(year or today.year)
        ]
        order = {"kritis": 0, "terlambat": 1, "belum_mulai": 2, "sesuai": 3}
        return sorted(rows, key=lambda g: (order[g.standing], -(g.gap or 0), g.project_id))
