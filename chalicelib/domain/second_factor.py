"""The authenticator app's enrolment link (what its QR code holds), RFC 6238 defaults."""

from __future__ import annotations

from urllib.parse import quote, urlencode

ISSUER = "Kawal Trenggalek"


def otpauth_uri(secret: str, username: str, issuer: str = ISSUER) -> str:
    label = quote(f"{issuer}:{username}")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": 6, "period": 30},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"
