"""Open311 API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamodb.base import _key, _marshal, _Table, _ts, dynamodb_errors


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
