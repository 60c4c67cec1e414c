"""SNS (squad topics, reporter SMS), SES (reporter email) and the dispatch
dead-letter queue. Adapters only: what to say is decided in ``messages``."""

from __future__ import annotations

import functools
import json
import logging
import os
from typing import Any

from chalicelib import aws, config
from chalicelib.messages import Notification
from chalicelib.routing import topic_name

log = logging.getLogger("kawal.notify")


class DeliveryFailed(Exception):
    """SNS/SES refused or could not be reached; the outbox retries later."""


@functools.lru_cache(maxsize=8)
def _account_id(region: str, endpoint: str) -> str:  # noqa: ARG001 - cache key only
    return aws.client("sts").get_caller_identity()["Account"]


def topic_arn(topic: str) -> str:
    account = _account_id(config.region(), os.environ.get("AWS_ENDPOINT_URL", ""))
    return f"arn:aws:sns:{config.region()}:{account}:{topic_name(topic)}"


def _attributes(values: dict[str, str]) -> dict[str, Any]:
    return {k: {"DataType": "String", "StringValue": v} for k, v in values.items() if v}


class SnsPublisher:
    """Delivers a notification: to a squad/command topic, or to the reporter's own
    phone/email looked up at send time (so no contact is copied into the outbox)."""

    def __init__(self, contacts: Any):
        self.contacts = contacts  # anything with get_contact(report_id)

    def publish(self, n: Notification) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            if n.audience == "reporter":
                return self._to_reporter(n)
            return self._to_topic(n)
        except (ClientError, BotoCoreError) as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc

    def _to_topic(self, n: Notification) -> str:
        structured = n.model_dump_json()
        answer = aws.client("sns").publish(
            TopicArn=topic_arn(n.topic),
            MessageStructure="json",
            Subject=n.subject,
            # SMS subscribers get `sms`, email subscribers `email`, queues and
            # HTTP endpoints the structured JSON (with the notification id).
            Message=json.dumps({"default": structured, "sms": n.sms, "email": n.email}),
            MessageAttributes=_attributes(n.attributes),
        )
        return answer["MessageId"]

    def _to_reporter(self, n: Notification) -> str:
        contact = self.contacts.get_contact(n.report_id) or {}
        sent = []
        if contact.get("phone"):
            answer = aws.client("sns").publish(
                PhoneNumber=contact["phone"],
                Message=n.sms,
                MessageAttributes=_attributes(
                    {"AWS.SNS.SMS.SMSType": "Transactional", "AWS.SNS.SMS.SenderID": "KAWAL"}
                ),
            )
            sent.append(answer["MessageId"])
        sender = config.reporter_email_from()
        if contact.get("email") and sender:
            answer = aws.client("ses").send_email(
                Source=sender,
                Destination={"ToAddresses": [contact["email"]]},
                Message={
                    "Subject": {"Data": n.subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": n.email, "Charset": "UTF-8"}},
                },
            )
            sent.append(answer["MessageId"])
        return ",".join(sent) or "no-contact"


def send_to_dead_letter_queue(item: dict[str, Any]) -> None:
    """Best effort: the failed outbox item stays queryable even if this fails."""
    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName=config.dispatch_dlq_name())["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(item, default=str))
