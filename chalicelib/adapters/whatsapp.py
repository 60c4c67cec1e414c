"""Meta's WhatsApp Business Cloud API: the webhook's signature, the media a person
sent, and the messages sent back. The app secret, the verify token and the access
token are the stage's secrets (AWS Secrets Manager, ``kawal-<stage>-whatsapp``),
never in config files; the Graph API's address is configurable so that the tests
run a fake one on loopback."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import os
import time
import urllib.error
import urllib.request
from typing import Any

from chalicelib import config
from chalicelib.adapters import aws
from chalicelib.domain.chat import BUTTON_MAX, Reply

log = logging.getLogger("kawal.whatsapp")
MAX_MEDIA_BYTES = 10 * 1024 * 1024
TEXT_MAX = 1024  # an interactive message's body


class GraphError(Exception):
    """The Graph API refused or could not be reached."""


def secret_name() -> str:
    return f"kawal-{config.stage()}-whatsapp"


@functools.lru_cache(maxsize=4)
def _secrets(name: str, _minute: int) -> dict[str, str]:
    with aws.outage("the secrets store"):
        raw = aws.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"]
    return json.loads(raw)


def secrets() -> dict[str, str]:
    """``app_secret``, ``verify_token``, ``access_token``, ``phone_number_id`` (cached
    five minutes: a rotated secret is picked up without a deploy)."""
    return _secrets(secret_name(), int(time.time() // 300))


def app_secret() -> str:
    """The app secret, or '' when the stage's secret is missing, unreadable or lacks
    one (logged: every delivery is refused until an operator puts it in; README,
    WhatsApp). An outage of the secrets store stays a 503: Meta delivers again."""
    from botocore.exceptions import ClientError

    try:
        stored: Any = secrets()
    except (ClientError, ValueError) as exc:  # no such secret, no access, not JSON
        log.error("%s unreadable (%s): every WhatsApp delivery is refused", secret_name(), exc)
        return ""
    found = stored.get("app_secret") if isinstance(stored, dict) else None
    if not isinstance(found, str) or not found.strip():
        log.error("%s has no app_secret: every WhatsApp delivery is refused", secret_name())
        return ""
    return found


def valid_signature(app_secret: str, raw: bytes, header: str | None) -> bool:
    """``X-Hub-Signature-256: sha256=<hex HMAC of the raw body with the app secret>``.
    Never with an empty key: anyone can compute that HMAC (fail closed)."""
    if not app_secret or not app_secret.strip() or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


def graph_url() -> str:
    return os.environ.get("WHATSAPP_GRAPH_URL", "https://graph.facebook.com/v21.0").rstrip("/")


def payload(to: str, reply: Reply) -> dict[str, Any]:
    """A reply as the Messages API takes it."""
    base = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
    body = {"text": reply.text[:TEXT_MAX]}
    if reply.kind == "text":
        return {**base, "type": "text", "text": {"body": reply.text[:4096]}}
    if reply.kind == "location":
        interactive = {"type": "location_request_message", "body": body,
                       "action": {"name": "send_location"}}  # fmt: skip
    elif reply.kind == "buttons":
        buttons = [
            {"type": "reply", "reply": {"id": rid, "title": title[:BUTTON_MAX]}}
            for rid, title, _ in reply.rows
        ]
        interactive = {"type": "button", "body": body, "action": {"buttons": buttons}}
    else:
        rows = [
            {"id": rid, "title": title, **({"description": words} if words else {})}
            for rid, title, words in reply.rows
        ]
        interactive = {"type": "list", "body": body,
                       "action": {"button": reply.button[:BUTTON_MAX],
                                  "sections": [{"title": "Kawal", "rows": rows}]}}  # fmt: skip
    return {**base, "type": "interactive", "interactive": interactive}


class GraphApi:
    """The person's media in, our replies out."""

    def __init__(self, token: str, phone_number_id: str, base: str | None = None):
        self.token, self.phone_number_id, self.base = token, phone_number_id, base or graph_url()

    def _call(self, url: str, data: dict | None = None) -> bytes:
        request = urllib.request.Request(
            url,
            data=json.dumps(data).encode() if data is not None else None,
            method="POST" if data is not None else "GET",
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=8) as answer:  # the Graph API's URL
                return answer.read(MAX_MEDIA_BYTES + 1)
        except (urllib.error.URLError, OSError) as exc:
            raise GraphError(f"Graph API: {exc}") from exc

    def send(self, to: str, reply: Reply) -> str:
        answer = json.loads(self._call(f"{self.base}/{self.phone_number_id}/messages",
                                       payload(to, reply)))  # fmt: skip
        return answer["messages"][0]["id"]

    def send_template(self, to: str, text: str) -> str:
        """A status update outside the 24-hour window: Meta's approved utility template
        (``WHATSAPP_UPDATE_TEMPLATE``, "Kabar laporan Kawal: {{1}}") with our words."""
        message = {
            "messaging_product": "whatsapp",
            "to": to,
            "type": "template",
            "template": {
                "name": os.environ.get("WHATSAPP_UPDATE_TEMPLATE", "kawal_kabar_laporan"),
                "language": {"code": "id"},
                "components": [
                    {"type": "body", "parameters": [{"type": "text", "text": text[:1000]}]}
                ],
            },
        }
        answer = json.loads(self._call(f"{self.base}/{self.phone_number_id}/messages", message))
        return answer["messages"][0]["id"]

    def media(self, media_id: str) -> tuple[bytes, str]:
        """The photo a person sent: where Meta keeps it, then the bytes (≤ 10 MB)."""
        meta = json.loads(self._call(f"{self.base}/{media_id}"))
        data = self._call(meta["url"])
        if len(data) > MAX_MEDIA_BYTES:
            raise GraphError("the photo is larger than 10 MB")
        return data, meta.get("mime_type", "image/jpeg")


def graph_api() -> GraphApi:
    found = secrets()
    return GraphApi(found["access_token"], found["phone_number_id"])
