"""The report's status machine: who may move it where. Pure: no storage, no clock.

submitted ─claim─► accepted ─progress─► in_progress ─resolve─► resolved ─confirm/7 days─► closed
    ▲                                                            │
    └──────────── reopened ◄──────────── dispute (≤ 7 days) ─────┘
any open status ─reject (with a reason the reporter sees)─► rejected
submitted ─withdraw (the reporter, before anyone claims it)─► withdrawn
(asking the reporter, transfers, priority and ratings: domain/followup.py)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.models import Report, TimelineEntry
from chalicelib.domain.principals import Forbidden, Principal

Action = Literal[
    "claim", "progress", "resolve", "confirm", "dispute", "reject", "auto_close", "withdraw"
]
Actor = Literal["squad", "command", "citizen", "system"]
REJECT_REASONS = ("duplicate", "not_a_problem", "outside_regency", "other_authority")
DISPUTE_WINDOW = timedelta(days=7)

# A report still being worked: the squad's queue, "nearby", support, merges, photos,
# transfers and forwards all use this one set. awaiting_info: a squad asked the
# reporter something; it is still the squad's to work.
OPEN: frozenset[str] = frozenset(
    {"submitted", "accepted", "in_progress", "reopened", "awaiting_info"}
)

# action -> (from statuses, to status, who may do it)
RULES: dict[str, tuple[frozenset[str], str, frozenset[str]]] = {
    "claim": (frozenset({"submitted", "reopened"}), "accepted", frozenset({"squad", "command"})),
    "progress": (frozenset({"accepted"}), "in_progress", frozenset({"squad", "command"})),
    "resolve": (frozenset({"in_progress"}), "resolved", frozenset({"squad", "command"})),
    "confirm": (frozenset({"resolved"}), "closed", frozenset({"citizen"})),
    "dispute": (frozenset({"resolved"}), "reopened", frozenset({"citizen"})),
    "auto_close": (frozenset({"resolved"}), "closed", frozenset({"system"})),
    "reject": (OPEN, "rejected", frozenset({"squad", "command"})),
    # checked in full by followup.withdraw (nobody claimed it); here for FINAL
    "withdraw": (frozenset({"submitted"}), "withdrawn", frozenset({"citizen"})),
}


# Statuses no action leaves: the report's story is over.
FINAL: frozenset[str] = frozenset(to for _, to, _ in RULES.values()) - frozenset(
    status for sources, _, _ in RULES.values() for status in sources
)


class IllegalTransition(Conflict):
    code = "illegal_transition"


def require_open(report: Report, bahasa: str, english: str, code: str = "report_closed") -> None:
    """409 unless the report is open, said in Bahasa first (citizens read it)."""
    if report.status not in OPEN:
        raise Conflict(f"{bahasa} / {english}", [{"status": report.status}], code=code)


def allowed_actions(status: str, actor: Actor) -> list[str]:
    return sorted(a for a, (sources, _, who) in RULES.items() if status in sources and actor in who)


@dataclass(frozen=True)
class Change:
    report: Report
    entry: TimelineEntry


def apply(
    report: Report,
    action: str,
    *,
    actor: Actor,
    actor_id: str | None,
    at: datetime,
    note: str | None = None,
    reason: str | None = None,
    photo_id: str | None = None,
    resolved_at: datetime | None = None,
) -> Change:
    """The report after ``action`` and its timeline entry, or IllegalTransition (409)."""
    if action not in RULES:
        raise IllegalTransition(f"unknown action {action!r}")
    sources, target, who = RULES[action]
    if report.status not in sources or actor not in who:
        raise IllegalTransition(
            f"cannot {action} a report that is {report.status}",
            [{"status": report.status, "allowed": allowed_actions(report.status, actor)}],
        )
    if action == "dispute" and resolved_at is not None and at - resolved_at > DISPUTE_WINDOW:
        raise IllegalTransition(
            "a resolution can be disputed within 7 days; this one is older",
            [{"status": report.status, "allowed": []}],
        )
    if action == "reject" and reason not in REJECT_REASONS:
        raise IllegalTransition(f"reject needs a reason: one of {', '.join(REJECT_REASONS)}")
    changes: dict = {"status": target, "updated_at": at, "version": report.version + 1}
    if action == "claim":
        changes["assignee"] = actor_id
        if report.first_response_at is None:
            changes["first_response_at"] = at
    if action == "resolve":
        changes["resolved_at"] = at
    if action == "dispute":
        changes["reopen_count"] = report.reopen_count + 1
    if action == "reject":
        changes["rejection_reason"] = reason
    entry = TimelineEntry(
        at=at,
        from_status=report.status,
        to_status=target,  # type: ignore[arg-type]
        action=action,
        actor_role=actor,
        actor_id=actor_id,
        note=note,
        reason=reason,
        photo_id=photo_id,
    )
    return Change(report.model_copy(update=changes), entry)


MAX_COMMENT = 2000
# Steps that change no status and stay among staff: not in the public timeline, not
# an Open311 update (an overdue report's escalation, the regent's reminder, a
# reassignment within the squad, a change of priority, a corrected place: the report
# shows the new one).
INTERNAL_ACTIONS = frozenset({"overdue", "remind", "reassign", "prioritise", "relocate"})


def overdue_entry(report: Report, at: datetime) -> TimelineEntry:
    """The escalation of a report nobody answered in time (status unchanged)."""
    return TimelineEntry(
        at=at,
        from_status=report.status,
        to_status=report.status,
        action="overdue",
        actor_role="system",
        note="melewati batas waktu tanpa tanggapan / past SLA without response",
    )


REASSIGNABLE = frozenset({"accepted", "in_progress"})


def annotate(
    report: Report,
    action: str,
    *,
    actor: Actor,
    actor_id: str | None,
    at: datetime,
    note: str | None,
    **changes: object,
) -> Change:
    """A step that changes no status: a timeline entry (and ``changes`` to the report)."""
    if note is not None and len(note) > MAX_COMMENT:
        raise InvalidInput(f"a note is at most {MAX_COMMENT} characters", code="comment_long")
    entry = TimelineEntry(
        at=at,
        from_status=report.status,
        to_status=report.status,
        action=action,
        actor_role=actor,
        actor_id=actor_id,
        note=note,
    )
    updated = {"updated_at": at, "version": report.version + 1, **changes}
    return Change(report.model_copy(update=updated), entry)


def comment(report: Report, *, actor: Actor, at: datetime, note: str) -> Change:
    """A word on the report that changes no status (the reporter's, through an
    Open311 client): an entry in its timeline that the squad is told of. Whoever
    wrote it stays unknown to the squad (no actor id)."""
    note = note.strip()
    if not note:
        raise InvalidInput("a comment needs words (description)", code="comment_empty")
    return annotate(report, "comment", actor=actor, actor_id=None, at=at, note=note)


def remind(report: Report, *, actor_id: str, at: datetime, note: str | None) -> Change:
    """The command centre tells the squad it is watching this report (open only)."""
    if report.status in FINAL or report.status == "resolved":
        raise IllegalTransition(f"a {report.status} report needs no reminder")
    return annotate(report, "remind", actor="command", actor_id=actor_id, at=at, note=note)


def reassign(report: Report, *, actor_id: str, at: datetime, member: str) -> Change:
    """Another member of the squad takes over a report being worked."""
    if report.status not in REASSIGNABLE:
        raise IllegalTransition(
            f"only a report being worked can be handed to another member; this one is "
            f"{report.status}"
        )
    if member == report.assignee:
        raise IllegalTransition(f"{member} already works this report")
    note = f"dialihkan dari {report.assignee or '-'} ke {member}"
    return annotate(
        report, "reassign", actor="command", actor_id=actor_id, at=at, note=note, assignee=member
    )


def staff_actor(report: Report, who: Principal) -> Actor:
    """The role in which ``who`` may work this report, or 403/404 (covert: absent)."""
    if who.role == "command":
        return "command"
    if who.role == "squad" and who.squad == report.squad and not report.covert:
        return "squad"
    if report.covert:
        raise NotFound(f"no report {report.id!r}", code="report_not_found")
    raise Forbidden("only the report's squad and the command centre may work it")
