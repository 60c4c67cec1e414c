from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.geo import load_regency
from chalicelib.domain.messages import plan, squad_notification
from chalicelib.domain.models import Report
from chalicelib.domain.sms_text import (
    GSM7,
    SMS_LIMIT,
    ascii_subject,
    gsm7,
    is_single_gsm7_segment,
)
from chalicelib.routing import load_catalogue

NOW = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)  # 23:30 WIB


def report(**changes):
    base = dict(
        id="aaaaaaaaaaaaaaaaaaaa",
        code="TRG-7K3F9Q",
        label="banjir",
        squad="orange",
        covert=False,
        status="submitted",
        lat=-8.24,
        lon=111.44,
        geohash="qqx0000000",
        district="panggul",
        description="Air setinggi lutut",
        address="Jl. Raya Panggul",
        created_at=NOW,
        updated_at=NOW,
        sla_due_at=NOW + timedelta(hours=6),
        priority="urgent",  # banjir's, as submit sets it
        token_hash="x",
        request_hash="y",
    )
    return Report(**{**base, **changes})


def test_gsm7_transliterates_and_drops_what_it_cannot_send():
    assert gsm7("Banjir — air 1 m 🌊 “parah”") == 'Banjir - air 1 m "parah"'
    assert gsm7("Café Ñandú [x]") == "Café Ñandu (x)"  # ú is not GSM-7, ù is
    assert gsm7("line\nbreak") == "line break"
    assert all(c in GSM7 for c in gsm7("ꦗꦮ 中文 ⚠️ ąčę"))


def test_subject_is_plain_ascii():
    assert ascii_subject("[Kawal] Banjir — Pangul 🌊") == "[Kawal] Banjir - Pangul"


@pytest.mark.parametrize("kind", ["new_report", "reopened", "overdue"])
def test_sms_is_one_segment_for_the_longest_label_and_place(kind):
    catalogue, regency = load_catalogue(), load_regency()
    longest_label = max(catalogue.labels, key=lambda label: len(label.name_id))
    longest_district = max(regency.districts, key=lambda d: len(d.name))
    r = report(
        label=longest_label.code,
        squad=longest_label.squad,
        district=longest_district.code,
        address="Dusun Krajan RT 003 RW 007, Desa Sumberbening — depan masjid 🕌 " * 4,
    )
    n = squad_notification(
        r,
        kind,
        "EVENT#x#0001",
        catalogue=catalogue,
        district_name=longest_district.name,
        base_url="https://kawal.trenggalekkab.go.id",
    )
    assert is_single_gsm7_segment(n.sms), (len(n.sms), n.sms)
    assert n.sms.startswith("KAWAL ") and "TRG-7K3F9Q" in n.sms
    assert longest_label.name_id.split()[0] in n.sms
    assert n.sms.endswith("https://kawal.trenggalekkab.go.id/r/TRG-7K3F9Q")
    assert len(n.sms) <= SMS_LIMIT


def test_email_has_label_description_map_link_and_sla_in_wib():
    n = squad_notification(
        report(),
        "new_report",
        "EVENT#x#0000",
        catalogue=load_catalogue(),
        district_name="Panggul",
        base_url="http://x",
    )
    assert "Banjir / Flood" in n.email and "Air setinggi lutut" in n.email
    assert "openstreetmap.org/?mlat=-8.24&mlon=111.44" in n.email
    assert "23/11 23:30 WIB" in n.email  # reported at 16:30 UTC
    assert "24/11 05:30 WIB" in n.email  # six-hour SLA
    assert n.attributes == {
        "label": "banjir",
        "squad": "orange",
        "district": "panggul",
        "priority": "high",
        "urgent": "true",
        "kind": "new_report",
        "notification_id": n.id,
    }


def test_notification_ids_are_stable_per_entry_and_audience():
    args = dict(catalogue=load_catalogue(), district_name=None, base_url="http://x")
    a = squad_notification(report(), "new_report", "EVENT#1", **args)
    b = squad_notification(report(), "new_report", "EVENT#1", **args)
    c = squad_notification(report(), "new_report", "EVENT#2", **args)
    assert a.id == b.id != c.id


def _plan(status, opted_in):
    return plan(
        report(),
        status,
        "EVENT#1",
        catalogue=load_catalogue(),
        district_name="Panggul",
        base_url="http://x",
        reporter_opted_in=opted_in,
    )


def test_what_each_status_change_causes():
    assert [(n.audience, n.topic) for n in _plan("submitted", True)] == [("squad", "orange")]
    assert [(n.audience, n.kind) for n in _plan("reopened", False)] == [("squad", "reopened")]
    assert _plan("accepted", False) == [] and _plan("in_progress", True) == []
    (update,) = _plan("resolved", True)
    assert update.audience == "reporter" and is_single_gsm7_segment(update.sms)


def test_a_reporter_comment_tells_the_squad_what_was_said_and_nobody_else():
    for status in ("submitted", "accepted", "resolved"):
        (told,) = plan(
            report(status=status),
            status,
            "EVENT#7",
            catalogue=load_catalogue(),
            district_name="Panggul",
            base_url="http://x",
            reporter_opted_in=True,  # a comment is not a status change for the reporter
            action="comment",
            note="Masih tergenang setinggi pinggang",
        )
        assert (told.audience, told.topic, told.kind) == ("squad", "orange", "reporter_comment")
        assert "TANGGAPAN" in told.sms and is_single_gsm7_segment(told.sms)
        assert "Masih tergenang setinggi pinggang" in told.email


def _follow_up(action, to_status, *, note=None, stars=None, opted_in=True, **changes):
    return plan(
        report(**changes),
        to_status,
        "EVENT#x#0009",
        catalogue=load_catalogue(),
        district_name="Panggul",
        base_url="https://kawal.trenggalekkab.go.id",
        reporter_opted_in=opted_in,
        action=action,
        note=note,
        stars=stars,
    )


def test_a_question_reaches_the_reporter_alone_in_one_segment_with_the_link():
    question = "Di sebelah mana tepatnya? Dekat jembatan atau dekat balai desa? " * 3
    (told,) = _follow_up("ask", "awaiting_info", note=question, status="awaiting_info")
    assert (told.audience, told.kind) == ("reporter", "reporter_update")
    assert is_single_gsm7_segment(told.sms) and "petugas bertanya" in told.sms
    assert "Di sebelah mana tepatnya?" in told.sms
    assert told.sms.endswith("https://kawal.trenggalekkab.go.id/r/TRG-7K3F9Q")
    assert question.strip() in told.email
    assert _follow_up("ask", "awaiting_info", note="Di mana?", opted_in=False) == []


def test_the_answer_goes_to_the_squad_as_words_not_as_a_new_report():
    (told,) = _follow_up("answer", "submitted", note="depan masjid")
    assert (told.topic, told.kind) == ("orange", "reporter_answer")
    assert "JAWABAN" in told.sms and "depan masjid" in told.email


def test_a_transfer_tells_the_receiving_squad_why():
    (told,) = _follow_up("transfer", "submitted", note="urusan KTP", squad="red")
    assert (told.topic, told.kind) == ("red", "transferred") and "PINDAHAN" in told.sms
    assert "urusan KTP" in told.email


@pytest.mark.parametrize(("stars", "told"), [(1, True), (2, True), (3, False), (5, False)])
def test_a_poor_rating_reaches_the_command_centre(stars, told):
    planned = _follow_up("rate", "closed", note="lama sekali", stars=stars, status="closed")
    assert [(n.topic, n.audience, n.kind) for n in planned] == (
        [("command", "command", "low_rating")] if told else []
    )
    if told:
        assert f"{stars}/5: lama sekali" in planned[0].email


@pytest.mark.parametrize(("priority", "flag", "urgent"), [
    ("urgent", "high", "true"), ("normal", "normal", "false"), ("low", "low", "false"),
])  # fmt: skip
def test_the_report_priority_flags_its_messages(priority, flag, urgent):
    (told,) = _follow_up(None, "submitted", priority=priority, label="jalan_rusak")
    assert (told.attributes["priority"], told.attributes["urgent"]) == (flag, urgent)


def test_a_forward_tells_the_body_in_one_segment_and_the_reporter_by_its_name():
    from chalicelib.domain.bodies import Body

    pln = Body(code="pln", name_id="PLN ULP Trenggalek", name_en="PLN",
               channels=[{"kind": "sms", "phone": "+6281200000101"}])  # fmt: skip
    planned = plan(
        report(status="forwarded", address="Dusun Krajan RT 003 RW 007, depan masjid " * 3),
        "forwarded",
        "EVENT#x#0003",
        catalogue=load_catalogue(),
        district_name="Panggul",
        base_url="https://kawal.trenggalekkab.go.id",
        reporter_opted_in=True,
        action="forward",
        note="Tiang listrik miring ke jalan",
        body=pln,
    )
    told = {n.audience: n for n in planned}
    assert set(told) == {"reporter", "body"}
    assert told["body"].topic == "pln" and is_single_gsm7_segment(told["body"].sms)
    assert told["body"].sms.endswith("/r/TRG-7K3F9Q")
    assert "Tiang listrik miring ke jalan" in told["body"].email
    assert "diteruskan ke PLN ULP Trenggalek" in told["reporter"].sms
