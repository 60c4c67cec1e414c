"""The shadow squad's own inspections of public works: what it observed on site,
independently of what the OPD reports. Covert: absent to everyone but the shadow squad
and the command centre. Pure.

What is covert sits in one nested field (``covert``: observed progress, findings,
verdict, note, who): the item keeps it apart from the few plain fields a store needs
to key and order it, so sealing at rest can replace that one field with a ciphertext
bound to the inspection, as reporter contacts are sealed today."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import UUID4, ConfigDict, Field, field_validator

from chalicelib.domain.projects import PROJECT_ID, Project, deviation
from chalicelib.domain.schema import Model

Finding = Literal["material", "dimensi", "keselamatan", "pekerja_tidak_ada", "lokasi_sepi"]
FINDINGS: dict[str, tuple[str, str]] = {
    "material": ("Material tidak sesuai spesifikasi", "materials below specification"),
    "dimensi": ("Dimensi tidak sesuai gambar", "dimensions not as drawn"),
    "keselamatan": ("K3 diabaikan", "site safety ignored"),
    "pekerja_tidak_ada": ("Pekerja tidak ada", "no workers on site"),
    "lokasi_sepi": ("Lokasi tidak ada kegiatan", "site idle"),
}
Verdict = Literal["sesuai", "ada_temuan", "bermasalah"]


class InspectionIn(Model):
    """What the shadow squad sends after a visit."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    client_id: UUID4  # the phone's id for this visit: a retry is the same inspection
    project_id: str = Field(pattern=PROJECT_ID)
    visited_on: date
    observed_physical: float = Field(ge=0, le=100, allow_inf_nan=False)
    findings: list[Finding] = Field(default_factory=list, max_length=len(FINDINGS))
    verdict: Verdict
    note: str | None = Field(default=None, max_length=1000)

    @field_validator("findings")
    @classmethod
    def _once_each(cls, findings: list[str]) -> list[str]:
        if len(set(findings)) != len(findings):
            raise ValueError("each finding once")
        return findings


class Observed(Model):
    """The covert part of an inspection (to be sealed at rest as one field)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    observed_physical: float
    findings: list[Finding]
    verdict: Verdict
    note: str | None = None
    by: str


class Inspection(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    project_id: str
    visited_on: date
    at: datetime
    covert: Observed


class Gap(Model):
    """One project as the command centre weighs it: planned, reported, observed."""

    project_id: str
    name: str
    opd: str
    standing: str
    planned_physical: float
    reported_physical: float | None
    observed_physical: float | None
    observed_on: date | None
    verdict: Verdict | None
    # what the OPD had reported by the visit minus what the squad observed, in points
    gap: float | None
    # Rupiah paid as a share of the contract, minus physical progress, in points
    financial_ahead: float | None
    deviation: float | None


def gap(
    project: Project,
    latest: Inspection | None,
    reported_then: float | None,
    standing: str,
    today: date,
) -> Gap:
    """``reported_then``: the OPD's figure in its last report on or before the visit
    (a later report would measure work done since, not a gap)."""
    r = project.reported
    seen = latest.covert if latest else None
    paid = round(100 * r.financial / project.contract_value, 2) if r else None
    return Gap(
        project_id=project.id,
        name=project.name,
        opd=project.opd,
        standing=standing,
        planned_physical=project.planned(today),
        reported_physical=r.physical if r else None,
        observed_physical=seen.observed_physical if seen else None,
        observed_on=latest.visited_on if latest else None,
        verdict=seen.verdict if seen else None,
        gap=round(reported_then - seen.observed_physical, 2)
        if seen and reported_then is not None
        else None,
        financial_ahead=round(paid - r.physical, 2) if r and paid is not None else None,
        deviation=deviation(project, r.physical, r.week) if r else None,
    )


class OpdStanding(Model):
    """How one OPD's projects stand, for the command centre."""

    opd: str
    projects: int
    kritis: int
    terlambat: int
    sesuai: int
    belum_mulai: int
    inspected: int
    # the mean of what it reported minus what the shadow squad found, over its visits
    mean_gap: float | None


def per_opd(rows: list[Gap]) -> list[OpdStanding]:
    """Each OPD with projects in ``rows``: the most kritis first, then the widest gap."""
    out = []
    for opd in sorted({r.opd for r in rows}):
        mine = [r for r in rows if r.opd == opd]
        gaps = [r.gap for r in mine if r.gap is not None]
        counts = {s: sum(r.standing == s for r in mine) for s in
                  ("kritis", "terlambat", "sesuai", "belum_mulai")}  # fmt: skip
        out.append(
            OpdStanding(
                opd=opd,
                projects=len(mine),
                inspected=len(gaps),
                mean_gap=round(sum(gaps) / len(gaps), 2) if gaps else None,
                **counts,
            )
        )
    return sorted(out, key=lambda o: (-o.kritis, -(o.mean_gap or 0), o.opd))
