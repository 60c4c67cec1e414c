"""The lists reports are read in: index partitions by intent (index names stay in
this package), one page at a time, and what changed in a window."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamodb.base import (
    GSI,
    NEARBY_PARTITION_PRECISION,
    _plain,
    _Table,
    _to_attr,
    _ts,
    _unmarshal,
    activity,
    dynamodb_errors,
)
from chalicelib.adapters.dynamodb.items import Listing, month_partition, stored_reports
from chalicelib.domain.errors import TooBroad
from chalicelib.domain.models import ListedReport, Report

LISTED_FIELDS = tuple(ListedReport.model_fields)
LISTED_READ = (*LISTED_FIELDS, "covert")  # read by key, a covert report must be told apart


class ReportListings(_Table):
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
        fields: tuple[str, ...] = (),
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of an index partition: items and where the next page starts.
        ``filters``: attribute -> value (equality) or list of values (IN);
        ``until`` bounds the sort key from above; ``fields``: only these attributes
        (filters still see the whole item)."""
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
        if fields:
            for n, field in enumerate(fields):
                names[f"#p{n}"] = field
            kwargs["ProjectionExpression"] = ", ".join(f"#p{n}" for n in range(len(fields)))
        kwargs["ExpressionAttributeNames"] = names
        kwargs["ExpressionAttributeValues"] = values
        if start:
            kwargs["ExclusiveStartKey"] = start
        with dynamodb_errors():
            page = self._db.query(**kwargs)
        return [_unmarshal(i) for i in page.get("Items", [])], page.get("LastEvaluatedKey")

    def listed(self, report_ids: list[str]) -> list[ListedReport]:
        """The public reports among ``report_ids``, in that order, with only what a list
        shows; unknown and covert ones left out (one BatchGetItem per 100 ids)."""
        items = self._get_many([(f"REPORT#{i}", "META") for i in report_ids], LISTED_READ)
        public = {i["id"]: i for i in items if i.get("covert") is not True}
        return [
            ListedReport.model_validate({k: v for k, v in public[i].items() if k != "covert"})
            for i in report_ids
            if i in public
        ]

    def report_ids_for_codes(self, codes: list[str]) -> dict[str, str]:
        """Short code -> report id, for the codes that exist (one BatchGetItem per 100)."""
        items = self._get_many([(f"CODE#{c}", "META") for c in codes], ("PK", "report_id"))
        return {i["PK"].removeprefix("CODE#"): i["report_id"] for i in items}

    def codes_of(self, report_ids: list[str]) -> dict[str, str]:
        """Report id -> short code (one BatchGetItem per 100 ids)."""
        items = self._get_many([(f"REPORT#{i}", "META") for i in report_ids], ("id", "code"))
        return {i["id"]: i["code"] for i in items}

    def created_between(
        self,
        start: datetime,
        end: datetime,
        *,
        filters: dict[str, Any],
        limit: int,
        queries: int | None = None,
    ) -> list[ListedReport]:
        """Up to ``limit`` public reports submitted in [start, end], newest first, that
        pass ``filters`` (GSI5: one partition per UTC month, a key range in each), with
        only what a list shows. ``queries``: the most Queries to make (of at most 100
        index items each); ``TooBroad`` if they are spent before the list is whole."""
        found: list[ListedReport] = []
        month = datetime(end.year, end.month, 1, tzinfo=end.tzinfo)
        first = datetime(start.year, start.month, 1, tzinfo=start.tzinfo)
        made = 0
        while month >= first and len(found) < limit:
            cursor = None
            while len(found) < limit:
                if queries is not None and made >= queries:
                    raise TooBroad(queries)
                made += 1
                items, cursor = self.query_index(
                    "GSI5",
                    month_partition(f"{month:%Y-%m}"),
                    newest_first=True,
                    # what the page still needs, and a few for what a filter drops
                    # (each query reads its whole partition on moto; here few do)
                    limit=min(100, limit - len(found) + (20 if filters else 0)),
                    start=cursor,
                    filters=filters,
                    since=_ts(start),
                    until=_ts(end) + "#~",  # every id of the last instant sorts below "~"
                    fields=LISTED_FIELDS,
                )
                found += [ListedReport.model_validate(i) for i in items]
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
        """A squad's open reports (any open status: urgent first, then oldest), or
        its reports in one status, oldest first."""
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
        return stored_reports(items)
