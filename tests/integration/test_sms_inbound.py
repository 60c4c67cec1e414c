"""Texts to the regency's number, as two-way SMS hands them to the SNS topic and the
topic to the function: a report filed with its code texted back, once however often
SNS delivers it; BERHENTI honoured by every SMS Kawal sends afterwards."""

from __future__ import annotations

import json

from chalicelib import config
from chalicelib.entry import events
from kawal_local.pump import StreamReader, drain
from tests.conftest import bearer

from .test_dispatch import sms_sent
from .workflow_helpers import staff_post

PHONE = "+6281234567890"


def sns_event(body: dict) -> dict:
    """What SNS hands the function for one message on the inbound topic."""
    return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0", "Sns": {
        "Type": "Notification", "MessageId": "m-" + body.get("inboundMessageId", "x"),
        "TopicArn": f"arn:aws:sns:ap-southeast-3:123456789012:{config.inbound_sms_topic_name()}",
        "Subject": None, "Message": json.dumps(body), "Timestamp": "2026-12-02T10:00:00.000Z",
        "MessageAttributes": {},
    }}]}  # fmt: skip


def text(body: str, n: int, phone: str = PHONE) -> None:
    message = {"originationNumber": phone, "destinationNumber": "+6281100001708",
               "messageKeyword": "KEYWORD_x", "messageBody": body,
               "inboundMessageId": f"in-{n}"}  # fmt: skip
    events.inbound_sms(sns_event(message), None)


def replies(aws, phone: str = PHONE) -> list[str]:
    return [t for p, t in sms_sent(aws) if p == phone]


def test_a_report_by_sms_is_filed_and_its_code_texted_back_once(client, aws, tokens):
    text("LAPOR banjir Panggul air masuk rumah warga", 1)
    (reply,) = replies(aws)
    assert len(reply) <= 160 and "diterima" in reply
    code = next(w for w in reply.split() if w.startswith("TRG-"))
    report = client.http.get(f"/reports/{code}").json_body
    assert (report["label"]["code"], report["district"]) == ("banjir", "panggul")
    assert report["description"] == "air masuk rumah warga"
    staff = client.http.get(f"/staff/reports/{report['id']}", headers=bearer(tokens["command"]))
    assert staff.json_body["source"] == "sms" and staff.json_body["has_contact"] is True
    text("LAPOR banjir Panggul air masuk rumah warga", 1)  # SNS delivers it again
    assert len(replies(aws)) == 1


def test_a_text_kawal_cannot_read_gets_the_format_back(aws):
    text("lapor sesuatu", 2)
    (reply,) = replies(aws)
    assert "LAPOR <masalah> <kecamatan> <keterangan>" in reply and len(reply) <= 160


def test_berhenti_stops_every_later_sms_and_mulai_starts_them_again(client, aws, tokens):
    text("LAPOR sampah Trenggalek menumpuk di pasar", 3)
    code = next(w for w in replies(aws)[0].split() if w.startswith("TRG-"))
    report_id = client.http.get(f"/reports/{code}").json_body["id"]
    text("BERHENTI", 4)
    assert "tidak akan menerima SMS" in replies(aws)[-1]
    sent_before = len(replies(aws))
    staff_post(client, tokens["command"], f"/reports/{report_id}/claim")  # "accepted": an SMS
    drain(StreamReader(config.table_name()), events.dispatch_stream)
    assert len(replies(aws)) == sent_before  # nothing after BERHENTI
    text("MULAI", 5)
    assert "aktif lagi" in replies(aws)[-1]


def test_junk_on_the_topic_is_ignored(aws):
    events.inbound_sms(sns_event({"hello": "world"}), None)
    bad = sns_event({})
    bad["Records"][0]["Sns"]["Message"] = "not json"
    events.inbound_sms(bad, None)
    assert sms_sent(aws) == []


def test_the_reporter_answers_the_squads_question_by_sms(client, aws, tokens):
    text("LAPOR jalan Tugu berlubang", 6)
    code = next(w for w in replies(aws)[0].split() if w.startswith("TRG-"))
    report_id = client.http.get(f"/reports/{code}").json_body["id"]
    staff_post(client, tokens["orange"], f"/reports/{report_id}/questions",
               {"note": "Di desa mana tepatnya?"})  # fmt: skip
    drain(StreamReader(config.table_name()), events.dispatch_stream)
    assert "Di desa mana tepatnya?" in replies(aws)[-1]  # the question, by SMS
    text("Desa Gondang dekat balai desa", 7)
    assert code in replies(aws)[-1] and "jawaban" in replies(aws)[-1]
    staff = client.http.get(f"/staff/reports/{report_id}", headers=bearer(tokens["orange"]))
    assert staff.json_body["status"] == "submitted"
    assert staff.json_body["staff_timeline"][-1]["note"] == "Desa Gondang dekat balai desa"


def test_a_number_abroad_gets_no_reply_and_spends_nothing(aws):
    """Texts from abroad (or a premium range) would let anyone spend the SMS budget."""
    for n, foreign in enumerate(("+14155550100", "+447700900123", "+62211234567"), start=20):
        text("LAPOR banjir Panggul air masuk rumah", n, phone=foreign)
    assert sms_sent(aws) == []


def test_replies_keep_the_numbers_daily_cap_and_the_regencys_budget(aws, monkeypatch):
    monkeypatch.setenv("SMS_PER_PHONE_DAY", "2")
    for n in range(30, 34):
        text("halo", n)
    assert len(replies(aws)) == 2  # the number's cap, as for every other SMS
    monkeypatch.setenv("SMS_DAILY_BUDGET", "3")
    text("halo", 40, phone="+6281398765432")
    text("halo", 41, phone="+6285712345678")
    assert len(sms_sent(aws)) == 3  # the budget: two to PHONE, one more, then none


def test_a_reply_that_fails_to_send_is_sent_by_the_retry_once(client, aws, monkeypatch):
    """SMS down just as the reply goes: the handler fails (SNS delivers the message
    again), and the redelivery sends the reply it kept, once, filing nothing twice."""
    import pytest

    from tests.support.faults import fail_once

    fail_once(monkeypatch, aws.client("sns"), "publish", lambda kw: "PhoneNumber" in kw)
    with pytest.raises(Exception):  # noqa: B017 - whatever it raises, Lambda retries
        text("LAPOR banjir Panggul air masuk rumah warga", 7)
    assert replies(aws) == []
    text("LAPOR banjir Panggul air masuk rumah warga", 7)  # SNS's retry
    text("LAPOR banjir Panggul air masuk rumah warga", 7)  # and one more
    (reply,) = replies(aws)
    assert "diterima" in reply
    code = next(w for w in reply.split() if w.startswith("TRG-"))
    assert client.http.get(f"/reports/{code}").status_code == 200
