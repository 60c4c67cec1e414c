"""The statistics as served: public figures, and the staff view with closure quality."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field

from chalicelib.domain.schema import Model


class Durations(Model):
    count: int
    median_minutes: float | None
    p90_minutes: float | None
    mean_minutes: float | None
    within_sla_share: float | None


class PublicFigures(Model):
    """One dimension's figures over the window (``squad#orange``, ``label#banjir``…)."""

    model_config = ConfigDict(extra="allow")  # the per-kind counts: received, resolved…
    time_to_first_response: Durations
    time_to_resolution: Durations
    reopen_rate: float | None


class Figures(PublicFigures):
    """Staff figures: with the quality of closures as the command centre checks it."""

    shadow_checks: int | None = None
    shadow_not_fixed_share: float | None = None


class Ranked(Model):
    name: str
    on_time_share: float | None
    accepted: int


class OverdueReport(Model):
    id: str
    code: str
    squad: str
    label: str
    district: str | None
    covert: bool
    overdue_hours: float


class TrendPoint(Model):
    day: str
    received: int
    resolved: int
    on_time_share: float | None
    median_response_minutes: float | None


class SquadOut(Model):
    code: str
    colour: str
    name_id: str
    name_en: str
    handles_id: str
    handles_en: str
    covert: bool = False


class PublicStats(Model):
    """Precomputed figures (the job runs every few minutes; ``computed_at`` says when)."""

    window: str
    days: list[str] | None
    computed_at: datetime | None
    counts_until: datetime | None
    figures: dict[str, PublicFigures]
    backlog: dict[str, dict[str, int]]
    rankings: dict[str, list[Ranked]] = {}


class ExtraMetric(Model):
    """A figure the command centre's screen shows on each squad card, described by
    the server so that no public script has to name it."""

    metric: str
    field: str
    name_id: str
    name_en: str


class Stats(PublicStats):
    """The staff view of the precomputed figures."""

    figures: dict[str, Figures]  # type: ignore[assignment]
    extra_metrics: list[ExtraMetric] | None = Field(
        default=None, description="command centre: more figures for each squad card (shares)"
    )
    most_overdue: list[OverdueReport] | None = None
    squads: list[SquadOut] | None = Field(
        default=None, description="command centre: every squad, covert ones included"
    )
    trends: dict[str, list[TrendPoint]] | None = Field(
        default=None, description="30d window, command centre: squad#<code> and public by day"
    )
