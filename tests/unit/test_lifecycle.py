"""Every (status, action, actor) against a table written by hand, not derived from the rules."""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import lifecycle
from chalicelib.domain.models import Report

STATUSES = [
    "submitted", "accepted", "in_progress", "resolved", "closed", "reopened", "rejected",
    "awaiting_info", "withdrawn",
]  # fmt: skip
ACTIONS = ["claim", "progress", "resolve", "confirm", "dispute", "reject", "auto_close", "withdraw"]
ACTORS = ["squad", "command", "citizen", "system"]
STAFF = {"squad", "command"}

# (status, action) -> (new status, who may)
LEGAL = {
    ("submitted", "claim"): ("accepted", STAFF),
    ("reopened", "claim"): ("accepted", STAFF),
    ("accepted", "progress"): ("in_progress", STAFF),
    ("in_progress", "resolve"): ("resolved", STAFF),
    ("resolved", "confirm"): ("closed", {"citizen"}),
    ("resolved", "dispute"): ("reopened", {"citizen"}),
    ("resolved", "auto_close"): ("closed", {"system"}),
    ("submitted", "reject"): ("rejected", STAFF),
    ("accepted", "reject"): ("rejected", STAFF),
    ("in_progress", "reject"): ("rejected", STAFF),
    ("reopened", "reject"): ("rejected", STAFF),
    ("awaiting_info", "reject"): ("rejected", STAFF),
    ("submitted", "withdraw"): ("withdrawn", {"citizen"}),
}
AT = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def report(status: str) -> Report:
    return Report(
        id="a" * 20, code="TRG-AAAAAA", label="banjir", squad="orange", covert=False,
        status=status, lat=-8.1, lon=111.7, geohash="qqx", created_at=AT, updated_at=AT,
        sla_due_at=AT + timedelta(hours=6), token_hash="t", request_hash="r", version=3,
    )  # fmt: skip


CASES = [(s, a, who) for s in STATUSES for a in ACTIONS for who in ACTORS]


@pytest.mark.parametrize(("status", "action", "actor"), CASES)
def test_every_transition(status, action, actor):
    legal = LEGAL.get((status, action))
    kwargs = {"reason": "duplicate"} if action == "reject" else {}
    if legal and actor in legal[1]:
        change = lifecycle.apply(
            report(status), action, actor=actor, actor_id="u1", at=AT, note="n", **kwargs
        )
        assert change.report.status == legal[0]
        assert change.report.version == 4 and change.report.updated_at == AT
        e = change.entry
        assert (e.from_status, e.to_status, e.action, e.actor_role) == (
            status,
            legal[0],
            action,
            actor,
        )
    else:
        with pytest.raises(lifecycle.IllegalTransition) as err:
            lifecycle.apply(report(status), action, actor=actor, actor_id="u1", at=AT, **kwargs)
        assert err.value.status == 409
        allowed = err.value.details[0]["allowed"] if err.value.details else None
        if allowed is not None:
            expected = sorted(
                a for (s, a), (_, who) in LEGAL.items() if s == status and actor in who
            )
            assert allowed == expected


def test_claim_records_the_first_response_only_once():
    first = lifecycle.apply(report("submitted"), "claim", actor="squad", actor_id="a", at=AT).report
    assert first.first_response_at == AT and first.assignee == "a"
    later = AT + timedelta(days=2)
    again = first.model_copy(update={"status": "reopened"})
    second = lifecycle.apply(again, "claim", actor="squad", actor_id="b", at=later).report
    assert second.first_response_at == AT and second.assignee == "b"


def test_a_dispute_after_seven_days_is_refused():
    resolved = report("resolved")
    ok = lifecycle.apply(
        resolved, "dispute", actor="citizen", actor_id=None,
        at=AT + timedelta(days=6, hours=23), resolved_at=AT,
    )  # fmt: skip
    assert ok.report.status == "reopened" and ok.report.reopen_count == 1
    with pytest.raises(lifecycle.IllegalTransition, match="within 7 days"):
        lifecycle.apply(
            resolved, "dispute", actor="citizen", actor_id=None,
            at=AT + timedelta(days=7, seconds=1), resolved_at=AT,
        )  # fmt: skip


def test_reject_needs_one_of_the_known_reasons():
    with pytest.raises(lifecycle.IllegalTransition, match="reason"):
        lifecycle.apply(report("submitted"), "reject", actor="squad", actor_id="a", at=AT)
    done = lifecycle.apply(
        report("submitted"), "reject", actor="squad", actor_id="a", at=AT, reason="other_authority"
    )
    assert done.report.rejection_reason == "other_authority"
