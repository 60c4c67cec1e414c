"""Verification of staff access tokens (Cognito user pool JWTs) with PyJWT.

The same code runs on AWS, under `chalice local` and in chalice.test.Client; only
where the signing keys come from differs: Cognito's JWKS on AWS, the embedded
moto's locally (``AWS_ENDPOINT_URL``), or ``COGNITO_JWKS_URL`` when set.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from chalicelib import config

_clients: dict[str, Any] = {}
_lock = threading.Lock()


class InvalidToken(Exception):
    pass


def issuer() -> str:
    return f"https://cognito-idp.{config.region()}.amazonaws.com/{config.user_pool_id()}"


def jwks_url() -> str:
    if os.environ.get("COGNITO_JWKS_URL"):
        return os.environ["COGNITO_JWKS_URL"]
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    base = endpoint.rstrip("/") if endpoint else issuer().rsplit("/", 1)[0]
    return f"{base}/{config.user_pool_id()}/.well-known/jwks.json"


def _jwk_client(url: str) -> Any:
    import jwt

    with _lock:
        if url not in _clients:
            # Keys are cached for the life of the container, refreshed on an unknown kid.
            _clients[url] = jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)
        return _clients[url]


def verify(token: str) -> dict[str, Any]:
    """The claims of a valid access token of our user pool and app client."""
    import jwt

    if token.lower().startswith("bearer "):
        token = token[7:]
    token = token.strip()
    try:
        key = _jwk_client(jwks_url()).get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            issuer=issuer(),
            options={"require": ["exp", "iss", "sub", "token_use"], "verify_aud": False},
            leeway=30,
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    if claims.get("token_use") != "access":
        raise InvalidToken("not an access token")
    if claims.get("client_id") != config.user_pool_client_id():
        raise InvalidToken("token issued to another client")
    return claims
