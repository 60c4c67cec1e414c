"""The rules of asking for a closure check, on the in-memory fakes: who may ask, of
which report, and that asking twice is one request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.models import Report, TimelineEntry
from chalicelib.domain.principals import Principal
from chalicelib.services.check_requests import CheckRequesting
from tests.fakes import FakeCheckRequests, FakeReports

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
REGENT = Principal("command", "komando")


def world(**reports: dict) -> tuple[CheckRequesting, FakeCheckRequests, list[datetime]]:
    store, requests, clock = FakeReports(), FakeCheckRequests(), [NOW]
    for n, (report_id, changes) in enumerate(reports.items()):
        report = Report(
            id=report_id, code=f"TRG-AAAAA{n}", label="jalan_rusak", squad="orange",
            covert=False, status="resolved", lat=-8.05, lon=111.71, geohash="qqx4kzzzzz",
            created_at=NOW, updated_at=NOW, sla_due_at=NOW + timedelta(hours=72),
            token_hash="t", request_hash="r",
        ).model_copy(update=changes)  # fmt: skip
        store.create_report(report, TimelineEntry(at=NOW, to_status="submitted",
                                                  actor_role="citizen"), None)  # fmt: skip
    service = CheckRequesting(reports=store, requests=requests, now=lambda: clock[0])
    return service, requests, clock


def test_asking_twice_is_one_request_with_the_first_words():
    service, requests, clock = world(a={}, b={"status": "closed"})
    first, new = service.request("a", REGENT, "lihat tambalannya")
    assert new and first.by == "komando" and first.at == NOW
    clock[0] = NOW + timedelta(minutes=3)
    again, new = service.request("a", REGENT, "")
    assert not new and again == first
    service.request("b", REGENT, None)
    assert [(r.report_id, report.id) for r, report in service.pinned()] == [("a", "a"), ("b", "b")]
    requests.close_check_request("a")  # as a check of "a" does
    assert requests.check_request("a") is None and [r.report_id for r in service.asked()] == ["b"]


@pytest.mark.parametrize(
    ("who", "changes", "refused"),
    [
        (Principal("squad", "tim-orange", "orange"), {}, NotFound),
        (Principal("shadow", "bayangan", "shadow"), {}, NotFound),
        (Principal("operator", "operator"), {}, NotFound),
        (Principal("shadow", "bayangan", "shadow"), {"covert": True}, NotFound),
        (Principal("squad", "tim-orange", "orange"), {"covert": True}, NotFound),
        (REGENT, {"covert": True}, Conflict),
        (REGENT, {"status": "in_progress"}, Conflict),
        (REGENT, {"status": "rejected"}, Conflict),
    ],
)
def test_who_may_ask_and_of_what(who, changes, refused):
    service, requests, _ = world(a=changes)
    with pytest.raises(refused):
        service.request("a", who, None)
    assert requests.open == {}


def test_an_unknown_report_is_not_found():
    service, _, _ = world()
    with pytest.raises(NotFound):
        service.request("nope", REGENT, None)


def test_a_request_expires_when_its_report_leaves_resolved_or_closed():
    """Disputed and reopened (or erased), there is no closure left to check: the
    request is not pinned, and it is gone, not read again on every later look."""
    service, requests, _ = world(a={}, b={}, c={"status": "closed"}, d={})
    for report_id in ("a", "b", "c", "d"):
        service.request(report_id, REGENT, None)
    store = service.reports
    store.reports["a"] = store.reports["a"].model_copy(update={"status": "reopened"})
    del store.reports["b"]
    later = NOW + timedelta(hours=1)  # "c" reopened and resolved again: a new closure
    store.timelines["c"] += [
        TimelineEntry(at=later, to_status="reopened", actor_role="citizen"),
        TimelineEntry(at=later, to_status="resolved", actor_role="squad"),
    ]
    waiting = service.pinned()
    assert [r.report_id for r, _ in waiting] == ["d"]  # still resolved: still asked
    assert set(requests.open) == {"d"}
