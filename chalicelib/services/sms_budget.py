"""Whether one more SMS to a person may go out: the number's daily cap and the
regency's daily budget, so that no flood of reports (with one number or many) can run
up the SMS bill."""

from __future__ import annotations

from datetime import datetime

from chalicelib.services import quotas


def allow(counters: quotas.Counters, phone: str, now: datetime) -> bool:
    """Count one SMS against both, or neither (an SMS over either is skipped)."""
    if not quotas.try_take(counters, quotas.SMS_PER_PHONE, phone, now):
        return False
    if not quotas.try_take(counters, quotas.SMS_BUDGET, "regency", now):
        quotas.give_back(counters, quotas.SMS_PER_PHONE, phone, now)
        return False
    return True
