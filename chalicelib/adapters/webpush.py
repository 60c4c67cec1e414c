"""Web push (RFC 8030/8291/8292) to the squad and citizen apps, through pywebpush: the
payload encrypted for the subscription's keys (aes128gcm), signed for the push
service with the stage's VAPID key. The VAPID key pair follows from the stage's
server secret (never sent): the apps read the public half at ``GET /push/key``.

Subscriptions name their push service's URL; only the browsers' known push services
are accepted (a subscription is not a way to make Kawal call any address)."""

from __future__ import annotations

import base64
import fnmatch
import functools
import json
import logging
import os
from typing import Any
from urllib.parse import urlparse

from chalicelib import config

log = logging.getLogger("kawal.webpush")
PUSH_HOSTS = (
    "fcm.googleapis.com",  # Chrome, Android
    "updates.push.services.mozilla.com",  # Firefox
    "web.push.apple.com",  # Safari
    "*.notify.windows.com",  # Edge
)
CONTACT = "mailto:kawal@trenggalekkab.go.id"


class PushGone(Exception):
    """The push service says the subscription no longer exists (404/410)."""


def allowed_hosts() -> tuple[str, ...]:
    extra = os.environ.get("PUSH_HOSTS", "")
    return PUSH_HOSTS + tuple(h.strip() for h in extra.split(",") if h.strip())


def acceptable_endpoint(endpoint: str) -> bool:
    """An https URL of a known push service (or, for the tests, one named in PUSH_HOSTS)."""
    try:
        url = urlparse(endpoint)
        host = url.hostname or ""
    except ValueError:  # not even a URL (a stray bracket, a bad port)
        return False
    listed = any(fnmatch.fnmatchcase(host, pattern) for pattern in allowed_hosts())
    loopback_test = host == "127.0.0.1" and "127.0.0.1" in os.environ.get("PUSH_HOSTS", "")
    return listed and (url.scheme == "https" or loopback_test)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@functools.lru_cache(maxsize=4)
def _keys(table: str) -> tuple[Any, str]:  # noqa: ARG001 - a stage's own key
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from chalicelib.adapters.server_secret import server_key

    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    secret = int.from_bytes(server_key("vapid"), "big") % (order - 1) + 1
    private = ec.derive_private_key(secret, ec.SECP256R1())
    public = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return private, _b64url(public)


def public_key() -> str:
    """The applicationServerKey the apps subscribe with (base64url, uncompressed P-256)."""
    return _keys(config.table_name())[1]


def send(subscription: dict[str, Any], payload: dict[str, Any], *, urgent: bool) -> int:
    """Push one message; its status. PushGone when the subscription is dead."""
    from py_vapid import Vapid
    from pywebpush import WebPushException, webpush

    private, _ = _keys(config.table_name())
    try:
        answer = webpush(
            subscription_info=subscription,
            data=json.dumps(payload, ensure_ascii=False),
            vapid_private_key=Vapid(private_key=private),
            vapid_claims={"sub": CONTACT},
            ttl=24 * 3600,
            timeout=5,
            headers={"Urgency": "high" if urgent else "normal"},
        )
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", None)
        if status in (404, 410):
            raise PushGone(str(exc)) from exc
        raise
    return answer.status_code
