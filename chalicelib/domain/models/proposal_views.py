"""Proposals (usulan) as each audience reads them, and what staff send for a step."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import ConfigDict, Field

from chalicelib.domain.proposals import (
    Action,
    ForumLevel,
    Proposal,
    Status,
    Step,
    Themes,
    status_words,
)
from chalicelib.domain.schema import Model


class ProposalPublic(Model):
    """What anyone reads of a public proposal (and its proposer of their own): never
    who proposed or supports it."""

    id: str
    code: str
    title: str
    description: str
    theme: str
    theme_name: str
    district: str
    village: str | None = None
    lat: float | None = None
    lon: float | None = None
    status: Status
    status_text: str  # Bahasa, as citizens read it
    forum_level: ForumLevel | None = None
    forum_date: date | None = None
    rkpd_year: int | None = None
    reason: str | None = None
    supporters: int
    created_at: datetime


class ProposalStaff(ProposalPublic):
    """Bappeda's and the command centre's view: how fast it was answered, where it went."""

    report_id: str | None = None
    moderated_at: datetime | None = None
    updated_at: datetime
    version: int


class ProposalCreated(Model):
    proposal: ProposalPublic
    # keep it: with it the proposer alone reads their proposal before moderation
    proposer_token: str


class ProposalSupported(Model):
    proposal_id: str
    supporters: int


class ProposalSupportIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)
    client_support_id: UUID | None = None
    phone: str | None = Field(default=None, pattern=r"^\+62\d{8,13}$")  # to hear each step


class ProposalStepIn(Model):
    """One step: moderation (accept, refuse, to_report) or the Musrenbang path."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)
    action: Action
    forum_level: Literal["desa", "kecamatan", "kabupaten"] | None = None
    forum_date: date | None = None
    rkpd_year: int | None = Field(default=None, ge=2000, le=2100)
    reason: str | None = Field(default=None, max_length=500)
    report_id: str | None = Field(default=None, pattern=r"^[a-z2-7]{20}$")

    def step(self) -> Step:
        return Step(**self.model_dump())


def to_public(proposal: Proposal, themes: Themes, staff: bool = False) -> Any:
    theme = themes.get(proposal.theme)
    fields = proposal.model_dump()
    fields.update(theme_name=theme.name_id if theme else proposal.theme,
                  status_text=status_words(proposal))  # fmt: skip
    model = ProposalStaff if staff else ProposalPublic
    return model.model_validate({k: v for k, v in fields.items() if k in model.model_fields})
