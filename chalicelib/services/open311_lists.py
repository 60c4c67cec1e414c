"""Open311's anonymous lists of requests, each within a bound on the work it may
cause (README, Open311): ids answered in batches, a window's list in a budget of
index reads, what changed in a day read newest change first and only as deep as
the page needs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain import identifiers, open311_queries
from chalicelib.domain.errors import TooBroad
from chalicelib.domain.models import ListedReport
from chalicelib.domain.open311 import LIST_QUERIES, MAX_LISTED
from chalicelib.services.ports import Open311Lists

BATCH = 100  # ids to a BatchGetItem


def by_refs(store: Open311Lists, refs: list[str]) -> list[ListedReport]:
    """The public requests among ids and short codes (any case), in the order asked;
    unknown and covert ones are left out alike. Two BatchGetItems per 100 refs."""
    codes = [r.upper() for r in refs if identifiers.is_short_code(r)]
    known = store.report_ids_for_codes(codes) if codes else {}
    ids = [
        known.get(r.upper()) if identifiers.is_short_code(r) else r
        for r in refs
        if identifiers.is_short_code(r) or identifiers.is_report_id(r)
    ]
    wanted = [i for i in ids if i]
    return store.listed(wanted) if wanted else []


def created(
    store: Open311Lists,
    window: tuple[datetime, datetime],
    filters: dict[str, Any],
    depth: int,
) -> list[ListedReport]:
    """The first ``depth`` public requests submitted in the window, newest first."""
    return store.created_between(*window, filters=filters, limit=depth, queries=LIST_QUERIES)


def changed(
    store: Open311Lists,
    window: tuple[datetime, datetime],
    filters: dict[str, Any],
    created_in: tuple[datetime, datetime] | None,
    depth: int,
) -> list[ListedReport]:
    """The first ``depth`` public requests changed in the window, newest change first,
    that pass the filters (and were submitted in ``created_in``, if given). Found in
    the activity index (one Query per hour), read 100 at a time, newest change first,
    only until the page is full; ``TooBroad`` past ``MAX_LISTED`` reads."""
    wanted = {k: v for k, v in filters.items() if k != "covert"}  # listed() drops covert
    latest: dict[str, str] = {}
    for report_id, key in store.changes_between(*window):  # oldest first
        latest[report_id] = key
    newest_first = sorted(latest, key=lambda i: latest[i], reverse=True)
    kept: list[ListedReport] = []
    for start in range(0, len(newest_first), BATCH):
        if len(kept) >= depth:
            break
        if start >= MAX_LISTED:
            raise TooBroad(MAX_LISTED, "updated_after/updated_before or the filters")
        kept += [
            r
            for r in store.listed(newest_first[start : start + BATCH])
            if window[0] <= r.updated_at <= window[1]
            and open311_queries.passes(r, wanted)
            and (created_in is None or created_in[0] <= r.created_at <= created_in[1])
        ]
    return sorted(kept, key=lambda r: r.updated_at, reverse=True)[:depth]


def merged_codes(store: Open311Lists, shown: list[Any]) -> dict[str, str]:
    """The codes of the requests merged duplicates went into, for merges written
    before the code was kept with them (one BatchGetItem per 100)."""
    missing = sorted({r.merged_into for r in shown if r.merged_into and not r.merged_into_code})
    return store.codes_of(missing) if missing else {}
