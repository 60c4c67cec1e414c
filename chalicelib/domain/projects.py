"""Public works the regency funds: the project, its weekly S-curve plan, the *kritis*
rule, and what an OPD may report as progress. Pure: no storage, no HTTP.

Money is Rupiah as ``int`` (never a float). Progress is a percentage of the physical
work with at most two decimals; rules compare it in hundredths of a point (``_bp``) so
that 10.00 points behind is not kritis and 10.01 is, whatever the float says.
"""

from __future__ import annotations

import itertools
import math
from datetime import date, datetime
from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.schema import Model

Stage = Literal["persiapan", "pelaksanaan", "pho", "pemeliharaan", "fho"]
STAGES: tuple[Stage, ...] = ("persiapan", "pelaksanaan", "pho", "pemeliharaan", "fho")
Funding = Literal["apbd", "dak", "bk_provinsi", "dana_desa", "lainnya"]
FUNDING: dict[str, str] = {
    "apbd": "APBD Kabupaten",
    "dak": "Dana Alokasi Khusus (DAK)",
    "bk_provinsi": "Bantuan Keuangan Provinsi",
    "dana_desa": "Dana Desa",
    "lainnya": "Lainnya",
}
# The executing OPDs (organisasi perangkat daerah) that run public works; each has
# its own staff group (``opd-<code>``).
OPDS: dict[str, str] = {
    "pupr": "Dinas Pekerjaan Umum dan Penataan Ruang (PUPR)",
    "perkim": "Dinas Perumahan dan Kawasan Permukiman (Perkim)",
    "pendidikan": "Dinas Pendidikan, Pemuda dan Olahraga",
    "kesehatan": "Dinas Kesehatan",
    "pertanian": "Dinas Pertanian dan Pangan",
    "perhubungan": "Dinas Perhubungan",
}
PROJECT_ID = r"^[a-z0-9][a-z0-9-]{2,39}$"
MAX_WEEKS = 104  # two years of weekly plan: more is a typo, not a contract


def _bp(percent: float) -> int:
    """A percentage in hundredths of a point (basis points of the whole work)."""
    return round(percent * 100)


def _percent(value: float) -> float:
    if not math.isfinite(value) or not 0 <= value <= 100:
        raise ValueError("a percentage is between 0 and 100")
    return round(value, 2)


class Place(Model):
    """Where the work is: one point (a building), or a line (a road, a canal)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["point", "line"]
    coordinates: tuple[tuple[float, float], ...] = Field(min_length=1, max_length=200)  # (lat, lon)

    @model_validator(mode="after")
    def _shape(self) -> Place:
        if self.kind == "point" and len(self.coordinates) != 1:
            raise ValueError("a point has exactly one coordinate")
        if self.kind == "line" and len(self.coordinates) < 2:
            raise ValueError("a line has at least two coordinates")
        for lat, lon in self.coordinates:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError("coordinates are latitude, longitude")
        return self

    @property
    def centre(self) -> tuple[float, float]:
        lats, lons = zip(*self.coordinates, strict=True)
        return sum(lats) / len(lats), sum(lons) / len(lons)


class Plan(Model):
    """The S-curve: planned cumulative physical progress (%) at the end of each week
    of the contract, from the contract's schedule (kurva S)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    weekly: tuple[float, ...] = Field(min_length=1, max_length=MAX_WEEKS)

    @field_validator("weekly")
    @classmethod
    def _curve(cls, weekly: tuple[float, ...]) -> tuple[float, ...]:
        weekly = tuple(_percent(w) for w in weekly)
        if any(b < a for a, b in itertools.pairwise(weekly)):
            raise ValueError("the S-curve never goes down")
        if weekly[-1] != 100:
            raise ValueError("the S-curve ends at 100")
        return weekly

    def at(self, start: date, day: date) -> float:
        """Planned progress on ``day``: linear within a week, 0 before the start,
        100 after the last week."""
        elapsed = (day - start).days + 1  # the start day is a day of work
        if elapsed <= 0:
            return 0.0
        week, into = divmod(elapsed, 7)
        if week >= len(self.weekly):
            return 100.0
        before = self.weekly[week - 1] if week else 0.0
        return round(before + (self.weekly[week] - before) * into / 7, 2)


class Reported(Model):
    """The OPD's latest weekly report, kept on the project for lists (one read)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    week: date
    physical: float
    financial: int


class Project(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=PROJECT_ID)
    fiscal_year: int = Field(ge=2000, le=2100)
    name: str = Field(min_length=3, max_length=200)
    opd: str
    contractor: str = Field(min_length=2, max_length=200)  # penyedia
    consultant: str | None = Field(default=None, max_length=200)  # konsultan pengawas
    pagu: int = Field(ge=1)  # budget ceiling, Rupiah
    contract_value: int = Field(ge=1)  # Rupiah
    funding: Funding
    contract_number: str = Field(min_length=3, max_length=100)
    start: date
    end: date
    place: Place
    district: str  # kecamatan code (domain/geo)
    village: str | None = None  # desa code (Kemendagri)
    stage: Stage = "persiapan"
    pho_date: date | None = None
    fho_date: date | None = None
    plan: Plan
    reported: Reported | None = None  # the latest progress report (none yet: None)

    @field_validator("opd")
    @classmethod
    def _known_opd(cls, opd: str) -> str:
        if opd not in OPDS:
            raise ValueError(f"unknown OPD {opd!r}")
        return opd

    @model_validator(mode="after")
    def _consistent(self) -> Project:
        if self.contract_value > self.pagu:
            raise ValueError("the contract value is above the budget ceiling (pagu)")
        if self.end < self.start:
            raise ValueError("the contract ends before it starts")
        if len(self.plan.weekly) != contract_weeks(self.start, self.end):
            raise ValueError(
                f"the S-curve has {len(self.plan.weekly)} weeks; the contract runs "
                f"{contract_weeks(self.start, self.end)}"
            )
        return self

    def planned(self, day: date) -> float:
        return self.plan.at(self.start, day)


def contract_weeks(start: date, end: date) -> int:
    return max(1, math.ceil(((end - start).days + 1) / 7))


def fiscal_year_end(year: int) -> date:
    return date(year, 12, 31)


def deviation(project: Project, physical: float, day: date) -> float:
    """Reported minus planned progress, in points (negative: behind)."""
    return (_bp(physical) - _bp(project.planned(day))) / 100


def kritis(project: Project, physical: float, day: date) -> bool:
    """The national rule (Permen PU 07/2011, LKPP 9/2018): behind plan by more than
    10 points while the plan is 0–70 %, by more than 5 points at 70–100 %, or behind
    at all while running past the fiscal year (the day is after 31 December of its
    year, or the contract itself ends after it)."""
    plan, done = _bp(project.planned(day)), _bp(physical)
    behind = plan - done
    if behind <= 0:
        return False
    year_end = fiscal_year_end(project.fiscal_year)
    if day > year_end or project.end > year_end:
        return True
    return behind > (1000 if plan <= 7000 else 500)


def late(project: Project, physical: float, day: date) -> bool:
    """Behind the S-curve at all (not yet kritis, perhaps)."""
    return _bp(physical) < _bp(project.planned(day))


class Progress(Model):
    """One weekly progress report of the OPD: physical (%) and financial (Rupiah paid)
    realisation, cumulative."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    project_id: str = Field(pattern=PROJECT_ID)
    week: date  # the day the week's progress was measured (WIB)
    physical: float
    financial: int = Field(ge=0)
    note: str | None = Field(default=None, max_length=1000)
    reason: str | None = Field(default=None, max_length=500)  # why it went down
    by: str
    filed_at: datetime | None = None

    @field_validator("physical")
    @classmethod
    def _physical(cls, value: float) -> float:
        return _percent(value)


class ProgressIn(Model):
    """What an OPD sends for a week (the body of ``POST /projects/{id}/progress``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    week: date
    physical: float = Field(ge=0, le=100, allow_inf_nan=False)
    financial: int = Field(ge=0, le=10**15)
    note: str | None = Field(default=None, max_length=1000)
    reason: str | None = Field(default=None, max_length=500)


class StageIn(Model):
    """An OPD moves its project to the next stage, on its document's date."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    stage: Stage
    on: date


def _problem(field: str, issue_id: str, issue_en: str) -> dict[str, str]:
    return {"field": field, "issue_id": issue_id, "issue": issue_en}


MIN_REASON = 10


def check_progress(
    project: Project, previous: Progress | None, new: Progress, today: date | None = None
) -> None:
    """Reject a report the OPD could not mean: money beyond the contract, progress
    going backwards without a reason, a week outside the contract's life."""
    problems = []
    if new.project_id != project.id:
        problems.append(_problem("project_id", "proyek lain", "another project"))
    if new.financial > project.contract_value:
        problems.append(
            _problem(
                "financial",
                f"realisasi keuangan melebihi nilai kontrak (Rp {project.contract_value:,})",
                f"financial realisation above the contract value (Rp {project.contract_value:,})",
            )
        )
    if new.week > (today or new.week):
        problems.append(_problem("week", "minggu yang belum terjadi", "a week in the future"))
    if new.week < project.start:
        problems.append(
            _problem("week", "minggu sebelum kontrak dimulai", "a week before the contract starts")
        )
    if previous is not None:
        explained = len((new.reason or "").strip()) >= MIN_REASON
        if new.week <= previous.week:
            problems.append(
                _problem(
                    "week",
                    f"sudah ada laporan minggu {previous.week.isoformat()}",
                    f"a report for {previous.week.isoformat()} already exists",
                )
            )
        if _bp(new.physical) < _bp(previous.physical) and not explained:
            problems.append(
                _problem(
                    "physical",
                    f"progres fisik turun dari {previous.physical} %: tuliskan alasannya",
                    f"physical progress goes down from {previous.physical} %: give a reason",
                )
            )
        if new.financial < previous.financial and not explained:
            problems.append(
                _problem(
                    "financial",
                    f"realisasi keuangan turun dari Rp {previous.financial:,}: tuliskan alasannya",
                    f"financial realisation goes down from Rp {previous.financial:,}: "
                    "give a reason",
                )
            )
    if problems:
        raise InvalidInput("the progress report is not valid", problems, code="progress_invalid")


def advance_stage(project: Project, to: Stage, on: date, physical: float) -> Project:
    """Stages move forward one at a time, each on its document's date: PHO (serah
    terima pertama) needs the work done (100 %), FHO comes after PHO."""
    here, there = STAGES.index(project.stage), STAGES.index(to)
    if there != here + 1:
        raise InvalidInput(
            "a stage moves forward one step at a time",
            [_problem("stage", f"tahap berikutnya: {STAGES[min(here + 1, 4)]}", "next stage")],
            code="stage_invalid",
        )
    if on < project.start:
        raise InvalidInput(
            "the document is dated before the contract starts",
            [_problem("date", "tanggal sebelum kontrak dimulai", "dated before the start")],
            code="stage_invalid",
        )
    changes: dict[str, object] = {"stage": to}
    if to == "pho":
        if _bp(physical) < 10000:
            raise InvalidInput(
                "PHO needs the physical work at 100 %",
                [_problem("stage", "PHO butuh progres fisik 100 %", "PHO needs 100 %")],
                code="stage_invalid",
            )
        changes["pho_date"] = on
    if to == "fho":
        if project.pho_date is None or on < project.pho_date:
            raise InvalidInput(
                "FHO is dated after PHO",
                [_problem("date", "FHO setelah PHO", "FHO comes after PHO")],
                code="stage_invalid",
            )
        changes["fho_date"] = on
    return project.model_copy(update=changes)
