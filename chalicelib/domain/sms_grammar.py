"""Reports by text message, for phones without apps (LAPOR!'s 1708 habit):

    LAPOR <kata kunci> <kecamatan> <keterangan>      e.g. "lapor pju karangan mati 3 hari"
    BERHENTI (or STOP)                               no more SMS from Kawal
    MULAI (or START)                                 SMS again

The keyword is matched forgivingly against the catalogue's Bahasa names and synonyms
(case, spacing, a typo); the kecamatan likewise. Pure: no storage, no sending.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from chalicelib.domain.chat import district_named, plain_words
from chalicelib.domain.geo import Regency
from chalicelib.domain.sms_text import gsm7
from chalicelib.routing import Catalogue

REPORT_WORDS = {"lapor", "lpr", "laporan", "lapur"}
STOP_WORDS = {"berhenti", "stop", "unreg", "henti"}
START_WORDS = {"mulai", "start", "reg"}
FORMAT = (
    "Format: LAPOR <masalah> <kecamatan> <keterangan>. Contoh: LAPOR banjir Panggul air masuk rumah"
)


@dataclass(frozen=True)
class Parsed:
    kind: Literal["report", "stop", "start", "help", "bad"]
    label: str | None = None
    district: str | None = None
    description: str | None = None
    problem: str | None = None  # for "bad": what to tell the sender


def _vocabulary(catalogue: Catalogue) -> dict[str, str]:
    """Every way to name a label -> its code."""
    words: dict[str, str] = {}
    for label in catalogue.labels:
        for name in (label.code.replace("_", " "), label.name_id, *label.synonyms):
            words.setdefault(plain_words(name), label.code)
    return words


def label_named(keyword: str, catalogue: Catalogue) -> str | None:
    words = _vocabulary(catalogue)
    wanted = plain_words(keyword)
    if wanted in words:
        return words[wanted]
    for token in wanted.split():  # "jalan berlubang parah": one word is enough
        if token in words:
            return words[token]
    close = difflib.get_close_matches(wanted, list(words), n=1, cutoff=0.75)
    return words[close[0]] if close else None


def parse(text: str, catalogue: Catalogue, regency: Regency) -> Parsed:
    tokens = text.split()
    first = plain_words(tokens[0]) if tokens else ""
    if first in STOP_WORDS:
        return Parsed("stop")
    if first in START_WORDS:
        return Parsed("start")
    if first not in REPORT_WORDS:
        return Parsed("help")
    rest = tokens[1:]
    at = next((i for i, t in enumerate(rest) if i > 0 and district_named(t, regency)), None)
    if at is None:
        return Parsed("bad", problem=f"Kecamatan tidak ditemukan. {FORMAT}")
    keyword = " ".join(rest[:at])
    code = label_named(keyword, catalogue)
    if code is None:
        examples = "jalan, banjir, sampah, lampu, dbd, ktp, pungli"
        return Parsed("bad", problem=f"Masalah '{keyword}' tidak dikenal (contoh: {examples}).")
    description = " ".join(rest[at + 1 :]).strip() or None
    return Parsed("report", code, district_named(rest[at], regency), description)


def fit(text: str) -> str:
    """One GSM-7 segment: what cannot be sent is dropped, the rest cut to 160."""
    plain = gsm7(text)
    return plain if len(plain) <= 160 else plain[:157].rstrip() + "..."
