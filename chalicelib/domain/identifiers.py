"""Report ids, short codes and reporter tokens.

The phone generates a secret ``client_report_id`` (a random UUID). Both the
public report id and the reporter token are one-way derivations of it, so a
retry with the same id yields the same report *and* the same token, while the
server stores only hashes: the id reveals nothing about the token, and a read
of the table reveals no token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: safe to read aloud and type
CODE_LENGTH = 6
_CODE_RE = re.compile(r"^[A-Z]{3}-[0-9A-HJKMNP-TV-Z]{6}$")
_ID_RE = re.compile(r"^[a-z2-7]{20}$")


def _digest(purpose: str, client_report_id: uuid.UUID) -> bytes:
    return hashlib.sha256(f"kawal/{purpose}/v1:{client_report_id}".encode()).digest()


def new_client_report_id() -> uuid.UUID:
    return uuid.uuid4()


def report_id_for(client_report_id: uuid.UUID) -> str:
    """20 base32 characters (100 bits): collision-free at any realistic volume."""
    return base64.b32encode(_digest("report-id", client_report_id)).decode()[:20].lower()


def reporter_token_for(client_report_id: uuid.UUID) -> str:
    return (
        base64.urlsafe_b64encode(_digest("reporter-token", client_report_id)).decode().rstrip("=")
    )


def proposal_id_for(client_proposal_id: uuid.UUID) -> str:
    """A proposal's id, derived like a report's (another purpose: never a report's id)."""
    return base64.b32encode(_digest("proposal-id", client_proposal_id)).decode()[:20].lower()


def proposer_token_for(client_proposal_id: uuid.UUID) -> str:
    """What lets the proposer alone read their proposal before (or after refusal of) moderation."""
    return (
        base64.urlsafe_b64encode(_digest("proposer-token", client_proposal_id)).decode().rstrip("=")
    )


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_matches(token: str, token_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(token), token_hash)


def new_short_code(prefix: str) -> str:
    """``TRG-7K3F9Q``: short enough for an SMS; uniqueness is enforced by storage."""
    return f"{prefix}-" + "".join(secrets.choice(_CROCKFORD) for _ in range(CODE_LENGTH))


def is_short_code(ref: str) -> bool:
    return bool(_CODE_RE.match(ref.upper()))


def is_report_id(ref: str) -> bool:
    return bool(_ID_RE.match(ref))
