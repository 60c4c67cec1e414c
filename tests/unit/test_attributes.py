"""Answers to a label's extra questions: checked against its definition, normalised."""

from __future__ import annotations

import pytest

from chalicelib.domain.attributes import answers_for
from chalicelib.domain.errors import InvalidInput
from chalicelib.routing import Label, load_catalogue


def label(code: str) -> Label:
    found = load_catalogue().label(code)
    assert found is not None
    return found


def test_choices_numbers_and_times_are_normalised():
    assert answers_for(label("banjir"), {"kedalaman": " selutut "}) == {"kedalaman": "selutut"}
    assert answers_for(label("lampu_jalan_mati"), {"jumlah_lampu": "12"}) == {"jumlah_lampu": 12.0}
    assert answers_for(label("lampu_jalan_mati"), {"jumlah_lampu": 3}) == {"jumlah_lampu": 3.0}
    many = answers_for(label("jalan_rusak"), {"jenis_kerusakan": ["retak", "berlubang", "retak"]})
    assert many == {"jenis_kerusakan": ["berlubang", "retak"]}  # definition order, once each
    when = answers_for(label("wabah_penyakit"), {"mulai_sakit": "2026-11-20T07:30:00"})
    assert when == {"mulai_sakit": "2026-11-20T07:30:00+07:00"}  # a bare time is WIB
    assert answers_for(label("banjir"), {}) is None
    assert answers_for(label("banjir"), {"kedalaman": ""}) is None  # a blank form field


@pytest.mark.parametrize(
    ("code", "given", "says"),
    [
        ("banjir", {"kedalaman": "setinggi_langit"}, "unknown choice"),
        ("banjir", {"kedalaman": ["selutut", "sepinggang"]}, "single value"),
        ("banjir", {"warna": "biru"}, "no attribute"),
        ("lampu_jalan_mati", {"jumlah_lampu": "dua"}, "number"),
        ("lampu_jalan_mati", {"jumlah_lampu": "0"}, "at least 1"),
        ("lampu_jalan_mati", {"jumlah_lampu": "nan"}, "number"),
        ("lampu_jalan_mati", {"jumlah_lampu": True}, "number"),
        ("jalan_rusak", {"jenis_kerusakan": ["retak", "meledak"]}, "unknown choice"),
        ("wabah_penyakit", {"mulai_sakit": "kemarin"}, "time like"),
        ("wabah_penyakit", {"darurat": "ya"}, "notice"),
        ("parkir_liar", {"apa_saja": "x"}, "no attribute"),
    ],
)
def test_wrong_answers_are_400_naming_the_question(code, given, says):
    with pytest.raises(InvalidInput) as caught:
        answers_for(label(code), given)
    assert says in caught.value.message


def test_a_required_question_must_be_answered():
    base = label("banjir").model_dump()
    base["attributes"][0]["required"] = True
    strict = Label.model_validate(base)
    with pytest.raises(InvalidInput, match="kedalaman: is required"):
        answers_for(strict, {})
    assert answers_for(strict, {"kedalaman": "selutut"}) == {"kedalaman": "selutut"}


def test_a_definition_that_contradicts_itself_is_refused():
    base = label("banjir").model_dump()
    base["attributes"][0]["datatype"] = "number"  # a number with a list of choices
    with pytest.raises(ValueError, match="values belong to list datatypes"):
        Label.model_validate(base)
