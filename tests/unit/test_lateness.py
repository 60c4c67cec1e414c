"""Late ("terlambat") means one thing: unanswered (new or reopened) past the response target,
by the time since. The digest, the follow page, the squads' queue and the statistics
all ask domain/lateness.py instead of deciding it each their own way."""

from datetime import timedelta

import pytest

from chalicelib.domain import lateness
from chalicelib.routing import load_catalogue
from chalicelib.services import digest
from tests.unit.test_lifecycle import AT, report

DUE = AT + timedelta(hours=6)


@pytest.mark.parametrize(
    ("status", "now", "minutes"),
    [
        ("submitted", DUE - timedelta(minutes=1), None),  # still in time
        ("submitted", DUE + timedelta(hours=2), 120),
        ("reopened", DUE + timedelta(minutes=5), 5),
        ("accepted", DUE + timedelta(hours=9), None),  # answered: being worked
        ("in_progress", DUE + timedelta(days=3), None),
        ("awaiting_info", DUE + timedelta(hours=1), None),  # the clock is paused
        ("resolved", DUE + timedelta(days=1), None),
    ],
)
def test_late_is_unanswered_past_the_target(status, now, minutes):
    assert lateness.late_minutes(report(status), now) == minutes
    assert (lateness.late_by(report(status), now) is not None) == (minutes is not None)


def test_words_say_by_how_much():
    r = report("submitted")
    assert lateness.late_words(r, DUE + timedelta(minutes=40)) == "terlambat 40 menit"
    assert lateness.late_words(r, DUE + timedelta(hours=5)) == "terlambat 5 jam"
    assert lateness.late_words(r, DUE + timedelta(days=4)) == "terlambat 4 hari"


def test_the_digest_calls_late_what_the_app_calls_late():
    now = DUE + timedelta(hours=3)
    worked = report("accepted").model_copy(update={"code": "TRG-WORKED"})
    waiting = report("submitted").model_copy(update={"code": "TRG-WAITIN"})
    text = digest.body("Tim Oranye", [worked, waiting], now, load_catalogue(), "https://k")
    assert "terlambat: 1" in text
    lines = {line.split()[1]: line for line in text.splitlines() if line.startswith("- ")}
    assert "TERLAMBAT 3 JAM" in lines["TRG-WAITIN"]
    assert "TERLAMBAT" not in lines["TRG-WORKED"]  # claimed: being worked, not late
