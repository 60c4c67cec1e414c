"""The SMS grammar against what people type: any case, extra spaces, names and
synonyms, a typo in the keyword or the kecamatan."""

import pytest

from chalicelib.domain import sms_grammar
from chalicelib.domain.geo import load_regency
from chalicelib.routing import load_catalogue

CATALOGUE, REGENCY = load_catalogue(), load_regency()


@pytest.mark.parametrize(("text", "label", "district", "description"), [
    ("LAPOR banjir Panggul air masuk rumah", "banjir", "panggul", "air masuk rumah"),
    ("lapor  jalan rusak  trenggalek lubang besar", "jalan_rusak", "trenggalek", "lubang besar"),
    ("Lapor pju karangan mati 3 hari", "lampu_jalan_mati", "karangan", "mati 3 hari"),
    ("lapor pungli watulimo parkir pantai", "pungutan_liar", "watulimo", "parkir pantai"),
    ("LAPOR sampahh Durenan", "sampah_menumpuk", "durenan", None),
    ("lapor DBD pogalan", "demam_berdarah", "pogalan", None),
    ("lapor ktp kampak blanko habis", "ktp_kk_akta", "kampak", "blanko habis"),
    ("lpr longsor bendungn jalan tertutup", "tanah_longsor", "bendungan", "jalan tertutup"),
])  # fmt: skip
def test_reports_people_type(text, label, district, description):
    parsed = sms_grammar.parse(text, CATALOGUE, REGENCY)
    assert (parsed.kind, parsed.label, parsed.district, parsed.description) == (
        "report", label, district, description)  # fmt: skip


@pytest.mark.parametrize(("text", "kind"), [
    ("BERHENTI", "stop"), ("stop", "stop"), ("Mulai", "start"), ("halo pak", "help"),
    ("", "help"), ("lapor banjir", "bad"), ("lapor Panggul banjir", "bad"),
    ("lapor xyzzy panggul", "bad"),
])  # fmt: skip
def test_everything_else(text, kind):
    assert sms_grammar.parse(text, CATALOGUE, REGENCY).kind == kind


def test_every_reply_fits_one_segment():
    long = "KAWAL: " + "Masalah 'kerusakan berat sekali di ujung desa' tidak dikenal " * 4
    assert len(sms_grammar.fit(long)) == 160
    assert sms_grammar.fit("Laporan — “baik” 🙂") == 'Laporan - "baik"'
