"""Reports by WhatsApp: each webhook message, once (Meta redelivers), moves its
sender's conversation a step (domain/chat.py); a finished one files the report
through the same pipeline as the app (``source: "whatsapp"``), its photo fetched
from the Graph API, the sender's number sealed as the reporter's contact, counted
against the number's quota. A message's replies are kept until they are sent: a send
that fails answers 503, and Meta's redelivery sends the kept replies (once, without
moving the conversation or filing again)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain import chat, identifiers
from chalicelib.domain.chat import Conversation, Incoming, Reply
from chalicelib.domain.errors import InvalidInput, Unavailable
from chalicelib.domain.geo import Regency, load_boundaries
from chalicelib.domain.models import ReportIn
from chalicelib.routing import Catalogue
from chalicelib.services import quotas
from chalicelib.services.limits import submit_counted

log = logging.getLogger("kawal.chat")


def client_report_id(message_id: str) -> uuid.UUID:
    """The same report id for every delivery of the confirming message (a UUID4's
    shape, as a phone's would be)."""
    digest = hashlib.sha256(f"kawal/whatsapp/{message_id}".encode()).digest()
    return uuid.UUID(bytes=digest[:16], version=4)


class Messenger(Protocol):
    def send(self, to: str, reply: Reply) -> str: ...
    def media(self, media_id: str) -> tuple[bytes, str]: ...


def messages(payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every message of a webhook (delivery receipts and the rest are not messages)."""
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            for message in value.get("messages") or []:
                if isinstance(message, dict) and message.get("id") and message.get("from"):
                    yield message


def incoming(message: dict[str, Any]) -> Incoming:
    """A WhatsApp message as the conversation reads it."""
    kind = message.get("type")
    if kind == "text":
        return Incoming("text", text=str((message.get("text") or {}).get("body", "")))
    if kind == "image":
        image = message.get("image") or {}
        return Incoming("image", media_id=image.get("id"), media_type=image.get("mime_type"))
    if kind == "location":
        where = message.get("location") or {}
        return Incoming("location", lat=where.get("latitude"), lon=where.get("longitude"))
    if kind == "interactive":
        chosen = message.get("interactive") or {}
        reply = chosen.get("list_reply") or chosen.get("button_reply") or {}
        return Incoming("choice", choice=reply.get("id"))
    if kind == "button":  # a template's quick reply
        return Incoming("choice", choice=(message.get("button") or {}).get("payload"))
    return Incoming("other")


class ChatReports:
    def __init__(
        self,
        *,
        store: Any,
        counters: quotas.Counters,
        messenger: Messenger,
        catalogue: Catalogue,
        regency: Regency,
        media: Any,
        base_url: str,
        now: Callable[[], datetime],
        answer_from: Callable[[list[str], str], Any] = lambda _ids, _text: None,
    ):
        self.store, self.counters, self.messenger = store, counters, messenger
        self.answer_from = answer_from  # words that answer a squad's question
        self.catalogue, self.regency, self.media = catalogue, regency, media
        self.base_url, self.now = base_url.rstrip("/"), now

    def handle(self, payload: dict[str, Any]) -> int:
        """Handle each new message of a webhook; returns how many were new."""
        handled = 0
        for message in messages(payload):
            key = message["id"]
            if self.store.first_delivery(key, self.now()):
                try:
                    replies = self._one(message)
                    kept = json.dumps([dataclasses.asdict(r) for r in replies])
                    self.store.hold_reply(key, kept, self.now())  # until they are sent
                except Exception:
                    self.store.forget_delivery(key)  # let the redelivery in
                    raise
                handled += 1
            else:  # Meta's redelivery: the kept replies if their send failed, claimed first
                held = self.store.take_reply(key, self.now())
                if held is None:
                    continue  # sent already, or another delivery is sending them
                replies = [_reply_from(r) for r in json.loads(held)]
            self._send(key, str(message["from"]), replies)
        return handled

    def _send(self, key: str, sender: str, replies: list[Reply]) -> None:
        try:
            for reply in replies:
                self.messenger.send(sender, reply)
        except Exception as exc:
            self.store.release_reply(key)  # Meta's redelivery sends them
            raise Unavailable("WhatsApp tidak terjangkau / WhatsApp unreachable") from exc
        self.store.reply_sent(key)

    def _one(self, message: dict[str, Any]) -> list[Reply]:
        """Move the sender's conversation a step; the replies to send."""
        sender = str(message["from"])
        person = identifiers.hash_secret(f"whatsapp:{sender}")
        now = self.now()
        state = Conversation.from_item(self.store.conversation(person, now))
        said = incoming(message)
        if state.step == "photo" and said.kind == "text" and len(said.text.strip()) > 1:
            answered = self.answer_from(self.store.reports_of_number(person), said.text)
            if answered is not None:  # what the squad asked, answered from WhatsApp
                thanks = f"Terima kasih, jawaban Anda untuk laporan {answered.code} diteruskan."
                return [Reply("text", thanks)]
        outcome = chat.step(state, said, self.catalogue, self.regency)
        replies = list(outcome.replies)
        if outcome.submit:
            replies = [self._file(state, sender, message["id"])]
        self.store.save_conversation(
            person, outcome.conversation.to_item() if outcome.conversation else None, now
        )
        return replies

    def _file(self, state: Conversation, sender: str, message_id: str) -> Reply:
        try:
            photo = None
            if state.media_id:
                raw, media_type = self.messenger.media(state.media_id)
                photo = {"content_type": media_type.split(";")[0],
                         "data_base64": base64.b64encode(raw).decode()}  # fmt: skip
            data = ReportIn.model_validate(
                {
                    "client_report_id": client_report_id(message_id),
                    "label": state.label or "",
                    "lat": state.lat,
                    "lon": state.lon,
                    "district": state.district,
                    "photo": photo,
                    "contact": _contact(sender),
                }
            )
            number = identifiers.hash_secret(f"whatsapp:{sender}")
            stored, _created, _token = submit_counted(
                data,
                [(quotas.REPORTS_PER_DEVICE, number)],
                store=self.store,
                counters=self.counters,
                catalogue=self.catalogue,
                regency=self.regency,
                boundaries=load_boundaries(self.regency),  # a shared location: its kecamatan
                media=self.media,
                source="whatsapp",
                now=self.now,
            )
        except quotas.TooManyRequests:
            return Reply("text", "Terlalu banyak laporan dari nomor ini dalam satu jam. "
                                 "Coba lagi nanti.")  # fmt: skip
        except (InvalidInput, ValueError) as exc:
            return Reply("text", f"Laporan belum bisa dikirim: {exc}. Kirim foto untuk mulai lagi.")
        self.store.link_number(number, stored.report.id, self.now())
        code = stored.report.code
        return Reply(
            "text",
            f"Terima kasih! Laporan Anda tercatat dengan kode *{code}*. Ikuti perkembangannya di "
            f"{self.base_url}/r/{code} . Identitas Anda dirahasiakan.",
        )


def _reply_from(kept: dict[str, Any]) -> Reply:
    """A kept reply as it was (JSON made its tuples lists)."""
    return Reply(**{**kept, "rows": tuple(tuple(row) for row in kept.get("rows", ()))})


def _contact(sender: str) -> dict[str, Any] | None:
    """The sender's number as the reporter's contact (sealed like the app's), when it
    is an Indonesian mobile: the only numbers Kawal texts."""
    from chalicelib.domain.models import ContactIn

    try:
        return ContactIn(phone=f"+{sender.lstrip('+')}", notify=True).model_dump()
    except ValueError:
        return None
