"""What the statistics job keeps."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamodb.base import (
    _marshal,
    _Table,
    _ts,
    activity,
    dynamodb_errors,
)


class StatsStore(_Table):
    """What the statistics job keeps: contributions by WIB day, day summaries by
    dimension, the computed views, the dimensions seen, and its watermark.

        CONTRIB#<day>        <report id>#<entry key>   one per timeline entry
        STATSDAY#<dimension> <day>                     a mergeable day summary
        STATSVIEW#<window>   META                      what GET /stats serves
        STATS#META           DIMENSIONS | WATERMARK
        RECUR#<cell>         <report id>               what the recurring-problem
                                                       finder needs of a report
        RECURPLACES          <cell>                    the cell's recurring places
    """

    def _put_all(self, items: list[dict[str, Any]], sleep: Any = None) -> None:
        """Batch puts (idempotent overwrites), 25 a call, each call retried as
        ``_batch_call`` says."""
        for start in range(0, len(items), 25):
            requests = [{"PutRequest": {"Item": _marshal(i)}} for i in items[start : start + 25]]
            request = {self.table_name: requests}
            self._batch_call("batch_write_item", request, "UnprocessedItems", sleep)

    def activity_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Timeline entries written in [start, end], from the hour buckets of GSI3."""
        return activity(self, start, end, ("report_id", "GSI3SK"))

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

    # -- recurring problems (domain/recurring.py) -------------------------------------

    def put_occurrences(self, cell: str, occurrences: list[dict[str, Any]]) -> None:
        self._put_all(
            [{"PK": f"RECUR#{cell}", "SK": o["report_id"], "occurrence": json.dumps(o)}
             for o in occurrences]
        )  # fmt: skip

    def drop_occurrences(self, cell: str, report_ids: list[str]) -> None:
        """Reports that no longer count (covert, merged, rejected): gone, not flagged."""
        for start in range(0, len(report_ids), 25):
            requests = [
                {"DeleteRequest": {"Key": {"PK": {"S": f"RECUR#{cell}"}, "SK": {"S": rid}}}}
                for rid in report_ids[start : start + 25]
            ]
            self._batch_call("batch_write_item", {self.table_name: requests}, "UnprocessedItems")

    def occurrences_in(self, cell: str) -> list[dict[str, Any]]:
        return [json.loads(i["occurrence"]) for i in self._partition(f"RECUR#{cell}")]

    def put_recurring(self, cell: str, places: list[dict[str, Any]]) -> None:
        with dynamodb_errors():
            self._db.put_item(
                TableName=self.table_name,
                Item=_marshal({"PK": "RECURPLACES", "SK": cell, "places": json.dumps(places)}),
            )

    def recurring_places(self) -> list[dict[str, Any]]:
        return [p for i in self._partition("RECURPLACES") for p in json.loads(i["places"])]
