"""Abuse limits as fixed-window counters: N actions per subject per window.

The counting is storage's (one conditional atomic ADD per action, the item
expiring by DynamoDB TTL after its window); this module says what is counted,
by whom, and what the caller is told when the count is full."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib import config
from chalicelib.domain.errors import KawalError
from chalicelib.domain.identifiers import hash_secret


class TooManyRequests(KawalError):
    status = 429
    code = "too_many_requests"


@dataclass(frozen=True)
class Limit:
    name: str
    allowed: Callable[[], int]  # read at call time: operators tune it per stage
    window_seconds: int
    message: str


REPORTS_PER_DEVICE = Limit(
    "reports-device", config.reports_per_device_hour, 3600, "this phone sent many reports"
)
REPORTS_PER_IP = Limit(
    "reports-ip", config.reports_per_ip_hour, 3600, "many reports came from this network"
)
OPEN311_PER_KEY = Limit(
    "open311-key", config.open311_per_key_hour, 3600, "this API key filed many requests"
)
SIGN_INS_PER_IP = Limit(
    "sign-in-ip", config.sign_ins_per_ip_hour, 3600, "many wrong passwords from this network"
)
SIGN_IN_ATTEMPTS_PER_IP = Limit(
    "sign-in-flood",
    config.sign_in_attempts_per_ip_hour,
    3600,
    "too many sign-in attempts from this network",
)
SUPPORTS_PER_IP = Limit(
    "support-ip", config.supports_per_ip_hour, 3600, "many supports came from this network"
)
SUPPORTS_PER_DEVICE = Limit(
    "support-device", config.supports_per_device_hour, 3600, "this phone supported many reports"
)
DEVICES_PER_IP = Limit(
    "devices-ip", config.devices_per_ip_hour, 3600, "many phones registered from this network"
)
SMS_PER_PHONE = Limit("sms-phone", config.sms_per_phone_day, 86400, "SMS cap for one number")
SMS_BUDGET = Limit("sms-budget", config.sms_daily_budget, 86400, "the daily SMS budget")


class Counters(Protocol):
    def take(self, key: str, window: str, allowed: int, expires_at: int) -> bool: ...
    def give_back(self, key: str, window: str) -> None: ...


def _window(limit: Limit, now: datetime) -> tuple[str, int]:
    """The window's start (its id) and when its counter may be deleted."""
    start = int(now.timestamp()) // limit.window_seconds * limit.window_seconds
    return str(start), start + 2 * limit.window_seconds


def _key(limit: Limit, subject: str) -> str:
    # Subjects (addresses, phone numbers) are personal data: only their hash is kept.
    return f"{limit.name}#{hash_secret(subject)[:32]}"


def try_take(counters: Counters, limit: Limit, subject: str, now: datetime) -> bool:
    window, expires = _window(limit, now)
    return counters.take(_key(limit, subject), window, limit.allowed(), expires)


def take(counters: Counters, limit: Limit, subject: str, now: datetime) -> None:
    """Count one action, or refuse it with 429 and when to come back."""
    if not try_take(counters, limit, subject, now):
        window, _ = _window(limit, now)
        retry_after = max(1, int(window) + limit.window_seconds - int(now.timestamp()))
        raise TooManyRequests(
            f"{limit.message}; please try again later",
            [{"limit": limit.allowed(), "window_seconds": limit.window_seconds}],
            headers={"Retry-After": str(retry_after)},
        )


def take_all(counters: Counters, wanted: list[tuple[Limit, str]], now: datetime) -> None:
    """Count one action against each (limit, subject), or none of them (429)."""
    taken: list[tuple[Limit, str]] = []
    try:
        for limit, subject in wanted:
            take(counters, limit, subject, now)
            taken.append((limit, subject))
    except TooManyRequests:
        give_back_all(counters, taken, now)
        raise


def give_back_all(counters: Counters, taken: list[tuple[Limit, str]], now: datetime) -> None:
    for limit, subject in taken:
        give_back(counters, limit, subject, now)


def give_back(counters: Counters, limit: Limit, subject: str, now: datetime) -> None:
    """Uncount an action that turned out not to be one (a retry of a stored report)."""
    window, _ = _window(limit, now)
    counters.give_back(_key(limit, subject), window)
