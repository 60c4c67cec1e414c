"""Importing a year's projects from an OPD's CSV: the template imports, bad rows are
named in Bahasa and English, and nothing of a bad file is stored."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.geo import load_regency, load_villages
from chalicelib.domain.principals import Forbidden, Principal
from chalicelib.domain.project_csv import COLUMNS, MAX_ROWS
from chalicelib.services.projects import ProjectImport
from tests.fakes import FakeProjects

TEMPLATE = Path(__file__).resolve().parents[2] / "chalicelib" / "data" / "projects-template.csv"
COMMAND = Principal("command", "komando")


def rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(TEMPLATE.read_text(encoding="utf-8"))))


def as_csv(records: list[dict[str, str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()


@pytest.fixture
def importer():
    store = FakeProjects()
    return ProjectImport(store=store, regency=load_regency, villages=load_villages), store


def refused(importer_, text: str) -> list[dict]:
    service, store = importer_
    before = dict(store.items)
    with pytest.raises(InvalidInput) as caught:
        service.import_csv(text, COMMAND)
    assert caught.value.status == 400
    assert store.items == before  # nothing half-imported
    for d in caught.value.details:
        assert d["row"] and d["field"] and d["issue_id"] and d["issue"]
    return caught.value.details


def test_the_template_imports_whole(importer):
    service, store = importer
    done = service.import_csv(TEMPLATE.read_text(encoding="utf-8"), COMMAND)
    assert done.created == ["2026-pupr-001", "2026-perkim-004", "2026-pendidikan-011"]
    road = store.project("2026-pupr-001")
    assert road.contract_value == 1_350_000_000 and isinstance(road.contract_value, int)
    assert road.place.kind == "line" and road.village == "35.03.13.2001"
    hall = store.project("2026-perkim-004")
    assert hall.consultant is None and hall.plan.weekly[-2] == 97.5  # a decimal comma


def test_a_spreadsheet_export_with_semicolons_and_a_bom_imports(importer):
    service, store = importer
    done = service.import_csv("\ufeff" + as_csv(rows(), delimiter=";") + "\n;;;\n", COMMAND)
    assert len(done.created) == 3 and len(store.items) == 3


def test_sending_the_file_again_stores_nothing_twice(importer):
    service, store = importer
    service.import_csv(TEMPLATE.read_text(encoding="utf-8"), COMMAND)
    again = service.import_csv(TEMPLATE.read_text(encoding="utf-8"), COMMAND)
    assert again.created == [] and len(again.unchanged) == 3 and len(store.items) == 3


def test_every_bad_row_is_named_and_nothing_is_imported(importer):
    records = rows()
    records[0]["nilai_kontrak"] = "1.350.000.000,50"  # not whole Rupiah
    records[1]["lokasi"] = "-7.2575,112.7521"  # Surabaya
    records[2]["kurva_s"] = "10;5;100"  # goes down (and too short)
    records.append({**rows()[0], "id_proyek": "2026-x-009", "opd": "dinas-rahasia"})
    records.append(rows()[0])  # the first id again
    details = refused(importer, as_csv(records))
    assert [(d["row"], d["field"]) for d in details] == [
        (2, "nilai_kontrak"),
        (3, "lokasi"),
        (4, "kurva_s"),
        (5, "opd"),
        (6, "id_proyek"),
    ]
    assert "di luar" in details[1]["issue_id"] and "outside" in details[1]["issue"]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("nilai_kontrak", "1.600.000.000"),  # above the pagu
        ("tanggal_selesai", "31/02/2026"),
        ("kecamatan", "atlantis"),
        ("desa", "35.03.08.2002"),  # a village of another kecamatan
        ("sumber_dana", "hibah asing"),
        ("kurva_s", "10;20;30;40;50;60;70;80;90;101"),
        ("penyedia", ""),
    ],
)
def test_a_bad_value_is_refused_with_its_column(importer, column, value):
    records = rows()[:1]
    records[0][column] = value
    assert [d["field"] for d in refused(importer, as_csv(records))] == [column]


def test_a_file_without_the_templates_columns_or_rows_is_refused(importer):
    assert {d["field"] for d in refused(importer, "nama,pagu\nJalan,100\n")} >= {"id_proyek"}
    assert refused(importer, as_csv([]))[0]["row"] == 2
    many = [{**rows()[0], "id_proyek": f"2026-pupr-{n:03d}"} for n in range(MAX_ROWS + 1)]
    with pytest.raises(InvalidInput, match="at most 100"):
        importer[0].import_csv(as_csv(many), COMMAND)
    assert importer[1].items == {}


def test_a_changed_contract_is_refused_not_overwritten(importer):
    service, store = importer
    service.import_csv(TEMPLATE.read_text(encoding="utf-8"), COMMAND)
    records = rows()
    records[0]["nilai_kontrak"] = "1.400.000.000"
    records.append({**rows()[0], "id_proyek": "2026-pupr-002"})
    details = refused(importer, as_csv(records))
    assert [(d["row"], d["field"]) for d in details] == [(2, "id_proyek")]
    assert store.project("2026-pupr-001").contract_value == 1_350_000_000
    assert store.project("2026-pupr-002") is None


@pytest.mark.parametrize("role", ["squad", "shadow", "anonymous"])
def test_only_the_command_centre_or_an_operator_imports(importer, role):
    with pytest.raises(Forbidden):
        importer[0].import_csv(TEMPLATE.read_text(encoding="utf-8"), Principal(role, "x"))
    importer[0].import_csv(TEMPLATE.read_text(encoding="utf-8"), Principal("operator", "op"))
