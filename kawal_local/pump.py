"""The local event pump: feeds the very handlers Lambda would call.

- DynamoDB stream records -> ``events.dispatch_stream`` (as the stream trigger does)
- every few seconds -> ``events.redrive_notifications`` (as the EventBridge schedule does)
- an SQS "inbox" subscribed to every squad topic -> the console, so a person
  trying `make run` sees each SMS and email as it would be delivered.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from chalicelib import config
from chalicelib.adapters import aws
from chalicelib.adapters.notify import topic_arn
from kawal_deploy.resources import NOTIFIED_TOPICS

log = logging.getLogger("kawal.pump")
INBOX_QUEUE = "kawal-local-inbox"


def _lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A moto stream record, shaped as Lambda delivers it."""
    body = dict(record["dynamodb"])
    created = body.get("ApproximateCreationDateTime", time.time())
    if isinstance(created, datetime):
        created = created.timestamp()
    body["ApproximateCreationDateTime"] = created
    body.setdefault("SizeBytes", 0)
    body.setdefault("StreamViewType", "NEW_AND_OLD_IMAGES")
    return {
        "eventID": record.get("eventID", body.get("SequenceNumber")),
        "eventName": record["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": config.region(),
        "dynamodb": body,
        "eventSourceARN": stream_arn,
    }


def scheduled_event() -> dict[str, Any]:
    """What EventBridge hands a scheduled Lambda."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "version": "0",
        "id": "local",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": now,
        "region": config.region(),
        "resources": [],
        "detail": {},
    }


class StreamReader:
    """Reads every shard of the table's stream from its start, remembering the last
    sequence number it delivered per shard.

    A fresh iterator is taken on every poll (``AFTER_SEQUENCE_NUMBER``): moto
    restores a deep copy of the table after a failed transaction, which replaces
    the stream shard a long-lived iterator would still point at.
    """

    def __init__(self, table_name: str):
        db = aws.client("dynamodb")
        self.arn = db.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        self._last: dict[str, str] = {}

    def _iterator(self, shard_id: str) -> str:
        kwargs: dict[str, Any] = {"StreamArn": self.arn, "ShardId": shard_id}
        if shard_id in self._last:
            kwargs.update(
                ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=self._last[shard_id]
            )
        else:
            kwargs["ShardIteratorType"] = "TRIM_HORIZON"
        return aws.client("dynamodbstreams").get_shard_iterator(**kwargs)["ShardIterator"]

    def poll(self, handler: Callable[[dict, Any], Any], limit: int = 100) -> int:
        """Deliver one batch per shard; on a handler error the batch is retried next
        poll, as Lambda retries a stream batch. Returns how many records were delivered."""
        streams = aws.client("dynamodbstreams")
        shards = streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        delivered = 0
        for shard in shards:
            sid = shard["ShardId"]
            records = streams.get_records(ShardIterator=self._iterator(sid), Limit=limit)["Records"]
            if records:
                handler({"Records": [_lambda_record(r, self.arn) for r in records]}, None)
                self._last[sid] = records[-1]["dynamodb"]["SequenceNumber"]
                delivered += len(records)
        return delivered


def drain(reader: StreamReader, handler: Callable[[dict, Any], Any]) -> int:
    """Deliver until the stream has nothing new (tests and start-up use this)."""
    total = 0
    while n := reader.poll(handler):
        total += n
    return total


def queue_feeder(url: str, handler: Callable[[dict, Any], Any]) -> Callable[[], int]:
    """Deliver queued messages one at a time, as the SQS trigger (batch size 1)
    does; a message whose handler fails stays queued and comes back."""
    sqs = aws.client("sqs")
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]

    def step() -> int:
        got = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=0, VisibilityTimeout=5
        )
        for m in got.get("Messages", []):
            record = {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": config.region(),
            }
            handler({"Records": [record]}, None)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return len(got.get("Messages", []))

    return step


def sns_feeder(topic: str, handler: Callable[[dict, Any], Any]) -> Callable[[], int]:
    """Deliver what is published to an SNS topic to a function, as SNS's Lambda
    trigger does: a queue subscribed to the topic, each message handed on as an SNS
    event (a failure leaves it queued: it comes back, as SNS retries)."""
    sqs, sns = aws.client("sqs"), aws.client("sns")
    name = topic.rsplit(":", 1)[-1]
    url = sqs.create_queue(QueueName=f"{name}-local")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)

    def step() -> int:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=5)
        for m in got.get("Messages", []):
            envelope = json.loads(m["Body"])
            record = {"EventSource": "aws:sns", "EventVersion": "1.0", "Sns": {
                "Type": "Notification", "MessageId": envelope.get("MessageId", ""),
                "TopicArn": topic, "Subject": envelope.get("Subject"),
                "Message": envelope.get("Message", ""), "Timestamp": envelope.get("Timestamp", ""),
                "MessageAttributes": {},
            }}  # fmt: skip
            handler({"Records": [record]}, None)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return len(got.get("Messages", []))

    return step


def ensure_inbox() -> str:
    """A queue subscribed to every squad topic: the local stand-in for phones and inboxes."""
    sqs, sns = aws.client("sqs"), aws.client("sns")
    url = sqs.create_queue(QueueName=INBOX_QUEUE)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    for topic in NOTIFIED_TOPICS:
        sns.subscribe(TopicArn=topic_arn(topic), Protocol="sqs", Endpoint=arn)
    return url


def render_delivery(body: str) -> str:
    """One inbox message as a person would read it: who, the SMS, the email."""
    envelope = json.loads(body)
    n = json.loads(envelope["Message"])
    attrs = n.get("attributes", {})
    email = "\n".join("          " + line for line in n["email"].splitlines())
    return (
        f"\n📨 to the {n['topic']} topic · {n['kind']} · {n['report_code']}"
        f" · district={attrs.get('district')} priority={attrs.get('priority')}"
        f" · id={n['id']}\n"
        f"   SMS   ({len(n['sms'])} chars): {n['sms']}\n"
        f"   EMAIL subject: {n['subject']}\n{email}\n"
    )


class Loop(threading.Thread):
    """Run ``step`` every ``interval`` seconds until ``stop``; errors are logged, not fatal."""

    def __init__(self, name: str, interval: float, step: Callable[[], Any], stop: threading.Event):
        super().__init__(name=name, daemon=True)
        self.interval, self.step, self.stop = interval, step, stop

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.step()
            except Exception:
                log.exception("%s failed; retrying", self.name)
            self.stop.wait(self.interval)


def inbox_printer(url: str, out: Callable[[str], Any] = print) -> Callable[[], None]:
    sqs = aws.client("sqs")

    def step() -> None:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        for m in got.get("Messages", []):
            out(render_delivery(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    return step
