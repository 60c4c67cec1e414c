"""The command centre asks the shadow squad to check a closure: "is this really
fixed?" The request is covert (it never touches the report's timeline, so no squad
view, public page or Open311 update carries it); the shadow squad hears of it on its
own topic and finds the report first in its list; the check it makes closes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalicelib.domain.closure_checks import checkable
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.models import CheckRequest
from chalicelib.domain.principals import Principal
from chalicelib.services.ports import CheckRequests, ReportReads


class CheckRequesting:
    def __init__(
        self, *, reports: ReportReads, requests: CheckRequests, now: Callable[[], datetime]
    ):
        self.reports, self.requests, self.now = reports, requests, now

    def request(
        self, report_id: str, who: Principal, note: str | None
    ) -> tuple[CheckRequest, bool]:
        """Ask for a check of a resolved or closed public report; a second ask while
        one is open (a retry, or the regent twice) is the same request."""
        loaded = self.reports.load(report_id)
        # to anyone but the command centre the request is absent, like an unknown report
        if loaded is None or who.role != "command":
            raise NotFound(f"no report {report_id!r}", code="report_not_found")
        if not checkable(loaded.report):
            raise Conflict(
                "only a public squad's resolved or closed report can be checked; "
                f"this one is {'covert' if loaded.report.covert else loaded.report.status}",
                code="report_not_checkable",
            )
        asked = CheckRequest(report_id=report_id, at=self.now(), by=who.id, note=note or None)
        if self.requests.request_check(asked):
            return asked, True
        return self.requests.check_request(report_id) or asked, False

    def pinned(self) -> list[CheckRequest]:
        return self.requests.check_requests()

    def for_report(self, report_id: str) -> CheckRequest | None:
        return self.requests.check_request(report_id)
