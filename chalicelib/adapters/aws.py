"""Lazy boto3 clients: created on first use (never at import: cold start), one per
service, region and endpoint, with deliberate timeouts well under API Gateway's 29 s.

``AWS_ENDPOINT_URL`` (honoured by botocore itself) is the only thing that differs
between real AWS and the embedded moto server.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import Any

from chalicelib import config
from chalicelib.domain.errors import Unavailable

# What AWS answers when it is busy or down (after botocore's own retries).
RETRYABLE = frozenset({
    "ProvisionedThroughputExceededException", "ThrottlingException", "Throttling",
    "RequestLimitExceeded", "InternalServerError", "InternalError", "ServiceUnavailable",
    "TransactionInProgressException", "SlowDown", "RequestThrottled",
    "KMSInternalException", "KeyUnavailableException", "DependencyTimeoutException",
})  # fmt: skip

_clients: dict[tuple[str, str, str], Any] = {}
_lock = threading.Lock()
_session: list[Any] = []  # one boto3 session: its loader reads each service model once


def _the_session() -> Any:
    """The process's one session (created under ``_lock``). Each new session would read
    and parse the service models and endpoint rules again: ~50 ms per client."""
    if not _session:
        import boto3  # deferred: ~200 ms that routes like GET /labels never pay

        _session.append(boto3.session.Session())
    return _session[0]


def client(service: str) -> Any:
    key = (service, config.region(), os.environ.get("AWS_ENDPOINT_URL", ""))
    found = _clients.get(key)
    if found is not None:
        return found
    with _lock:
        if key not in _clients:
            from botocore.config import Config

            _clients[key] = _the_session().client(
                service,
                region_name=key[1],
                config=Config(
                    connect_timeout=2,
                    read_timeout=8,
                    retries={"mode": "standard", "max_attempts": 3},
                    signature_version="s3v4" if service == "s3" else None,
                ),
            )
        return _clients[key]


def reset() -> None:
    """Forget every client (tests start a fresh moto per test); the session, which
    holds no state of an AWS account, stays."""
    with _lock:
        _clients.clear()


@contextlib.contextmanager
def outage(what: str) -> Iterator[None]:
    """Turn throttling, 5xx answers and network failures into a 503 with retry
    advice (``what`` is unavailable); let every other error surface as it is."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if error.get("Code") in RETRYABLE or status >= 500:
            raise Unavailable(f"{what} is busy, please retry shortly") from exc
        raise
    except BotoCoreError as exc:  # connection errors, timeouts
        raise Unavailable(f"{what} is unreachable, please retry shortly") from exc
