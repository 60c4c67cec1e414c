"""The notification outbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamodb.base import (
    _key,
    _plain,
    _Table,
    _to_attr,
    _ts,
    _unmarshal,
    dynamodb_errors,
)

CLAIM_LEASE = timedelta(minutes=2)


class OutboxStore(_Table):
    """Notifications as items (``NOTIFY#<id>``): the record that each one was sent,
    or is waiting for a retry (GSI1 ``OUTBOX#pending`` by due time), or failed for
    good (GSI1 ``OUTBOX#failed``, where an operator looks)."""

    def claim(
        self, notification: dict[str, Any], now: datetime, sealed: bool = False
    ) -> dict[str, Any] | None:
        """Record a notification as pending with this caller holding its send lease, or
        take the lease of a known one that is pending and free; None when it is sent,
        failed for good, or another run holds it (then this one must not send it).
        ``sealed``: covert, kept as its ids in plain and the message sealed."""

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
            # due only once its first attempt had time to finish: the retry schedule
            # must not publish it a second time while the first is still under way
            "GSI1SK": f"{_ts(now + CLAIM_LEASE)}#{nid}",
        }
        if sealed:
            from chalicelib.adapters import covert

            report_id = notification["report_id"]
            item["notification"] = {"id": nid, "report_id": report_id}
            item["sealed"] = covert.seal(report_id, "notification", notification)
        if self._create(item):
            return {**item, "created_at": _ts(now)}
        return self.take(nid, now)

    def take(self, nid: str, now: datetime) -> dict[str, Any] | None:
        """The send lease of a pending notification whose time has come (its backoff or
        an earlier lease over), by a conditional write: of two runs that find it due at
        once, one gets the item, the other None."""
        from botocore.exceptions import ClientError

        lease = f"{_ts(now + CLAIM_LEASE)}#{nid}"
        try:
            with dynamodb_errors():
                answer = self._db.update_item(
                    TableName=self.table_name,
                    Key=_key(f"NOTIFY#{nid}", "META"),
                    UpdateExpression="SET GSI1SK = :lease",
                    ConditionExpression="#s = :pending AND GSI1SK <= :until",
                    ExpressionAttributeNames={"#s": "state"},
                    ExpressionAttributeValues={
                        ":lease": {"S": lease},
                        ":pending": {"S": "pending"},
                        ":until": {"S": _ts(now) + "#~"},
                    },
                    ReturnValues="ALL_NEW",
                )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return _unmarshal(answer["Attributes"])

    def get(self, notification_id: str) -> dict[str, Any] | None:
        return self._get(f"NOTIFY#{notification_id}", "META", consistent=True)

    def parts_sent(self, nid: str) -> set[str]:
        """The recipients a notification already reached (keyed hashes, no contact)."""
        found = self._get(f"NOTIFY#{nid}", "META", consistent=True)
        return set(found.get("parts", ())) if found else set()

    def mark_part(self, nid: str, part: str) -> None:
        """One recipient reached: a retry of the rest leaves them out."""
        with dynamodb_errors():
            self._db.update_item(
                TableName=self.table_name,
                Key=_key(f"NOTIFY#{nid}", "META"),
                UpdateExpression="ADD parts :p",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues={":p": {"SS": [part]}},
            )

    def _update(
        self, nid: str, expression: str, values: dict[str, Any], names=None, pending=False
    ) -> None:
        from botocore.exceptions import ClientError

        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": _key(f"NOTIFY#{nid}", "META"),
            "UpdateExpression": expression,
            "ExpressionAttributeValues": {k: _to_attr(_plain(v)) for k, v in values.items()},
            "ConditionExpression": "attribute_exists(PK)",
        }
        names = dict(names or {})
        if pending:  # a failure never undoes a send another run recorded meanwhile
            kwargs["ConditionExpression"] = "#s = :pending"
            kwargs["ExpressionAttributeValues"][":pending"] = {"S": "pending"}
            names["#s"] = "state"
        if names:
            kwargs["ExpressionAttributeNames"] = names
        try:
            with dynamodb_errors():
                self._db.update_item(**kwargs)
        except ClientError as exc:
            if not pending or exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

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
            pending=True,
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
            pending=True,
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
        """Pending notifications whose next attempt is due (oldest first); sealed ones
        opened (the redrive runs where covert messages may be made)."""
        from chalicelib.adapters import covert

        due = self._by_state("pending", now, limit)
        for item in due:
            if "sealed" in item:
                report_id = item["notification"]["report_id"]
                item["notification"] = covert.unseal(report_id, "notification", item["sealed"])
        return due

    def failed(self, limit: int = 100) -> list[dict[str, Any]]:
        return self._by_state("failed", None, limit)
