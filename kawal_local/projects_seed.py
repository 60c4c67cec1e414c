"""A year of public works for `make run`: a few dozen projects across the OPDs and the
kecamatan, each with the weekly reports its OPD filed and, for some, the shadow squad's
visits. Three kinds, so every screen has something true to show: on time, kritis
(falling behind the S-curve), and reports running ahead of what the shadow squad found.
Deterministic (a fixed random seed): the same year each run."""

from __future__ import annotations

import math
import random
import uuid
from datetime import UTC, date, datetime, timedelta

from chalicelib.domain import geo
from chalicelib.domain.inspections import Inspection, Observed
from chalicelib.domain.projects import OPDS, Progress, Project, contract_weeks

WORKS = {
    "pupr": ["Rehabilitasi Jalan {d}", "Pemeliharaan Berkala Jalan {d}",
             "Rehabilitasi Jembatan {d}", "Normalisasi Saluran Irigasi {d}"],
    "perkim": ["Pembangunan Balai Desa {v}", "Penerangan Jalan Umum {d}", "Rehabilitasi RTLH {v}"],
    "pendidikan": ["Rehabilitasi Ruang Kelas SDN {n} {d}", "Pembangunan Perpustakaan SMPN {n} {d}"],
    "kesehatan": ["Rehabilitasi Puskesmas {d}", "Pembangunan Poskesdes {v}"],
    "pertanian": ["Pembangunan Jalan Usaha Tani {v}", "Rehabilitasi Jaringan Irigasi Tersier {v}"],
    "perhubungan": ["Pemasangan Rambu dan Marka {d}", "Pembangunan Halte {d}"],
}  # fmt: skip
CONTRACTORS = ["CV Maju Jaya", "CV Karya Bersama", "CV Bangun Cerdas",
               "PT Trenggalek Konstruksi", "CV Sumber Rejeki", "CV Putra Mandiri",
               "CV Tunas Harapan", "PT Jawi Prima"]  # fmt: skip
CONSULTANTS = ["CV Cipta Konsultan", "CV Mitra Pengawas", "CV Reka Teknik", None]
FUNDING = ["apbd", "apbd", "apbd", "dak", "bk_provinsi", "dana_desa"]
COUNT = 36


def _s_curve(weeks: int) -> list[float]:
    """A contract schedule's S: slow start, fast middle, slow finish, ending at 100."""
    raw = [1 / (1 + math.exp(-9 * ((w + 1) / weeks - 0.5))) for w in range(weeks)]
    low, high = raw[0] * 0.5, raw[-1]
    curve = [round(100 * (r - low) / (high - low), 2) for r in raw]
    curve[-1] = 100.0
    return [min(100.0, c) for c in curve]


def _projects(year: int, rnd: random.Random) -> list[tuple[Project, str]]:
    regency, villages = geo.load_regency(), geo.load_villages().villages
    out = []
    for n in range(COUNT):
        opd = list(OPDS)[n % len(OPDS)]
        district = regency.districts[(n * 5) % len(regency.districts)]
        village = next(v for v in villages if v.district == district.code)
        start = date(year, 2, 2) + timedelta(weeks=rnd.randint(0, 34))
        weeks = rnd.randint(8, 22)
        end = start + timedelta(days=7 * weeks - 1)
        if end > date(year, 12, 20):  # a regency contract ends within its fiscal year
            end = date(year, 12, 20)
            weeks = contract_weeks(start, end)
        value = rnd.randint(15, 400) * 5_000_000
        lat, lon = (
            district.lat + rnd.uniform(-0.012, 0.012),
            district.lon + rnd.uniform(-0.012, 0.012),
        )
        road = opd == "pupr" and n % 2 == 0
        place = ([(lat, lon), (lat + 0.006, lon + 0.009), (lat + 0.01, lon + 0.016)] if road
                 else [(lat, lon)])  # fmt: skip
        name = rnd.choice(WORKS[opd]).format(d=district.name, v=village.name, n=rnd.randint(1, 5))
        kind = ("kritis", "ahead", "on_time", "on_time")[n % 4]
        project = Project(
            id=f"{year}-{opd}-{n + 1:03d}",
            fiscal_year=year,
            name=name,
            opd=opd,
            contractor=rnd.choice(CONTRACTORS),
            consultant=rnd.choice(CONSULTANTS),
            pagu=value + rnd.randint(1, 20) * 5_000_000,
            contract_value=value,
            funding=rnd.choice(FUNDING),
            contract_number=f"027/{n + 11}/406.0{n % 9 + 10}/{year}",
            start=start,
            end=end,
            place={"kind": "line" if road else "point", "coordinates": place},
            district=district.code,
            village=village.code,
            plan={"weekly": _s_curve(weeks)},
        )
        out.append((project, kind))
    return out


def _reports(project: Project, kind: str, today: date, rnd: random.Random) -> list[Progress]:
    """The OPD's weekly reports up to today: on plan (give or take), or falling behind."""
    out: list[Progress] = []
    done = 0.0
    week = project.start + timedelta(days=6)
    step = 0
    while week <= min(today, project.end + timedelta(weeks=3)):
        plan = project.planned(week)
        step += 1
        lag = min(35.0, 2.2 * step) if kind == "kritis" else rnd.uniform(-1.5, 2.0)
        done = round(max(done, min(100.0, plan - lag)), 2)
        paid = int(
            project.contract_value * min(1.0, done / 100 * (1.25 if kind == "ahead" else 0.9))
        )
        out.append(Progress(project_id=project.id, week=week, physical=done,
                            financial=paid - paid % 1000, by=f"dinas-{project.opd}",
                            note="Pekerjaan berjalan" if kind != "kritis" else "Material terlambat",
                            filed_at=datetime.combine(week, datetime.min.time(), UTC)))  # fmt: skip
        week += timedelta(weeks=1)
    return out


def seed_projects(today: date | None = None) -> int:
    """Store the year's projects, their reports and the shadow squad's visits; how many."""
    from chalicelib.adapters.dynamodb.inspections import InspectionStore
    from chalicelib.adapters.dynamodb.projects import ProjectStore

    today = today or datetime.now(UTC).date()
    rnd = random.Random(37)
    store, visits = ProjectStore(), InspectionStore()
    made = _projects(today.year, rnd)
    already = store.projects_of_year(today.year)
    if already:  # seeded before (a restart over kept data): the year stands as it is
        return len(already)
    store.create_projects([p for p, _ in made])
    for project, kind in made:
        reports = _reports(project, kind, today, rnd)
        for report in reports:
            store.add_progress(report)
        if (kind == "ahead" and reports) or (
            kind == "on_time" and len(reports) > 3 and rnd.random() < 0.4
        ):
            seen = reports[len(reports) * 2 // 3]
            observed = max(
                0.0, seen.physical - (rnd.uniform(15, 30) if kind == "ahead" else rnd.uniform(0, 3))
            )
            visits.add_inspection(Inspection(
                id=uuid.uuid5(uuid.NAMESPACE_URL, f"kawal/seed/{project.id}").hex,
                project_id=project.id,
                visited_on=seen.week + timedelta(days=1),
                at=datetime.combine(seen.week + timedelta(days=1), datetime.min.time(), UTC),
                covert=Observed(
                    observed_physical=round(observed, 2),
                    findings=["material", "pekerja_tidak_ada"] if kind == "ahead" else [],
                    verdict="bermasalah" if kind == "ahead" else "sesuai",
                    note="Progres di lapangan jauh di bawah laporan" if kind == "ahead" else None,
                    by="bayangan",
                ),
            ))  # fmt: skip
    return len(made)
