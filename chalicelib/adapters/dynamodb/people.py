"""The people around a report: sealed contacts, audited reads, supporters, devices."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters.dynamodb.base import (
    _key,
    _marshal,
    _Table,
    _ts,
    dynamodb_errors,
    report_key,
)
from chalicelib.adapters.dynamodb.items import (
    _contact_fields,
    _contact_item,
    opened_all,
    sealed_words,
)
from chalicelib.domain.errors import (
    StaleReport,
)

# what a contact item holds besides the sealed contact (not to be sealed into a copy)
_NOT_CONTACT = frozenset({"reporter_of", "expires_at"})


def contact_copy(
    report_id: str, sk: str, contact: dict[str, Any], reporter_of: str | None, covert: bool = False
):
    """A person's contact filed under another report (a merge carried it there);
    ``reporter_of`` names the report they filed, so their rights reach the copy.
    A covert report's people stay under the covert key (merges never cross the line)."""
    fields = {k: v for k, v in contact.items() if k not in _NOT_CONTACT | {"role"}}
    item = _contact_item(report_id, sk, fields, covert)
    if reporter_of:
        item["reporter_of"] = reporter_of
    return item


class PeopleItems(_Table):
    def merged_contacts(self, duplicate_id: str, original_id: str) -> list[dict[str, Any]]:
        """Transaction items copying the duplicate's contacts (its reporter's, its
        supporters', and the copies it holds from earlier merges) to the original as
        supporters; the same keys on a retry."""
        out = []
        for item in self._partition(f"CONTACT#{duplicate_id}", consistent=True):
            reporter_of = item.get("reporter_of") or (
                duplicate_id if item["SK"] == "META" else None
            )
            sk = f"SUPPORTER#merged-{duplicate_id}-{item['SK']}"
            copy = contact_copy(
                original_id, sk, _contact_fields(item), reporter_of, "covert_sealed" in item
            )
            out.append({"Put": {"TableName": self.table_name, "Item": _marshal(copy)}})
        return out

    def read_contact_audited(
        self, report_id: str, reader: str, reason: str, now: datetime, covert: bool = False
    ) -> dict[str, Any] | None:
        """Record who reads the reporter's contact and why, then read it: no audit
        entry, no contact. Why a covert reporter is read is sealed like the report."""
        entry: dict[str, Any] = {
            "PK": f"AUDIT#{report_id}",
            "SK": f"{_ts(now)}#{reader}",
            "type": "contact_read",
            "reader": reader,
            "reason": reason,
            "at": now,
        }
        if covert:
            entry = sealed_words(entry, report_id, "audit")
        with dynamodb_errors():
            self._db.put_item(TableName=self.table_name, Item=_marshal(entry))
        return self.get_contact(report_id)

    def contact_reads(self, report_id: str) -> list[dict[str, Any]]:
        reads = self._partition(f"AUDIT#{report_id}")
        return [
            {k: v for k, v in i.items() if k in ("reader", "reason", "at")}
            for i in opened_all([(i, report_id, "audit") for i in reads])
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

    def register_device(self, device_hash: str, now: datetime, unused_until: int) -> None:
        """A new phone; DynamoDB's TTL deletes it at ``unused_until`` (epoch seconds)
        unless it is used first (``use_device``)."""
        item = {"PK": f"DEVICE#{device_hash}", "SK": "META", "created_at": now}
        with dynamodb_errors():
            self._db.put_item(
                TableName=self.table_name,
                Item={**_marshal(item), "expires_at": {"N": str(unused_until)}},
                ConditionExpression="attribute_not_exists(PK)",
            )

    def device_unused(self, device_hash: str, now: datetime | None = None) -> bool | None:
        """None: unknown, or expired (TTL deletes late, up to two days); True: registered
        and never used; False: used (kept)."""
        found = self._get(f"DEVICE#{device_hash}", "META")
        if found is None:
            return None
        expires = found.get("expires_at")
        if expires is None:
            return False
        at = (now or datetime.now(UTC)).timestamp()
        return True if int(expires) > at else None

    def device_exists(self, device_hash: str, now: datetime | None = None) -> bool:
        return self.device_unused(device_hash, now) is not None

    def use_device(self, device_hash: str) -> None:
        """A phone that filed something: kept from now on (no TTL). Used already, or
        forgotten meanwhile: nothing to do."""
        self._update_if(
            _key(f"DEVICE#{device_hash}", "META"),
            UpdateExpression="REMOVE expires_at",
            ConditionExpression="attribute_exists(expires_at)",
        )

    def contacts(self, report_id: str, supporters: bool = True) -> list[dict[str, Any]]:
        """The reporter's contact first, then (``supporters``) every supporter's, each
        with its ``role``. Only the contacts asked for are opened (one KMS call each)."""
        items = self._partition(f"CONTACT#{report_id}", consistent=True)
        return [
            {**_contact_fields(i), "role": "reporter" if i["SK"] == "META" else "supporter"}
            for i in items
            if supporters or i["SK"] == "META"
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
