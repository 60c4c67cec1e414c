"""The command centre asks the shadow squad to check a closure: "is this really
fixed?" The request is covert (it never touches the report's timeline, so no squad
view, public page or Open311 update carries it); the shadow squad hears of it on its
own topic and finds the report first in its list; the check it makes closes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalicelib.domain.closure_checks import checkable, still_asked
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.models import CheckRequest, Loaded, Report
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

    def asked(self) -> list[CheckRequest]:
        """The open requests as they are stored (their reports unread)."""
        return self.requests.check_requests()

    def pinned(self) -> list[tuple[CheckRequest, Report]]:
        """The requests still waiting, the longest first, each with its report. A
        request whose report has left resolved/closed since (disputed and reopened,
        even if resolved again, or gone) is expired as it is met: there is no
        closure left to check, and it is not read again on the next look."""
        waiting = []
        for request in self.asked():
            loaded = self.reports.load(request.report_id)
            if loaded is not None and still_asked(request, loaded.report, loaded.timeline):
                waiting.append((request, loaded.report))
            else:
                self.requests.close_check_request(request.report_id)
        return waiting

    def for_report(self, loaded: Loaded) -> CheckRequest | None:
        """The open request for a report, if it still stands (one that does not is
        expired here too)."""
        asked = self.requests.check_request(loaded.report.id)
        if asked is not None and not still_asked(asked, loaded.report, loaded.timeline):
            self.requests.close_check_request(loaded.report.id)
            return None
        return asked
