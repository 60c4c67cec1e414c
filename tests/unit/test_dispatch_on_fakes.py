"""The dispatcher's delivery rules on in-memory fakes (the same ports the DynamoDB and
SNS adapters serve; tests/contracts holds both to one contract)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.domain.messages import Notification
from chalicelib.services.dispatch import MAX_ATTEMPTS, Dispatcher, backoff
from tests.fakes import FakeOutbox, FakePublisher

START = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def dispatcher(publisher, outbox, clock, dead_letters):
    return Dispatcher(
        store=None,
        outbox=outbox,
        publisher=publisher,
        catalogue=None,
        regency=None,
        base_url="http://kawal.test",
        now=clock,
        dead_letter=dead_letters.append,
        failure_types=(ConnectionError,),
    )


def note(nid: str = "n1") -> Notification:
    return Notification(
        id=nid,
        kind="new_report",
        audience="squad",
        topic="orange",
        report_id="r1",
        report_code="TRG-7K3F9Q",
        subject="[Kawal] BARU",
        sms="KAWAL BARU",
        email="Laporan baru",
        attributes={},
    )


def test_a_notification_is_sent_once_however_often_its_record_comes_back():
    publisher, outbox, clock, dead = FakePublisher(), FakeOutbox(), Clock(), []
    d = dispatcher(publisher, outbox, clock, dead)
    assert d.deliver(note()) == "sent"
    assert [d.deliver(note()) for _ in range(3)] == ["duplicate"] * 3
    assert len(publisher.sent) == 1


def test_failures_back_off_then_dead_letter_once_after_the_last_attempt():
    publisher, outbox, clock, dead = FakePublisher(), FakeOutbox(), Clock(), []
    publisher.failures_left = MAX_ATTEMPTS
    d = dispatcher(publisher, outbox, clock, dead)
    assert d.deliver(note()) == "retry"
    for attempt in range(1, MAX_ATTEMPTS):
        assert d.redrive() == {}  # not due yet
        clock.now += backoff(attempt)
        expected = "failed" if attempt == MAX_ATTEMPTS - 1 else "retry"
        assert d.redrive() == {expected: 1}
    assert publisher.sent == [] and len(dead) == 1
    assert outbox.failed()[0]["attempts"] == MAX_ATTEMPTS
    clock.now += timedelta(days=1)
    assert d.redrive() == {} and len(dead) == 1  # given up for good


def test_a_retry_that_succeeds_is_sent_exactly_once():
    publisher, outbox, clock, dead = FakePublisher(), FakeOutbox(), Clock(), []
    publisher.failures_left = 2
    d = dispatcher(publisher, outbox, clock, dead)
    assert d.deliver(note()) == "retry"
    clock.now += backoff(1)
    assert d.redrive() == {"retry": 1}
    clock.now += backoff(2)
    assert d.redrive() == {"sent": 1}
    clock.now += timedelta(hours=2)
    assert d.redrive() == {} and len(publisher.sent) == 1 and dead == []


class SlowPublisher(FakePublisher):
    """SNS slow to answer: while one run waits on it, ``meanwhile`` runs (another
    deliverer overlapping the first)."""

    def __init__(self) -> None:
        super().__init__()
        self.meanwhile: list = []

    def publish(self, n):
        while self.meanwhile:
            self.meanwhile.pop()()
        return super().publish(n)


def test_a_stream_retry_while_the_first_send_is_slow_sends_nothing_more():
    publisher, outbox, clock, dead = SlowPublisher(), FakeOutbox(), Clock(), []
    d = dispatcher(publisher, outbox, clock, dead)
    overlapped = []
    publisher.meanwhile.append(lambda: overlapped.append(d.deliver(note())))
    assert d.deliver(note()) == "sent"
    assert overlapped == ["duplicate"] and len(publisher.sent) == 1


def test_two_redrives_at_once_send_a_due_retry_once():
    publisher, outbox, clock, dead = SlowPublisher(), FakeOutbox(), Clock(), []
    publisher.failures_left = 1
    first, second = (dispatcher(publisher, outbox, clock, dead) for _ in range(2))
    assert first.deliver(note()) == "retry"
    clock.now += backoff(1)
    overlapped = []
    publisher.meanwhile.append(lambda: overlapped.append(second.redrive()))
    publisher.meanwhile.append(lambda: overlapped.append(first.deliver(note())))  # stream retry
    assert first.redrive() == {"sent": 1}
    assert overlapped == ["duplicate", {}] and len(publisher.sent) == 1
