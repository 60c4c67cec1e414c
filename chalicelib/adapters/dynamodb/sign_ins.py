"""Staff sign-in's memory (services/sign_in_guard.py): the networks each account signed
in from, and each back-off's count and wait. Keys arrive hashed (an account and an
address are personal data); DynamoDB's TTL forgets both."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamodb.base import _key, _Table, dynamodb_errors


class SignInStore(_Table):
    def known_network(self, key: str) -> bool:
        return self._get(f"SIGNIN#{key}", "NETWORK", consistent=True) is not None

    def remember_network(self, key: str, expires_at: int) -> None:
        with dynamodb_errors():
            self._db.put_item(
                TableName=self.table_name,
                Item={**_key(f"SIGNIN#{key}", "NETWORK"), "expires_at": {"N": str(expires_at)}},
            )

    def backoff(self, key: str) -> tuple[int, int]:
        found = self._get(f"SIGNIN#{key}", "BACKOFF", consistent=True)
        return (int(found["failures"]), int(found["next_at"])) if found else (0, 0)

    def claim(self, key: str, seen: int, failures: int, next_at: int, expires_at: int) -> bool:
        """Set the count and the wait if the count is still ``seen`` (one of parallel
        attempts wins)."""
        condition = "failures = :seen" + (" OR attribute_not_exists(PK)" if seen == 0 else "")
        values: dict[str, Any] = {
            ":seen": {"N": str(seen)},
            ":failures": {"N": str(failures)},
            ":next": {"N": str(next_at)},
            ":exp": {"N": str(expires_at)},
        }
        return self._update_if(
            _key(f"SIGNIN#{key}", "BACKOFF"),
            UpdateExpression="SET failures = :failures, next_at = :next, expires_at = :exp",
            ConditionExpression=condition,
            ExpressionAttributeValues=values,
        )

    def clear(self, key: str) -> None:
        with dynamodb_errors():
            self._db.delete_item(TableName=self.table_name, Key=_key(f"SIGNIN#{key}", "BACKOFF"))
