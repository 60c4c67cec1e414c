"""Reports: create, transitions, the indexes they are read by, merges."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamodb.base import (
    GSI,
    MUTABLE,
    NEARBY_PARTITION_PRECISION,
    OPEN_ONLY,
    _cancellation_reasons,
    _marshal,
    _model,
    _plain,
    _to_attr,
    _ts,
    _unmarshal,
    activity,
    dynamodb_errors,
    report_key,
)
from chalicelib.adapters.dynamodb.items import (
    Listing,
    _contact_item,
    event_item,
    month_partition,
    photo_item,
    report_item,
)
from chalicelib.adapters.dynamodb.people import PeopleItems
from chalicelib.adapters.dynamodb.photos import PhotoItems
from chalicelib.domain.errors import (
    CodeTaken,
    ReportExists,
    StaleReport,
    Unavailable,
)
from chalicelib.domain.models import (
    Loaded,
    Photo,
    Report,
    ShadowCheck,
    TimelineEntry,
)


class ReportStore(PhotoItems, PeopleItems):
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

    def record_comment(
        self, report: Report, entry: TimelineEntry, expected_version: int, resend_key: str
    ) -> tuple[str, bool]:
        """Save a comment and its timeline entry once per ``resend_key`` (the client's
        own id for it): a resend finds the first one's entry. Returns the entry's key
        and whether it is new."""
        event = event_item(report, entry, report.version)
        marker = {"PK": event["PK"], "SK": f"RESENT#{resend_key}", "event_sk": event["SK"]}
        try:
            self._transact(
                [
                    self._transition_update(report, expected_version),
                    self._put_new(event),
                    self._put_new(marker),
                ],
                report.id,
            )
        except StaleReport:
            first = self._get(marker["PK"], marker["SK"], consistent=True)
            if first is None:
                raise
            return first["event_sk"], False
        return event["SK"], True

    def changes_between(self, start: datetime, end: datetime) -> list[tuple[str, str]]:
        """(report id, timeline entry key) of every public report's timeline entry
        written in [start, end], oldest first: covert reports' entries and shadow
        checks are passed over unread."""
        found = activity(self, start, end, ("report_id", "SK", "covert", "type"))
        return [
            (i["report_id"], i["SK"])
            for i in found
            # entries written before events carried "covert" are read, then dropped
            if i.get("type") == "event" and i.get("covert") is not True
        ]

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

    # -- the lists reports are read in, by intent (index names stay in this package) --
    def public_month(self, month: str) -> Listing:
        """Public reports submitted in a UTC month (``YYYY-MM``), by submission time."""
        return Listing("GSI5", month_partition(month))

    def covert_month(self, month: str) -> Listing:
        """Covert reports of a month: for the command centre only."""
        return Listing("GSI5", month_partition(month, covert=True))

    def squad_queue(self, squad: str, status: str | None = None) -> Listing:
        """A squad's open reports (any open status), or its reports in one status,
        oldest first."""
        if status:
            return Listing("GSI1", f"SQUAD#{squad}#{status}")
        return Listing("GSI4", f"QUEUE#{squad}")

    def device_reports(self, device_hash: str) -> Listing:
        """The reports a registered phone filed."""
        return Listing("GSI6", f"DEVICE#{device_hash}")

    def read(
        self,
        listing: Listing,
        *,
        newest_first: bool = False,
        limit: int = 50,
        start: dict[str, Any] | None = None,
        filters: dict[str, Any] | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of a list: its items and where the next page starts."""
        return self.query_index(
            listing.index,
            listing.partition,
            newest_first=newest_first,
            limit=limit,
            start=start,
            filters=filters,
        )

    def sort_key(self, listing: Listing, item: dict[str, Any]) -> str:
        return item[GSI[listing.index][1]]

    def start_after(self, listing: Listing, item: dict[str, Any]) -> dict[str, Any]:
        """The start key that resumes reading ``listing`` right after ``item``."""
        names = ("PK", "SK", *GSI[listing.index])
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

    def report_id_for_code(self, code: str) -> str | None:
        found = self._get(f"CODE#{code}", "META")
        return found["report_id"] if found else None

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
