"""Dispatch under moto: stream record -> outbox -> SNS topic -> subscribed SQS queues."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from chalicelib import bootstrap
from chalicelib.adapters.notify import district_policy, topic_arn
from chalicelib.domain.models import TimelineEntry
from chalicelib.entry import events
from chalicelib.routing import load_catalogue
from chalicelib.services import dispatch, reports
from chalicelib.storage import OutboxStore, ReportStore
from kawal_deploy.resources import NOTIFIED_TOPICS
from kawal_local.pump import StreamReader, drain

from .helpers import post_json, report_body

LABEL_OF = {"pink": "anak_terlantar", "white": "demam_berdarah", "orange": "jalan_rusak",
            "yellow": "sampah_menumpuk", "blue": "balap_liar", "red": "ktp_kk_akta",
            "shadow": "pungutan_liar"}  # fmt: skip


def subscribe_queue(aws, topic: str, name: str, filter_policy: dict | None = None) -> str:
    sqs, sns = aws.client("sqs"), aws.client("sns")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    attributes = {"FilterPolicy": json.dumps(filter_policy)} if filter_policy else {}
    sns.subscribe(TopicArn=topic_arn(topic), Protocol="sqs", Endpoint=arn, Attributes=attributes)
    return url


def received(aws, url: str) -> list[dict]:
    sqs, out = aws.client("sqs"), []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        if not got.get("Messages"):
            return out
        for m in got["Messages"]:
            out.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


@pytest.fixture
def queues(aws):
    return {t: subscribe_queue(aws, t, f"test-{t}") for t in NOTIFIED_TOPICS}


@pytest.fixture
def stream(aws):
    from chalicelib import config

    reader = StreamReader(config.table_name())
    return lambda: drain(reader, events.dispatch_stream)


@pytest.mark.parametrize("squad", sorted(LABEL_OF))
def test_a_report_reaches_exactly_its_squads_topic(client, aws, queues, stream, squad):
    body = post_json(client, "/reports", report_body(label=LABEL_OF[squad])).json_body
    stream()
    got = {t: received(aws, url) for t, url in queues.items()}
    assert {t: len(m) for t, m in got.items() if m} == {squad: 1}
    envelope = got[squad][0]
    message = json.loads(envelope["Message"])
    assert message["report_code"] == body["code"] and message["kind"] == "new_report"
    attributes = {k: v["Value"] for k, v in envelope["MessageAttributes"].items()}
    assert attributes["squad"] == squad and attributes["label"] == LABEL_OF[squad]
    assert attributes["district"] == "trenggalek" and attributes["priority"] in {
        "high",
        "normal",
        "low",
    }
    assert attributes["notification_id"] == message["id"]


def test_a_district_filter_delivers_that_district_and_every_urgent_report(client, aws, stream):
    policy = json.loads(district_policy(["panggul"]))  # as a member's subscription has it
    panggul = subscribe_queue(aws, "orange", "panggul-officer", policy)
    everything = subscribe_queue(aws, "orange", "orange-office")
    post_json(client, "/reports", report_body(district="panggul", lat=-8.24, lon=111.44))
    post_json(client, "/reports", report_body(district="trenggalek"))  # jalan rusak: normal
    post_json(client, "/reports", report_body(district="trenggalek", label="banjir"))  # urgent
    stream()
    told = [json.loads(m["Message"])["attributes"] for m in received(aws, panggul)]
    assert sorted((t["district"], t["label"]) for t in told) == [
        ("panggul", "jalan_rusak"),
        ("trenggalek", "banjir"),
    ]
    assert len(received(aws, everything)) == 3


def test_a_redelivered_stream_record_publishes_no_second_copy(client, aws, queues):
    from chalicelib import config

    post_json(client, "/reports", report_body())
    first, again = StreamReader(config.table_name()), StreamReader(config.table_name())
    drain(first, events.dispatch_stream)
    drain(again, events.dispatch_stream)  # every record delivered a second time
    assert len(received(aws, queues["orange"])) == 1


def test_reporter_contact_is_in_no_squad_message(client, aws, queues, stream):
    contact = {"name": "Bambang Sutrisno", "phone": "081299887766", "email": "bambang@desa.id"}
    post_json(client, "/reports", report_body(contact=contact))
    stream()
    text = json.dumps([received(aws, url) for url in queues.values()])
    assert "TRG-" in text
    for secret in ("Bambang", "99887766", "bambang@desa.id"):
        assert secret not in text


class Clock:
    def __init__(self):
        self.at = reports.utc_now()

    def __call__(self):
        return self.at


def sns_outage(aws, monkeypatch, outage: dict):
    sns = aws.client("sns")
    real_publish = sns.publish

    def publish(**kwargs):
        if outage["down"]:
            raise ClientError(
                {"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "Publish"
            )
        return real_publish(**kwargs)

    monkeypatch.setattr(sns, "publish", publish)


def test_an_sns_outage_loses_nothing_and_delivers_after_recovery(
    client, aws, queues, stream, monkeypatch
):
    outage = {"down": True}
    sns_outage(aws, monkeypatch, outage)
    created = post_json(client, "/reports", report_body())
    assert created.status_code == 201  # the citizen never waits on SNS
    assert client.http.get(f"/reports/{created.json_body['id']}").status_code == 200
    stream()
    assert received(aws, queues["orange"]) == []
    (pending,) = OutboxStore().due(reports.utc_now() + timedelta(hours=1))
    assert pending["state"] == "pending" and pending["attempts"] == 1
    assert "Throttling" in pending["last_error"]

    outage["down"] = False
    clock = Clock()
    d = bootstrap.dispatcher()
    d.now = clock
    assert d.redrive() == {}  # not due yet: backoff
    clock.at += dispatch.backoff(1)
    assert d.redrive() == {"sent": 1}
    (delivered,) = received(aws, queues["orange"])
    assert json.loads(delivered["Message"])["report_code"] == created.json_body["code"]
    assert d.redrive() == {}  # nothing left; never a second copy
    stream()
    assert received(aws, queues["orange"]) == []


def test_overlapping_deliverers_send_once_while_sns_is_slow(client, aws, queues, monkeypatch):
    """A retry is due; while one redrive waits on a slow SNS, a second redrive and a
    redelivered stream record run: the squad gets the message once."""
    from chalicelib import config

    outage = {"down": True}
    sns_outage(aws, monkeypatch, outage)
    post_json(client, "/reports", report_body())
    drain(StreamReader(config.table_name()), events.dispatch_stream)  # first try: throttled
    outage["down"] = False
    clock = Clock()
    clock.at += dispatch.backoff(1)
    first, second = bootstrap.dispatcher(), bootstrap.dispatcher()
    first.now = second.now = clock
    sns = aws.client("sns")
    fast_publish, overlapped = sns.publish, []

    def slow_publish(**kwargs):
        if not overlapped:  # the other runs go while this one waits on SNS
            overlapped.append(second.redrive())
            drain(StreamReader(config.table_name()), events.dispatch_stream)
        return fast_publish(**kwargs)

    monkeypatch.setattr(sns, "publish", slow_publish)
    assert first.redrive() == {"sent": 1}
    assert overlapped == [{}] and len(received(aws, queues["orange"])) == 1


def test_a_notification_that_keeps_failing_lands_in_the_dead_letter_queue(
    client, aws, queues, stream, monkeypatch
):
    from chalicelib import config

    sns_outage(aws, monkeypatch, {"down": True})
    post_json(client, "/reports", report_body())
    stream()
    clock, d = Clock(), bootstrap.dispatcher()
    d.now = clock
    for _ in range(dispatch.MAX_ATTEMPTS):
        clock.at += timedelta(hours=2)
        d.redrive()
    (failed,) = OutboxStore().failed()
    assert failed["state"] == "failed" and failed["attempts"] == dispatch.MAX_ATTEMPTS
    assert OutboxStore().due(clock.at + timedelta(days=1)) == []
    sqs = aws.client("sqs")
    dlq = sqs.get_queue_url(QueueName=config.dispatch_dlq_name())["QueueUrl"]
    (dead,) = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(dead["Body"])["notification"]["id"] == failed["notification"]["id"]


def _transition(report_id: str, status: str):
    store = ReportStore()
    report, _ = store.get_report(report_id)
    changed = report.model_copy(
        update={"status": status, "version": report.version + 1, "updated_at": reports.utc_now()}
    )
    entry = TimelineEntry(
        at=reports.utc_now(), from_status=report.status, to_status=status, actor_role="squad"
    )
    store.record_transition(changed, entry, report.version)


def sms_sent(aws) -> list[tuple[str, str]]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns import sns_backends

    from chalicelib import config

    return list(sns_backends[DEFAULT_ACCOUNT_ID][config.region()].sms_messages.values())


def test_an_opted_in_reporter_hears_accepted_and_resolved_by_sms(client, aws, queues, stream):
    contact = {"phone": "081234567890", "notify": True}
    body = post_json(client, "/reports", report_body(contact=contact)).json_body
    stream()
    assert sms_sent(aws) == []
    for status in ("accepted", "in_progress", "resolved"):
        _transition(body["id"], status)
    stream()
    texts = [text for phone, text in sms_sent(aws) if phone == "+6281234567890"]
    assert len(texts) == 2
    assert "diterima" in texts[0] and "ditangani" in texts[1]
    assert all(body["code"] in t and len(t) <= 160 for t in texts)


def test_a_reporter_who_did_not_opt_in_hears_nothing(client, aws, queues, stream):
    body = post_json(client, "/reports", report_body(contact={"phone": "081234567890"})).json_body
    _transition(body["id"], "accepted")
    stream()
    assert sms_sent(aws) == []


def test_the_short_link_forwards_to_the_report(client):
    body = post_json(client, "/reports", report_body()).json_body
    r = client.http.get(f"/r/{body['code']}")
    assert r.status_code == 302 and r.headers["Location"] == f"../reports/{body['code']}"
    assert client.http.get("/r/nonsense").status_code == 404


def test_the_catalogue_and_topics_agree(aws):
    sns = aws.client("sns")
    names = {t["TopicArn"].rsplit(":", 1)[1] for t in sns.list_topics()["Topics"]}
    for squad in {s.code for s in load_catalogue().squads} | {"command"}:
        assert f"kawal-dev-squad-{squad}" in names


def test_replays_cause_no_notification_and_do_not_stall_the_stream(client, aws, queues, stream):
    sent = report_body()
    first = post_json(client, "/reports", sent).json_body
    for _ in range(3):
        assert post_json(client, "/reports", sent).status_code == 200
    second = post_json(client, "/reports", report_body()).json_body
    stream()
    codes = [json.loads(m["Message"])["report_code"] for m in received(aws, queues["orange"])]
    assert sorted(codes) == sorted([first["code"], second["code"]])


def resolved_with_one_email_failing(client, aws, monkeypatch, report: dict) -> None:
    """The outcome of ``report`` to its reporter and a supporter whose email SES
    refuses once: the first attempt fails, the redrive's goes through."""
    from chalicelib.domain.messages import Notification
    from tests.support.faults import fail_once

    sender = "kawal@trenggalekkab.go.id"
    monkeypatch.setenv("REPORTER_EMAIL_FROM", sender)
    aws.client("ses").verify_email_identity(EmailAddress=sender)
    supporter = {"email": "tetangga@desa.id", "notify": True}
    supported = post_json(client, f"/reports/{report['id']}/support", {"contact": supporter})
    assert supported.status_code == 201, supported.body
    fail_once(monkeypatch, aws.client("ses"), "send_email")
    n = Notification(id="resolved-1", kind="reporter_update", audience="reporter",
                     topic="reporter", report_id=report["id"], report_code=report["code"],
                     subject="[Kawal] SELESAI", sms="KAWAL: laporan selesai", email="Selesai",
                     attributes={"status": "resolved"})  # fmt: skip
    clock, d = Clock(), bootstrap.dispatcher()
    d.now = clock
    assert d.deliver(n) == "retry"
    clock.at += dispatch.backoff(1)
    assert d.redrive() == {"sent": 1}


def test_a_retry_after_one_person_failed_tells_only_who_did_not_hear(
    client, aws, queues, monkeypatch
):
    """The reporter's SMS went, a supporter's email failed: the retry sends the email
    alone, not the reporter's SMS a second time."""
    from .test_digest import sent_emails

    contact = {"phone": "081234567890", "notify": True}
    report = post_json(client, "/reports", report_body(contact=contact)).json_body
    resolved_with_one_email_failing(client, aws, monkeypatch, report)
    assert [p for p, _ in sms_sent(aws)] == ["+6281234567890"]  # once
    mails = [m.destinations["ToAddresses"] for m in sent_emails(aws)]
    assert mails == [["tetangga@desa.id"]]
