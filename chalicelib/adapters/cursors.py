"""Opaque, sealed page cursors.

A cursor is where the next page starts (a DynamoDB start key). Handed out as is,
it shows item keys and lets a caller forge one; so it is encrypted and
authenticated (AES-GCM) with a server-side key and bound to the very list it came
from: a caller can only hand it back. A bad, forged or foreign cursor is a 400.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from chalicelib.adapters.server_secret import server_key
from chalicelib.domain.errors import InvalidInput


def seal(start: dict[str, Any] | None, bound_to: str) -> str | None:
    if not start:
        return None
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    plain = json.dumps(start, sort_keys=True, separators=(",", ":")).encode()
    sealed = AESGCM(server_key("cursor")).encrypt(nonce, plain, bound_to.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def open_sealed(cursor: str | None, bound_to: str) -> dict[str, Any] | None:
    """The start key inside a cursor this server made for this list, or 400."""
    if not cursor:
        return None
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        if len(raw) < 12 + 16:
            raise ValueError("short")
        plain = AESGCM(server_key("cursor")).decrypt(raw[:12], raw[12:], bound_to.encode())
        start = json.loads(plain)
        if not isinstance(start, dict):
            raise ValueError("not a key")
        return start
    except (ValueError, InvalidTag, TypeError):
        raise InvalidInput(
            "this cursor is not valid for this list", code="invalid_cursor"
        ) from None
