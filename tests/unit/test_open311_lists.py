"""Open311's anonymous lists on a fake store: what changed in a window is read newest
change first, 100 to a batch, only as deep as the page needs, and a filter that
drops everything is told to narrow rather than read without end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import TooBroad
from chalicelib.domain.models import ListedReport
from chalicelib.services import open311_lists

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
WINDOW = (NOW - timedelta(days=1), NOW)


class ChangedStore:
    """``ports.Open311Lists`` for what changed: ``n`` requests, one change each, a
    minute apart (the last the newest); counts the batches read."""

    def __init__(self, n: int):
        self.reports = {
            f"r{i:05d}": ListedReport(
                id=f"r{i:05d}",
                code=f"TRG-{i:06d}",
                label="jalan_rusak",
                squad="orange",
                status="submitted",
                lat=-8.05,
                lon=111.71,
                created_at=NOW - timedelta(days=2),
                updated_at=NOW - timedelta(minutes=n - i),
                sla_due_at=NOW,
            )
            for i in range(n)
        }
        self.batches: list[int] = []

    def changes_between(self, start, end):
        return [(r.id, f"EVENT#{r.updated_at.isoformat()}#1") for r in self.reports.values()]

    def listed(self, report_ids):
        self.batches.append(len(report_ids))
        return [self.reports[i] for i in report_ids]


def test_a_page_of_changes_reads_only_the_batches_it_needs():
    store = ChangedStore(1500)
    found = open311_lists.changed(store, WINDOW, {"covert": False}, None, depth=150)
    assert [r.id for r in found[:2]] == ["r01499", "r01498"]  # newest change first
    assert len(found) == 150 and store.batches == [100, 100]


def test_a_filter_that_keeps_nothing_stops_at_the_bound():
    store = ChangedStore(2500)
    with pytest.raises(TooBroad, match="narrow updated_after/updated_before"):
        open311_lists.changed(store, WINDOW, {"label": ["banjir"]}, None, depth=100)
    assert sum(store.batches) == open311_lists.MAX_LISTED  # 2,000 read, not 2,500
    few = ChangedStore(300)  # all read, none kept: an empty answer, not an error
    assert open311_lists.changed(few, WINDOW, {"label": ["banjir"]}, None, depth=100) == []
