"""A person's rights over their data (UU PDP): their contact replaced or erased (the
report stays, anonymised), their phone forgotten, and each request kept in an audit
that holds no personal data."""

from __future__ import annotations

from collections.abc import Sequence
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
from chalicelib.adapters.dynamodb.people import contact_copy


class PrivacyItems(_Table):
    def _copies(self, report_id: str, merged_into: Sequence[str]) -> list[dict[str, Any]]:
        """The copies of this report's reporter's contact that merges carried into the
        reports it was merged into (read without opening any contact)."""
        return [
            item
            for holder in merged_into
            for item in self._partition(
                f"CONTACT#{holder}", consistent=True, only="PK, SK, reporter_of, expires_at"
            )
            if item.get("reporter_of") == report_id
        ]

    def replace_contact(
        self,
        report_id: str,
        contact: dict[str, Any],
        merged_into: Sequence[str] = (),
        covert: bool = False,
    ) -> None:
        """The reporter's contact as corrected (sealed like the first one: a covert
        report's under the covert key), and every copy a merge made of it."""
        items = [_contact_item(report_id, "META", contact, covert)]
        for old in self._copies(report_id, merged_into):
            holder = old["PK"].removeprefix("CONTACT#")
            copy = contact_copy(holder, old["SK"], contact, report_id, covert)
            if "expires_at" in old:  # the retention its report set still holds
                copy["expires_at"] = old["expires_at"]
            items.append(copy)
        with dynamodb_errors():
            for item in items:
                self._db.put_item(TableName=self.table_name, Item=_marshal(item))

    def erase_contact(self, report_id: str, merged_into: Sequence[str] = ()) -> None:
        """The reporter's contact gone, with every copy a merge made of it; the report
        says it has none."""
        keys = [(old["PK"], old["SK"]) for old in self._copies(report_id, merged_into)]
        # merges before copies named their person filed the reporter's first, as -0 (a
        # supporter's, if the reporter had no contact then: erasure errs on forgetting)
        if merged_into:
            keys.append((f"CONTACT#{merged_into[0]}", f"SUPPORTER#merged-{report_id}-0"))
        with dynamodb_errors():
            for pk, sk in keys:
                self._db.delete_item(TableName=self.table_name, Key=_key(pk, sk))
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

    def forget_device(self, device_hash: str | None, report_ids: list[str]) -> None:
        """The reports no longer the phone's (nor pushed to it); with ``device_hash``,
        the phone's code unknown from now on and its push subscriptions gone."""
        pushes = self._partition(f"PUSH#device#{device_hash}", only="PK, SK") if device_hash else []
        with dynamodb_errors():
            for report_id in report_ids:
                self._db.update_item(
                    TableName=self.table_name,
                    Key=report_key(report_id),
                    UpdateExpression="REMOVE device_hash, GSI6PK, GSI6SK",
                    ConditionExpression="attribute_exists(PK)",
                )
            for push in pushes:
                self._db.delete_item(TableName=self.table_name, Key=_key(push["PK"], push["SK"]))
            if device_hash:
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
