"""Settings are read at call time; the abuse limits are typed (whole numbers ≥ 1)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from chalicelib import config


def test_limits_follow_the_environment_at_call_time(monkeypatch):
    assert config.sms_daily_budget() == 2000
    monkeypatch.setenv("SMS_DAILY_BUDGET", "7")
    assert config.sms_daily_budget() == 7
    monkeypatch.setenv("SMS_DAILY_BUDGET", "")  # empty: the default
    assert config.sms_daily_budget() == 2000


@pytest.mark.parametrize("value", ["x", "0", "-3", "2.5"])
def test_a_bad_limit_is_a_clear_error_not_a_silent_default(monkeypatch, value):
    monkeypatch.setenv("QUOTA_SUPPORTS_PER_IP_HOUR", value)
    with pytest.raises(ValidationError, match="quota_supports_per_ip_hour"):
        config.supports_per_ip_hour()
