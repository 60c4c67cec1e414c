"""A person's rights over their data (UU PDP): their contact replaced or erased (the
report stays, anonymised), their phone forgotten, and each request kept in an audit
that holds no personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamodb.base import (
    _key,
    _marshal,
    _Table,
    _ts,
    dynamodb_errors,
    report_key,
)
from chalicelib.adapters.dynamodb.items import _contact_item


class PrivacyItems(_Table):
    def replace_contact(self, report_id: str, contact: dict[str, Any]) -> None:
        """The reporter's contact as corrected (sealed like the first one)."""
        with dynamodb_errors():
            self._db.put_item(
                TableName=self.table_name, Item=_marshal(_contact_item(report_id, "META", contact))
            )

    def erase_contact(self, report_id: str) -> None:
        """The reporter's contact gone; the report says it has none."""
        with dynamodb_errors():
            self._db.delete_item(
                TableName=self.table_name, Key=_key(f"CONTACT#{report_id}", "META")
            )
            self._db.update_item(
                TableName=self.table_name,
                Key=report_key(report_id),
                UpdateExpression="SET has_contact = :no",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues={":no": {"BOOL": False}},
            )

    def forget_device(self, device_hash: str, report_ids: list[str]) -> None:
        """The phone's code unknown from now on, and its reports no longer its list."""
        with dynamodb_errors():
            for report_id in report_ids:
                self._db.update_item(
                    TableName=self.table_name,
                    Key=report_key(report_id),
                    UpdateExpression="REMOVE device_hash, GSI6PK, GSI6SK",
                    ConditionExpression="attribute_exists(PK)",
                )
            self._db.delete_item(
                TableName=self.table_name, Key=_key(f"DEVICE#{device_hash}", "META")
            )

    def _delete(self, pk: str, sk: str) -> None:
        self._db.delete_item(TableName=self.table_name, Key=_key(pk, sk))

    def record_privacy_request(self, entry: dict[str, Any], at: datetime) -> None:
        """One data-subject request: what was asked and done, never the data itself."""
        item = {"PK": f"PRIVACY#{_ts(at)[:7]}", "SK": f"{_ts(at)}#{entry['id']}", **entry}
        with dynamodb_errors():
            self._db.put_item(TableName=self.table_name, Item=_marshal(item))

    def privacy_requests(self, month: str) -> list[dict[str, Any]]:
        keep = ("id", "action", "via", "reports", "fields", "received_at", "done_at")
        return [{k: i.get(k) for k in keep} for i in self._partition(f"PRIVACY#{month}")]
