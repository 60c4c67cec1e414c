"""Citizens' proposals (issue #39): the input, the path to the plan, the words a citizen reads."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.geo import load_regency, load_villages
from chalicelib.domain.proposals import (
    IllegalStep,
    Proposal,
    ProposalInput,
    Step,
    apply,
    check,
    load_themes,
    status_words,
)

AT = datetime(2027, 1, 10, 3, 0, tzinfo=UTC)


def _proposal(**kw) -> Proposal:
    base = dict(
        id="p" * 20,
        code="USL-7K3F9Q",
        title="Lampu jalan gang",
        description="Gang gelap di malam hari",
        theme="infrastruktur",
        district="panggul",
        created_at=AT,
        updated_at=AT,
    )
    return Proposal(**{**base, **kw})


def _input(**kw) -> ProposalInput:
    base = dict(
        client_proposal_id=str(uuid.uuid4()),
        title="Lampu jalan gang",
        description="Gang ke sekolah gelap",
        theme="infrastruktur",
        district="panggul",
        village="35.03.01.2001",
    )
    return ProposalInput.model_validate({**base, **kw})


def _places():
    villages = {v.code: v.district for v in load_villages().villages}
    return dict(
        themes=load_themes(),
        districts=frozenset(d.code for d in load_regency().districts),
        villages=villages,
    )


def test_themes_are_data_with_the_seven_musrenbang_themes():
    codes = {t.code for t in load_themes().themes}
    assert {
        "infrastruktur",
        "ekonomi",
        "pendidikan",
        "kesehatan",
        "sosial",
        "lingkungan",
        "pemerintahan",
    } == codes


def test_a_good_proposal_passes_the_checks():
    check(_input(), **_places())


def test_unknown_theme_and_a_desa_of_another_kecamatan_are_refused_together_in_bahasa():
    with pytest.raises(InvalidInput) as caught:
        check(_input(theme="perang", village="35.03.02.2001"), **_places())
    assert caught.value.message.startswith("Usulan belum lengkap")
    assert {(d["field"], d["issue"]) for d in caught.value.details} == {
        ("theme", "unknown"),
        ("village", "not_in_district"),
    }


def test_a_point_outside_the_regency_and_half_a_point_are_refused():
    with pytest.raises(InvalidInput):
        check(_input(lat=-8.2, lon=111.6), inside=False, **_places())
    with pytest.raises(ValidationError):
        _input(lat=-8.2)
    with pytest.raises(ValidationError):
        _input(title="ab")


def test_the_whole_path_accepted_three_forums_planned_done():
    p = apply(_proposal(), Step("accept"), "bappeda", AT)
    assert (p.status, p.moderated_at, status_words(p)) == ("accepted", AT, "diterima")
    for level, day in (("desa", 20), ("kecamatan", 27)):
        p = apply(p, Step("forum", forum_level=level, forum_date=date(2027, 1, day)), "bappeda", AT)
    assert status_words(p) == "dibahas di Musrenbang kecamatan (27 Januari 2027)"
    p = apply(
        p, Step("forum", forum_level="kabupaten", forum_date=date(2027, 3, 15)), "bappeda", AT
    )
    p = apply(p, Step("plan", rkpd_year=2028), "bappeda", AT)
    assert status_words(p) == "masuk rencana (RKPD 2028)"
    p = apply(p, Step("done"), "command", AT)
    assert (p.status, p.version, status_words(p)) == ("done", 7, "terlaksana")


def test_forums_go_one_level_up_at_a_time():
    p = apply(_proposal(), Step("accept"), "bappeda", AT)
    with pytest.raises(IllegalStep):
        apply(p, Step("forum", forum_level="kecamatan", forum_date=date(2027, 2, 1)), "bappeda", AT)
    with pytest.raises(InvalidInput):
        apply(p, Step("forum", forum_level="desa"), "bappeda", AT)  # no date
    p = apply(p, Step("forum", forum_level="desa", forum_date=date(2027, 2, 1)), "bappeda", AT)
    with pytest.raises(IllegalStep):
        apply(p, Step("forum", forum_level="desa", forum_date=date(2027, 2, 2)), "bappeda", AT)
    with pytest.raises(IllegalStep):  # the plan comes after the kabupaten forum
        apply(p, Step("plan", rkpd_year=2028), "bappeda", AT)


def test_refusal_needs_a_known_reason_and_stays_with_it():
    with pytest.raises(InvalidInput):
        apply(_proposal(), Step("refuse"), "bappeda", AT)
    p = apply(_proposal(), Step("refuse", reason="personal_data"), "bappeda", AT)
    assert (p.status, status_words(p)) == ("refused", "ditolak: memuat data pribadi")
    with pytest.raises(IllegalStep):  # refused is final: no accepting it afterwards
        apply(p, Step("accept"), "bappeda", AT)


def test_turned_into_a_report_keeps_the_report_and_not_feasible_keeps_the_words():
    p = apply(_proposal(), Step("to_report", report_id="r" * 20), "bappeda", AT)
    assert (p.status, p.report_id) == ("turned_into_report", "r" * 20)
    p = apply(
        apply(_proposal(), Step("accept"), "bappeda", AT),
        Step("not_feasible", reason="Tanah milik provinsi"),
        "bappeda",
        AT,
    )
    assert status_words(p) == "tidak dapat dilaksanakan: Tanah milik provinsi"


@pytest.mark.parametrize("actor", ["citizen", "system"])
def test_only_bappeda_and_the_command_centre_moderate(actor):
    with pytest.raises(IllegalStep):
        apply(_proposal(), Step("accept"), actor, AT)
