"""Text messages to the regency's number (AWS End User Messaging two-way SMS hands
each one to an SNS topic, and the topic to this use case): a report by the short
grammar (domain/sms_grammar.py) filed like the app's at the kecamatan's centre with
the sender's number sealed as its contact, or BERHENTI/MULAI for Kawal's SMS. Each
message once (SNS delivers at least once); one reply, in one segment, kept until it is
sent: a failed send fails the handler, and SNS's retry sends the kept reply."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain import identifiers, sms_grammar
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.geo import Regency
from chalicelib.domain.models import ReportIn, normalize_phone
from chalicelib.routing import Catalogue
from chalicelib.services import quotas, sms_budget
from chalicelib.services.limits import submit_counted

log = logging.getLogger("kawal.sms")


class Texter(Protocol):
    def send(self, phone: str, text: str) -> str: ...


def number_key(phone: str) -> str:
    """How a number is kept (opt-outs, quotas): a hash, never the number."""
    return identifiers.hash_secret(f"sms:{phone}")


def reply_for(parsed: sms_grammar.Parsed, code: str | None, base_url: str) -> str:
    if parsed.kind == "stop":
        return "KAWAL: Anda tidak akan menerima SMS dari Kawal lagi. Balas MULAI untuk kembali."
    if parsed.kind == "start":
        return "KAWAL: SMS dari Kawal aktif lagi. Balas BERHENTI untuk berhenti."
    if parsed.kind == "bad":
        return f"KAWAL: {parsed.problem}"
    if parsed.kind == "help" or code is None:
        return f"KAWAL Trenggalek. {sms_grammar.FORMAT}"
    link = f"{base_url}/r/{code}"
    return f"KAWAL: Laporan {code} diterima. Pantau di {link} . Balas BERHENTI jika tak mau SMS."


class SmsReports:
    def __init__(
        self,
        *,
        store: Any,
        counters: quotas.Counters,
        texter: Texter,
        catalogue: Catalogue,
        regency: Regency,
        base_url: str,
        now: Callable[[], datetime],
        answer_from: Callable[[list[str], str], Any] = lambda _ids, _text: None,
    ):
        self.store, self.counters, self.texter = store, counters, texter
        self.answer_from = answer_from  # words that answer a squad's question
        self.catalogue, self.regency = catalogue, regency
        self.base_url, self.now = base_url.rstrip("/"), now

    def handle(self, message: dict[str, Any]) -> str | None:
        """One inbound SMS; returns what was replied (None: a redelivery, junk, or no
        reply allowed)."""
        phone, text = message.get("originationNumber"), message.get("messageBody")
        message_id = message.get("inboundMessageId")
        if not (isinstance(phone, str) and isinstance(text, str) and message_id):
            log.warning("inbound SMS ignored: not End User Messaging's shape")
            return None
        key = f"sms-{message_id}"
        if self.store.first_delivery(key, self.now()):
            try:
                reply = self._answer(phone, text, str(message_id))
                self.store.hold_reply(key, reply, self.now())  # kept until it is sent
            except Exception:
                self.store.forget_delivery(key)  # let SNS's retry in
                raise
        else:  # a redelivery: the kept reply if its send failed, claimed first
            held = self.store.take_reply(key, self.now())
            if held is None:
                return None  # replied already, or another run is replying
            reply = held
        if not self._may_text(phone):
            self.store.reply_sent(key)  # no reply may go: nothing is kept to send later
            return None
        try:
            self.texter.send(phone, sms_grammar.fit(reply))
        except Exception:
            self.store.release_reply(key)  # SNS's retry sends it (not a second report)
            raise
        self.store.reply_sent(key)
        return reply

    def _may_text(self, phone: str) -> bool:
        """A reply follows every other SMS's rules: an Indonesian mobile number only, the
        number's daily cap and the regency's daily budget (else no reply, logged)."""
        try:
            number = normalize_phone(phone)
        except ValueError:
            log.warning("inbound SMS not answered: not an Indonesian mobile number")
            return False
        if not sms_budget.allow(self.counters, number, self.now()):
            log.warning("inbound SMS not answered: the number's cap or the daily budget")
            return False
        return True

    def _answer(self, phone: str, text: str, message_id: str) -> str:
        parsed = sms_grammar.parse(text, self.catalogue, self.regency)
        if parsed.kind in ("stop", "start"):
            self.store.set_opt_out(number_key(phone), parsed.kind == "stop", self.now())
            return reply_for(parsed, None, self.base_url)
        if parsed.kind == "help":  # free words: perhaps the answer to a squad's question
            answered = self.answer_from(self.store.reports_of_number(number_key(phone)), text)
            if answered is not None:
                return f"KAWAL: Terima kasih, jawaban Anda untuk {answered.code} diteruskan."
        if parsed.kind != "report":
            return reply_for(parsed, None, self.base_url)
        district = self.regency.district(parsed.district or "")
        assert district is not None
        digest = hashlib.sha256(f"kawal/sms/{message_id}".encode()).digest()
        try:
            data = ReportIn.model_validate(
                {
                    "client_report_id": uuid.UUID(bytes=digest[:16], version=4),
                    "label": parsed.label or "",
                    "lat": district.lat,
                    "lon": district.lon,
                    "district": district.code,
                    "description": parsed.description,
                    "contact": _contact(phone),
                }
            )
            stored, _created, _token = submit_counted(
                data,
                [(quotas.REPORTS_PER_DEVICE, number_key(phone))],
                store=self.store,
                counters=self.counters,
                catalogue=self.catalogue,
                regency=self.regency,
                source="sms",
                now=self.now,
            )
        except quotas.TooManyRequests:
            return "KAWAL: Terlalu banyak laporan dari nomor ini dalam satu jam. Coba lagi nanti."
        except (InvalidInput, ValueError) as exc:
            return f"KAWAL: Laporan belum bisa diterima: {exc}"
        self.store.link_number(number_key(phone), stored.report.id, self.now())
        return reply_for(parsed, stored.report.code, self.base_url)


def _contact(phone: str) -> dict[str, Any] | None:
    from chalicelib.domain.models import ContactIn

    try:
        return ContactIn(phone=phone, notify=True).model_dump()
    except ValueError:
        return None
