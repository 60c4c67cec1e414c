"""Lazy boto3 clients: created on first use (never at import: cold start), one per
service, region and endpoint, with deliberate timeouts well under API Gateway's 29 s.

``AWS_ENDPOINT_URL`` (honoured by botocore itself) is the only thing that differs
between real AWS and the embedded moto server.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from chalicelib import config

_clients: dict[tuple[str, str, str], Any] = {}
_lock = threading.Lock()


def client(service: str) -> Any:
    key = (service, config.region(), os.environ.get("AWS_ENDPOINT_URL", ""))
    found = _clients.get(key)
    if found is not None:
        return found
    with _lock:
        if key not in _clients:
            import boto3  # deferred: ~200 ms that routes like GET /labels never pay
            from botocore.config import Config

            _clients[key] = boto3.session.Session().client(
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
    """Forget every client (tests start a fresh moto per test)."""
    with _lock:
        _clients.clear()
