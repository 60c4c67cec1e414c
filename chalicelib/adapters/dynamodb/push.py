"""Web push subscriptions: a squad member's phones (by squad, so a squad's message
reaches them all) and a citizen's registered phone."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamodb.base import _key, _Table, dynamodb_errors
from chalicelib.domain.principals import push_owner


def _endpoint_key(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()[:32]


# The command centre's and the shadow squad's phones (issue #35): filed together, each
# sealed with its owner and member, under keys that name neither; a table reader sees
# how many such phones there are, not whose nor which are the shadow squad's. Only the
# dispatch (which holds the covert key) opens them to send.
SEALED_OWNERS = frozenset({push_owner("command"), push_owner("shadow")})
SEALED_PARTITION = "PUSH#sealed"


def _key_of(owner: str, who: str, endpoint: str) -> tuple[str, str]:
    if owner in SEALED_OWNERS:
        return SEALED_PARTITION, _endpoint_key(f"{owner}|{who}|{endpoint}")
    return f"PUSH#{owner}", f"{who}#{_endpoint_key(endpoint)}"


class PushItems(_Table):
    def add_push(self, owner: str, who: str, subscription: dict[str, Any], now: datetime) -> bool:
        """``owner``: ``squad#orange`` or ``device#<hash>``; ``who``: the member (or "")."""
        pk, sk = _key_of(owner, who, subscription["endpoint"])
        item: dict[str, Any] = {"PK": pk, "SK": sk, "subscription": subscription, "at": now}
        if owner in SEALED_OWNERS:
            from chalicelib.adapters import covert

            filed = {"owner": owner, "who": who, "subscription": item.pop("subscription")}
            item["sealed"] = covert.seal("push", "push", filed)
        return self._create(item)

    def _filed(self, owner: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(item, subscription) of each phone filed under ``owner``."""
        if owner not in SEALED_OWNERS:
            return [(i, i["subscription"]) for i in self._partition(f"PUSH#{owner}")]
        from chalicelib.adapters import covert

        items = self._partition(SEALED_PARTITION)
        opened = covert.unseal_many([("push", "push", i["sealed"]) for i in items])
        return [
            (i, o["subscription"])
            for i, o in zip(items, opened, strict=True)
            if o is not None and o["owner"] == owner  # None: not this caller's to open
        ]

    def push_subscriptions(self, owner: str) -> list[dict[str, Any]]:
        return [subscription for _, subscription in self._filed(owner)]

    def remove_push(self, owner: str, who: str, endpoint: str) -> None:
        with dynamodb_errors():
            key = _key(*_key_of(owner, who, endpoint))
            self._db.delete_item(TableName=self.table_name, Key=key)

    def forget_push(self, owner: str, endpoint: str) -> None:
        """A dead subscription, wherever it is filed under ``owner``."""
        for item, subscription in self._filed(owner):
            if subscription.get("endpoint") == endpoint:
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
