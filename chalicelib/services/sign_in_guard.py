"""Keeping password guessing out of staff accounts without handing anyone a lock-out
button (threat model: README, Staff sign-in).

Per network: every attempt (floods) and wrong passwords are counted (quotas). Per
account, wrong passwords back off (a wait that doubles) rather than lock, and the wait
is kept apart per place: one for each network the account has signed in from before,
one for everywhere else. Guesses from elsewhere, however many, never slow the regent
down in the office or at home."""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from chalicelib import config
from chalicelib.domain.identifiers import hash_secret
from chalicelib.domain.principals import Unauthenticated
from chalicelib.services import quotas

T = TypeVar("T")
FIRST_WAIT, LONGEST_WAIT = 15, 900  # seconds: 15, 30, 60 … up to 15 minutes
FAILURES_KEPT = 86400  # a day without a wrong password forgets the count
NETWORK_KEPT = 90 * 86400  # a network unused for 90 days is new again
ELSEWHERE = "*"


class SignInRecords(Protocol):
    """Known networks and back-off state, by opaque keys (hashes)."""

    def known_network(self, key: str) -> bool: ...
    def remember_network(self, key: str, expires_at: int) -> None: ...
    def backoff(self, key: str) -> tuple[int, int]: ...  # (failures, next try: epoch ms)
    def claim(self, key: str, seen: int, failures: int, next_at: int, expires_at: int) -> bool: ...
    def clear(self, key: str) -> None: ...


def network_of(address: str) -> str:
    """The network an address stands for: an IPv4 address itself, an IPv6 /64 (one
    home or office; the rest of the address changes by itself)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def wait_after(failures: int) -> int:
    """Seconds before the next attempt after ``failures`` wrong passwords in a row."""
    free = config.sign_in_failures_per_account()
    if failures < free:
        return 0
    return min(FIRST_WAIT * 2 ** min(failures - free, 16), LONGEST_WAIT)


def _key(kind: str, account: str, network: str) -> str:
    return hash_secret(f"sign-in:{kind}:{account}:{network}")


class SignInGuard:
    def __init__(
        self, *, counters: quotas.Counters, records: SignInRecords, now: Callable[[], datetime]
    ):
        self.counters, self.records, self.now = counters, records, now

    def attempt(self, username: str, address: str, run: Callable[[], T]) -> T:
        """Run one sign-in attempt (``run`` raises Unauthenticated on a wrong password),
        or refuse it with 429 and when to come back. Counted up front, so parallel
        guesses cannot slip past; given back when the attempt was not a wrong guess."""
        now = self.now()
        at = int(now.timestamp() * 1000)
        quotas.take(self.counters, quotas.SIGN_IN_ATTEMPTS_PER_IP, address, now)
        quotas.take(self.counters, quotas.SIGN_INS_PER_IP, address, now)
        account, network = username.strip().lower(), network_of(address)
        known = _key("network", account, network)
        slot = _key("backoff", account, network if self.records.known_network(known) else ELSEWHERE)
        failures, next_at = self.records.backoff(slot)
        expires = at // 1000 + FAILURES_KEPT
        wait = at + wait_after(failures + 1) * 1000
        if at < next_at or not self.records.claim(slot, failures, failures + 1, wait, expires):
            quotas.give_back(self.counters, quotas.SIGN_INS_PER_IP, address, now)
            seconds = max(1, math.ceil((next_at - at) / 1000))  # 1: a parallel attempt won
            raise quotas.TooManyRequests(
                "many wrong passwords for this account from here; wait before trying again",
                [{"retry_after_seconds": seconds}],
                headers={"Retry-After": str(seconds)},
            )
        try:
            result = run()
        except Unauthenticated:  # a wrong guess: it stays counted
            raise
        except BaseException:  # a right password (temporary), a weak new one, an outage
            quotas.give_back(self.counters, quotas.SIGN_INS_PER_IP, address, now)
            self.records.claim(slot, failures + 1, failures, next_at, expires)
            raise
        quotas.give_back(self.counters, quotas.SIGN_INS_PER_IP, address, now)
        self.records.clear(slot)
        self.records.remember_network(known, at // 1000 + NETWORK_KEPT)
        return result
