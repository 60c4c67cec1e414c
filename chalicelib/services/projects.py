"""Public works: importing a year's projects from an OPD's CSV export. All rows or
none: every row is checked first, then the new projects are stored in one write. A
file sent again (a retry, or next month's export with the same contracts) stores only
what is new; a row that would change an imported contract is refused, not applied."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.geo import Regency, Villages
from chalicelib.domain.principals import Forbidden, Principal
from chalicelib.domain.project_csv import parse_rows
from chalicelib.domain.project_views import ProjectDetail, ProjectPublic, detail_view, public_view
from chalicelib.domain.projects import (
    Progress,
    ProgressIn,
    Project,
    StageIn,
    advance_stage,
    check_progress,
)
from chalicelib.domain.sms_text import WIB
from chalicelib.services.ports import Projects

# What the progress of a contract changes; the rest is the contract as imported.
_RUN_FIELDS = {"stage", "pho_date", "fho_date", "reported"}


@dataclass
class Imported:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _contract(project: Project) -> dict:
    return project.model_dump(exclude=_RUN_FIELDS)


class ProjectImport:
    def __init__(self, *, store: Projects, regency: Callable[[], Regency],
                 villages: Callable[[], Villages]):  # fmt: skip
        self.store, self.regency, self.villages = store, regency, villages

    def import_csv(self, text: str, who: Principal) -> Imported:
        if who.role not in ("command", "operator"):
            raise Forbidden("only the command centre or an operator imports projects")
        projects = parse_rows(text, self.regency(), self.villages())
        existing: dict[str, Project] = {}
        for year in sorted({p.fiscal_year for _, p in projects}):
            existing |= {p.id: p for p in self.store.projects_of_year(year)}
        result, new, problems = Imported(), [], []
        for row, project in projects:
            before = existing.get(project.id) or self.store.project(project.id)
            if before is None:
                new.append(project)
                result.created.append(project.id)
            elif _contract(before) == _contract(project):
                result.unchanged.append(project.id)
            else:
                problems.append(
                    {
                        "row": row,
                        "field": "id_proyek",
                        "issue_id": "id_proyek sudah dipakai kontrak lain (atau kontrak ini "
                        "sudah diimpor dengan isi berbeda)",
                        "issue": "id_proyek already imported with different contents",
                    }
                )
        if problems:
            raise InvalidInput(
                f"{len(problems)} row(s) are not valid; nothing was imported",
                problems,
                code="csv_invalid",
            )
        self.store.create_projects(new)
        return result


class ProjectProgress:
    """An OPD's weekly progress on its own projects. Another OPD's project is absent
    to it (404, like an unknown one); staff of the reports' workflow file none."""

    def __init__(self, *, store: Projects, now: Callable[[], datetime]):
        self.store, self.now = store, now

    def file(self, project_id: str, report: ProgressIn, who: Principal) -> tuple[Progress, bool]:
        """Store the week's report; the same report sent again (a retry) is the one
        stored, not a second one. Whether it was new."""
        project = self._own(project_id, who)
        history = self.store.progress_of(project_id)
        new = Progress(project_id=project_id, by=who.id, filed_at=self.now(),
                       **report.model_dump())  # fmt: skip
        same_week = next((p for p in history if p.week == new.week), None)
        if same_week is not None and _said(same_week) == _said(new):
            return same_week, False
        previous = history[-1] if history else None
        check_progress(project, previous, new, today=self.now().astimezone(WIB).date())
        if not self.store.add_progress(new):  # a report for the week arrived meanwhile
            raise Conflict("this week's progress was just filed", code="progress_exists")
        return new, True

    def advance(self, project_id: str, change: StageIn, who: Principal) -> Project:
        """The next stage, on its document's date (PHO only at 100 % reported)."""
        project = self._own(project_id, who)
        latest = project.reported.physical if project.reported else 0.0
        if change.on > self.now().astimezone(WIB).date():
            raise InvalidInput(
                "the document is dated in the future",
                [{"field": "on", "issue_id": "tanggal belum terjadi", "issue": "a future date"}],
                code="stage_invalid",
            )
        moved = advance_stage(project, change.stage, change.on, latest)
        if not self.store.advance(moved, project.stage):
            raise Conflict("the project's stage just changed", code="stage_changed")
        return moved

    def _own(self, project_id: str, who: Principal) -> Project:
        if who.role != "opd":
            raise Forbidden("only the project's OPD reports on it")
        project = self.store.project(project_id)
        if project is None or project.opd != who.opd:
            raise NotFound(f"no project {project_id!r}", code="project_not_found")
        return project

    def history(self, project_id: str) -> list[Progress]:
        return self.store.progress_of(project_id)


def _said(p: Progress) -> tuple:
    return (p.week, p.physical, p.financial, p.note, p.reason)


class ProjectReads:
    """What the public reads: a year's projects (filtered), one project's file."""

    def __init__(self, *, store: Projects, now: Callable[[], datetime]):
        self.store, self.now = store, now

    def _today(self):
        return self.now().astimezone(WIB).date()

    def listing(
        self, year: int | None = None, opd: str | None = None, district: str | None = None
    ) -> list[ProjectPublic]:
        today = self._today()
        found = self.store.projects_of_year(year or today.year, opd)
        return [public_view(p, today) for p in found if district in (None, p.district)]

    def detail(self, project_id: str) -> ProjectDetail:
        project = self.store.project(project_id)
        if project is None:
            raise NotFound(f"no project {project_id!r}", code="project_not_found")
        return detail_view(project, self.store.progress_of(project_id), self._today())
