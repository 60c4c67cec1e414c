"""DynamoDB persistence: one on-demand table, item <-> model mapping, no Scan.

Keys (see README, "Table design"):

    item            PK              SK                GSIs
    report          REPORT#<id>     META              GSI1 queue, GSI2 nearby (while open)
    timeline entry  REPORT#<id>     EVENT#<at>#<n>    GSI3 activity by UTC hour
    photo           REPORT#<id>     PHOTO#<photo id>  -
    short code      CODE#<code>     META              -
    contact         CONTACT#<id>    META              -  (apart: never read with the report)
    Open311 API key OPEN311KEYS     KEY#<sha256>      -
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel

from chalicelib import config
from chalicelib.adapters import aws
from chalicelib.domain.errors import (
    CodeTaken,
    PhotoQuotaReached,
    ReportExists,
    StaleReport,
    Unavailable,
)
from chalicelib.domain.models import (
    MAX_CITIZEN_PHOTOS,
    OPEN_STATUSES,
    Loaded,
    Photo,
    Report,
    ShadowCheck,
    TimelineEntry,
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


def photo_item(photo: Photo) -> dict[str, Any]:
    return {
        "PK": f"REPORT#{photo.report_id}",
        "SK": f"PHOTO#{photo.id}",
        "type": "photo",
        **photo.model_dump(),
    }


def report_item(report: Report) -> dict[str, Any]:
    item: dict[str, Any] = {
        "PK": f"REPORT#{report.id}",
        "SK": "META",
        "type": "report",
        **report.model_dump(),
    }
    created = _ts(report.created_at)
    item["GSI1PK"] = f"SQUAD#{report.squad}#{report.status}"
    item["GSI1SK"] = f"{created}#{report.id}"
    if report.device_hash:
        item["GSI6PK"] = f"DEVICE#{report.device_hash}"
        item["GSI6SK"] = f"{created}#{report.id}"
    # Covert reports have their own month partition: absent from the one public
    # reads query (not filtered out after the read, which moves cursors and timings).
    item["GSI5PK"] = month_partition(created[:7], covert=report.covert)
    item["GSI5SK"] = f"{created}#{report.id}"
    if report.status in OPEN_STATUSES and not report.covert:  # "nearby" is a public read
        item["GSI2PK"] = f"GEO#{report.label}#{report.geohash[:NEARBY_PARTITION_PRECISION]}"
        item["GSI2SK"] = f"{report.geohash}#{report.id}"
    if report.status in OPEN_STATUSES:
        item["GSI4PK"] = f"QUEUE#{report.squad}"
        item["GSI4SK"] = f"{created}#{report.id}"
    return item


def month_partition(month: str, *, covert: bool = False) -> str:
    """The GSI5 partition of a month's reports (``YYYY-MM``): public or covert."""
    return f"{'COVERT' if covert else 'ALL'}#{month}"


def event_item(report: Report, entry: TimelineEntry, seq: int) -> dict[str, Any]:
    at = _ts(entry.at)
    return {
        "PK": f"REPORT#{report.id}",
        "SK": f"EVENT#{at}#{seq:04d}",
        "type": "event",
        "report_id": report.id,
        "squad": report.squad,
        "label": report.label,
        "district": report.district,
        **entry.model_dump(exclude={"key"}),
        "GSI3PK": f"ACTIVITY#{at[:13]}",
        "GSI3SK": f"{at}#{report.id}#{seq:04d}",
    }


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def _contact_item(report_id: str, sk: str, contact: dict[str, Any]) -> dict[str, Any]:
    """A contact as stored: name, phone and email sealed with KMS; only whether the
    person wants updates and can get them stays readable, so deciding whether to
    notify anyone never needs a decryption."""
    from chalicelib.adapters import sealing

    secret = {k: v for k, v in contact.items() if k != "notify" and v is not None}
    reachable = bool(secret.get("phone") or secret.get("email"))
    return {
        "PK": f"CONTACT#{report_id}",
        "SK": sk,
        "type": "contact",
        "notify": bool(contact.get("notify")) and reachable,
        "sealed": sealing.seal(report_id, secret),
    }


def _contact_fields(item: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.adapters import sealing

    fields = {k: v for k, v in item.items() if k not in {"PK", "SK", "type", "sealed"}}
    if "sealed" in item:
        report_id = item["PK"].removeprefix("CONTACT#")
        blob = item["sealed"]
        fields.update(sealing.unseal(report_id, getattr(blob, "value", blob)))
    return fields


class _Table:
    """What every store does with the one table: get, query every page, put a new
    item, run a transaction."""

    def __init__(self, table_name: str | None = None):
        self.table_name = table_name or config.table_name()

    @property
    def _db(self) -> Any:
        return aws.client("dynamodb")

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


class ReportStore(_Table):
    """Reports, their timelines, short codes and (apart) reporter contacts."""

    def create_report(
        self,
        report: Report,
        first: TimelineEntry,
        contact: dict[str, Any] | None,
        photo: Photo | None = None,
    ) -> None:
        """Store a new report atomically: the report, its code, its first timeline
        entry and its contact, or nothing at all."""
        from botocore.exceptions import ClientError

        put = self._put_new
        items = [
            put(report_item(report)),
            put({"PK": f"CODE#{report.code}", "SK": "META", "report_id": report.id}),
            put(event_item(report, first, 0)),
        ]
        if contact:
            items.append(put(_contact_item(report.id, "META", contact)))
        if photo:
            items.append(put(photo_item(photo)))
        # DynamoDB answers a retried transaction with the same token as the first
        # (botocore retries after a read timeout); each code drawn is a new request.
        token = hashlib.sha256(f"{report.attempt}|{report.code}".encode()).hexdigest()[:36]
        try:
            with dynamodb_errors():
                self._db.transact_write_items(TransactItems=items, ClientRequestToken=token)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = _cancellation_reasons(exc)
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise ReportExists(report.id) from exc
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                raise CodeTaken(report.code) from exc
            raise Unavailable("storage is busy, please retry shortly") from exc

    def _transition_update(
        self, report: Report, expected_version: int, extra: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """The Update that saves a changed report if nobody changed it since it was read
        (optimistic lock on ``version``), moving it in or out of the open indexes."""
        item = report_item(report)
        keys = (*MUTABLE, *extra, "GSI1PK", "GSI1SK", *OPEN_ONLY)
        sets = {k: item[k] for k in keys if item.get(k) is not None}
        removes = [k for k in OPEN_ONLY if k not in sets]  # closed: out of the open indexes
        expression = "SET " + ", ".join(f"#{k} = :{k}" for k in sets)
        if removes:
            expression += " REMOVE " + ", ".join(removes)
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": report_key(report.id),
                "UpdateExpression": expression,
                "ConditionExpression": "#version = :expected",
                "ExpressionAttributeNames": {f"#{k}": k for k in sets},
                "ExpressionAttributeValues": {
                    **{f":{k}": _to_attr(_plain(v)) for k, v in sets.items()},
                    ":expected": {"N": str(expected_version)},
                },
            }
        }

    def record_transition(
        self, report: Report, entry: TimelineEntry, expected_version: int
    ) -> None:
        """Save a status change and its timeline entry together, only if nobody changed
        the report since it was read."""
        update = self._transition_update(report, expected_version)
        self._transact_with_event(update, report, entry, report.version)

    def mark_escalated(self, report: Report, entry: TimelineEntry) -> bool:
        """Flag an overdue report once; the timeline entry tells the command centre."""
        update = {
            "Update": {
                "TableName": self.table_name,
                "Key": report_key(report.id),
                "UpdateExpression": "SET escalated_at = :at",
                "ConditionExpression": "attribute_not_exists(escalated_at) AND #s = :status",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {
                    ":at": {"S": _ts(entry.at)},
                    ":status": {"S": report.status},
                },
            }
        }
        try:
            self._transact_with_event(update, report, entry, report.version)
            return True
        except StaleReport:
            return False

    def _transact_with_event(
        self, update: dict[str, Any], report: Report, entry: TimelineEntry, seq: int
    ) -> None:
        self._transact([update, self._put_new(event_item(report, entry, seq))], report.id)

    def query_index(
        self,
        index: str,
        partition: str,
        *,
        newest_first: bool = False,
        limit: int = 50,
        start: dict[str, Any] | None = None,
        filters: dict[str, Any] | None = None,
        until: str | None = None,
        prefix: str | None = None,
        since: str | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of an index partition: items and where the next page starts.
        ``filters``: attribute -> value (equality) or list of values (IN);
        ``until`` bounds the sort key from above."""
        pk, sk = GSI[index]
        names = {"#pk": pk}
        values: dict[str, Any] = {":pk": {"S": partition}}
        condition = "#pk = :pk"
        if until is not None and since is not None:
            names["#sk"] = sk
            values[":since"], values[":until"] = {"S": since}, {"S": until}
            condition += " AND #sk BETWEEN :since AND :until"
        elif until is not None:
            names["#sk"] = sk
            values[":until"] = {"S": until}
            condition += " AND #sk <= :until"
        elif prefix is not None:
            names["#sk"] = sk
            values[":prefix"] = {"S": prefix}
            condition += " AND begins_with(#sk, :prefix)"
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ScanIndexForward": not newest_first,
            "Limit": limit,
        }
        parts = []
        for n, (field, value) in enumerate(sorted((filters or {}).items())):
            names[f"#f{n}"] = field
            options = value if isinstance(value, list | tuple) else [value]
            holders = []
            for m, option in enumerate(options):
                values[f":f{n}_{m}"] = _to_attr(_plain(option))
                holders.append(f":f{n}_{m}")
            parts.append(f"#f{n} IN ({', '.join(holders)})")
        if parts:
            kwargs["FilterExpression"] = " AND ".join(parts)
        kwargs["ExpressionAttributeNames"] = names
        kwargs["ExpressionAttributeValues"] = values
        if start:
            kwargs["ExclusiveStartKey"] = start
        with dynamodb_errors():
            page = self._db.query(**kwargs)
        return [_unmarshal(i) for i in page.get("Items", [])], page.get("LastEvaluatedKey")

    def created_between(
        self, start: datetime, end: datetime, *, filters: dict[str, Any], limit: int
    ) -> list[Report]:
        """Up to ``limit`` public reports submitted in [start, end], newest first, that
        pass ``filters`` (GSI5: one partition per UTC month, a key range in each)."""
        found: list[Report] = []
        month = datetime(end.year, end.month, 1, tzinfo=end.tzinfo)
        first = datetime(start.year, start.month, 1, tzinfo=start.tzinfo)
        while month >= first and len(found) < limit:
            cursor = None
            while len(found) < limit:
                items, cursor = self.query_index(
                    "GSI5",
                    month_partition(f"{month:%Y-%m}"),
                    newest_first=True,
                    limit=100,
                    start=cursor,
                    filters=filters,
                    since=_ts(start),
                    until=_ts(end) + "#~",  # every id of the last instant sorts below "~"
                )
                found += self.reports_from(items)
                if not cursor:
                    break
            month = (month - timedelta(days=1)).replace(day=1)
        return found[:limit]

    def open_reports_near(self, label: str, geohash: str, precision: int = 7) -> list[Report]:
        """Open reports of a label in the point's geohash cell and its neighbours
        (GSI2, only open reports are in it): a handful of Queries, never a Scan."""
        from chalicelib.domain.geo import neighbourhood

        found: list[Report] = []
        for cell in neighbourhood(geohash[:precision]):
            start = None
            while True:
                items, start = self.query_index(
                    "GSI2",
                    f"GEO#{label}#{cell[:NEARBY_PARTITION_PRECISION]}",
                    prefix=cell,
                    start=start,
                    limit=100,
                )
                found += self.reports_from(items)
                if not start:
                    break
        return found

    def sort_key(self, index: str, item: dict[str, Any]) -> str:
        return item[GSI[index][1]]

    def start_after(self, index: str, item: dict[str, Any]) -> dict[str, Any]:
        """The start key that resumes a Query of ``index`` right after ``item``."""
        names = ("PK", "SK", *GSI[index])
        return {name: {"S": item[name]} for name in names}

    def reports_from(self, items: list[dict[str, Any]]) -> list[Report]:
        return [_model(Report, i) for i in items]

    def load(self, report_id: str) -> Loaded | None:
        """The report, its timeline and its photos: one Query on its partition."""
        items = self._partition(f"REPORT#{report_id}", consistent=True)
        meta = next((i for i in items if i["SK"] == "META"), None)
        if meta is None:
            return None
        timeline = [
            _model(TimelineEntry, {**i, "key": i["SK"]})
            for i in items
            if i["SK"].startswith("EVENT#")
        ]
        photos = [_model(Photo, i) for i in items if i["SK"].startswith("PHOTO#")]
        checks = [
            _model(ShadowCheck, {**i, "key": i["SK"]})
            for i in items
            if i["SK"].startswith("CHECK#")
        ]
        duplicates = [
            {"id": i["SK"][len("MERGED#") :], "code": i.get("code")}
            for i in items
            if i["SK"].startswith("MERGED#")
        ]
        return Loaded(
            _model(Report, meta),
            timeline,
            sorted(photos, key=lambda p: p.created_at),
            tuple(checks),
            tuple(duplicates),
        )

    def add_check(self, check: ShadowCheck) -> None:
        """A shadow check, in the report's partition and in the activity index (so the
        statistics job counts it), but not a timeline entry: no stream-driven message,
        no squad view ever shows it."""
        at = _ts(check.at)
        item = {
            "PK": f"REPORT#{check.report_id}",
            "SK": f"CHECK#{at}#{check.checker}",
            "type": "check",
            **check.model_dump(exclude={"key"}),
            "GSI3PK": f"ACTIVITY#{at[:13]}",
            "GSI3SK": f"{at}#{check.report_id}#check",
        }
        with dynamodb_errors():
            self._db.put_item(
                TableName=self.table_name,
                Item=_marshal(item),
                ConditionExpression="attribute_not_exists(PK)",
            )

    def get_report(self, report_id: str) -> tuple[Report, list[TimelineEntry]] | None:
        loaded = self.load(report_id)
        return (loaded.report, loaded.timeline) if loaded else None

    def add_photo(self, photo: Photo, counted: bool) -> Photo:
        """Add a photo slot; a citizen's counts against the report's limit of three.
        A retry with the same photo id returns the slot made the first time."""
        from botocore.exceptions import ClientError

        items: list[dict[str, Any]] = []
        if counted:
            items.append(
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": report_key(photo.report_id),
                        "UpdateExpression": "SET citizen_photos = "
                        "if_not_exists(citizen_photos, :zero) + :one",
                        "ConditionExpression": "attribute_exists(PK) AND "
                        "(attribute_not_exists(citizen_photos) OR citizen_photos < :max)",
                        "ExpressionAttributeValues": {
                            ":zero": {"N": "0"},
                            ":one": {"N": "1"},
                            ":max": {"N": str(MAX_CITIZEN_PHOTOS)},
                        },
                    }
                }
            )
        items.append(
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": _marshal(photo_item(photo)),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        )
        try:
            with dynamodb_errors():
                self._db.transact_write_items(TransactItems=items)
            return photo
        except ClientError as exc:
            reasons = _cancellation_reasons(exc)
            if reasons and reasons[-1] == "ConditionalCheckFailed":
                existing = self.get_photo(photo.report_id, photo.id)
                if existing is not None:
                    return existing
            if counted and reasons and reasons[0] == "ConditionalCheckFailed":
                raise PhotoQuotaReached(photo.report_id) from exc
            if exc.response["Error"]["Code"] == "TransactionCanceledException":
                raise Unavailable("storage is busy, please retry shortly") from exc
            raise

    def get_photo(self, report_id: str, photo_id: str) -> Photo | None:
        found = self._get(f"REPORT#{report_id}", f"PHOTO#{photo_id}", consistent=True)
        return _model(Photo, found) if found else None

    def claim_photo(self, report_id: str, photo_id: str, now: datetime, stale: datetime) -> bool:
        """Take a photo for processing: only one worker, once (or again after a
        worker died mid-way: a claim older than ``stale``)."""
        from botocore.exceptions import ClientError

        try:
            with dynamodb_errors():
                self._db.update_item(
                    TableName=self.table_name,
                    Key={"PK": {"S": f"REPORT#{report_id}"}, "SK": {"S": f"PHOTO#{photo_id}"}},
                    UpdateExpression="SET #s = :processing, processing_since = :now",
                    ConditionExpression="#s = :awaiting"
                    " OR (#s = :processing AND processing_since < :stale)",
                    ExpressionAttributeNames={"#s": "state"},
                    ExpressionAttributeValues={
                        ":processing": {"S": "processing"},
                        ":awaiting": {"S": "awaiting_upload"},
                        ":now": {"S": _ts(now)},
                        ":stale": {"S": _ts(stale)},
                    },
                )
            return True
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise

    def finish_photo(self, photo: Photo) -> None:
        """Record the outcome (ready with derivatives, or rejected with a reason). A
        rejected citizen photo gives its place among the three back, in the same
        transaction: the reporter can send another."""
        fields = ("state", "reason", "display_key", "thumb_key", "width", "height", "processed_at")
        values = {k: getattr(photo, k) for k in fields if getattr(photo, k) is not None}
        update = self._photo_update(photo, values, "processing")
        if photo.state == "rejected" and photo.role == "before":
            self._transact([update, self._release_citizen_photo(photo.report_id)], photo.report_id)
            return
        with dynamodb_errors():
            self._db.update_item(**update["Update"])

    def _photo_update(self, photo: Photo, values: dict[str, Any], expected: str) -> dict:
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": _key(f"REPORT#{photo.report_id}", f"PHOTO#{photo.id}"),
                "UpdateExpression": "SET " + ", ".join(f"#{k} = :{k}" for k in values),
                "ConditionExpression": "#state = :expected",
                "ExpressionAttributeNames": {f"#{k}": k for k in {*values, "state"}},
                "ExpressionAttributeValues": {
                    **{f":{k}": _to_attr(_plain(v)) for k, v in values.items()},
                    ":expected": {"S": expected},
                },
            }
        }

    def _release_citizen_photo(self, report_id: str) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": report_key(report_id),
                "UpdateExpression": "SET citizen_photos = citizen_photos - :one",
                "ConditionExpression": "citizen_photos > :zero",
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":zero": {"N": "0"}},
            }
        }

    def expire_unused_slots(self, report_id: str, created_before: datetime) -> int:
        """Citizen slots still waiting for their file after their form expired (S3
        refused the upload, or the phone gave up): expired, each giving its place
        back. Returns how many."""
        released, loaded = 0, self.load(report_id)
        for photo in loaded.photos if loaded else []:
            if (
                photo.role == "before"
                and photo.state == "awaiting_upload"
                and photo.created_at < created_before
            ):
                update = self._photo_update(photo, {"state": "expired"}, "awaiting_upload")
                try:
                    self._transact([update, self._release_citizen_photo(report_id)], report_id)
                    released += 1
                except StaleReport:
                    pass  # its upload arrived meanwhile
        return released

    def report_id_for_code(self, code: str) -> str | None:
        found = self._get(f"CODE#{code}", "META")
        return found["report_id"] if found else None

    def read_contact_audited(
        self, report_id: str, reader: str, reason: str, now: datetime
    ) -> dict[str, Any] | None:
        """Record who reads the reporter's contact and why, then read it: no audit
        entry, no contact."""
        entry = {
            "PK": f"AUDIT#{report_id}",
            "SK": f"{_ts(now)}#{reader}",
            "type": "contact_read",
            "reader": reader,
            "reason": reason,
            "at": now,
        }
        with dynamodb_errors():
            self._db.put_item(TableName=self.table_name, Item=_marshal(entry))
        return self.get_contact(report_id)

    def contact_reads(self, report_id: str) -> list[dict[str, Any]]:
        return [
            {k: v for k, v in i.items() if k in ("reader", "reason", "at")}
            for i in self._partition(f"AUDIT#{report_id}")
        ]

    def add_supporter(
        self, report_id: str, supporter_id: str, contact: dict[str, Any] | None, now: datetime
    ) -> bool:
        """Count a supporter once (a retry with the same id adds nothing); their contact,
        if any, goes apart like a reporter's. Returns whether it was new."""
        items = [
            self._put_new(
                {"PK": f"REPORT#{report_id}", "SK": f"SUPPORT#{supporter_id}", "at": now}
            ),
            self._add_supporters(report_id, 1),
        ]
        if contact:
            item = _contact_item(report_id, f"SUPPORTER#{supporter_id}", contact)
            items.append({"Put": {"TableName": self.table_name, "Item": _marshal(item)}})
        try:
            self._transact(items, report_id)
            return True
        except StaleReport:  # the supporter item exists: a retry
            return False

    def merge(
        self, duplicate: Report, entry: TimelineEntry, original_id: str, carried: int
    ) -> None:
        """Reject the duplicate as merged and add its people to the original's supporters,
        in one transaction (a marker item makes a repeated merge fail, not double count)."""
        self._transact(
            [
                self._put_new(
                    {
                        "PK": f"REPORT#{original_id}",
                        "SK": f"MERGED#{duplicate.id}",
                        "code": duplicate.code,
                    }
                ),
                self._add_supporters(original_id, carried),
                self._transition_update(duplicate, duplicate.version - 1, extra=("merged_into",)),
                self._put_new(event_item(duplicate, entry, duplicate.version)),
            ],
            duplicate.id,
        )

    def _add_supporters(self, report_id: str, n: int) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": report_key(report_id),
                "UpdateExpression": "SET supporters = if_not_exists(supporters, :zero) + :n",
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeValues": {":zero": {"N": "0"}, ":n": {"N": str(n)}},
            }
        }

    def register_device(self, device_hash: str, now: datetime) -> None:
        with dynamodb_errors():
            self._db.put_item(
                TableName=self.table_name,
                Item=_marshal({"PK": f"DEVICE#{device_hash}", "SK": "META", "created_at": now}),
                ConditionExpression="attribute_not_exists(PK)",
            )

    def device_exists(self, device_hash: str) -> bool:
        return self._get(f"DEVICE#{device_hash}", "META") is not None

    def put_supporter_contact(self, report_id: str, supporter_id: str, contact: dict) -> None:
        with dynamodb_errors():
            self._db.put_item(
                TableName=self.table_name,
                Item=_marshal(_contact_item(report_id, f"SUPPORTER#{supporter_id}", contact)),
            )

    def contacts(self, report_id: str) -> list[dict[str, Any]]:
        """The reporter's contact first, then every supporter's (for their own updates
        only), each with its ``role``."""
        return [
            {**_contact_fields(i), "role": "reporter" if i["SK"] == "META" else "supporter"}
            for i in self._partition(f"CONTACT#{report_id}", consistent=True)
        ]

    def wants_updates(self, report_id: str) -> bool:
        """Has the reporter or a supporter asked for updates (without opening a contact)?"""
        found = self._partition(f"CONTACT#{report_id}", consistent=True, only="notify")
        return any(item.get("notify") for item in found)

    def expire_contacts(self, report_id: str, expires_at: int) -> int:
        """Let DynamoDB's TTL delete the report's contacts (reporter's and supporters')
        at ``expires_at`` (epoch seconds); returns how many were marked."""
        found = self._partition(f"CONTACT#{report_id}", only="PK, SK")
        with dynamodb_errors():
            for item in found:
                self._db.update_item(
                    TableName=self.table_name,
                    Key=_key(item["PK"], item["SK"]),
                    UpdateExpression="SET expires_at = :at",
                    ConditionExpression="attribute_exists(PK)",  # never resurrect one
                    ExpressionAttributeValues={":at": {"N": str(expires_at)}},
                )
        return len(found)

    def get_contact(self, report_id: str) -> dict[str, Any] | None:
        found = self._get(f"CONTACT#{report_id}", "META", consistent=True)
        return _contact_fields(found) if found else None


class ApiKeyStore(_Table):
    """Open311 API keys, stored by the hash of the key: the key itself is shown once."""

    PK = "OPEN311KEYS"

    def put(self, key: dict[str, Any]) -> None:
        with dynamodb_errors():
            self._db.put_item(
                TableName=self.table_name,
                Item=_marshal({"PK": self.PK, "SK": f"KEY#{key['key_hash']}", **key}),
                ConditionExpression="attribute_not_exists(PK)",
            )

    def by_hash(self, key_hash: str) -> dict[str, Any] | None:
        return self._get(self.PK, f"KEY#{key_hash}")

    def all(self) -> list[dict[str, Any]]:
        return self._partition(self.PK, consistent=True)

    def revoke(self, key_hash: str, now: datetime) -> None:
        with dynamodb_errors():
            self._db.update_item(
                TableName=self.table_name,
                Key=_key(self.PK, f"KEY#{key_hash}"),
                UpdateExpression="SET revoked_at = if_not_exists(revoked_at, :now)",
                ExpressionAttributeValues={":now": {"S": _ts(now)}},
            )


class CounterStore(_Table):
    """Fixed-window counters for abuse limits; DynamoDB TTL deletes old windows."""

    def take(self, key: str, window: str, allowed: int, expires_at: int) -> bool:
        from botocore.exceptions import ClientError

        try:
            with dynamodb_errors():
                self._db.update_item(
                    TableName=self.table_name,
                    Key=_key(f"QUOTA#{key}", window),
                    UpdateExpression="ADD n :one SET expires_at = :exp",
                    ConditionExpression="attribute_not_exists(n) OR n < :allowed",
                    ExpressionAttributeValues={
                        ":one": {"N": "1"},
                        ":allowed": {"N": str(allowed)},
                        ":exp": {"N": str(expires_at)},
                    },
                )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def give_back(self, key: str, window: str) -> None:
        from botocore.exceptions import ClientError

        try:
            with dynamodb_errors():
                left = self._db.update_item(
                    TableName=self.table_name,
                    Key=_key(f"QUOTA#{key}", window),
                    UpdateExpression="ADD n :minus",
                    ConditionExpression="n > :zero",
                    ExpressionAttributeValues={":minus": {"N": "-1"}, ":zero": {"N": "0"}},
                    ReturnValues="UPDATED_NEW",
                )["Attributes"]["n"]["N"]
                if left == "0":  # a refused request leaves no trace behind
                    self._db.delete_item(
                        TableName=self.table_name,
                        Key=_key(f"QUOTA#{key}", window),
                        ConditionExpression="n = :zero",
                        ExpressionAttributeValues={":zero": {"N": "0"}},
                    )
        except ClientError as exc:  # nothing to give back (the window rolled over, or a
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":  # race)
                raise


class OutboxStore(_Table):
    """Notifications as items (``NOTIFY#<id>``): the record that each one was sent,
    or is waiting for a retry (GSI1 ``OUTBOX#pending`` by due time), or failed for
    good (GSI1 ``OUTBOX#failed``, where an operator looks)."""

    def claim(self, notification: dict[str, Any], now: datetime) -> dict[str, Any]:
        """Record a notification as pending unless it is already known; return its item."""
        from botocore.exceptions import ClientError

        nid = notification["id"]
        item = {
            "PK": f"NOTIFY#{nid}",
            "SK": "META",
            "type": "notification",
            "state": "pending",
            "attempts": 0,
            "notification": notification,
            "created_at": now,
            "GSI1PK": "OUTBOX#pending",
            "GSI1SK": f"{_ts(now)}#{nid}",
        }
        try:
            with dynamodb_errors():
                self._db.put_item(
                    TableName=self.table_name,
                    Item=_marshal(item),
                    ConditionExpression="attribute_not_exists(PK)",
                )
            return {**item, "created_at": _ts(now)}
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
        existing = self.get(nid)
        assert existing is not None
        return existing

    def get(self, notification_id: str) -> dict[str, Any] | None:
        return self._get(f"NOTIFY#{notification_id}", "META", consistent=True)

    def _update(self, nid: str, expression: str, values: dict[str, Any], names=None) -> None:
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": _key(f"NOTIFY#{nid}", "META"),
            "UpdateExpression": expression,
            "ExpressionAttributeValues": {k: _to_attr(_plain(v)) for k, v in values.items()},
            "ConditionExpression": "attribute_exists(PK)",
        }
        if names:
            kwargs["ExpressionAttributeNames"] = names
        with dynamodb_errors():
            self._db.update_item(**kwargs)

    def mark_sent(self, nid: str, now: datetime, message_id: str) -> None:
        self._update(
            nid,
            "SET #s = :sent, sent_at = :now, message_id = :mid REMOVE GSI1PK, GSI1SK",
            {":sent": "sent", ":now": now, ":mid": message_id},
            {"#s": "state"},
        )

    def mark_retry(self, nid: str, attempts: int, due: datetime, error: str) -> None:
        self._update(
            nid,
            "SET attempts = :a, last_error = :e, next_try_at = :due, GSI1SK = :sk",
            {":a": attempts, ":e": error[:500], ":due": due, ":sk": f"{_ts(due)}#{nid}"},
        )

    def mark_failed(self, nid: str, attempts: int, now: datetime, error: str) -> None:
        self._update(
            nid,
            "SET #s = :failed, attempts = :a, last_error = :e, failed_at = :now,"
            " GSI1PK = :pk, GSI1SK = :sk",
            {
                ":failed": "failed",
                ":a": attempts,
                ":e": error[:500],
                ":now": now,
                ":pk": "OUTBOX#failed",
                ":sk": f"{_ts(now)}#{nid}",
            },
            {"#s": "state"},
        )

    def _by_state(self, state: str, until: datetime | None, limit: int) -> list[dict[str, Any]]:
        expression = "GSI1PK = :pk"
        values: dict[str, Any] = {":pk": {"S": f"OUTBOX#{state}"}}
        if until is not None:
            expression += " AND GSI1SK <= :until"
            values[":until"] = {"S": _ts(until) + "#~"}
        with dynamodb_errors():
            page = self._db.query(
                TableName=self.table_name,
                IndexName="GSI1",
                KeyConditionExpression=expression,
                ExpressionAttributeValues=values,
                Limit=limit,
            )
        return [_unmarshal(i) for i in page.get("Items", [])]

    def due(self, now: datetime, limit: int = 100) -> list[dict[str, Any]]:
        """Pending notifications whose next attempt is due (oldest first)."""
        return self._by_state("pending", now, limit)

    def failed(self, limit: int = 100) -> list[dict[str, Any]]:
        return self._by_state("failed", None, limit)


class StatsStore(_Table):
    """What the statistics job keeps: contributions by WIB day, day summaries by
    dimension, the computed views, the dimensions seen, and its watermark.

        CONTRIB#<day>        <report id>#<entry key>   one per timeline entry
        STATSDAY#<dimension> <day>                     a mergeable day summary
        STATSVIEW#<window>   META                      what GET /stats serves
        STATS#META           DIMENSIONS | WATERMARK
    """

    def _put_all(self, items: list[dict[str, Any]], sleep: Any = None) -> None:
        """Batch puts (idempotent overwrites), retrying what DynamoDB leaves unprocessed
        with exponential backoff and jitter, as AWS advises (a tight loop would only
        meet the same throttling again); gives up as Unavailable after 8 tries."""
        import random
        import time

        sleep = sleep or time.sleep
        for start in range(0, len(items), 25):
            requests = [{"PutRequest": {"Item": _marshal(i)}} for i in items[start : start + 25]]
            with dynamodb_errors():
                for attempt in range(BATCH_ATTEMPTS):
                    if attempt:
                        sleep(random.uniform(0, min(2.0, 0.05 * 2**attempt)))
                    answer = self._db.batch_write_item(RequestItems={self.table_name: requests})
                    requests = answer.get("UnprocessedItems", {}).get(self.table_name, [])
                    if not requests:
                        break
            if requests:
                raise Unavailable("storage is busy (writes left unprocessed), retry shortly")

    def activity_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Timeline entries written in [start, end], from the hour buckets of GSI3."""
        out = []
        hour = start.replace(minute=0, second=0, microsecond=0)
        while hour <= end:
            out += self._query_all(
                IndexName="GSI3",
                KeyConditionExpression="GSI3PK = :pk AND GSI3SK BETWEEN :a AND :b",
                ExpressionAttributeValues={
                    ":pk": {"S": f"ACTIVITY#{_ts(hour)[:13]}"},
                    ":a": {"S": _ts(start)},
                    ":b": {"S": _ts(end) + "~"},
                },
                ProjectionExpression="report_id, GSI3SK",
            )
            hour += timedelta(hours=1)
        return out

    def put_contributions(self, contributions: list[Any]) -> None:
        self._put_all(
            [
                {
                    "PK": f"CONTRIB#{c.day}",
                    "SK": f"{c.report_id}#{c.key}",
                    **{k: v for k, v in asdict(c).items() if v is not None},
                }
                for c in contributions
            ]
        )

    def contributions_of(self, day: str) -> list[dict[str, Any]]:
        return self._partition(f"CONTRIB#{day}")

    def put_day_summaries(self, day: str, summaries: dict[str, Any]) -> None:
        self._put_all(
            [
                {"PK": f"STATSDAY#{dim}", "SK": day, "summary": json.dumps(s.to_item())}
                for dim, s in summaries.items()
            ]
        )
        with dynamodb_errors():
            self._db.update_item(
                TableName=self.table_name,
                Key={"PK": {"S": "STATS#META"}, "SK": {"S": "DIMENSIONS"}},
                UpdateExpression="ADD dims :d",
                ExpressionAttributeValues={":d": {"SS": sorted(summaries)}},
            )

    def dimensions(self) -> list[str]:
        found = self._get("STATS#META", "DIMENSIONS", consistent=True)
        return sorted(found["dims"]) if found else []

    def day_summaries(self, dim: str, first: str, last: str) -> dict[str, str]:
        items = self._query_all(
            KeyConditionExpression="PK = :pk AND SK BETWEEN :a AND :b",
            ExpressionAttributeValues={
                ":pk": {"S": f"STATSDAY#{dim}"},
                ":a": {"S": first},
                ":b": {"S": last},
            },
        )
        return {i["SK"]: i["summary"] for i in items}

    def put_view(self, window: str, view: dict[str, Any]) -> None:
        with dynamodb_errors():
            self._db.put_item(
                TableName=self.table_name,
                Item=_marshal(
                    {"PK": f"STATSVIEW#{window}", "SK": "META", "view": json.dumps(view)}
                ),
            )

    def view(self, window: str) -> dict[str, Any] | None:
        found = self._get(f"STATSVIEW#{window}", "META")
        return json.loads(found["view"]) if found else None

    def watermark(self) -> datetime | None:
        found = self._get("STATS#META", "WATERMARK", consistent=True)
        return datetime.fromisoformat(found["until"].replace("Z", "+00:00")) if found else None

    def advance_watermark(self, until: datetime) -> None:
        """Only ever forward: a slower concurrent run cannot move it back."""
        from botocore.exceptions import ClientError

        try:
            with dynamodb_errors():
                self._db.put_item(
                    TableName=self.table_name,
                    Item={
                        "PK": {"S": "STATS#META"},
                        "SK": {"S": "WATERMARK"},
                        "until": {"S": _ts(until)},
                    },
                    ConditionExpression="attribute_not_exists(#u) OR #u < :u",
                    ExpressionAttributeNames={"#u": "until"},
                    ExpressionAttributeValues={":u": {"S": _ts(until)}},
                )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise


class SecretStore(_Table):
    """Server-side secrets (cursor sealing, derived identifiers): made once per
    stage on first use, by whichever function needs one first, then read."""

    def get_or_create(self, name: str) -> bytes:
        import base64
        import secrets

        from botocore.exceptions import ClientError

        found = self._get("SECRET#server", name, consistent=True)
        if found is None:
            value = base64.b64encode(secrets.token_bytes(32)).decode()
            try:
                with dynamodb_errors():
                    self._db.put_item(
                        TableName=self.table_name,
                        Item=_marshal({"PK": "SECRET#server", "SK": name, "value": value}),
                        ConditionExpression="attribute_not_exists(PK)",
                    )
            except ClientError as exc:  # another function made it first: read theirs
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
            found = self._get("SECRET#server", name, consistent=True)
            assert found is not None
        return base64.b64decode(found["value"])
