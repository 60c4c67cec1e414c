"""Response targets: on the clock (a flood: 6 hours, day or night), or in working days
for office matters (an ID card: "3 hari kerja"), counted in WIB, Monday to Friday,
skipping Indonesia's public holidays and cuti bersama (the ``holidays`` package,
kept current by its maintainers), by the office's closing time of the last day.

Pure: the holiday table is data; no clock is read here.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta

from chalicelib.domain.sms_text import WIB
from chalicelib.routing import Label

CLOSING = time(16, 0)  # the regency's offices close at 16.00 WIB (Friday later, not counted)
WORKING_WEEKDAYS = frozenset(range(5))  # Monday to Friday


@functools.cache
def _holidays(year: int) -> frozenset[date]:
    import holidays

    # public holidays and the government's cuti bersama (joint leave days)
    found = holidays.country_holidays("ID", years=year, categories=("public", "government"))
    return frozenset(found)


def is_working_day(day: date) -> bool:
    return day.weekday() in WORKING_WEEKDAYS and day not in _holidays(day.year)


def working_days_after(start: datetime, days: int) -> datetime:
    """Closing time (WIB) of the ``days``-th working day after the day of ``start``
    (the day it arrived does not count, whatever the hour)."""
    day, left = start.astimezone(WIB).date(), days
    while left:
        day += timedelta(days=1)
        left -= is_working_day(day)
    return datetime.combine(day, CLOSING, tzinfo=WIB)


DEFAULT_HOURS = 72  # a label no longer in the catalogue


def respond_by(label: Label | None, start: datetime) -> datetime:
    """When the squad must have responded to a report of ``label`` filed at ``start``."""
    if label is not None and label.sla_working_days:
        return working_days_after(start, label.sla_working_days)
    return start + timedelta(hours=label.sla_hours if label else DEFAULT_HOURS)


def resolve_by(label: Label | None, start: datetime) -> datetime:
    """When it must be fixed: the label's own resolution target, else the response one."""
    if label is not None and label.resolve_working_days:
        return working_days_after(start, label.resolve_working_days)
    if label is not None and label.resolve_hours:
        return start + timedelta(hours=label.resolve_hours)
    return respond_by(label, start)


def target_words(label: Label | None, lang: str) -> str:
    """The response target as a reader says it: "3 hari kerja", "6 jam"."""
    if label is not None and label.sla_working_days:
        days = label.sla_working_days
        return f"{days} working days" if lang == "en" else f"{days} hari kerja"
    hours = label.sla_hours if label else DEFAULT_HOURS
    return f"{hours} h" if lang == "en" else f"{hours} jam"
