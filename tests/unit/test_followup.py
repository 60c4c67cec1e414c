"""Follow-up rules against tables written by hand: who may ask, answer, transfer,
withdraw, rate and reprioritise a report in which status, and what each changes."""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import followup, lifecycle
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import TimelineEntry
from tests.unit.test_lifecycle import AT, STATUSES, report

PUBLIC = ("pink", "white", "orange", "yellow", "blue", "red")
LATER = AT + timedelta(hours=5)

# status -> may this step happen in it
ASK = {"submitted", "accepted", "in_progress", "reopened"}
TRANSFER = {"submitted", "accepted", "in_progress", "reopened", "awaiting_info"}
RATE = {"resolved", "closed"}


def _ask(r):
    return followup.ask(r, actor="squad", actor_id="u1", at=AT, question="Di mana tepatnya?",
                        public=False)  # fmt: skip


STEPS = {
    "ask": (ASK, _ask),
    "transfer": (TRANSFER, lambda r: followup.transfer(
        r, actor="squad", actor_id="u1", at=AT, to_squad="yellow", reason="ini soal sampah",
        public_squads=PUBLIC)),
    "withdraw": ({"submitted"}, lambda r: followup.withdraw(r, at=AT, note=None)),
    "rate": (RATE, lambda r: followup.rate(r, at=AT, stars=4, note="cepat")),
    "prioritise": (TRANSFER, lambda r: followup.reprioritise(
        r, actor="command", actor_id="k", at=AT, priority="urgent", reason="air naik terus")),
}  # fmt: skip


@pytest.mark.parametrize(("status", "step"), [(s, a) for s in STATUSES for a in STEPS])
def test_each_step_in_each_status(status, step):
    allowed, run = STEPS[step]
    if status in allowed:
        change = run(report(status))
        assert change.report.version == 4 and change.entry.from_status == status
    else:
        with pytest.raises(lifecycle.IllegalTransition):
            run(report(status))


@pytest.mark.parametrize("status", sorted(ASK))
def test_an_answer_returns_the_report_where_it_was_asked(status):
    asked = _ask(report(status)).report
    assert asked.status == "awaiting_info" and asked.resume_status == status
    answered = followup.answer(asked, at=LATER, text="Depan masjid Al-Huda").report
    assert answered.status == status and answered.resume_status is None


def test_waiting_for_an_answer_moves_the_response_target_by_the_wait():
    r = report("submitted")
    answered = followup.answer(_ask(r).report, at=LATER, text="RT 03 RW 02").report
    assert answered.sla_due_at == r.sla_due_at + (LATER - AT)
    claimed = report("accepted").model_copy(update={"first_response_at": AT})
    after = followup.answer(_ask(claimed).report, at=LATER, text="RT 03").report
    assert after.sla_due_at == claimed.sla_due_at  # responded already: no target to move


def test_the_answer_never_names_the_reporter():
    entry = followup.answer(_ask(report("submitted")).report, at=LATER, text="dekat pasar").entry
    assert (entry.actor_role, entry.actor_id) == ("citizen", None)


def test_nobody_answers_what_was_not_asked():
    with pytest.raises(lifecycle.IllegalTransition):
        followup.answer(report("submitted"), at=LATER, text="halo")


@pytest.mark.parametrize("words", ["", "   ", "ok", "x" * 2001])
def test_a_question_needs_words(words):
    with pytest.raises(InvalidInput):
        followup.ask(report("submitted"), actor="squad", actor_id="u", at=AT, question=words,
                     public=False)  # fmt: skip


def test_a_transfer_clears_the_assignee_and_remembers_the_squad():
    r = report("in_progress").model_copy(update={"assignee": "orange-joko"})
    change = followup.transfer(r, actor="squad", actor_id="orange-joko", at=AT, to_squad="red",
                               reason="urusan KTP", public_squads=PUBLIC)  # fmt: skip
    assert (change.report.squad, change.report.status, change.report.assignee) == (
        "red", "submitted", None)  # fmt: skip
    assert change.entry.squad_from == "orange" and change.entry.note == "urusan KTP"


@pytest.mark.parametrize("to", ["shadow", "green", "orange"])
def test_a_transfer_goes_to_another_public_squad(to):
    with pytest.raises((InvalidInput, lifecycle.IllegalTransition)):
        followup.transfer(report("submitted"), actor="command", actor_id="k", at=AT, to_squad=to,
                          reason="salah tim", public_squads=PUBLIC)  # fmt: skip


def test_a_covert_report_is_never_transferred():
    covert = report("submitted").model_copy(update={"covert": True, "squad": "shadow"})
    with pytest.raises(InvalidInput):
        followup.transfer(covert, actor="command", actor_id="k", at=AT, to_squad="orange",
                          reason="salah tim", public_squads=PUBLIC)  # fmt: skip


def test_a_claimed_report_is_not_withdrawn_even_back_in_the_queue():
    transferred = report("submitted").model_copy(update={"first_response_at": AT})
    with pytest.raises(lifecycle.IllegalTransition):
        followup.withdraw(transferred, at=LATER, note=None)


@pytest.mark.parametrize("stars", [0, 6, -1])
def test_stars_are_one_to_five(stars):
    with pytest.raises(InvalidInput):
        followup.rate(report("resolved"), at=AT, stars=stars, note=None)


def test_a_report_is_rated_once():
    rated = followup.rate(report("closed"), at=AT, stars=2, note="lama").report
    assert rated.rating == 2 and rated.status == "closed"
    with pytest.raises(lifecycle.IllegalTransition):
        followup.rate(rated, at=LATER, stars=5, note=None)


def test_a_priority_change_says_from_what_to_what_and_why():
    change = followup.reprioritise(report("submitted"), actor="squad", actor_id="u", at=AT,
                                   priority="low", reason="tidak mendesak")  # fmt: skip
    assert change.report.priority == "low"
    assert change.entry.note == "normal -> low: tidak mendesak"
    assert change.entry.action in lifecycle.INTERNAL_ACTIONS


def _entry(action, at):
    return TimelineEntry(at=at, to_status="submitted", action=action, actor_role="squad")


def test_paused_time_counts_each_question_until_its_answer():
    t = AT
    timeline = [
        _entry("submit", t),
        _entry("ask", t + timedelta(hours=1)),
        _entry("answer", t + timedelta(hours=3)),
        _entry("ask", t + timedelta(hours=10)),
    ]
    assert followup.paused(timeline, t + timedelta(hours=2)) == timedelta(hours=1)
    assert followup.paused(timeline, t + timedelta(hours=5)) == timedelta(hours=2)
    assert followup.paused(timeline, t + timedelta(hours=12)) == timedelta(hours=4)
    assert followup.paused([], datetime(2026, 1, 1, tzinfo=UTC)) == timedelta()
