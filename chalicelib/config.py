"""Settings, read from the environment at call time.

Chalice's test client sets stage variables only for the duration of a call, and
the local runner sets them after import, so nothing here is read at import.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, PositiveInt

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_REGION = "ap-southeast-3"  # Jakarta


def _get(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None or value == "":
        raise RuntimeError(f"environment variable {name} is not set")
    return value


def stage() -> str:
    return _get("KAWAL_STAGE", "dev")


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def table_name() -> str:
    return _get("TABLE_NAME")


def bucket_name() -> str:
    return _get("BUCKET_NAME")


def topic_prefix() -> str:
    """Squad topics are named ``{prefix}{squad}``, e.g. ``kawal-dev-squad-orange``."""
    return _get("SQUAD_TOPIC_PREFIX", f"kawal-{stage()}-squad-")


def catalogue_path() -> Path:
    return Path(os.environ.get("CATALOGUE_PATH") or DATA_DIR / "catalogue.json")


def regency_path() -> Path:
    return Path(os.environ.get("REGENCY_PATH") or DATA_DIR / "districts.json")


def inbound_sms_topic_name() -> str:
    """The SNS topic two-way SMS (AWS End User Messaging) publishes messages to."""
    return f"kawal-{stage()}-inbound-sms"


def villages_path() -> Path:
    """The regency's desa and kelurahan (Kemendagri codes)."""
    return Path(os.environ.get("VILLAGES_PATH") or DATA_DIR / "villages.json")


def village_boundaries_path() -> Path | None:
    """Optional GeoJSON of village polygons (``properties.code``: a village's code):
    when set, a report's desa follows from its point."""
    value = os.environ.get("VILLAGE_BOUNDARIES_PATH")
    return Path(value) if value else None


def themes_path() -> Path:
    """The themes of citizens' proposals (usulan)."""
    return Path(os.environ.get("THEMES_PATH") or DATA_DIR / "themes.json")


def bodies_path() -> Path:
    """The outside bodies reports are forwarded to, and their channels."""
    return Path(os.environ.get("BODIES_PATH") or DATA_DIR / "bodies.json")


def district_boundaries_path() -> Path | None:
    """Optional GeoJSON FeatureCollection of district polygons (``properties.code``)."""
    value = os.environ.get("DISTRICT_BOUNDARIES_PATH")
    return Path(value) if value else None


def max_body_bytes() -> int:
    return int(os.environ.get("MAX_BODY_BYTES", str(6 * 1024 * 1024)))


def public_base_url() -> str:
    """Where links in SMS and email point (the short link ``/r/<code>``)."""
    return _get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")


def dispatch_dlq_name() -> str:
    return _get("DISPATCH_DLQ_NAME", f"kawal-{stage()}-dispatch-dlq")


def reporter_email_from() -> str | None:
    """Verified SES sender for reporter updates by email; unset: SMS only."""
    return os.environ.get("REPORTER_EMAIL_FROM") or None


def table_stream_arn() -> str:
    """Read at import by the stream decorator (Chalice needs it at deploy time)."""
    return os.environ.get(
        "TABLE_STREAM_ARN",
        f"arn:aws:dynamodb:{region()}:123456789012:table/kawal-{stage()}/stream/local",
    )


def user_pool_id() -> str:
    return _get("COGNITO_USER_POOL_ID")


def user_pool_client_id() -> str:
    return _get("COGNITO_CLIENT_ID")


def user_pool_name() -> str:
    return _get("COGNITO_USER_POOL_NAME", f"kawal-{stage()}-staff")


def uploads_queue_name() -> str:
    """S3 upload notifications queue (read at import by the SQS trigger)."""
    return os.environ.get("UPLOADS_QUEUE_NAME") or f"kawal-{stage()}-uploads"


def stats_every_minutes() -> int:
    """How often the statistics job runs (read at import by its schedule)."""
    return int(os.environ.get("STATS_EVERY_MINUTES", "15"))


def open311_jurisdiction() -> str:
    """Open311's ``jurisdiction_id``: optional for clients; when sent, it must be ours."""
    return _get("OPEN311_JURISDICTION", "trenggalekkab.go.id")


def open311_contact() -> str:
    return _get(
        "OPEN311_CONTACT", "Pusat Komando Bupati Trenggalek, Jl. Soekarno-Hatta 1, Trenggalek"
    )


class Limits(BaseModel):
    """Abuse limits: a flood must not bury the squads or run up the regency's SMS bill.
    Each from its environment variable (the field name in capitals), a whole number of
    at least 1: a typo stops the function at its first request with a clear error.
    (pydantic-settings would read them the same way, but importing it added 50-70 ms
    to every function's cold start, measured with bench/coldstart.py.)"""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quota_reports_per_device_hour: PositiveInt = 20
    # generous: Indonesian carriers put many phones behind one address (CGNAT)
    quota_reports_per_ip_hour: PositiveInt = 200
    quota_open311_per_key_hour: PositiveInt = 1000
    # wrong passwords from one network an hour (right ones are not counted: an office
    # behind one address signs in all day); every attempt (floods); per account, wrong
    # ones in a row before the back-off starts (services/sign_in_guard.py)
    quota_sign_ins_per_ip_hour: PositiveInt = 60
    quota_sign_in_attempts_per_ip_hour: PositiveInt = 1000
    quota_sign_in_failures_per_account: PositiveInt = 10
    # +1s from one network an hour (CGNAT: generous, but no fake crowds); per phone
    quota_supports_per_ip_hour: PositiveInt = 30
    quota_supports_per_device_hour: PositiveInt = 10
    # phones registered from one network an hour (each is a fresh per-phone quota); a
    # phone that files nothing within the days below is forgotten (DynamoDB TTL)
    quota_devices_per_ip_hour: PositiveInt = 60
    device_unused_days: PositiveInt = 7
    sms_per_report_notification: PositiveInt = 5  # people one update of one report texts
    sms_per_phone_day: PositiveInt = 10
    sms_daily_budget: PositiveInt = 2000
    contact_retention_days: PositiveInt = 90  # contacts go this long after a report ends


_LIMIT_NAMES = tuple(name.upper() for name in Limits.model_fields)


def limits() -> Limits:
    """Read at call time (stage variables can change between calls), parsed once per
    distinct set of values."""
    return _limits(tuple(os.environ.get(name) for name in _LIMIT_NAMES))


@functools.lru_cache(maxsize=8)
def _limits(values: tuple[str | None, ...]) -> Limits:
    given = {name.lower(): v for name, v in zip(_LIMIT_NAMES, values, strict=True) if v}
    return Limits.model_validate(given)


def reports_per_device_hour() -> int:
    return limits().quota_reports_per_device_hour


def reports_per_ip_hour() -> int:
    return limits().quota_reports_per_ip_hour


def open311_per_key_hour() -> int:
    return limits().quota_open311_per_key_hour


def sign_ins_per_ip_hour() -> int:
    return limits().quota_sign_ins_per_ip_hour


def sign_in_attempts_per_ip_hour() -> int:
    return limits().quota_sign_in_attempts_per_ip_hour


def sign_in_failures_per_account() -> int:
    return limits().quota_sign_in_failures_per_account


def supports_per_ip_hour() -> int:
    return limits().quota_supports_per_ip_hour


def supports_per_device_hour() -> int:
    return limits().quota_supports_per_device_hour


def devices_per_ip_hour() -> int:
    return limits().quota_devices_per_ip_hour


def device_unused_days() -> int:
    return limits().device_unused_days


def sms_per_report_notification() -> int:
    return limits().sms_per_report_notification


def sms_per_phone_day() -> int:
    return limits().sms_per_phone_day


def sms_daily_budget() -> int:
    return limits().sms_daily_budget


def contact_key_id() -> str:
    """The KMS key reporter contacts are sealed with (an alias; bootstrap makes it)."""
    return _get("CONTACT_KEY_ID", f"alias/kawal-{stage()}-contacts")


def covert_key_id() -> str:
    """The KMS key covert reports' words, place and notes are sealed with (an alias;
    bootstrap makes it): apart from the contacts' key, fewer functions may open it."""
    return _get("COVERT_KEY_ID", f"alias/kawal-{stage()}-covert")


def covert_vault_function() -> str:
    """The Lambda function that opens covert items for the API ('' locally: in-process).
    On Lambda, ``chalice deploy``'s name for it unless the template names it."""
    explicit = os.environ.get("COVERT_VAULT_FUNCTION")
    if explicit is not None:
        return explicit
    return f"kawal-{stage()}-covert_vault" if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") else ""


def contact_retention_days() -> int:
    """Contact details are deleted this many days after a report closes (DynamoDB TTL)."""
    return limits().contact_retention_days
