"""A squad's morning digest: one email per desk after 06.00 WIB with what is open,
urgent and overdue first; once a day however often the schedule runs; managed by
operators and the command centre only."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from chalicelib import bootstrap
from chalicelib.entry import events
from chalicelib.services import reports
from kawal_local.pump import scheduled_event
from tests.conftest import bearer

from .helpers import JSON_HEADERS, post_json, report_body

SENDER = "kawal@trenggalekkab.go.id"


def sent_emails(aws) -> list:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from chalicelib import config

    return list(ses_backends[DEFAULT_ACCOUNT_ID][config.region()].sent_messages)


def test_one_digest_a_morning_per_desk_urgent_first(client, aws, tokens, monkeypatch):
    monkeypatch.setenv("REPORTER_EMAIL_FROM", SENDER)
    aws.client("ses").verify_email_identity(EmailAddress=SENDER)
    headers = {**JSON_HEADERS, **bearer(tokens["operator"])}
    added = client.http.post("/squads/orange/digests", headers=headers,
                             body=json.dumps({"email": "pupr@trenggalekkab.go.id"}))  # fmt: skip
    assert added.status_code == 201 and added.json_body == ["pupr@trenggalekkab.go.id"]
    for role in ("orange", "blue", "shadow"):
        who = {**JSON_HEADERS, **bearer(tokens[role])}
        email = json.dumps({"email": "x@trenggalekkab.go.id"})
        refused = client.http.post("/squads/orange/digests", headers=who, body=email)
        assert refused.status_code == 403, role
    road = post_json(client, "/reports", report_body()).json_body
    flood = post_json(client, "/reports", report_body(label="banjir")).json_body

    five = datetime(2026, 12, 3, 22, 0, tzinfo=UTC)  # 05.00 WIB: not yet
    monkeypatch.setattr(reports, "utc_now", lambda: five)
    assert bootstrap.morning_digests() == 0
    six = five + timedelta(hours=1, minutes=5)  # 06.05 WIB
    monkeypatch.setattr(reports, "utc_now", lambda: six)
    events.housekeeping(scheduled_event(), None)
    events.housekeeping(scheduled_event(), None)  # the schedule again: no second email
    (mail,) = sent_emails(aws)
    assert mail.destinations["ToAddresses"] == ["pupr@trenggalekkab.go.id"]
    text = mail.body
    assert "Laporan terbuka: 2" in text
    assert text.index(flood["code"]) < text.index(road["code"])  # overdue/urgent first
    assert "MENDESAK" in text
    monkeypatch.setattr(reports, "utc_now", lambda: six + timedelta(days=1))
    bootstrap.morning_digests()
    assert len(sent_emails(aws)) == 2  # the next morning's


def test_a_digest_email_that_fails_is_sent_by_the_next_run(client, aws, tokens, monkeypatch):
    from tests.support.faults import fail_once

    monkeypatch.setenv("REPORTER_EMAIL_FROM", SENDER)
    aws.client("ses").verify_email_identity(EmailAddress=SENDER)
    headers = {**JSON_HEADERS, **bearer(tokens["operator"])}
    for desk in ("pupr@trenggalekkab.go.id", "dlh@trenggalekkab.go.id"):
        client.http.post("/squads/orange/digests", headers=headers,
                         body=json.dumps({"email": desk}))  # fmt: skip
    post_json(client, "/reports", report_body())
    six = datetime(2026, 12, 3, 23, 5, tzinfo=UTC)  # 06.05 WIB
    monkeypatch.setattr(reports, "utc_now", lambda: six)
    fail_once(monkeypatch, aws.client("ses"), "send_email")
    events.housekeeping(scheduled_event(), None)  # SES refuses the first desk's email
    assert len(sent_emails(aws)) == 1  # the other desk still has its digest
    events.housekeeping(scheduled_event(), None)  # 15 minutes later
    events.housekeeping(scheduled_event(), None)
    to = sorted(m.destinations["ToAddresses"][0] for m in sent_emails(aws))
    assert to == ["dlh@trenggalekkab.go.id", "pupr@trenggalekkab.go.id"]  # each once
