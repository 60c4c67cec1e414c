"""Abuse limits applied around a use case: count first, uncount what turned out
not to be new (a retry) or failed, and let an acknowledged report's retry through
even when the count is full (the phone must learn it was stored)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from chalicelib import quotas
from chalicelib.reports import utc_now
from chalicelib.storage import CounterStore


class Counted:
    def __init__(self) -> None:
        self.taken: list[tuple[quotas.Limit, str]] = []
        self.keep = True


@contextlib.contextmanager
def counted(
    subjects: list[tuple[quotas.Limit, str]], *, replay_of: str | None = None, store: Any = None
) -> Iterator[Counted]:
    counters, now, counts = CounterStore(), utc_now(), Counted()
    try:
        for limit, subject in subjects:
            quotas.take(counters, limit, subject, now)
            counts.taken.append((limit, subject))
    except quotas.TooManyRequests:
        _undo(counters, counts, now)
        if not (replay_of and store is not None and store.get_report(replay_of)):
            raise
    try:
        yield counts
    except BaseException:
        _undo(counters, counts, now)
        raise
    if not counts.keep:
        _undo(counters, counts, now)


def _undo(counters: CounterStore, counts: Counted, now: Any) -> None:
    for limit, subject in counts.taken:
        quotas.give_back(counters, limit, subject, now)
    counts.taken = []
