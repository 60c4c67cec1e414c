"""In-memory fakes of the ports the use cases depend on. Each one is held to the same
contract as its DynamoDB adapter (tests/contracts), so a fake cannot drift from what
the real thing does; service tests run on them in milliseconds."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any


class FakeCounters:
    """``quotas.Counters``: fixed-window counters."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}

    def take(self, key: str, window: str, allowed: int, expires_at: int) -> bool:
        n = self.counts.get((key, window), 0)
        if n >= allowed:
            return False
        self.counts[(key, window)] = n + 1
        return True

    def give_back(self, key: str, window: str) -> None:
        n = self.counts.get((key, window), 0)
        if n <= 1:
            self.counts.pop((key, window), None)  # a refused request leaves no trace
        else:
            self.counts[(key, window)] = n - 1

    def exists(self, key: str, window: str) -> bool:
        return (key, window) in self.counts


def _ts(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class FakeOutbox:
    """``dispatch.Outbox``: notifications pending, sent or failed for good."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def claim(self, notification: dict[str, Any], now: datetime) -> dict[str, Any]:
        nid = notification["id"]
        if nid not in self.items:
            self.items[nid] = {
                "state": "pending",
                "attempts": 0,
                "notification": copy.deepcopy(notification),
                "created_at": _ts(now),
                "due": _ts(now),
            }
        return copy.deepcopy(self.items[nid])

    def get(self, nid: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.items.get(nid))

    def mark_sent(self, nid: str, now: datetime, message_id: str) -> None:
        self.items[nid].update(state="sent", sent_at=_ts(now), message_id=message_id)

    def mark_retry(self, nid: str, attempts: int, due: datetime, error: str) -> None:
        self.items[nid].update(attempts=attempts, last_error=error[:500], due=_ts(due))

    def mark_failed(self, nid: str, attempts: int, now: datetime, error: str) -> None:
        self.items[nid].update(
            state="failed", attempts=attempts, last_error=error[:500], failed_at=_ts(now)
        )

    def due(self, now: datetime, limit: int = 100) -> list[dict[str, Any]]:
        pending = [i for i in self.items.values() if i["state"] == "pending"]
        ready = sorted((i for i in pending if i["due"] <= _ts(now)), key=lambda i: i["due"])
        return copy.deepcopy(ready[:limit])

    def failed(self, limit: int = 100) -> list[dict[str, Any]]:
        return copy.deepcopy([i for i in self.items.values() if i["state"] == "failed"][:limit])


class FakePublisher:
    """``dispatch.Publisher``: records what it sent; fails while told to."""

    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.failures_left = 0

    def publish(self, n: Any) -> str:
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionError("SNS unreachable")
        self.sent.append(n)
        return f"msg-{len(self.sent)}"
