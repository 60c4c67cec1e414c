"""Fan-out of timeline entries to squads and reporters, at least once, never lost.

The API writes a report and its first timeline entry to DynamoDB and nothing else:
it never waits on SNS. The table's stream carries each new timeline entry here;
each notification it causes is first recorded in the outbox, then published. A
failed publish stays pending and is retried by the scheduled ``redrive`` with
backoff; one that keeps failing is marked failed and sent to the dead-letter
queue for an operator. Every attempt first takes a lease on its notification by a
conditional write, so two runs at once (a stream retry and the redrive, two
redrives) send it once, and a redelivered stream record finds it sent.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib import observe
from chalicelib.domain.geo import Regency
from chalicelib.domain.messages import REPORTER_TEXT, Notification, plan, squad_notification
from chalicelib.routing import Catalogue
from chalicelib.services.ports import DispatchReads

log = logging.getLogger("kawal.dispatch")
MAX_ATTEMPTS = 8
ARN = re.compile(r"arn:[^\s'\"]+")  # a topic's ARN in an SNS error names its audience


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at 1 h: eight attempts span about two hours."""
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


class Publisher(Protocol):
    def publish(self, n: Notification) -> str: ...


class Outbox(Protocol):
    # both take the send lease by a conditional write, None when another run holds it
    # (or it is sent or failed): no path publishes what it has not claimed
    def claim(
        self, notification: dict[str, Any], now: datetime, sealed: bool = False
    ) -> dict[str, Any] | None: ...
    def take(self, nid: str, now: datetime) -> dict[str, Any] | None: ...
    def mark_sent(self, nid: str, now: datetime, message_id: str) -> None: ...
    def mark_retry(self, nid: str, attempts: int, due: datetime, error: str) -> None: ...
    def mark_failed(self, nid: str, attempts: int, now: datetime, error: str) -> None: ...
    def due(self, now: datetime, limit: int = 100) -> list[dict[str, Any]]: ...


class Dispatcher:
    def __init__(
        self,
        *,
        store: DispatchReads,
        outbox: Outbox,
        publisher: Publisher,
        catalogue: Catalogue,
        regency: Regency,
        base_url: str,
        now: Callable[[], datetime],
        dead_letter: Callable[[dict[str, Any]], None] = lambda _item: None,
        failure_types: tuple[type[BaseException], ...] = (Exception,),
        bodies: Any = None,
    ):
        self.store, self.outbox, self.publisher = store, outbox, publisher
        self.catalogue, self.regency, self.base_url = catalogue, regency, base_url
        self.now, self.dead_letter, self.failure_types = now, dead_letter, failure_types
        self.bodies = bodies  # the outside bodies a report may be forwarded to

    def on_timeline_entry(
        self, report_id: str, event_sk: str, to_status: str, action: str | None = None
    ) -> list[str]:
        """Plan and deliver what one new timeline entry causes; returns delivery states."""
        observe.correlate(report_id=report_id)
        loaded = self.store.load(report_id)
        if loaded is None:
            log.warning("timeline entry for missing report %s", report_id)
            return []
        report = loaded.report
        entry = next((e for e in loaded.timeline if e.key == event_sk), None)
        if entry is None:
            # A stream record of a write that did not stick (moto emits these for
            # rolled-back transactions): nothing happened, so nobody is told.
            log.warning("no timeline entry %s on report %s; skipped", event_sk, report_id)
            return []
        # the reporter and every supporter who asked and left a phone or email
        opted_in = to_status in REPORTER_TEXT and (
            self.store.wants_updates(report_id) or self._pushes_to(report)
        )
        planned = plan(
            report,
            to_status,
            event_sk,
            catalogue=self.catalogue,
            district_name=self.regency.district_name(report.district, report.district_approx),
            base_url=self.base_url,
            reporter_opted_in=opted_in,
            action=action,
            note=entry.note,
            stars=entry.stars,
            # a forward names its body in the entry (the report may have moved on since)
            body=self.bodies.get(entry.reason) if self.bodies and action == "forward" else None,
            photo_ready=any(p.role == "before" and p.state == "ready" for p in loaded.photos),
        )
        return [self.deliver(n, report.covert) for n in planned]

    def on_check_request(self, report_id: str, asked_at: str, note: str | None) -> list[str]:
        """The command centre asked for a closure check: tell those who check."""
        loaded = self.store.load(report_id)
        if loaded is None:
            return []
        report = loaded.report
        n = squad_notification(
            report,
            "check_requested",
            f"CHECKREQ#{asked_at}",
            catalogue=self.catalogue,
            district_name=self.regency.district_name(report.district, report.district_approx),
            base_url=self.base_url,
            note=note,
        )
        return [self.deliver(n, report.covert)]

    def _pushes_to(self, report: Any) -> bool:
        """Did the phone that filed it subscribe to push (then it hears without a contact)?"""
        return bool(
            report.device_hash and self.store.push_subscriptions(f"device#{report.device_hash}")
        )

    def deliver(self, n: Notification, covert: bool = False) -> str:
        """Claim, then publish. A covert report's messages, and every message to the
        command centre or the shadow squad, are sealed in the outbox (issue #35)."""
        sealed = covert or n.audience == "command" or self._to_covert_squad(n)
        item = self.outbox.claim(n.model_dump(), self.now(), sealed=sealed)
        if item is None:  # sent, given up on, or being sent by another run right now
            return "duplicate"
        return self._attempt(n, int(item.get("attempts", 0)), sealed)

    def _to_covert_squad(self, n: Notification) -> bool:
        squads = self.catalogue.squads if self.catalogue else ()
        return n.audience == "squad" and any(s.code == n.topic and s.covert for s in squads)

    def _attempt(self, n: Notification, attempts: int, sealed: bool = False) -> str:
        try:
            message_id = self.publisher.publish(n)
        except self.failure_types as exc:
            attempts += 1
            # an SNS error may name the topic (its ARN): not of a sealed one
            error = ARN.sub("arn:…", str(exc)) if sealed else str(exc)
            if attempts >= MAX_ATTEMPTS:
                self.outbox.mark_failed(n.id, attempts, self.now(), error)
                observe.count("NotificationsDeadLettered", audience=n.audience)
                log.error("notification %s failed for good: %s", n.id, error)
                # what an operator's dead letter shows of a sealed one: its ids
                shown = {"id": n.id, "report_id": n.report_id} if sealed else n.model_dump()
                try:
                    self.dead_letter({"notification": shown, "error": error})
                except Exception:  # the failed item stays queryable in the outbox
                    log.exception("dead-letter queue unreachable for %s", n.id)
                return "failed"
            observe.count("NotificationsFailed", audience=n.audience)
            self.outbox.mark_retry(n.id, attempts, self.now() + backoff(attempts), error)
            log.warning("notification %s attempt %d failed: %s", n.id, attempts, error)
            return "retry"
        self.outbox.mark_sent(n.id, self.now(), message_id)
        observe.count("NotificationsSent", audience=n.audience)
        if sealed:  # a covert audience's topic and kind would tell an operator what it is
            log.info("notification %s sent", n.id)
        else:
            log.info("notification %s sent to %s (%s)", n.id, n.topic, n.kind)
        return "sent"

    def redrive(self, limit: int = 100) -> dict[str, int]:
        """Retry every pending notification that is due; run on a schedule."""
        counts: dict[str, int] = {}
        for item in self.outbox.due(self.now(), limit):
            n = Notification.model_validate(item["notification"])
            taken = self.outbox.take(n.id, self.now())
            if taken is None:  # another run (or the stream's retry) took it first
                continue
            state = self._attempt(n, int(taken.get("attempts", 0)), bool(item.get("sealed")))
            counts[state] = counts.get(state, 0) + 1
        return counts
