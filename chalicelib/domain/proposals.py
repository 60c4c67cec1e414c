"""Citizens' proposals (usulan, issue #39): what one is, and the path it walks to the
regional plan. Pure: no storage, no clock.

    pending ─accept─► accepted ─forum(desa)─► in_forum ─forum(kecamatan, then kabupaten)
       │                in_forum (kabupaten) ─plan (RKPD year)─► planned ─done─► done
       ├─refuse (reason: the proposer sees it)─► refused
       └─to_report (a report in disguise)─► turned_into_report
    accepted, in_forum, planned ─not_feasible (reason)─► not_feasible

Moderation (accept, refuse, to_report) and the steps are Bappeda's (or the command
centre's). Nothing is deleted: a refused proposal stays, with its reason, for its
proposer. Themes are data (``data/themes.json``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import ConfigDict, Field, model_validator

from chalicelib import config
from chalicelib.domain import datafile
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.schema import Model

Status = Literal[
    "pending", "accepted", "refused", "turned_into_report", "in_forum", "planned",
    "not_feasible", "done",
]  # fmt: skip
Action = Literal["accept", "refuse", "to_report", "forum", "plan", "not_feasible", "done"]
Actor = Literal["bappeda", "command", "citizen", "system"]
ForumLevel = Literal["desa", "kecamatan", "kabupaten"]
FORUM_LEVELS: tuple[ForumLevel, ...] = ("desa", "kecamatan", "kabupaten")
# Why a proposal is refused; the proposer reads the words (Bahasa first).
REFUSE_REASONS = {
    "personal_data": ("memuat data pribadi", "contains personal data"),
    "insult": ("memuat hinaan atau kata kasar", "contains insults"),
    "duplicate": ("sama dengan usulan lain", "same as another proposal"),
    "not_regency": ("bukan kewenangan kabupaten", "not the regency's to decide"),
    "unclear": ("tidak jelas apa yang diusulkan", "unclear what is proposed"),
}
STAFF: frozenset[str] = frozenset({"bappeda", "command"})
# Public: on the board, open to support. Pending/refused/turned_into_report are not.
PUBLIC: frozenset[str] = frozenset({"accepted", "in_forum", "planned", "not_feasible", "done"})
SUPPORTABLE: frozenset[str] = frozenset({"accepted", "in_forum", "planned"})

# action -> (from statuses, to status)
RULES: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({"pending"}), "accepted"),
    "refuse": (frozenset({"pending"}), "refused"),
    "to_report": (frozenset({"pending"}), "turned_into_report"),
    "forum": (frozenset({"accepted", "in_forum"}), "in_forum"),
    "plan": (frozenset({"in_forum"}), "planned"),
    "not_feasible": (frozenset({"accepted", "in_forum", "planned"}), "not_feasible"),
    "done": (frozenset({"planned"}), "done"),
}
FINAL: frozenset[str] = frozenset({"refused", "turned_into_report", "not_feasible", "done"})


class Theme(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,30}$")
    name_id: str = Field(min_length=2, max_length=60)
    name_en: str = Field(min_length=2, max_length=60)


class Themes(Model):
    model_config = ConfigDict(extra="ignore", frozen=True)
    themes: tuple[Theme, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Themes:
        codes = [t.code for t in self.themes]
        if len(codes) != len(set(codes)):
            raise ValueError("duplicate theme codes")
        return self

    def get(self, code: str) -> Theme | None:
        return next((t for t in self.themes if t.code == code), None)


def load_themes() -> Themes:
    return datafile.load(config.themes_path(), Themes.model_validate)


class ProposalInput(Model):
    """What a citizen sends: checked for shape here, for places and themes by ``check``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)
    client_proposal_id: UUID
    title: str = Field(min_length=5, max_length=120)
    description: str = Field(min_length=10, max_length=2000)
    theme: str = Field(max_length=40)
    district: str = Field(max_length=40)  # the kecamatan it concerns
    village: str | None = Field(default=None, max_length=20)  # the desa, unless kecamatan-wide
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    photo_key: str | None = Field(default=None, max_length=200)
    contact: str | None = Field(default=None, max_length=254)  # sealed, never public

    @model_validator(mode="after")
    def _point_whole(self) -> ProposalInput:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon come together")
        return self


def check(
    data: ProposalInput,
    *,
    themes: Themes,
    districts: frozenset[str],
    villages: dict[str, str],
    inside: bool = True,
) -> None:
    """400 with every problem at once, in Bahasa first. ``villages``: desa code ->
    its kecamatan; ``inside``: whether the point (if any) is in the regency."""
    details = []
    if themes.get(data.theme) is None:
        details.append(
            {"field": "theme", "issue": "unknown", "allowed": [t.code for t in themes.themes]}
        )
    if data.district not in districts:
        details.append({"field": "district", "issue": "unknown"})
    elif data.village is not None and villages.get(data.village) != data.district:
        details.append({"field": "village", "issue": "not_in_district"})
    if data.lat is not None and not inside:
        details.append({"field": "lat", "issue": "outside_regency"})
    if details:
        raise InvalidInput(
            "Usulan belum lengkap atau tidak dikenal: periksa tema, kecamatan, desa dan "
            "titik lokasi. / The proposal's theme, place or point is not recognised.",
            details,
        )


class Proposal(Model):
    """A proposal as stored, without its proposer (sealed apart, like a reporter's contact)."""

    id: str
    code: str  # USL-7K3F9Q: what the proposer keeps and types
    title: str
    description: str
    theme: str
    district: str
    village: str | None = None
    lat: float | None = None
    lon: float | None = None
    photo_key: str | None = None
    status: Status = "pending"
    forum_level: ForumLevel | None = None
    forum_date: date | None = None
    rkpd_year: int | None = None
    token_hash: str = ""  # the proposer's token, hashed: their own read of it
    request_hash: str = ""  # what the phone sent: a replay must match it
    attempt: str = ""  # this write's draw: our own retried write is still new
    reason: str | None = None  # refuse: a REFUSE_REASONS code; not_feasible: Bappeda's words
    report_id: str | None = None  # turned into this report
    supporters: int = 0
    device_hash: str | None = None
    created_at: datetime
    updated_at: datetime
    moderated_at: datetime | None = None  # how fast Bappeda answers
    version: int = 1


@dataclass(frozen=True)
class Step:
    """What a transition asks: its action and the facts that action needs."""

    action: Action
    forum_level: ForumLevel | None = None
    forum_date: date | None = None
    rkpd_year: int | None = None
    reason: str | None = None
    report_id: str | None = None


class ProposalExists(Exception):
    """Storage signal: a proposal with this id is stored already (an idempotent replay)."""


class IllegalStep(Conflict):
    code = "illegal_transition"


def apply(proposal: Proposal, step: Step, actor: Actor, at: datetime) -> Proposal:
    """The proposal after ``step``; 409 if its status does not allow it, 403-free: a
    non-staff actor gets the same 409 (the route checks roles first)."""
    sources, target = RULES[step.action]
    if actor not in STAFF or proposal.status not in sources:
        raise IllegalStep(
            f"Usulan berstatus '{proposal.status}' tidak dapat '{step.action}'. / "
            f"A proposal in '{proposal.status}' cannot take '{step.action}'."
        )
    changes: dict[str, object] = {
        "status": target,
        "updated_at": at,
        "version": proposal.version + 1,
    }
    if proposal.status == "pending":
        changes["moderated_at"] = at
    changes.update(_facts(proposal, step, at))
    return proposal.model_copy(update=changes)


def _facts(proposal: Proposal, step: Step, at: datetime) -> dict[str, object]:
    """The facts each action records, checked: a reason, a forum, a year, a report."""
    if step.action == "refuse":
        if step.reason not in REFUSE_REASONS:
            raise _missing("reason", "alasan penolakan", list(REFUSE_REASONS))
        return {"reason": step.reason}
    if step.action == "to_report":
        if not step.report_id:
            raise _missing("report_id", "laporan yang dibuat")
        return {"report_id": step.report_id}
    if step.action == "not_feasible":
        if not step.reason or not 5 <= len(step.reason.strip()) <= 500:
            raise _missing("reason", "alasan (5–500 huruf)")
        return {"reason": step.reason.strip()}
    if step.action == "forum":
        return _forum(proposal, step)
    if step.action == "plan":
        if proposal.forum_level != "kabupaten":
            raise IllegalStep(
                "Usulan masuk rencana (RKPD) setelah dibahas di Musrenbang kabupaten. / "
                "A proposal enters the plan after the regency's forum."
            )
        if step.rkpd_year is None or not at.year <= step.rkpd_year <= at.year + 5:
            raise _missing("rkpd_year", f"tahun RKPD ({at.year}–{at.year + 5})")
        return {"rkpd_year": step.rkpd_year}
    return {}


def _forum(proposal: Proposal, step: Step) -> dict[str, object]:
    """Musrenbang goes desa, kecamatan, kabupaten: one level up at a time, never back."""
    if step.forum_level not in FORUM_LEVELS or step.forum_date is None:
        raise _missing("forum_level", "tingkat (desa, kecamatan, kabupaten) dan tanggal forum")
    done = FORUM_LEVELS.index(proposal.forum_level) + 1 if proposal.forum_level else 0
    if FORUM_LEVELS.index(step.forum_level) != done:
        raise IllegalStep(
            f"Musrenbang berjenjang: sesudah '{proposal.forum_level or 'diterima'}' "
            f"berikutnya '{FORUM_LEVELS[done] if done < 3 else '-'}'. / Forums go desa, "
            "kecamatan, kabupaten, one level at a time."
        )
    if proposal.forum_date and step.forum_date < proposal.forum_date:
        raise _missing("forum_date", "tanggal forum (tidak sebelum forum sebelumnya)")
    return {"forum_level": step.forum_level, "forum_date": step.forum_date}


def _missing(field: str, bahasa: str, allowed: list[str] | None = None) -> InvalidInput:
    detail: dict[str, object] = {"field": field, "issue": "required"}
    if allowed:
        detail["allowed"] = allowed
    return InvalidInput(f"Perlu {bahasa}. / '{field}' is needed.", [detail])


MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember")  # fmt: skip


def status_words(proposal: Proposal) -> str:
    """The status as a citizen reads it, in Bahasa: "dibahas di Musrenbang kecamatan
    (12 Februari 2027)", "masuk rencana (RKPD 2028)"."""
    if proposal.status == "in_forum" and proposal.forum_date:
        d = proposal.forum_date
        when = f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"
        return f"dibahas di Musrenbang {proposal.forum_level} ({when})"
    if proposal.status == "planned":
        return f"masuk rencana (RKPD {proposal.rkpd_year})"
    if proposal.status == "refused":
        return f"ditolak: {REFUSE_REASONS.get(proposal.reason or '', (proposal.reason,))[0]}"
    if proposal.status == "not_feasible":
        return f"tidak dapat dilaksanakan: {proposal.reason}"
    return {
        "pending": "menunggu moderasi",
        "accepted": "diterima",
        "turned_into_report": "dijadikan laporan",
        "done": "terlaksana",
    }[proposal.status]
