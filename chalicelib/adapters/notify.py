"""SNS (squad topics, reporter SMS), SES (reporter email) and the dispatch
dead-letter queue. Adapters only: what to say is decided in ``messages``."""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Callable
from typing import Any

from chalicelib import config, observe
from chalicelib.adapters import aws
from chalicelib.domain.messages import Notification
from chalicelib.domain.principals import push_owner
from chalicelib.domain.sms_text import sms_segments
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


class Parts:
    """The recipients of one notification already reached, so a retry after one of
    them failed reaches the rest and nobody twice (read from the outbox once, when
    first needed; recorded as keyed hashes, never a contact)."""

    def __init__(self, outbox: Any, n: Notification):
        self.outbox, self.n = outbox, n
        self._done: set[str] | None = None

    def key(self, kind: str, address: str) -> str:
        import hashlib
        import hmac

        from chalicelib.adapters.server_secret import server_key

        said = f"{self.n.id}|{kind}|{address}".encode()
        return hmac.new(server_key("outbox-parts"), said, hashlib.sha256).hexdigest()[:20]

    def sent(self, kind: str, address: str) -> bool:
        if self.outbox is None:
            return False
        if self._done is None:
            self._done = self.outbox.parts_sent(self.n.id)
        return self.key(kind, address) in self._done

    def mark(self, kind: str, address: str) -> None:
        if self.outbox is not None:
            self.outbox.mark_part(self.n.id, self.key(kind, address))


class SnsPublisher:
    """Delivers a notification: to a squad/command topic, or to the reporter's own
    phone/email looked up at send time (so no contact is copied into the outbox)."""

    def __init__(
        self,
        contacts: Any,
        sms_allowed: Callable[[str], bool],
        bodies: Callable[[], Any] | None = None,
        opted_out: Callable[[str], bool] = lambda _phone: False,
        whatsapp: Callable[[], Any] | None = None,
        parts: Any = None,
    ):
        # the people around a report: contacts(report_id), get_report(report_id),
        # push_subscriptions(owner) and forget_push(owner, endpoint)
        self.contacts = contacts
        # asked before every SMS to a person: the per-number cap and the daily budget
        self.sms_allowed = sms_allowed
        self.bodies = bodies  # the outside bodies' channels, read at send time
        self.opted_out = opted_out  # numbers that answered BERHENTI get no SMS
        self.whatsapp = whatsapp  # the Graph API, for reports that came by WhatsApp
        self.parts = parts  # the outbox, where each recipient reached is recorded

    def publish(self, n: Notification) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            if n.audience == "reporter":
                return self._to_reporter(n)
            if n.audience == "body":
                return self._to_body(n)
            return self._to_topic(n)
        except (ClientError, BotoCoreError) as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc

    def _push(self, owner: str, n: Notification, url: str, parts: Parts) -> int:
        """Web push to every phone filed under ``owner`` (best effort: the topic or the
        SMS carries the message too; a dead subscription is forgotten); once per
        notification, however often it is retried."""
        from chalicelib.adapters import webpush

        subscriptions = self.contacts.push_subscriptions(owner)
        if subscriptions and parts.sent("push", owner):
            return len(subscriptions)  # told on an earlier attempt
        told = 0
        payload = {"title": n.subject, "body": n.sms, "url": url, "id": n.id}
        urgent = n.attributes.get("urgent") == "true" or n.attributes.get("priority") == "high"
        for subscription in subscriptions:
            try:
                webpush.send(subscription, payload, urgent=urgent)
                told += 1
            except webpush.PushGone:
                self.contacts.forget_push(owner, subscription["endpoint"])
            except Exception as exc:  # one phone's push service down: the others still hear
                log.warning("web push to one phone failed: %s", exc)
        if told:
            parts.mark("push", owner)
            observe.count("PushSent", told, audience=n.audience)
        return told

    def _to_topic(self, n: Notification) -> str:
        owner = push_owner(n.topic)
        where = "command-centre" if n.topic == "command" else f"tim/#laporan/{n.report_id}"
        self._push(
            owner, n, f"{config.public_base_url().rstrip('/')}/{where}", Parts(self.parts, n)
        )
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
        """The reporter gets every update; supporters only the outcome (one message
        for their +1, not one per step); at most a few SMS per update of one report,
        the reporter's first, so no crowd of supporters can spend the budget."""
        sent: list[str] = []
        parts = Parts(self.parts, n)  # who an earlier attempt reached already
        found = self.contacts.get_report(n.report_id)
        device = found[0].device_hash if found else None
        if device:  # the phone that filed it, if it subscribed to push
            base = config.public_base_url().rstrip("/")
            url = f"{base}/lapor/#laporan/{n.report_id}"
            told = self._push(f"device#{device}", n, url, parts)
            sent += ["push"] * told
        texts_left = config.sms_per_report_notification()
        # supporters' contacts are not even opened for a step they are not told of
        for contact in self.contacts.contacts(n.report_id, supporters=supporters_told(n)):
            if not contact.get("notify"):
                continue
            phone = contact.get("phone")
            if phone and texts_left <= 0:
                log.warning("SMS skipped: this update's cap of texts per report is reached")
                sent.append("sms-over-report-cap")
                phone = None
            elif phone and "push" in sent and contact.get("role") == "reporter":
                phone = None  # the reporter's phone had it by push: no SMS besides
            elif contact.get("role") == "reporter" and self._by_whatsapp(found, n, phone, parts):
                sent.append("whatsapp")
                phone = None  # it came by WhatsApp: the answer goes back there
            elif phone:
                texts_left -= 1
            sent += self._to_person(n, phone, contact.get("email"), parts)
        return ",".join(sent) or "no-contact"

    def _by_whatsapp(self, found: Any, n: Notification, phone: str | None, parts: Parts) -> bool:
        """A WhatsApp report's reporter hears on WhatsApp (a template message), once per
        notification; False (then SMS) when it did not come that way or WhatsApp is
        unreachable."""
        if not (phone and found and found[0].source == "whatsapp" and self.whatsapp):
            return False
        if parts.sent("whatsapp", phone):
            return True
        from chalicelib.adapters.whatsapp import GraphError

        try:
            self.whatsapp().send_template(phone.lstrip("+"), n.sms)
        except (GraphError, KeyError, ValueError) as exc:
            log.warning("WhatsApp update not sent (SMS instead): %s", exc)
            return False
        parts.mark("whatsapp", phone)
        observe.count("WhatsAppSent", 1, audience=n.audience)
        return True

    def _to_body(self, n: Notification) -> str:
        """Every channel of an outside body (its desk's email, phone, webhook); the
        outbox retries the whole message until one of them takes it."""
        from botocore.exceptions import BotoCoreError, ClientError

        body = self.bodies().get(n.topic) if self.bodies else None
        if body is None:
            raise DeliveryFailed(f"no outside body {n.topic!r} in the data")
        sent, errors = [], []
        for channel in body.channels:
            try:
                if channel.kind == "sms" and self.opted_out(channel.phone):
                    errors.append("sms: the desk's number answered BERHENTI")
                elif channel.kind == "sms":  # a desk's phone: not a person's daily cap
                    sent.append(_sms(channel.phone, n))
                elif channel.kind == "email":
                    told = self._to_person(n, None, channel.address, Parts(None, n))
                    sent += told or ["email-no-sender"]
                else:
                    sent.append(post_webhook(channel.url, n))
            except (OSError, DeliveryFailed, ClientError, BotoCoreError) as exc:
                # one desk down: the others still hear
                errors.append(f"{channel.kind}: {exc}")
        delivered = [s for s in sent if s not in ("sms-capped", "email-no-sender")]
        if not delivered:
            raise DeliveryFailed("; ".join(errors) or "no channel of the body could be used")
        return ",".join(delivered)

    def _to_person(
        self, n: Notification, phone: str | None, email: str | None, parts: Parts
    ) -> list[str]:
        sent = []
        if phone and parts.sent("sms", phone):
            sent.append("sms-sent-before")
        elif phone and self.opted_out(phone):
            log.info("SMS to a person skipped: the number answered BERHENTI")
            sent.append("sms-opted-out")
        elif phone and not self.sms_allowed(phone):
            log.warning("SMS to a reporter skipped: per-number cap or daily budget reached")
            sent.append("sms-capped")
        elif phone:
            sent.append(_sms(phone, n))
            parts.mark("sms", phone)
        sender = config.reporter_email_from()
        if email and sender and parts.sent("email", email):
            sent.append("email-sent-before")
        elif email and sender:
            answer = aws.client("ses").send_email(
                Source=sender,
                Destination={"ToAddresses": [email]},
                Message={
                    "Subject": {"Data": n.subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": n.email, "Charset": "UTF-8"}},
                },
            )
            sent.append(answer["MessageId"])
            parts.mark("email", email)
        return sent


def _sms(phone: str, n: Notification) -> str:
    answer = aws.client("sns").publish(
        PhoneNumber=phone,
        Message=n.sms,
        MessageAttributes=_attributes(
            {"AWS.SNS.SMS.SMSType": "Transactional", "AWS.SNS.SMS.SenderID": "KAWAL"}
        ),
    )
    observe.count("SmsSegments", sms_segments(n.sms), audience=n.audience)
    return answer["MessageId"]


def post_webhook(url: str, n: Notification) -> str:
    """POST the forwarded report as JSON, signed (HMAC-SHA256 with the stage's key for
    webhooks) so the body can check it came from Kawal; 2xx or it failed."""
    import hashlib
    import hmac
    import urllib.request

    from chalicelib.adapters.server_secret import server_key

    payload = json.dumps(
        {"id": n.id, "report": n.report_code, "subject": n.subject, "text": n.email},
        ensure_ascii=False,
    ).encode()
    signature = hmac.new(server_key("webhooks"), payload, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        url,
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Kawal-Signature": f"sha256={signature}",
            "X-Kawal-Delivery": n.id,  # the same id on every retry: drop duplicates
        },
    )
    with urllib.request.urlopen(request, timeout=5) as answer:  # the operator's https URL
        if not 200 <= answer.status < 300:
            raise DeliveryFailed(f"webhook answered {answer.status}")
    return f"webhook:{answer.status}"


def supporters_told(n: Notification) -> bool:
    """Supporters hear how it ended, not every step."""
    return n.attributes.get("status") == "resolved"


def send_to_dead_letter_queue(item: dict[str, Any]) -> None:
    """Best effort: the failed outbox item stays queryable even if this fails."""
    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName=config.dispatch_dlq_name())["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(item, default=str))


def _subscription_arn(topic: str, subscription_id: str) -> str:
    return f"{topic_arn(topic)}:{subscription_id}"


def district_policy(districts: list[str] | None, urgent_only: bool = False) -> str | None:
    """A member who covers some districts hears of their reports, and of every
    urgent report of the squad wherever it is; one who reads the squad app (web push)
    may keep SMS for the urgent ones alone."""
    if urgent_only:
        return json.dumps({"urgent": ["true"]})
    if not districts:
        return None
    return json.dumps({"$or": [{"district": districts}, {"urgent": ["true"]}]})


def policy_districts(policy: str | None) -> list[str] | None:
    """The districts of a filter policy (as district_policy writes it, or older)."""
    found = json.loads(policy or "{}")
    for part in found.get("$or", [found]):
        if "district" in part:
            return part["district"]
    return None


def subscribe(
    topic: str, protocol: str, endpoint: str, districts: list[str] | None, urgent_only: bool = False
) -> str:
    """Subscribe and return the subscription id (the ARN's last part)."""
    policy = district_policy(districts, urgent_only)
    attributes = {"FilterPolicy": policy} if policy else {}
    with aws.outage("the notification service"):
        arn = aws.client("sns").subscribe(
            TopicArn=topic_arn(topic),
            Protocol=protocol,
            Endpoint=endpoint,
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
    return arn.rsplit(":", 1)[1]


def list_subscriptions(topic: str) -> list[dict[str, Any]]:
    with aws.outage("the notification service"):
        return _subscriptions(aws.client("sns"), topic)


def _subscriptions(sns: Any, topic: str) -> list[dict[str, Any]]:
    out = []
    pages = sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn(topic))
    for sub in (s for page in pages for s in page["Subscriptions"]):
        if sub["Protocol"] not in ("sms", "email"):
            continue  # queues and functions are plumbing, not squad members
        pending = not sub["SubscriptionArn"].startswith("arn:")
        districts, urgent_only = None, False
        if not pending:
            attrs = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])
            policy = attrs["Attributes"].get("FilterPolicy")
            districts = policy_districts(policy)
            urgent_only = json.loads(policy or "{}") == {"urgent": ["true"]}
        out.append(
            {
                "id": sub["SubscriptionArn"].rsplit(":", 1)[1] if not pending else "pending",
                "protocol": sub["Protocol"],
                "endpoint": sub["Endpoint"],
                "districts": districts,
                "urgent_only": urgent_only,
                "pending_confirmation": pending,
            }
        )
    return out


def unsubscribe(topic: str, subscription_id: str) -> bool:
    """Remove a subscription of this topic; False when it is not one of its."""
    sns = aws.client("sns")
    arn = _subscription_arn(topic, subscription_id)
    with aws.outage("the notification service"):
        try:
            sns.get_subscription_attributes(SubscriptionArn=arn)
        except sns.exceptions.NotFoundException:
            return False
        sns.unsubscribe(SubscriptionArn=arn)
    return True
