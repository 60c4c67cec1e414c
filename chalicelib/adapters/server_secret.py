"""Keys only the server knows, derived per purpose from one random secret the
stage makes for itself on first use (kept in its own table item, never sent)."""

from __future__ import annotations

import functools
import hashlib
import hmac

from chalicelib import config


@functools.cache
def _server_secret(table: str, name: str) -> bytes:
    from chalicelib.storage import SecretStore

    return SecretStore(table).get_or_create(name)


def server_key(purpose: str) -> bytes:
    """A 32-byte key for one purpose, from the stage's server secret (never sent)."""
    root = _server_secret(config.table_name(), "root")
    return hmac.new(root, f"kawal/{purpose}/v1".encode(), hashlib.sha256).digest()
