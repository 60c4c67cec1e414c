"""A fake of Meta's Graph API on loopback that checks what the real one checks: the
bearer token, and each message against WhatsApp's limits (list rows, titles, buttons,
body lengths), answering 400 like Meta when one is broken. It serves the media a
person "sent", and records every message Kawal sends. Also: webhook payloads as Meta
builds them, signed with the app secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.photo_host import serving

VERSION = "v21.0"
TOKEN = "EAAG-test-access-token"
PHONE_ID = "109876543210"


def _problems(message: dict[str, Any]) -> list[str]:
    """Why Meta would refuse this message (empty: it would take it)."""
    out = []
    if message.get("messaging_product") != "whatsapp":
        out.append("messaging_product must be whatsapp")
    if not re.fullmatch(r"\d{8,15}", str(message.get("to", ""))):
        out.append("to must be a phone number in international format, digits only")
    kind = message.get("type")
    if kind == "text":
        body = (message.get("text") or {}).get("body", "")
        if not body or len(body) > 4096:
            out.append("text.body: 1 to 4096 characters")
        return out
    if kind == "template":  # outside the 24-hour window: an approved template only
        template = message.get("template") or {}
        params = [p for c in template.get("components", []) for p in c.get("parameters", [])]
        if not template.get("name") or not (template.get("language") or {}).get("code"):
            out.append("a template needs its name and language")
        if not params or any(not 0 < len(p.get("text", "")) <= 1024 for p in params):
            out.append("template parameters: text of 1 to 1024 characters")
        return out
    if kind != "interactive":
        return [*out, f"unsupported type {kind!r}"]
    interactive = message.get("interactive") or {}
    body = (interactive.get("body") or {}).get("text", "")
    if not body or len(body) > 1024:
        out.append("interactive.body.text: 1 to 1024 characters")
    action = interactive.get("action") or {}
    if interactive.get("type") == "list":
        rows = [r for s in action.get("sections", []) for r in s.get("rows", [])]
        if not 1 <= len(action.get("button", "")) <= 20:
            out.append("list button: 1 to 20 characters")
        if not 1 <= len(rows) <= 10 or len(action.get("sections", [])) > 10:
            out.append("a list has 1 to 10 rows in at most 10 sections")
        for row in rows:
            if not 1 <= len(row.get("title", "")) <= 24 or len(row.get("description", "")) > 72:
                out.append(f"row {row.get('id')}: title ≤ 24, description ≤ 72 characters")
        if len({r.get("id") for r in rows}) != len(rows):
            out.append("row ids must be unique")
    elif interactive.get("type") == "button":
        buttons = action.get("buttons", [])
        if not 1 <= len(buttons) <= 3:
            out.append("1 to 3 buttons")
        for b in buttons:
            if not 1 <= len((b.get("reply") or {}).get("title", "")) <= 20:
                out.append("button title: 1 to 20 characters")
    elif interactive.get("type") == "location_request_message":
        if action.get("name") != "send_location":
            out.append("action.name must be send_location")
    else:
        out.append(f"unsupported interactive type {interactive.get('type')!r}")
    return out


@dataclass
class Graph:
    base: str = ""
    sent: list[dict[str, Any]] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    down: bool = False  # answer 503 to everything

    def to(self, number: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if m["to"] == number]


@contextmanager
def graph_api() -> Iterator[Graph]:
    graph = Graph()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, body: Any, content_type: str = "application/json") -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            if graph.down:
                self._answer(503, {"error": {"message": "Service temporarily unavailable"}})
                return False
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._answer(401, {"error": {"message": "Invalid OAuth access token", "code": 190}})
                return False
            return True

        def do_GET(self):
            if not self._authorised():
                return
            if self.path.startswith("/media/"):
                media_id = self.path.removeprefix("/media/")
                data, mime = graph.media.get(media_id, (b"", ""))
                return self._answer(200 if data else 404, data, mime or "text/plain")
            media_id = self.path.removeprefix(f"/{VERSION}/")
            if media_id not in graph.media:
                return self._answer(404, {"error": {"message": "Unknown media", "code": 100}})
            data, mime = graph.media[media_id]
            return self._answer(200, {"url": f"{graph.base}/media/{media_id}", "mime_type": mime,
                                      "file_size": len(data), "id": media_id})  # fmt: skip

        def do_POST(self):
            if not self._authorised():
                return
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            if self.path != f"/{VERSION}/{PHONE_ID}/messages":
                return self._answer(404, {"error": {"message": "Unknown path", "code": 100}})
            problems = _problems(body)
            if problems:
                graph.refused.append({"message": body, "problems": problems})
                return self._answer(400, {"error": {"message": "; ".join(problems), "code": 100}})
            graph.sent.append(body)
            return self._answer(200, {"messages": [{"id": f"wamid.out{len(graph.sent)}"}]})

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    graph.base = f"http://127.0.0.1:{server.server_address[1]}"
    with serving(server):
        yield graph


def webhook(sender: str, message_id: str, kind: str, **content: Any) -> dict[str, Any]:
    """One message as Meta's webhook carries it."""
    message = {"from": sender, "id": message_id, "timestamp": "1796256000", "type": kind}
    message[kind] = content
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "6281100000000", "phone_number_id": PHONE_ID},
            "contacts": [{"profile": {"name": "Warga"}, "wa_id": sender}],
            "messages": [message],
        }}]}],
    }  # fmt: skip


def signature(secret: str, raw: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
