"""Outside bodies (PLN, PDAM, BPBD, the province's roads office, BBWS Brantas, a
village office): a report that is theirs is forwarded to them through the outbox and
stays tracked ("diteruskan ke PLN") until the squad records what they did.

    open ─forward─► forwarded ─settle─► closed (what the body did)
                        └─────recall──► submitted (the body declined: back to the squad)

Bodies and their channels are data (``data/bodies.json``), edited by an operator.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from chalicelib import config
from chalicelib.domain import datafile
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.followup import entry_for, needs_words, updated
from chalicelib.domain.lifecycle import OPEN, Change, IllegalTransition
from chalicelib.domain.models import Report
from chalicelib.domain.schema import Model

FORWARDABLE = OPEN


class Channel(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["email", "sms", "webhook"]
    address: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(default=None, pattern=r"^\+62\d{8,13}$")
    url: str | None = Field(default=None, pattern=r"^https://")

    @model_validator(mode="after")
    def _one_address(self) -> Channel:
        wanted = {"email": self.address, "sms": self.phone, "webhook": self.url}[self.kind]
        if not wanted:
            raise ValueError(f"a {self.kind} channel needs its address")
        return self


class Body(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,30}$")
    name_id: str = Field(min_length=2, max_length=100)
    name_en: str = Field(min_length=2, max_length=100)
    handles_id: str = ""
    handles_en: str = ""
    channels: tuple[Channel, ...] = Field(min_length=1)


class Bodies(Model):
    model_config = ConfigDict(extra="ignore", frozen=True)
    bodies: tuple[Body, ...]

    def get(self, code: str | None) -> Body | None:
        return next((b for b in self.bodies if b.code == code), None)


def load_bodies() -> Bodies:
    return datafile.load(config.bodies_path(), Bodies.model_validate)


def forward(
    report: Report, body: Body | None, *, actor: str, actor_id: str, at: datetime, note: str
) -> Change:
    """Hand a report to the outside body it belongs to (never a covert one)."""
    if body is None:
        raise InvalidInput("no such outside body", [{"field": "body"}], code="unknown_body")
    if report.covert:
        raise IllegalTransition("a report the public cannot see is not sent outside")
    if report.status not in FORWARDABLE:
        raise IllegalTransition(f"a {report.status} report cannot be forwarded")
    note = needs_words(note, "a note for the body", "reason_required")
    entry = entry_for(report, "forward", "forwarded", actor, actor_id, at, note, reason=body.code)
    changed = updated(report, at, status="forwarded", forwarded_to=body.code,
                       resume_status=None, awaiting_since=None)  # fmt: skip
    return Change(changed, entry)


def settle(
    report: Report, *, declined: bool, actor: str, actor_id: str, at: datetime, note: str
) -> Change:
    """The body did its part (the squad says what; the report closes), or it declined
    (``declined``: the report is the squad's again, new in its queue)."""
    if report.status != "forwarded":
        raise IllegalTransition(f"only a forwarded report is settled; this one is {report.status}")
    note = needs_words(note, "why it came back" if declined else "what the body did",
                       "reason_required")  # fmt: skip
    action, target = ("recall", "submitted") if declined else ("settle", "closed")
    body = report.forwarded_to
    entry = entry_for(report, action, target, actor, actor_id, at, note, reason=body)
    changes = {"status": target, **({"forwarded_to": None} if declined else {})}
    return Change(updated(report, at, **changes), entry)
