"""A report by chat (WhatsApp): a conversation led one step at a time, in Bahasa.

    photo ─► what kind of problem (a list of groups) ─► which label ─► where (a shared
    location, or the kecamatan's name) ─► confirm ─► filed: the code and the follow link

Pure: the state is data the caller stores (with a TTL: a half-finished conversation
expires), each incoming message gives the next state and what to reply. Labels are
offered as the app offers them: the command centre's own labels included, under the
command centre's name, never the squad that works them.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Literal

from chalicelib.domain.geo import Regency
from chalicelib.routing import COMMAND_CENTRE, Catalogue

Step = Literal["photo", "group", "label", "place", "confirm"]
TITLE_MAX, DESCRIPTION_MAX, BUTTON_MAX = 24, 72, 20  # WhatsApp's limits for list rows
CANCEL_WORDS = {"batal", "cancel", "stop", "berhenti", "ulang"}
YES_WORDS = {"ya", "y", "iya", "ok", "oke", "kirim", "yes"}


@dataclass(frozen=True)
class Incoming:
    """One message from the person, whatever WhatsApp calls it."""

    kind: Literal["text", "image", "location", "choice", "other"]
    text: str = ""
    media_id: str | None = None
    media_type: str | None = None
    lat: float | None = None
    lon: float | None = None
    choice: str | None = None  # the id of a list row or a button


@dataclass(frozen=True)
class Reply:
    """What to send back: text, a list (rows), buttons, or a location request."""

    kind: Literal["text", "list", "buttons", "location"]
    text: str
    button: str = ""
    rows: tuple[tuple[str, str, str], ...] = ()  # (id, title, description)


@dataclass(frozen=True)
class Conversation:
    step: Step = "photo"
    media_id: str | None = None
    media_type: str | None = None
    group: str | None = None
    label: str | None = None
    lat: float | None = None
    lon: float | None = None
    district: str | None = None

    def to_item(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_item(cls, item: dict[str, Any] | None) -> Conversation:
        if not item:
            return cls()
        known = {k: item[k] for k in cls.__dataclass_fields__ if k in item}
        for k in ("lat", "lon"):
            if known.get(k) is not None:
                known[k] = float(known[k])
        return cls(**known)


@dataclass(frozen=True)
class Outcome:
    conversation: Conversation | None  # None: the conversation is over (forget it)
    replies: tuple[Reply, ...]
    submit: bool = False  # file the report now (the caller replies with its code)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plain_words(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    return " ".join("".join(c for c in folded if c.isalnum() or c == " ").split())


def groups(catalogue: Catalogue) -> list[tuple[str, str, list[str]]]:
    """(group id, words, label codes): the public squads' problems, then the labels the
    command centre answers itself, as the app groups them."""
    out = []
    for squad in catalogue.squads:
        codes = [label.code for label in catalogue.labels if label.squad == squad.code]
        if codes and not squad.covert:
            out.append((squad.code, squad.handles_id, codes))
    own = [label.code for label in catalogue.labels if catalogue.is_covert(label.code)]
    if own:
        out.append(("command", f"Langsung ke {COMMAND_CENTRE['name_id']}", own))
    return out


def _group_list(catalogue: Catalogue) -> Reply:
    rows = []
    for gid, words, codes in groups(catalogue):
        names = ", ".join(catalogue.label(c).name_id.lower() for c in codes)  # type: ignore[union-attr]
        rows.append((f"g:{gid}", _short(words, TITLE_MAX), _short(names, DESCRIPTION_MAX)))
    return Reply("list", "Foto diterima. Masalahnya termasuk apa?", "Pilih jenis", tuple(rows))


def _label_list(catalogue: Catalogue, gid: str) -> Reply | None:
    found = next((g for g in groups(catalogue) if g[0] == gid), None)
    if found is None:
        return None
    rows = []
    for code in found[2]:
        label = catalogue.label(code)
        assert label is not None
        rows.append((f"l:{code}", _short(f"{label.icon} {label.name_id}", TITLE_MAX), ""))
    return Reply("list", "Pilih yang paling sesuai:", "Pilih masalah", tuple(rows))


def district_named(text: str, regency: Regency) -> str | None:
    """The kecamatan a person typed, forgiving case, spaces and a typo or two."""
    wanted = plain_words(text).removeprefix("kecamatan ").removeprefix("kec ")
    names = {plain_words(d.name): d.code for d in regency.districts}
    if wanted in names:
        return names[wanted]
    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.75)
    return names[close[0]] if close else None


WELCOME = (
    "Halo! Ini layanan lapor Pemerintah Kabupaten Trenggalek. Kirim *foto* masalahnya "
    "(jalan rusak, sampah, banjir, dan lain-lain) untuk mulai melapor. Identitas Anda "
    "dirahasiakan. Ketik *batal* kapan saja untuk berhenti."
)
WHERE = (
    "Di mana lokasinya? Kirim *lokasi* (📎 → Lokasi), atau ketik nama kecamatannya "
    "(misalnya: Panggul)."
)


def step(state: Conversation, msg: Incoming, catalogue: Catalogue, regency: Regency) -> Outcome:
    """The next state of the conversation and what to say."""
    if msg.kind == "text" and plain_words(msg.text) in CANCEL_WORDS:
        return Outcome(None, (Reply("text", "Dibatalkan. Kirim foto kapan saja untuk melapor."),))
    if msg.kind == "image":  # a photo starts a report (or replaces the one sent)
        changed = replace(state, media_id=msg.media_id, media_type=msg.media_type)
        if state.step in ("photo", "group"):
            return Outcome(replace(changed, step="group"), (_group_list(catalogue),))
        return Outcome(changed, (Reply("text", "Foto diganti dengan yang baru."),))
    if state.step == "photo":
        return Outcome(state, (Reply("text", WELCOME),))
    if state.step == "group":
        listed = _label_list(catalogue, (msg.choice or "").removeprefix("g:"))
        if msg.kind != "choice" or listed is None:
            return Outcome(state, (_group_list(catalogue),))
        return Outcome(replace(state, step="label", group=msg.choice), (listed,))
    if state.step == "label":
        code = (msg.choice or "").removeprefix("l:")
        label = catalogue.label(code) if msg.kind == "choice" else None
        if label is None:
            again = _label_list(catalogue, (state.group or "").removeprefix("g:"))
            return Outcome(state, (again or _group_list(catalogue),))
        return Outcome(replace(state, step="place", label=code), (Reply("location", WHERE),))
    if state.step == "place":
        return _placed(state, msg, catalogue, regency)
    # confirm
    if (msg.kind == "choice" and msg.choice == "ok") or (
        msg.kind == "text" and plain_words(msg.text) in YES_WORDS
    ):
        return Outcome(None, (), submit=True)
    if msg.kind == "choice" and msg.choice == "cancel":
        return Outcome(None, (Reply("text", "Dibatalkan. Kirim foto kapan saja untuk melapor."),))
    return Outcome(state, (_confirm(state, catalogue, regency),))


def _placed(state: Conversation, msg: Incoming, catalogue: Catalogue, regency: Regency) -> Outcome:
    if msg.kind == "location" and msg.lat is not None and msg.lon is not None:
        if not regency.bounds.contains(msg.lat, msg.lon):
            text = (
                "Lokasi itu di luar Kabupaten Trenggalek. Kirim lokasi di Trenggalek, "
                "atau ketik nama kecamatannya."
            )
            return Outcome(state, (Reply("text", text),))
        placed = replace(state, step="confirm", lat=msg.lat, lon=msg.lon, district=None)
        return Outcome(placed, (_confirm(placed, catalogue, regency),))
    code = district_named(msg.text, regency) if msg.kind == "text" else None
    if code is None:
        names = ", ".join(d.name for d in regency.districts)
        return Outcome(
            state, (Reply("text", f"Kecamatan tidak dikenal. Pilih salah satu: {names}."),)
        )
    district = regency.district(code)
    assert district is not None
    placed = replace(state, step="confirm", lat=district.lat, lon=district.lon, district=code)
    return Outcome(placed, (_confirm(placed, catalogue, regency),))


def _confirm(state: Conversation, catalogue: Catalogue, regency: Regency) -> Reply:
    label = catalogue.label(state.label or "")
    district = regency.district(state.district) if state.district else None
    where = f"Kecamatan {district.name}" if district else "lokasi yang Anda kirim"
    text = (
        f"Laporan: *{label.name_id if label else state.label}* di {where}, dengan foto. "
        "Kirim sekarang?"
    )
    rows = (("ok", "Kirim", ""), ("cancel", "Batal", ""))
    return Reply("buttons", text, rows=rows)
