"""Event handlers (entry module): the table stream feeds dispatch, a schedule
retries what SNS refused. Lambda calls these; locally the event pump does."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from urllib.parse import unquote_plus

from chalice import Blueprint, Rate

from chalicelib import bootstrap, config
from chalicelib.domain.lifecycle import FINAL
from chalicelib.routing import load_catalogue
from chalicelib.services.reports import utc_now

bp = Blueprint(__name__)
log = logging.getLogger("kawal.events")


def _inserts(raw: dict) -> list[tuple[dict, dict]]:
    """(keys, new image) of each item created, read with Powertools' typed stream
    event (it deserialises the images)."""
    from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent

    out = []
    for record in DynamoDBStreamEvent(raw).records:
        change = record.dynamodb
        if record.event_name is None or record.event_name.name != "INSERT" or change is None:
            continue
        out.append((change.keys or {}, change.new_image or {}))
    return out


def timeline_inserts(found: list[tuple[dict, dict]]) -> list[tuple[str, str, str, str | None]]:
    """(report id, event SK, new status, action) of each timeline entry among a
    batch's inserts."""
    return [
        (image["report_id"], keys["SK"], image["to_status"], image.get("action"))
        for keys, image in found
        if keys.get("SK", "").startswith("EVENT#")
    ]


def check_request_inserts(found: list[tuple[dict, dict]]) -> list[tuple[str, str, str | None]]:
    """(report id, when, note) of each closure check the command centre asked for (its
    note sealed at rest: opened here, where the message to the checkers is made)."""
    from chalicelib.adapters.dynamodb.items import opened

    return [
        (
            image["report_id"],
            image["at"],
            opened(image, image["report_id"], "check-request").get("note"),
        )
        for keys, image in found
        if keys.get("PK") == "CHECKREQS"
    ]


@bp.on_dynamodb_record(
    stream_arn=config.table_stream_arn(), batch_size=50, starting_position="TRIM_HORIZON"
)
def dispatch_stream(event):
    from chalicelib.adapters import covert

    with covert.opening():  # messages to the shadow and command topics are made here
        _dispatch(event.to_dict())


def _dispatch(raw: dict) -> None:
    found = _inserts(raw)  # the batch read once, for both kinds of insert
    entries, asked = timeline_inserts(found), check_request_inserts(found)
    if not entries and not asked:
        return
    d = bootstrap.dispatcher()
    for report_id, at, note in asked:  # the shadow squad hears, on its own topic
        d.on_check_request(report_id, at, note)
    for report_id, sk, status, action in entries:
        # SNS failures are absorbed into the outbox; anything else (DynamoDB down)
        # raises, and Lambda retries the batch: every step is idempotent.
        d.on_timeline_entry(report_id, sk, status, action)
        if status in FINAL:  # no way back: the contact is kept only for a while
            _schedule_contact_deletion(report_id)


def _schedule_contact_deletion(report_id: str) -> None:
    """Retention: contacts go N days after the report ends (CONTACT_RETENTION_DAYS)."""

    until = utc_now() + timedelta(days=config.contact_retention_days())
    bootstrap.report_store().expire_contacts(report_id, int(until.timestamp()))


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="redrive_notifications")
def redrive_notifications(event):  # noqa: ARG001 - the schedule's payload says nothing
    from chalicelib.adapters import covert

    with covert.opening():
        counts = bootstrap.dispatcher().redrive()
    if counts:
        log.info("redrive: %s", counts)


def uploads_in(event) -> list[str]:
    """Object keys of the S3 ObjectCreated notifications in an SQS batch (Powertools'
    typed S3 event for each message body)."""
    from aws_lambda_powertools.utilities.data_classes import S3Event

    keys = []
    for record in event:
        body = json.loads(record.body)
        if body.get("Event") == "s3:TestEvent":  # S3 checks the queue when wired up
            continue
        for r in S3Event(body).records:
            if r.event_name.startswith("ObjectCreated"):
                keys.append(unquote_plus(r.s3.get_object.key))  # S3 URL-encodes keys
    return keys


# S3 -> SQS -> Lambda works with both `chalice deploy` and `chalice package`
# (S3 events directly do not package). One upload per invocation: a failure
# retries only that photo, and after five receives it goes to the queue's DLQ.
@bp.on_sqs_message(queue=config.uploads_queue_name(), batch_size=1)
def process_uploads(event):
    from chalicelib.adapters import imaging, media  # Pillow: this function only
    from chalicelib.services import photos

    store = bootstrap.report_store()
    for key in uploads_in(event):
        outcome = photos.process_upload(
            key, store=store, media=media, images=imaging, now=utc_now()
        )
        log.info("upload %s: %s", key, outcome)


@bp.schedule(Rate(15, unit=Rate.MINUTES), name="housekeeping")
def housekeeping(event):  # noqa: ARG001 - the schedule's payload says nothing
    """Auto-close undisputed resolutions after 7 days; escalate overdue reports once;
    after 06.00 WIB, each squad's morning digest (once a day)."""
    counts = bootstrap.workflow().housekeeping()
    counts["digests"] = bootstrap.morning_digests()
    if any(counts.values()):
        log.info("housekeeping: %s", counts)


@bp.schedule(Rate(config.stats_every_minutes(), unit=Rate.MINUTES), name="compute_stats")
def compute_stats(event):  # noqa: ARG001 - the schedule's payload says nothing
    """Response-time statistics: the activity since the last run, merged into windows."""
    from chalicelib.services import stats_job

    stats_job.run(
        reports=bootstrap.report_store(),
        stats_store=bootstrap.stats_store(),
        catalogue=load_catalogue(),
        now=utc_now,
    )


@bp.on_sns_message(topic=config.inbound_sms_topic_name(), name="inbound_sms")
def inbound_sms(event):
    """A text message to the regency's number: a report by SMS, or BERHENTI/MULAI."""
    message = event.message
    try:
        body = json.loads(message)
    except ValueError:
        log.warning("inbound SMS event ignored: not JSON")
        return
    if isinstance(body, dict):
        bootstrap.sms_reports().handle(body)
