"""A fake browser push service on loopback that checks what a real one checks: the
VAPID JWT (ES256, signed by the key in the header, for this service's origin, not
expired, with a contact), and that the body is aes128gcm ciphertext for the
subscription's keys (it decrypts it with the phone's private key, as the phone
would). Also: a phone's subscription, made as a browser makes one."""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.photo_host import serving


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Phone:
    """A browser's push subscription: its endpoint, and the keys only it holds."""

    endpoint: str
    private_key: Any
    auth: bytes

    def subscription(self) -> dict[str, Any]:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        public = self.private_key.public_key().public_bytes(
            Encoding.X962, PublicFormat.UncompressedPoint
        )
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)}}  # fmt: skip


@dataclass
class PushService:
    base: str = ""
    phones: dict[str, Phone] = field(default_factory=dict)
    delivered: list[tuple[str, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)

    def phone(self, name: str) -> Phone:
        from cryptography.hazmat.primitives.asymmetric import ec

        made = Phone(f"{self.base}/push/{name}", ec.generate_private_key(ec.SECP256R1()),
                     os.urandom(16))  # fmt: skip
        self.phones[name] = made
        return made

    def to(self, name: str) -> list[dict[str, Any]]:
        return [payload for who, payload, _h in self.delivered if who == name]


def _check(service: PushService, headers: Any) -> str | None:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec

    auth = headers.get("Authorization", "")
    if not auth.startswith("vapid "):
        return "no VAPID authorization"
    parts = dict(p.strip().split("=", 1) for p in auth.removeprefix("vapid ").split(","))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
    try:
        claims = jwt.decode(parts["t"], key=key, algorithms=["ES256"], audience=service.base)
    except jwt.PyJWTError as exc:
        return f"VAPID JWT refused: {exc}"
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        return "VAPID sub must be a mailto: or https: contact"
    if not time.time() < claims["exp"] <= time.time() + 24 * 3600:
        return "VAPID exp must be within 24 hours"
    if headers.get("Content-Encoding") != "aes128gcm" or headers.get("TTL") is None:
        return "aes128gcm content and a TTL are required"
    return None


@contextmanager
def push_service() -> Iterator[PushService]:
    service = PushService()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self):
            import http_ece

            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            name = self.path.removeprefix("/push/")
            if name in service.gone:
                return self._answer(410)
            problem = _check(service, self.headers)  # names in any case, as HTTP has them
            phone = service.phones.get(name)
            if problem or phone is None:
                service.problems.append(problem or f"no subscription {name}")
                return self._answer(401 if problem else 404)
            plain = http_ece.decrypt(body, private_key=phone.private_key,
                                     auth_secret=phone.auth, version="aes128gcm")  # fmt: skip
            said = {k.lower(): v for k, v in self.headers.items()}
            service.delivered.append((name, json.loads(plain), said))
            return self._answer(201)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.base = f"http://127.0.0.1:{server.server_address[1]}"
    with serving(server):
        yield service
