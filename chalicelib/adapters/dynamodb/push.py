"""Web push subscriptions: a squad member's phones (by squad, so a squad's message
reaches them all) and a citizen's registered phone."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamodb.base import _key, _Table, dynamodb_errors


def _endpoint_key(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()[:32]


class PushItems(_Table):
    def add_push(self, owner: str, who: str, subscription: dict[str, Any], now: datetime) -> bool:
        """``owner``: ``squad#orange`` or ``device#<hash>``; ``who``: the member (or "")."""
        item = {
            "PK": f"PUSH#{owner}",
            "SK": f"{who}#{_endpoint_key(subscription['endpoint'])}",
            "subscription": subscription,
            "at": now,
        }
        return self._create(item)

    def push_subscriptions(self, owner: str) -> list[dict[str, Any]]:
        return [i["subscription"] for i in self._partition(f"PUSH#{owner}")]

    def remove_push(self, owner: str, who: str, endpoint: str) -> None:
        with dynamodb_errors():
            key = _key(f"PUSH#{owner}", f"{who}#{_endpoint_key(endpoint)}")
            self._db.delete_item(TableName=self.table_name, Key=key)

    def forget_push(self, owner: str, endpoint: str) -> None:
        """A dead subscription, wherever it is filed under ``owner``."""
        for item in self._partition(f"PUSH#{owner}"):
            if item["subscription"].get("endpoint") == endpoint:
                with dynamodb_errors():
                    key = _key(item["PK"], item["SK"])
                    self._db.delete_item(TableName=self.table_name, Key=key)


class DigestItems(_Table):
    """The office emails that get a squad's morning digest (not people's: desks')."""

    def add_digest(self, squad: str, email: str, now: datetime) -> bool:
        return self._create({"PK": f"DIGEST#{squad}", "SK": email.lower(), "at": now})

    def digest_emails(self, squad: str) -> list[str]:
        return [i["SK"] for i in self._partition(f"DIGEST#{squad}")]

    def remove_digest(self, squad: str, email: str) -> bool:
        with dynamodb_errors():
            gone = self._db.delete_item(
                TableName=self.table_name,
                Key=_key(f"DIGEST#{squad}", email.lower()),
                ReturnValues="ALL_OLD",
            )
        return "Attributes" in gone
