"""DynamoDB persistence, the shared part: one on-demand table, item <-> model mapping, no Scan.

Keys (see docs/architecture.md, "Table design"):

    item            PK              SK                GSIs
    report          REPORT#<id>     META              GSI1 queue, GSI2 nearby (while open)
    timeline entry  REPORT#<id>     EVENT#<at>#<n>    GSI3 activity by UTC hour
    photo           REPORT#<id>     PHOTO#<photo id>  -
    short code      CODE#<code>     META              -
    contact         CONTACT#<id>    META              -  (apart: never read with the report)
    Open311 API key OPEN311KEYS     KEY#<sha256>      -
    proposal        PROPOSAL#<id>   META, SUPPORT#..  GSI1 by status (see proposals.py)
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel

from chalicelib import config
from chalicelib.adapters import aws
from chalicelib.domain.errors import (
    StaleReport,
    Unavailable,
)

M = TypeVar("M", bound=BaseModel)

GSI = {
    # a squad's queue by status, oldest first
    "GSI1": ("GSI1PK", "GSI1SK"),
    # open reports of a label near a point: 5-char geohash partition, 9-char sort key
    "GSI2": ("GSI2PK", "GSI2SK"),
    # what changed since T: timeline entries bucketed by UTC hour
    "GSI3": ("GSI3PK", "GSI3SK"),
    # a squad's open reports, any status, oldest first (only while open)
    "GSI4": ("GSI4PK", "GSI4SK"),
    # every report by month of submission, newest first (command centre, public list)
    "GSI5": ("GSI5PK", "GSI5SK"),
    # a registered phone's own reports, newest first ("my reports")
    "GSI6": ("GSI6PK", "GSI6SK"),
}
# Index attributes a report item has only while open; removed when it closes.
OPEN_ONLY = ("GSI2PK", "GSI2SK", "GSI4PK", "GSI4SK")
# Report attributes a transition may change.
MUTABLE = (
    "status",
    "updated_at",
    "version",
    "assignee",
    "first_response_at",
    "resolved_at",
    "reopen_count",
    "rejection_reason",
    "escalated_at",
    "sla_due_at",
    "after_photo_distance_m",
    "squad",  # a transfer
    "priority",
    "resume_status",  # a question to the reporter, until answered
    "awaiting_since",
    "rating",
    "forwarded_to",
    "district",  # a squad's correction of the place
    "district_approx",
    "village",
)  # not "supporters": counted by atomic adds, which a transition must not overwrite
NEARBY_PARTITION_PRECISION = 5
BATCH_ATTEMPTS = 8

TABLE_SPEC: dict[str, Any] = {
    "AttributeDefinitions": [
        {"AttributeName": name, "AttributeType": "S"}
        for name in ["PK", "SK", *[k for keys in GSI.values() for k in keys]]
    ],
    "KeySchema": [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": index,
            "KeySchema": [
                {"AttributeName": pk, "KeyType": "HASH"},
                {"AttributeName": sk, "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
        for index, (pk, sk) in GSI.items()
    ],
    "BillingMode": "PAY_PER_REQUEST",
    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
}


def _ts(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def dynamodb_errors() -> Any:
    """Throttling and outages become a 503 with retry advice; the rest surfaces."""
    return aws.outage("storage")


@functools.cache
def _codec() -> tuple[Any, Any]:
    """boto3's (de)serializer, made once (and not at import: boto3 is 200 ms)."""
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def _to_attr(value: Any) -> dict[str, Any]:
    return _codec()[0].serialize(value)


def _marshal(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _to_attr(_plain(v)) for k, v in item.items() if v is not None}


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, datetime):
        return _ts(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _unmarshal(item: dict[str, Any]) -> dict[str, Any]:
    deserializer = _codec()[1]
    return {k: _native(deserializer.deserialize(v)) for k, v in item.items()}


def _native(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _native(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_native(v) for v in value]
    return value


def _cancellation_reasons(exc: Exception) -> list[str | None]:
    """Per-item reasons of a cancelled transaction, in the order of its items."""
    response = getattr(exc, "response", {})
    return [r.get("Code") for r in response.get("CancellationReasons", [])]


def report_key(report_id: str) -> dict[str, Any]:
    return {"PK": {"S": f"REPORT#{report_id}"}, "SK": {"S": "META"}}


def _model(model: type[M], item: dict[str, Any]) -> M:
    """A model from an item, ignoring keys and index attributes."""
    return model.model_validate({k: v for k, v in item.items() if k in model.model_fields})


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


class _Table:
    """What every store does with the one table: get, query every page, put a new
    item, run a transaction."""

    def __init__(self, table_name: str | None = None):
        self.table_name = table_name or config.table_name()

    @property
    def _db(self) -> Any:
        return aws.client("dynamodb")

    def _batch_call(
        self, operation: str, request: dict[str, Any], left: str, sleep: Any = None
    ) -> list[dict[str, Any]]:
        """One BatchGetItem or BatchWriteItem, retrying what DynamoDB leaves unprocessed
        (``left``) with exponential backoff and jitter, as AWS advises (a tight loop
        would only meet the same throttling again); gives up as Unavailable after
        ``BATCH_ATTEMPTS`` tries. The items a get answered, as stored."""
        import random
        import time

        sleep = sleep or time.sleep
        answered: list[dict[str, Any]] = []
        with dynamodb_errors():
            for attempt in range(BATCH_ATTEMPTS):
                if attempt:
                    sleep(random.uniform(0, min(2.0, 0.05 * 2**attempt)))
                answer = getattr(self._db, operation)(RequestItems=request)
                answered += answer.get("Responses", {}).get(self.table_name, [])
                request = answer.get(left) or {}
                if not request:
                    return answered
        raise Unavailable("storage is busy (requests left unprocessed), retry shortly")

    def _get_many(self, keys: list[tuple[str, str]], fields: tuple[str, ...]) -> list[dict]:
        """The items at ``keys`` that exist (in no order), only ``fields`` of them:
        one BatchGetItem per 100 keys."""
        names = {f"#p{n}": name for n, name in enumerate(fields)}
        unique = list(dict.fromkeys(keys))  # a key twice in one batch is refused
        found: list[dict[str, Any]] = []
        for start in range(0, len(unique), 100):
            request = {
                self.table_name: {
                    "Keys": [_key(pk, sk) for pk, sk in unique[start : start + 100]],
                    "ProjectionExpression": ", ".join(names),
                    "ExpressionAttributeNames": names,
                }
            }
            found += self._batch_call("batch_get_item", request, "UnprocessedKeys")
        return [_unmarshal(i) for i in found]

    def _get(self, pk: str, sk: str, consistent: bool = False) -> dict[str, Any] | None:
        with dynamodb_errors():
            found = self._db.get_item(
                TableName=self.table_name, Key=_key(pk, sk), ConsistentRead=consistent
            ).get("Item")
        return _unmarshal(found) if found else None

    def _query_all(self, **kwargs: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        with dynamodb_errors():
            while True:
                page = self._db.query(TableName=self.table_name, **kwargs)
                items += [_unmarshal(i) for i in page.get("Items", [])]
                if "LastEvaluatedKey" not in page:
                    return items
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _partition(
        self, pk: str, consistent: bool = False, only: str | None = None
    ) -> list[dict[str, Any]]:
        """Every item of a partition (``only``: a projection, e.g. ``"PK, SK"``)."""
        kwargs: dict[str, Any] = {"ProjectionExpression": only} if only else {}
        return self._query_all(
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
            ConsistentRead=consistent,
            **kwargs,
        )

    def _create(self, item: dict[str, Any]) -> bool:
        """Put ``item`` unless it exists; whether it was new."""
        from botocore.exceptions import ClientError

        try:
            with dynamodb_errors():
                self._db.put_item(**self._put_new(item)["Put"])
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _update_if(self, key: dict[str, Any], **kwargs: Any) -> bool:
        """An UpdateItem with a ConditionExpression; whether the condition held."""
        from botocore.exceptions import ClientError

        try:
            with dynamodb_errors():
                self._db.update_item(TableName=self.table_name, Key=key, **kwargs)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _put_new(self, item: dict[str, Any]) -> dict[str, Any]:
        """A transaction item that creates ``item`` and fails if it exists."""
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": _marshal(item),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }

    def _transact(self, items: list[dict[str, Any]], report_id: str) -> None:
        """Run a transaction; a failed condition means someone changed the report first."""
        from botocore.exceptions import ClientError

        try:
            with dynamodb_errors():
                self._db.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if "ConditionalCheckFailed" in _cancellation_reasons(exc):
                raise StaleReport(report_id) from exc
            if exc.response["Error"]["Code"] == "TransactionCanceledException":
                raise Unavailable("storage is busy, please retry shortly") from exc
            raise


def activity(
    table: _Table, start: datetime, end: datetime, fields: tuple[str, ...]
) -> list[dict[str, Any]]:
    """What was written to reports in [start, end] (timeline entries and shadow
    checks), oldest first, from GSI3's hour buckets: one Query per hour."""
    out: list[dict[str, Any]] = []
    hour = start.replace(minute=0, second=0, microsecond=0)
    while hour <= end:
        out += table._query_all(
            IndexName="GSI3",
            KeyConditionExpression="GSI3PK = :pk AND GSI3SK BETWEEN :a AND :b",
            ExpressionAttributeValues={
                ":pk": {"S": f"ACTIVITY#{_ts(hour)[:13]}"},
                ":a": {"S": _ts(start)},
                ":b": {"S": _ts(end) + "~"},
            },
            ProjectionExpression=", ".join(f"#p{n}" for n in range(len(fields))),
            ExpressionAttributeNames={f"#p{n}": name for n, name in enumerate(fields)},
        )
        hour += timedelta(hours=1)
    return out
