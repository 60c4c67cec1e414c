"""Abuse limits around a submission: count first, uncount what turned out not to
be new (a retry) or failed, and let an acknowledged report's retry through even
when the count is full (the phone must learn it was stored)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from chalicelib.domain import identifiers
from chalicelib.domain.models import Loaded, ReportIn
from chalicelib.services import quotas, reports

T = TypeVar("T")


def submit_counted(
    data: ReportIn,
    subjects: list[tuple[quotas.Limit, str]],
    *,
    store: Any,
    counters: quotas.Counters,
    **submit: Any,
) -> tuple[Loaded, bool, str]:
    """``reports.submit``, counted against each (limit, subject); 429 when one is full."""
    now = reports.utc_now()
    taken = list(subjects)

    def undo() -> None:
        quotas.give_back_all(counters, taken, now)

    try:
        quotas.take_all(counters, subjects, now)
    except quotas.TooManyRequests:
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


def counted(
    subjects: list[tuple[quotas.Limit, str]],
    action: Callable[[], tuple[bool, T]],
    *,
    counters: quotas.Counters,
) -> tuple[bool, T]:
    """Run ``action`` (which returns whether it did something new) counted against
    each (limit, subject): 429 when one is full; a retry or a failure is not counted."""
    now = reports.utc_now()
    quotas.take_all(counters, subjects, now)
    try:
        created, result = action()
    except BaseException:
        quotas.give_back_all(counters, subjects, now)
        raise
    if not created:
        quotas.give_back_all(counters, subjects, now)
    return created, result
