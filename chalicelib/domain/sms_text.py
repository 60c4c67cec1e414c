"""The text of a message that goes by SMS or email: GSM-7 (one septet a character,
160 in a segment), what a text costs in segments, ASCII subjects, times in WIB. Pure."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")
SMS_LIMIT = 160
# GSM 03.38 basic character set: one septet each, so 160 of them fit one segment.
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_REPLACE = {
    "—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...",
    "[": "(", "]": ")", "{": "(", "}": ")", "~": "-", "|": "/", "^": "", "\\": "/", "€": "EUR",
    "\t": " ",
}  # fmt: skip


def gsm7(text: str) -> str:
    """Make text safe for one GSM-7 septet per character: transliterate what has a
    plain form, drop the rest (emoji included); collapse runs of spaces."""
    out = []
    for ch in text:
        if ch in GSM7:
            out.append(ch)
            continue
        ch = _REPLACE.get(ch, ch)
        if all(c in GSM7 for c in ch):
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
        out.append("".join(c for c in base if c in GSM7))
    return " ".join("".join(out).replace("\n", " ").split())


def ascii_subject(text: str) -> str:
    """SNS email subjects: printable ASCII, one line, under 100 characters."""
    plain = unicodedata.normalize("NFKD", text.replace("—", "-").replace("–", "-"))
    plain = "".join(c for c in plain.encode("ascii", "ignore").decode() if c.isprintable())
    return " ".join(plain.split())[:99]


def sms_segments(text: str) -> int:
    """What an SMS costs, in segments: 160 GSM-7 characters in one, 153 each when
    split; any other character makes it UCS-2 (70 in one, 67 each when split)."""
    gsm7 = all(c in GSM7 for c in text)
    single, each = (160, 153) if gsm7 else (70, 67)
    return 1 if len(text) <= single else -(-len(text) // each)


def is_single_gsm7_segment(text: str) -> bool:
    return len(text) <= SMS_LIMIT and all(c in GSM7 for c in text)


def wib(at: datetime) -> str:
    return at.astimezone(WIB).strftime("%d/%m %H:%M WIB")
