"""Structured JSON logs with a correlation id, and CloudWatch metrics as embedded
metric format (EMF) log lines, through Powertools for AWS Lambda: no metrics API
call on any request path, CloudWatch extracts them from the log.

Every invocation (HTTP, stream, queue, schedule) passes through ``middleware``:
it names the invocation's correlation id (API Gateway's request id, the SQS
message id, the stream event id, the schedule event id), and flushes the metrics
recorded during it. ``count`` records one metric, with a dimension or none.
"""

from __future__ import annotations

import functools
import logging
import sys
import threading
from typing import Any

NAMESPACE = "Kawal"
# One Metrics object per process: on Lambda one invocation at a time, but the local
# runner serves requests on threads beside its schedule, and a flush iterating the
# metric set while another thread adds to it fails (a 500 that `make fuzz` met).
_METRICS_LOCK = threading.Lock()


class _CurrentStdout:
    """Whatever ``sys.stdout`` is when a line is written (a handler keeps the stream it
    was given; test runners and local tools swap ``sys.stdout``)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


@functools.cache
def _tools() -> tuple[Any, Any]:
    from aws_lambda_powertools import Logger, Metrics

    # Powertools' logger is std logging's "kawal": every "kawal.*" module logger
    # propagates to it, so all of them write the same JSON with the same keys.
    stream: Any = _CurrentStdout()  # file-like: writes to whatever sys.stdout is now
    logger = Logger(service="kawal", level=logging.INFO, stream=stream)
    return logger, Metrics(namespace=NAMESPACE, service="kawal")


def count(name: str, value: float = 1, unit: str = "Count", **dimensions: str) -> None:
    """Record a metric for this invocation (flushed by ``middleware``)."""
    from aws_lambda_powertools.metrics import single_metric

    _, metrics = _tools()
    if not dimensions:
        with _METRICS_LOCK:
            metrics.add_metric(name=name, unit=unit, value=value)
        return
    # A metric with its own dimensions is its own EMF document.
    with single_metric(
        name=name,
        unit=unit,  # type: ignore[arg-type]  # a MetricUnit's value, as Powertools accepts
        value=value,
        namespace=NAMESPACE,
        default_dimensions=dimensions,
    ):
        pass


def correlate(**keys: Any) -> None:
    """Add keys (``report_id``…) to every log line of the rest of this invocation."""
    logger, _ = _tools()
    logger.append_keys(**keys)


def correlation_id(event: Any) -> str | None:
    """API Gateway's request id, or the id of the record or event being handled."""
    context = getattr(event, "context", None)
    if isinstance(context, dict) and context.get("requestId"):
        return str(context["requestId"])
    raw: dict[str, Any] = getattr(event, "to_dict", dict)()
    records = raw.get("Records") or []
    if records:
        first = records[0]
        return first.get("messageId") or first.get("eventID")
    return raw.get("id")


def middleware(event: Any, get_response: Any) -> Any:
    logger, metrics = _tools()
    logger.remove_keys(["report_id"])
    logger.set_correlation_id(correlation_id(event))
    try:
        return get_response(event)
    finally:
        with _METRICS_LOCK:
            if metrics.metric_set:  # most requests record none: no empty EMF document
                metrics.flush_metrics()
