"""Open311 API keys: issued and revoked by an operator, stored only as a hash.

A key is 256 random bits, so a plain SHA-256 is enough to store it by (no
salt or slow hash needed: there is nothing to guess). Its id is a prefix of
the hash, safe to show in lists and logs.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.errors import NotFound
from chalicelib.domain.identifiers import hash_secret

PREFIX = "k311_"
ID_LENGTH = 12


class Store(Protocol):
    def put(self, key: dict[str, Any]) -> None: ...
    def by_hash(self, key_hash: str) -> dict[str, Any] | None: ...
    def all(self) -> list[dict[str, Any]]: ...
    def revoke(self, key_hash: str, now: datetime) -> None: ...


def issue(store: Store, name: str, issued_by: str, now: datetime) -> tuple[str, dict[str, Any]]:
    """A new key (returned once, never stored) and its record."""
    key = PREFIX + secrets.token_urlsafe(32)
    key_hash = hash_secret(key)
    record = {
        "id": key_hash[:ID_LENGTH],
        "key_hash": key_hash,
        "name": name,
        "issued_by": issued_by,
        "created_at": now,
    }
    store.put(record)
    return key, record


def check(store: Store, key: str | None) -> dict[str, Any] | None:
    """The live key record for ``key``, or None (unknown, malformed or revoked)."""
    if not key or not key.startswith(PREFIX) or len(key) > 100:
        return None
    record = store.by_hash(hash_secret(key))
    if record is None or record.get("revoked_at"):
        return None
    return record


def revoke(store: Store, key_id: str, now: datetime) -> dict[str, Any]:
    record = next((k for k in store.all() if k["id"] == key_id), None)
    if record is None:
        raise NotFound(f"no API key {key_id!r}", code="api_key_not_found")
    store.revoke(record["key_hash"], now)
    return {**record, "revoked_at": record.get("revoked_at") or now}


def public(record: dict[str, Any]) -> dict[str, Any]:
    """What a listing shows: never the hash."""
    return {
        "id": record["id"],
        "name": record["name"],
        "issued_by": record.get("issued_by"),
        "created_at": record["created_at"],
        "revoked_at": record.get("revoked_at"),
    }
