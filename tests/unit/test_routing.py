import json

import pytest
from pydantic import ValidationError

from chalicelib import config
from chalicelib.routing import SQUAD_CODES, Catalogue, load_catalogue, topic_name


def catalogue_data():
    return json.loads(config.catalogue_path().read_text())


def test_catalogue_covers_every_squad_with_realistic_labels():
    cat = load_catalogue()
    assert {s.code for s in cat.squads} == set(SQUAD_CODES)
    assert 20 <= len(cat.labels) <= 40
    for squad in SQUAD_CODES:
        assert any(label.squad == squad for label in cat.labels), squad
    for label in cat.labels:
        assert label.name_id and label.name_en and label.sla_hours > 0


@pytest.mark.parametrize(
    ("label", "squad"),
    [
        ("jalan_rusak", "orange"),
        ("banjir", "orange"),
        ("sampah_menumpuk", "yellow"),
        ("demam_berdarah", "white"),
        ("anak_terlantar", "pink"),
        ("odgj_terlantar", "pink"),
        ("balap_liar", "blue"),
        ("ktp_kk_akta", "red"),
        ("perizinan_usaha", "red"),
        ("pungutan_liar", "shadow"),
    ],
)
def test_each_label_routes_to_its_squad(label, squad):
    assert load_catalogue().squad_for(label).code == squad


def test_public_catalogue_never_names_the_shadow_squad():
    cat = load_catalogue()
    text = json.dumps(cat.public_labels()).lower()
    assert "shadow" not in text and "bayangan" not in text
    levy = next(label for label in cat.public_labels() if label["code"] == "pungutan_liar")
    assert levy["handled_by"]["code"] == "command"
    assert set(levy) == {
        "code", "name_id", "name_en", "icon", "sla_hours", "sla_working_days", "handled_by",
        "attributes",
    }  # fmt: skip


def test_topic_names_follow_the_stage(monkeypatch):
    monkeypatch.setenv("SQUAD_TOPIC_PREFIX", "kawal-prod-squad-")
    assert topic_name("orange") == "kawal-prod-squad-orange"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["labels"].append(dict(d["labels"][0])), "duplicate label codes"),
        (lambda d: d["labels"][0].update(squad="green"), "unknown squad green"),
        (lambda d: d["squads"].pop(0), "squads must be exactly"),
        (lambda d: d["squads"][0].update(covert=True), "shadow squad must be covert"),
        (lambda d: d["labels"][0].update(sla_hours=0), "greater than 0"),
        (lambda d: d["labels"][0].update(colour="x"), "Extra inputs"),
        (
            lambda d: d.update(labels=[x for x in d["labels"] if x["squad"] != "red"]),
            "squad red has no label",
        ),
    ],
)
def test_a_broken_catalogue_is_rejected_at_load(mutate, message):
    data = catalogue_data()
    mutate(data)
    with pytest.raises(ValidationError, match=message):
        Catalogue.model_validate(data)


def test_operator_catalogue_file_is_picked_up_without_code_changes(tmp_path, monkeypatch):
    data = catalogue_data()
    data["labels"].append(
        {
            "code": "sumur_kering",
            "squad": "orange",
            "sla_hours": 24,
            "name_id": "Sumur kering",
            "name_en": "Dry well",
        }
    )
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data))
    monkeypatch.setenv("CATALOGUE_PATH", str(path))
    assert load_catalogue().squad_for("sumur_kering").code == "orange"
