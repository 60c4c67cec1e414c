"""Follow-up beyond the status machine's straight line: asking the reporter, handing
a report to the right squad, its priority, the reporter withdrawing it, and their
rating. Pure rules, like the lifecycle: no storage, no clock.

    open ─ask─► awaiting_info ─answer─► the status it was asked in (the clock paused)
    open ─transfer─► submitted, in the other squad's queue
    submitted ─withdraw─► withdrawn (nobody claimed it yet)
    resolved/closed ─rate─► the same status, with 1-5 stars (once)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.lifecycle import MAX_COMMENT, OPEN, Change, IllegalTransition, annotate
from chalicelib.domain.models import PRIORITIES, Report, TimelineEntry

ASKABLE = OPEN - {"awaiting_info"}  # one question at a time
TRANSFERABLE = OPEN
RATABLE = frozenset({"resolved", "closed"})
LOW_RATING = 2  # this many stars or fewer: the command centre hears of it
MIN_REASON = 5  # a reason is a few words, not a letter


def needs_words(text: str | None, what: str, code: str) -> str:
    text = (text or "").strip()
    if len(text) < MIN_REASON:
        raise InvalidInput(f"{what} needs a few words", [{"field": "note"}], code=code)
    if len(text) > MAX_COMMENT:
        raise InvalidInput(f"{what} is at most {MAX_COMMENT} characters", code=code)
    return text


def entry_for(
    report: Report, action: str, to_status: str, actor: str, actor_id: str | None, at: datetime,
    note: str | None, **fields: object,
) -> TimelineEntry:  # fmt: skip
    return TimelineEntry(
        at=at,
        from_status=report.status,
        to_status=to_status,  # type: ignore[arg-type]
        action=action,
        actor_role=actor,
        actor_id=actor_id,
        note=note,
        **fields,  # type: ignore[arg-type]
    )


def updated(report: Report, at: datetime, **changes: object) -> Report:
    return report.model_copy(update={"updated_at": at, "version": report.version + 1, **changes})


def ask(
    report: Report, *, actor: str, actor_id: str, at: datetime, question: str, public: bool
) -> Change:
    """A squad or the command centre asks the reporter something: the report waits
    for the answer, and its response clock stops meanwhile."""
    if report.status not in ASKABLE:
        raise IllegalTransition(f"a {report.status} report cannot be asked about")
    question = needs_words(question, "a question", "question_empty")
    entry = entry_for(report, "ask", "awaiting_info", actor, actor_id, at, question, public=public)
    changed = updated(
        report, at, status="awaiting_info", resume_status=report.status, awaiting_since=at
    )
    return Change(changed, entry)


def answer(report: Report, *, at: datetime, text: str, public: bool = False) -> Change:
    """The reporter answers (never named in the timeline): the report goes back where
    it was and its response target moves by the time it waited."""
    if report.status != "awaiting_info" or report.resume_status is None:
        raise IllegalTransition(f"nobody asked about this report ({report.status})")
    text = needs_words(text, "an answer", "answer_empty")
    waited = at - (report.awaiting_since or at)
    entry = entry_for(
        report, "answer", report.resume_status, "citizen", None, at, text, public=public
    )
    changes: dict = {"status": report.resume_status, "resume_status": None, "awaiting_since": None}
    if report.first_response_at is None:
        changes["sla_due_at"] = report.sla_due_at + waited
    return Change(updated(report, at, **changes), entry)


def transfer(
    report: Report,
    *,
    actor: str,
    actor_id: str,
    at: datetime,
    to_squad: str,
    reason: str,
    public_squads: Iterable[str],
) -> Change:
    """The wrong squad (or the command centre) hands a report to the right one: it
    is new again in that squad's queue. Never across the covert line."""
    if report.status not in TRANSFERABLE:
        raise IllegalTransition(f"a {report.status} report cannot be handed over")
    if report.covert or to_squad not in set(public_squads):
        raise InvalidInput(
            "a report goes to one of the six public squads", [{"field": "squad"}],
            code="unknown_squad",
        )  # fmt: skip
    if to_squad == report.squad:
        raise IllegalTransition(f"the report is already {to_squad}'s")
    reason = needs_words(reason, "a transfer", "reason_required")
    entry = entry_for(report, "transfer", "submitted", actor, actor_id, at, reason,
                  squad_from=report.squad)  # fmt: skip
    changed = updated(
        report, at, status="submitted", squad=to_squad, assignee=None, resume_status=None,
        awaiting_since=None,
    )  # fmt: skip
    return Change(changed, entry)


def withdraw(report: Report, *, at: datetime, note: str | None) -> Change:
    """The reporter takes back a report nobody has claimed yet."""
    if report.status != "submitted" or report.first_response_at is not None:
        raise IllegalTransition(
            "only a report nobody has claimed can be withdrawn; this one is " + report.status
        )
    note = (note or "").strip()[:MAX_COMMENT] or None
    entry = entry_for(report, "withdraw", "withdrawn", "citizen", None, at, note)
    return Change(updated(report, at, status="withdrawn"), entry)


def rate(report: Report, *, at: datetime, stars: int, note: str | None) -> Change:
    """The reporter's 1-5 stars for how it was handled: once, after the fix."""
    if report.status not in RATABLE:
        raise IllegalTransition(f"a {report.status} report is rated once it is resolved")
    if report.rating is not None:
        raise IllegalTransition("this report has been rated already")
    if not 1 <= stars <= 5:
        raise InvalidInput("stars: from 1 to 5", [{"field": "stars"}], code="invalid_rating")
    note = (note or "").strip()[:MAX_COMMENT] or None
    entry = entry_for(report, "rate", report.status, "citizen", None, at, note, stars=stars)
    return Change(updated(report, at, rating=stars), entry)


def reprioritise(
    report: Report, *, actor: str, actor_id: str, at: datetime, priority: str, reason: str
) -> Change:
    """Staff change how urgent a report is, saying why."""
    if priority not in PRIORITIES:
        raise InvalidInput(
            f"priority: one of {', '.join(PRIORITIES)}", [{"field": "priority"}],
            code="invalid_priority",
        )  # fmt: skip
    if report.status not in TRANSFERABLE:
        raise IllegalTransition(f"a {report.status} report has no priority to change")
    if priority == report.priority:
        raise IllegalTransition(f"the report is {priority} already")
    reason = needs_words(reason, "a change of priority", "reason_required")
    note = f"{report.priority} -> {priority}: {reason}"
    return annotate(
        report, "prioritise", actor=actor, actor_id=actor_id, at=at, note=note,  # type: ignore[arg-type]
        priority=priority,
    )  # fmt: skip


def relocate(
    report: Report,
    *,
    actor: str,
    actor_id: str,
    at: datetime,
    district: str,
    village: str | None,
    note: str,
) -> Change:
    """Staff put the report where it is (a guessed kecamatan, a wrong desa): no longer
    approximate, and the old place stays in the timeline."""
    return annotate(
        report, "relocate", actor=actor, actor_id=actor_id, at=at, note=note,  # type: ignore[arg-type]
        district=district, village=village, district_approx=False,
    )  # fmt: skip


def paused(timeline: Iterable[TimelineEntry], until: datetime) -> timedelta:
    """How long the report waited for its reporter's answers before ``until``: the
    time the response clock stood still."""
    total, since = timedelta(), None
    for entry in sorted(timeline, key=lambda e: e.at):
        if entry.at > until:
            break
        if entry.action == "ask" and since is None:
            since = entry.at
        elif entry.action in ("answer", "transfer", "reject") and since is not None:
            total += entry.at - since
            since = None
    if since is not None:
        total += until - since
    return total
