"""Abuse limits around a submission: count first, uncount what turned out not to
be new (a retry) or failed, and let an acknowledged report's retry through even
when the count is full (the phone must learn it was stored)."""

from __future__ import annotations

from typing import Any

from chalicelib import identifiers, quotas, reports
from chalicelib.models import Loaded, ReportIn
from chalicelib.storage import CounterStore


def submit_counted(
    data: ReportIn, subjects: list[tuple[quotas.Limit, str]], *, store: Any, **submit: Any
) -> tuple[Loaded, bool, str]:
    """``reports.submit``, counted against each (limit, subject); 429 when one is full."""
    counters, now = CounterStore(), reports.utc_now()
    taken: list[tuple[quotas.Limit, str]] = []

    def undo() -> None:
        for limit, subject in taken:
            quotas.give_back(counters, limit, subject, now)

    try:
        for limit, subject in subjects:
            quotas.take(counters, limit, subject, now)
            taken.append((limit, subject))
    except quotas.TooManyRequests:
        undo()
        taken = []
        replay = data.client_report_id and identifiers.report_id_for(data.client_report_id)
        if not (replay and store.get_report(replay)):
            raise
    try:
        stored, created, token = reports.submit(data, store=store, **submit)
    except BaseException:
        undo()
        raise
    if not created:  # a retry of a stored report is not a new one
        undo()
    return stored, created, token
