"""Errors the domain and services raise; the HTTP layer renders them as
``{"error": {"code", "message", "details"}}`` with ``status``."""

from __future__ import annotations

from typing import Any


class KawalError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        details: list[dict[str, Any]] | None = None,
        *,
        code: str | None = None,
        **extra: Any,
    ):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or []
        self.headers: dict[str, str] = extra.pop("headers", {})
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class InvalidInput(KawalError):
    status = 400
    code = "invalid_input"


class TooBroad(InvalidInput):
    """A read that would go past the work one request may cause: narrow it."""

    code = "too_broad"

    def __init__(self, reads: int, narrow: str = "start_date/end_date or the filters"):
        super().__init__(
            f"more requests match than one answer reads ({reads} index reads at most): "
            f"narrow {narrow}"
        )


class MalformedJson(KawalError):
    status = 400
    code = "malformed_json"


class PayloadTooLarge(KawalError):
    status = 413
    code = "payload_too_large"


class NotFound(KawalError):
    status = 404
    code = "not_found"


class Conflict(KawalError):
    status = 409
    code = "conflict"


class Unavailable(KawalError):
    """A dependency (DynamoDB, S3…) failed; nothing was half-written, retry later."""

    status = 503
    code = "service_unavailable"

    def __init__(self, message: str, retry_after: int = 2, **kw: Any):
        super().__init__(message, headers={"Retry-After": str(retry_after)}, **kw)


class ReportExists(Exception):
    """Storage signal: a report with this id is already stored (an idempotent replay)."""


class CodeTaken(Exception):
    """Storage signal: the randomly drawn short code belongs to another report."""


class StaleReport(Exception):
    """Storage signal: the report changed since it was read (someone else won)."""


class PhotoQuotaReached(Exception):
    """Storage signal: the report already has its three citizen photos."""
