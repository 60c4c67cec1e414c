"""RFC 6238 time-based one-time codes (what an authenticator app shows), stdlib only:
the embedded runner checks the codes Cognito would check, and the demo helpers answer
the second-factor challenge with them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time

STEP, DIGITS = 30, 6


def new_secret() -> str:
    """A random 160-bit secret, base32 as Cognito hands it out."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def code(secret: str, at: float | None = None) -> str:
    """The 6-digit code for ``secret`` at time ``at`` (now by default)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // STEP)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def valid(secret: str, given: str, at: float | None = None, window: int = 1) -> bool:
    """Whether ``given`` is the code of this step or of ``window`` steps either side
    (a phone's clock drifts; Cognito allows the same)."""
    now = time.time() if at is None else at
    return any(
        hmac.compare_digest(code(secret, now + i * STEP), given.strip())
        for i in range(-window, window + 1)
    )
