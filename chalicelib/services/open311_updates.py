"""mySociety's ``servicerequestupdates`` (the Open311 extension FixMyStreet reads
status by): the public timeline entries of a window, and a comment posted by a
client, once however often it is resent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalicelib.domain import followup, lifecycle, open311
from chalicelib.domain.errors import Conflict, NotFound, StaleReport
from chalicelib.domain.models import Loaded, TimelineEntry
from chalicelib.services.ports import Changes, ReportWrites

ATTEMPTS = 3


def between(store: Changes, start: datetime, end: datetime) -> list[tuple[Loaded, TimelineEntry]]:
    """Each public step of a public report in [start, end], oldest first (one read
    per report changed)."""
    keys: dict[str, set[str]] = {}
    for report_id, key in store.changes_between(start, end):
        keys.setdefault(report_id, set()).add(key)
    steps = []
    for report_id, wanted in keys.items():
        loaded = store.load(report_id)
        if loaded is None or loaded.report.covert:
            continue
        steps += [
            (loaded, e) for e in loaded.timeline if e.key in wanted and open311.is_public_step(e)
        ]
    return sorted(steps, key=lambda step: (step[1].at, step[1].key or ""))


def comment(
    store: ReportWrites,
    report_id: str | None,
    *,
    note: str,
    resend_key: str,
    now: Callable[[], datetime],
) -> tuple[Loaded, str, bool]:
    """Add a reporter's comment to a public report (the squad is told of it; while
    the squad waits for an answer, it is the answer): the
    report, the comment's entry key and whether it is new (a resend with the same
    ``resend_key`` gets the first one's key)."""
    for _ in range(ATTEMPTS):
        loaded = store.load(report_id) if report_id else None
        if loaded is None or loaded.report.covert:  # absent, as a wrong id is
            raise NotFound("no such service request", code="report_not_found")
        if loaded.report.status == "awaiting_info":  # what the squad asked, answered
            change = followup.answer(loaded.report, at=now(), text=note, public=True)
        else:
            change = lifecycle.comment(loaded.report, actor="citizen", at=now(), note=note)
        try:
            key, created = store.record_comment(
                change.report, change.entry, loaded.report.version, resend_key
            )
        except StaleReport:
            continue  # somebody acted meanwhile: read it again
        return loaded, key, created
    raise Conflict("the request is changing fast; retry shortly", code="changed_meanwhile")
