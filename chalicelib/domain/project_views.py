"""Public works as anyone sees them: a project's standing today (kritis, terlambat,
sesuai, belum mulai) and its views, planned against reported week by week. Nothing the
shadow squad observed is ever part of them."""

from __future__ import annotations

from datetime import date
from typing import Literal

from chalicelib.domain.projects import (
    OPDS,
    Place,
    Progress,
    Project,
    Reported,
    Stage,
    deviation,
    fiscal_year_end,
    kritis,
    late,
)
from chalicelib.domain.schema import Model

Standing = Literal["kritis", "terlambat", "sesuai", "belum_mulai"]


class ProjectPublic(Model):
    """A project as anyone sees it: the contract, where, planned vs reported progress."""

    # (nothing the shadow squad observed is ever part of it; nor does this text say so)

    id: str
    fiscal_year: int
    name: str
    opd: str
    opd_name: str
    contractor: str
    consultant: str | None
    pagu: int
    contract_value: int
    funding: str
    contract_number: str
    start: date
    end: date
    place: Place
    district: str
    village: str | None
    stage: Stage
    pho_date: date | None
    fho_date: date | None
    planned_physical: float  # today, by the S-curve
    reported: Reported | None
    deviation: float | None  # the latest report against the plan on its week, in points
    standing: Standing


class WeekPublic(Model):
    week: date
    planned: float
    physical: float
    financial: int
    note: str | None
    reason: str | None


class ProjectDetail(ProjectPublic):
    plan: tuple[float, ...]
    progress: list[WeekPublic]


STALE_DAYS = 14  # a report older than two weeks no longer speaks for the work


def standing(project: Project, today: date) -> Standing:
    """By the latest report, judged on its own week; a report more than two weeks
    old (or none, once work should show) is judged against today's plan, so an OPD
    that stops reporting does not look on time."""
    r = project.reported
    if r is None:
        if project.planned(today) == 0:
            return "belum_mulai"
        return "kritis" if kritis(project, 0, today) else "terlambat"
    day = r.week if (today - r.week).days <= STALE_DAYS else today
    if kritis(project, r.physical, day) or (
        today > fiscal_year_end(project.fiscal_year) and late(project, r.physical, today)
    ):
        return "kritis"
    return "terlambat" if late(project, r.physical, day) else "sesuai"


def public_view(project: Project, today: date) -> ProjectPublic:
    r = project.reported
    return ProjectPublic(
        **project.model_dump(exclude={"plan", "reported"}),
        opd_name=OPDS[project.opd],
        planned_physical=project.planned(today),
        reported=r,
        deviation=deviation(project, r.physical, r.week) if r else None,
        standing=standing(project, today),
    )


def detail_view(project: Project, history: list[Progress], today: date) -> ProjectDetail:
    weeks = [
        WeekPublic(
            week=p.week,
            planned=project.planned(p.week),
            physical=p.physical,
            financial=p.financial,
            note=p.note,
            reason=p.reason,
        )
        for p in history
    ]
    return ProjectDetail(
        **public_view(project, today).model_dump(), plan=project.plan.weekly, progress=weeks
    )
