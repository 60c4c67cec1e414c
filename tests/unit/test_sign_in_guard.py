"""The sign-in guard on fakes: back-off by place, never a lock-out from elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.principals import Unauthenticated
from chalicelib.services import quotas
from chalicelib.services.sign_in_guard import SignInGuard, network_of, wait_after
from tests.fakes import FakeCounters, FakeSignInRecords

START = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)


@pytest.fixture
def guard():
    clock = {"now": START}
    made = SignInGuard(
        counters=FakeCounters(), records=FakeSignInRecords(), now=lambda: clock["now"]
    )
    made.clock = clock  # type: ignore[attr-defined]
    return made


def wrong():
    raise Unauthenticated("wrong password")


def test_a_network_is_an_ipv4_address_or_an_ipv6_64():
    assert network_of("203.0.113.7") == "203.0.113.7"
    assert network_of("2001:db8:1:2:aaaa::1") == network_of("2001:db8:1:2:bbbb::9")
    assert network_of("2001:db8:1:3::1") != network_of("2001:db8:1:2::1")
    assert network_of("::ffff:203.0.113.7") == "203.0.113.7"
    assert network_of("unknown") == "unknown"


def test_the_wait_doubles_from_the_tenth_wrong_password_up_to_fifteen_minutes():
    assert [wait_after(n) for n in (1, 9, 10, 11, 12, 16, 40)] == [0, 0, 15, 30, 60, 900, 900]


def test_what_is_not_a_wrong_guess_leaves_no_back_off(guard):
    def outage():
        raise RuntimeError("Cognito is down")

    for _ in range(12):
        with pytest.raises(RuntimeError):
            guard.attempt("orange", "198.51.100.1", outage)
    assert guard.attempt("orange", "198.51.100.1", lambda: "tokens") == "tokens"


def test_a_success_remembers_the_network_and_clears_its_back_off(guard):
    for _ in range(10):
        with pytest.raises(Unauthenticated):
            guard.attempt("Command", "198.51.100.1", wrong)
    with pytest.raises(quotas.TooManyRequests):
        guard.attempt("command", "198.51.100.2", lambda: "tokens")  # elsewhere: one wait
    guard.clock["now"] += timedelta(seconds=15)
    assert guard.attempt("command", "198.51.100.2", lambda: "tokens") == "tokens"
    for _ in range(30):  # guesses from elsewhere again…
        guard.clock["now"] += timedelta(seconds=901)
        with pytest.raises(Unauthenticated):
            guard.attempt("command", f"192.0.2.{_}", wrong)
    # …never reach the network it signed in from
    assert guard.attempt("command", "198.51.100.2", lambda: "tokens") == "tokens"
