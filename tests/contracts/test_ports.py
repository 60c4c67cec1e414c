"""One contract per port, run against the in-memory fake and the DynamoDB adapter (on
moto) alike: whatever a service test on the fake relies on, the real thing does too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.fakes import FakeCounters, FakeOutbox

NOW = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)


@pytest.fixture(params=["fake", "dynamodb"])
def counters(request):
    if request.param == "fake":
        return FakeCounters()
    request.getfixturevalue("aws")
    from chalicelib.storage import CounterStore

    return CounterStore()


@pytest.fixture(params=["fake", "dynamodb"])
def outbox(request):
    if request.param == "fake":
        return FakeOutbox()
    request.getfixturevalue("aws")
    from chalicelib.storage import OutboxStore

    return OutboxStore()


def test_counters_count_up_to_the_limit_per_window(counters):
    assert [counters.take("k", "w1", 3, 0) for _ in range(4)] == [True, True, True, False]
    assert counters.take("k", "w2", 3, 0)  # another window
    assert counters.take("other", "w1", 3, 0)  # another subject


def test_counters_give_back_frees_a_place_and_never_goes_below_zero(counters):
    for _ in range(2):
        counters.take("k", "w", 2, 0)
    counters.give_back("k", "w")
    assert counters.take("k", "w", 2, 0)
    assert not counters.take("k", "w", 2, 0)
    for _ in range(5):
        counters.give_back("k", "w")  # more than was taken: nothing to give back
    assert [counters.take("k", "w", 2, 0) for _ in range(3)] == [True, True, False]
    counters.give_back("none", "w")  # never taken: no error


def notification(nid: str) -> dict:
    return {"id": nid, "kind": "new_report", "audience": "squad", "topic": "orange"}


def test_outbox_claims_once_and_keeps_the_first_record(outbox):
    first = outbox.claim(notification("n1"), NOW)
    assert first["state"] == "pending" and int(first["attempts"]) == 0
    outbox.mark_retry("n1", 1, NOW + timedelta(minutes=1), "boom")
    again = outbox.claim(notification("n1"), NOW + timedelta(seconds=5))
    assert again["state"] == "pending" and int(again["attempts"]) == 1  # not reset


def test_outbox_due_lists_pending_notifications_whose_time_has_come(outbox):
    outbox.claim(notification("soon"), NOW)
    outbox.claim(notification("later"), NOW)
    outbox.mark_retry("soon", 1, NOW + timedelta(seconds=30), "x")
    outbox.mark_retry("later", 2, NOW + timedelta(minutes=5), "x")
    assert [i["notification"]["id"] for i in outbox.due(NOW + timedelta(minutes=1))] == ["soon"]
    due_all = outbox.due(NOW + timedelta(hours=1))
    assert [i["notification"]["id"] for i in due_all] == ["soon", "later"]  # oldest first


def test_outbox_sent_and_failed_leave_the_due_list(outbox):
    for nid in ("a", "b"):
        outbox.claim(notification(nid), NOW)
        outbox.mark_retry(nid, 1, NOW, "x")
    outbox.mark_sent("a", NOW, "msg-1")
    outbox.mark_failed("b", 8, NOW, "gave up")
    assert outbox.due(NOW + timedelta(hours=1)) == []
    assert outbox.claim(notification("a"), NOW)["state"] == "sent"
    assert [i["notification"]["id"] for i in outbox.failed()] == ["b"]
