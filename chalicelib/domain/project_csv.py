"""A year's projects from a CSV as an OPD exports them (``data/projects-template.csv``):
Indonesian column names, Rupiah with dot thousands (``1.350.000.000``), dates as
``2026-03-02`` or ``02/03/2026``, the S-curve as weekly percentages separated by ``;``
(decimal comma or point). Pure: every row is checked, and one bad row refuses the
whole file, each problem named by its spreadsheet row, in Bahasa and English.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.geo import Regency, Villages
from chalicelib.domain.projects import FUNDING, OPDS, Project, contract_weeks

# One DynamoDB transaction holds 100 items: a file larger than that could not be
# stored all-or-nothing. An OPD's year fits; a larger export is split by OPD.
MAX_ROWS = 100
COLUMNS = (
    "id_proyek",
    "tahun_anggaran",
    "nama_kegiatan",
    "opd",
    "penyedia",
    "konsultan_pengawas",
    "pagu",
    "nilai_kontrak",
    "sumber_dana",
    "nomor_kontrak",
    "tanggal_mulai",
    "tanggal_selesai",
    "lokasi",
    "kecamatan",
    "desa",
    "kurva_s",
)
OPTIONAL = {"konsultan_pengawas", "desa"}
_RUPIAH = re.compile(r"^(?:Rp\.?\s*)?(\d{1,3}(?:\.\d{3})+|\d+)(?:,00)?$", re.IGNORECASE)


class RowError(ValueError):
    def __init__(self, field: str, issue_id: str, issue_en: str):
        super().__init__(issue_en)
        self.field, self.issue_id, self.issue_en = field, issue_id, issue_en


def _problem(row: int, field: str, issue_id: str, issue_en: str) -> dict[str, Any]:
    return {"row": row, "field": field, "issue_id": issue_id, "issue": issue_en}


def _rupiah(field: str, text: str) -> int:
    found = _RUPIAH.match(text.replace(" ", ""))
    if not found:
        raise RowError(
            field,
            "bukan nilai Rupiah bulat (contoh: 1.350.000.000)",
            "not a whole Rupiah amount (e.g. 1.350.000.000)",
        )
    return int(found.group(1).replace(".", ""))


def _date(field: str, text: str) -> date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise RowError(
        field, "tanggal tidak valid (2026-03-02 atau 02/03/2026)", "not a date (2026-03-02)"
    )


def _number(field: str, text: str) -> float:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise RowError(field, f"bukan angka: {text!r}", f"not a number: {text!r}") from None


def _place(text: str, regency: Regency) -> dict[str, Any]:
    """``lat,lon`` for a point, ``lat,lon;lat,lon;…`` for a line, inside the regency."""
    points = []
    for pair in (p for p in text.split(";") if p.strip()):
        parts = pair.split(",")
        if len(parts) != 2:
            raise RowError(
                "lokasi",
                "koordinat ditulis lintang,bujur (contoh: -8.085,111.815)",
                "coordinates are lat,lon (e.g. -8.085,111.815)",
            )
        lat, lon = _number("lokasi", parts[0]), _number("lokasi", parts[1])
        if not regency.bounds.contains(lat, lon):
            raise RowError(
                "lokasi",
                f"titik {lat},{lon} di luar Kabupaten {regency.regency}",
                f"point {lat},{lon} is outside the regency",
            )
        points.append((lat, lon))
    if not points:
        raise RowError("lokasi", "lokasi kosong", "no location")
    return {"kind": "point" if len(points) == 1 else "line", "coordinates": points}


def _project(row: dict[str, str], regency: Regency, villages: Villages) -> Project:
    for name in COLUMNS:
        if name not in OPTIONAL and not row.get(name):
            raise RowError(name, "wajib diisi", "required")
    opd = row["opd"].lower()
    if opd not in OPDS:
        raise RowError("opd", f"OPD tidak dikenal: {row['opd']!r}", f"unknown OPD {row['opd']!r}")
    funding = row["sumber_dana"].lower().replace(" ", "_")
    if funding not in FUNDING:
        raise RowError(
            "sumber_dana",
            f"sumber dana tidak dikenal (pilih: {', '.join(FUNDING)})",
            f"unknown funding source (one of: {', '.join(FUNDING)})",
        )
    district = row["kecamatan"].lower()
    if regency.district(district) is None:
        raise RowError("kecamatan", "kecamatan tidak dikenal", "unknown kecamatan")
    village = row.get("desa") or None
    if village is not None:
        found = villages.get(village)
        if found is None or found.district != district:
            raise RowError(
                "desa",
                "kode desa tidak dikenal di kecamatan ini",
                "unknown village code in this kecamatan",
            )
    try:
        year = int(row["tahun_anggaran"])
    except ValueError:
        raise RowError("tahun_anggaran", "bukan tahun", "not a year") from None
    fields = {
        "id": row["id_proyek"].lower(),
        "fiscal_year": year,
        "name": row["nama_kegiatan"],
        "opd": opd,
        "contractor": row["penyedia"],
        "consultant": row.get("konsultan_pengawas") or None,
        "pagu": _rupiah("pagu", row["pagu"]),
        "contract_value": _rupiah("nilai_kontrak", row["nilai_kontrak"]),
        "funding": funding,
        "contract_number": row["nomor_kontrak"],
        "start": _date("tanggal_mulai", row["tanggal_mulai"]),
        "end": _date("tanggal_selesai", row["tanggal_selesai"]),
        "place": _place(row["lokasi"], regency),
        "district": district,
        "village": village,
        "plan": {"weekly": [_number("kurva_s", w) for w in row["kurva_s"].split(";") if w]},
    }
    _consistent(fields)
    try:
        return Project.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        field = _COLUMN_OF.get(str(first["loc"][0]) if first["loc"] else "", "(baris)")
        raise RowError(field, f"tidak valid: {first['msg']}", first["msg"]) from None


def _consistent(fields: dict[str, Any]) -> None:
    """The project's own cross-field rules, named by the column an OPD would fix."""
    if fields["contract_value"] > fields["pagu"]:
        raise RowError("nilai_kontrak", "nilai kontrak melebihi pagu", "contract value above pagu")
    if fields["end"] < fields["start"]:
        raise RowError(
            "tanggal_selesai", "selesai sebelum mulai", "the contract ends before it starts"
        )
    weeks, given = contract_weeks(fields["start"], fields["end"]), len(fields["plan"]["weekly"])
    if given != weeks:
        raise RowError(
            "kurva_s",
            f"kurva S berisi {given} minggu, kontrak berjalan {weeks} minggu",
            f"the S-curve has {given} weeks, the contract runs {weeks}",
        )


_COLUMN_OF = {
    "id": "id_proyek",
    "fiscal_year": "tahun_anggaran",
    "name": "nama_kegiatan",
    "contractor": "penyedia",
    "consultant": "konsultan_pengawas",
    "pagu": "pagu",
    "contract_value": "nilai_kontrak",
    "contract_number": "nomor_kontrak",
    "start": "tanggal_mulai",
    "end": "tanggal_selesai",
    "plan": "kurva_s",
    "place": "lokasi",
}


def parse_projects(text: str, regency: Regency, villages: Villages) -> list[Project]:
    """Every row as a project, or InvalidInput listing every bad row (nothing else)."""
    return [project for _, project in parse_rows(text, regency, villages)]


def parse_rows(text: str, regency: Regency, villages: Villages) -> list[tuple[int, Project]]:
    """(spreadsheet row, project) of every row, or InvalidInput listing every bad row."""
    text = text.lstrip("\ufeff")  # spreadsheets save UTF-8 with a byte-order mark
    first = text.split("\n", 1)[0]  # the header: Excel in Indonesian locales writes ";"
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidInput(
            "the CSV lacks columns of the template",
            [_problem(1, c, "kolom tidak ada", "missing column") for c in missing],
            code="csv_invalid",
        )
    reader.fieldnames = header
    projects: list[tuple[int, Project]] = []
    problems: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if isinstance(k, str)}
        if not any(row.values()):
            continue  # a blank line at the end of a spreadsheet export
        if len(projects) + len(problems) >= MAX_ROWS:
            raise InvalidInput(
                f"at most {MAX_ROWS} projects per file; split the file by OPD",
                [_problem(line, "(baris)", f"maksimal {MAX_ROWS} proyek per berkas", "too many")],
                code="csv_too_long",
            )
        key = row.get("id_proyek", "").lower()
        if key and key in seen:  # a repeated id, even of a row that is bad itself
            problems.append(
                _problem(
                    line,
                    "id_proyek",
                    f"id_proyek sama dengan baris {seen[key]}",
                    f"same id_proyek as row {seen[key]}",
                )
            )
            continue
        seen[key] = line
        try:
            project = _project(row, regency, villages)
        except RowError as err:
            problems.append(_problem(line, err.field, err.issue_id, err.issue_en))
            continue
        projects.append((line, project))
    if problems:
        raise InvalidInput(
            f"{len(problems)} row(s) are not valid; nothing was imported",
            problems,
            code="csv_invalid",
        )
    if not projects:
        raise InvalidInput(
            "the CSV has no projects",
            [_problem(2, "(baris)", "berkas tidak berisi proyek", "no rows")],
            code="csv_invalid",
        )
    return projects
