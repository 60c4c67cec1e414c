"""Late ("terlambat"): one meaning everywhere (the squads' app, the command centre, the
digest SMS and email, the follow page, the statistics). A report is late when nobody has
responded to it yet (new, or reopened by its reporter) and its response target has
passed; by how much is the time since. Asking the reporter pauses the clock (the target
moves by the wait), and a claim answers it: a report being worked is not late. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

AWAITING_RESPONSE = frozenset({"submitted", "reopened"})


class Timed(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def sla_due_at(self) -> datetime: ...


def late_by(report: Timed, now: datetime) -> timedelta | None:
    """How far past its response target a report nobody answered is; None if not late."""
    if report.status not in AWAITING_RESPONSE or now <= report.sla_due_at:
        return None
    return now - report.sla_due_at


def late_minutes(report: Timed, now: datetime) -> int | None:
    late = late_by(report, now)
    return None if late is None else max(1, int(late.total_seconds() // 60))


def late_words(report: Timed, now: datetime) -> str | None:
    """ "terlambat 2 jam", "terlambat 3 hari" (as the squads' app says it), or None."""
    minutes = late_minutes(report, now)
    if minutes is None:
        return None
    if minutes < 60:
        return f"terlambat {minutes} menit"
    if minutes < 48 * 60:
        return f"terlambat {round(minutes / 60)} jam"
    return f"terlambat {round(minutes / 1440)} hari"


def is_late(report: Timed, now: datetime) -> bool:
    """Past its response target with nobody responding."""
    return late_by(report, now) is not None
