"""The DynamoDB adapters' front door (the customer fixed this path): every store and the
table's design, from ``chalicelib/adapters/dynamodb/``, one module per aggregate:

    base      the table spec and index names, (de)serialising, the shared table calls
    items     how each kind of item is keyed and indexed
    reports   ReportStore: reports, transitions, merges (with listings, photos, people)
    listings  the index lists reports are read in, and what changed in a window
    photos    photo slots, the three-photo count, claims and outcomes
    people    sealed contacts, audited reads, supporters, registered phones
    proposals ProposalStore: citizens' proposals (usulan), their supporters and proposers
    outbox · stats · counters · apikeys · secrets   one store each
"""

from __future__ import annotations

from chalicelib.adapters.dynamodb.apikeys import ApiKeyStore
from chalicelib.adapters.dynamodb.base import (
    BATCH_ATTEMPTS,
    GSI,
    NEARBY_PARTITION_PRECISION,
    TABLE_SPEC,
    dynamodb_errors,
    report_key,
)
from chalicelib.adapters.dynamodb.counters import CounterStore
from chalicelib.adapters.dynamodb.items import event_item, month_partition, photo_item, report_item
from chalicelib.adapters.dynamodb.outbox import OutboxStore
from chalicelib.adapters.dynamodb.reports import ReportStore
from chalicelib.adapters.dynamodb.secrets import SecretStore
from chalicelib.adapters.dynamodb.stats import StatsStore

__all__ = [
    "BATCH_ATTEMPTS",
    "GSI",
    "NEARBY_PARTITION_PRECISION",
    "TABLE_SPEC",
    "ApiKeyStore",
    "CounterStore",
    "OutboxStore",
    "ReportStore",
    "SecretStore",
    "StatsStore",
    "dynamodb_errors",
    "event_item",
    "month_partition",
    "photo_item",
    "report_item",
    "report_key",
]
