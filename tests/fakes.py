"""In-memory fakes of the ports the use cases depend on. Each one is held to the same
contract as its DynamoDB adapter (tests/contracts), so a fake cannot drift from what
the real thing does; service tests run on them in milliseconds."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any


class FakeCounters:
    """``quotas.Counters``: fixed-window counters."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}

    def take(self, key: str, window: str, allowed: int, expires_at: int) -> bool:
        n = self.counts.get((key, window), 0)
        if n >= allowed:
            return False
        self.counts[(key, window)] = n + 1
        return True

    def give_back(self, key: str, window: str) -> None:
        n = self.counts.get((key, window), 0)
        if n <= 1:
            self.counts.pop((key, window), None)  # a refused request leaves no trace
        else:
            self.counts[(key, window)] = n - 1

    def exists(self, key: str, window: str) -> bool:
        return (key, window) in self.counts


class FakeSignInRecords:
    """``sign_in_guard.SignInRecords``: known networks and back-off state."""

    def __init__(self) -> None:
        self.networks: set[str] = set()
        self.backoffs: dict[str, tuple[int, int]] = {}

    def known_network(self, key: str) -> bool:
        return key in self.networks

    def remember_network(self, key: str, expires_at: int) -> None:
        self.networks.add(key)

    def backoff(self, key: str) -> tuple[int, int]:
        return self.backoffs.get(key, (0, 0))

    def claim(self, key: str, seen: int, failures: int, next_at: int, expires_at: int) -> bool:
        if self.backoffs.get(key, (0, 0))[0] != seen:
            return False
        self.backoffs[key] = (failures, next_at)
        return True

    def clear(self, key: str) -> None:
        self.backoffs.pop(key, None)


def _ts(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class FakeOutbox:
    """``dispatch.Outbox``: notifications pending, sent or failed for good."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def claim(
        self, notification: dict[str, Any], now: datetime, sealed: bool = False
    ) -> dict[str, Any] | None:
        nid = notification["id"]
        if nid not in self.items:
            self.items[nid] = {
                "state": "pending",
                "attempts": 0,
                "notification": copy.deepcopy(notification),
                "created_at": _ts(now),
                "due": _ts(now + timedelta(minutes=2)),  # the first attempt's lease
                "sealed": sealed,  # the real one seals the message: here, only says so
            }
            return copy.deepcopy(self.items[nid])
        return self.take(nid, now)

    def take(self, nid: str, now: datetime) -> dict[str, Any] | None:
        item = self.items.get(nid)
        if item is None or item["state"] != "pending" or item["due"] > _ts(now):
            return None
        item["due"] = _ts(now + timedelta(minutes=2))
        return copy.deepcopy(item)

    def get(self, nid: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.items.get(nid))

    def mark_sent(self, nid: str, now: datetime, message_id: str) -> None:
        self.items[nid].update(state="sent", sent_at=_ts(now), message_id=message_id)

    def mark_retry(self, nid: str, attempts: int, due: datetime, error: str) -> None:
        if self.items[nid]["state"] == "pending":
            self.items[nid].update(attempts=attempts, last_error=error[:500], due=_ts(due))

    def mark_failed(self, nid: str, attempts: int, now: datetime, error: str) -> None:
        if self.items[nid]["state"] == "pending":
            self.items[nid].update(
                state="failed", attempts=attempts, last_error=error[:500], failed_at=_ts(now)
            )

    def due(self, now: datetime, limit: int = 100) -> list[dict[str, Any]]:
        pending = [i for i in self.items.values() if i["state"] == "pending"]
        ready = sorted((i for i in pending if i["due"] <= _ts(now)), key=lambda i: i["due"])
        return copy.deepcopy(ready[:limit])

    def failed(self, limit: int = 100) -> list[dict[str, Any]]:
        return copy.deepcopy([i for i in self.items.values() if i["state"] == "failed"][:limit])


class FakePublisher:
    """``dispatch.Publisher``: records what it sent; fails while told to."""

    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.failures_left = 0

    def publish(self, n: Any) -> str:
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionError("SNS unreachable")
        self.sent.append(n)
        return f"msg-{len(self.sent)}"


class FakeReports:
    """``ports.ReportReads`` and ``ports.PhotoSlots`` (with ``create_report`` to set a
    report up): reports and their photo slots, the three-photo count, claims."""

    def __init__(self) -> None:
        self.reports: dict[str, Any] = {}
        self.timelines: dict[str, list[Any]] = {}
        self.photos: dict[tuple[str, str], Any] = {}
        self.codes: dict[str, str] = {}
        self.markers: dict[str, dict[str, str]] = {}  # a comment's resend key -> its entry

    def create_report(self, report, first, contact, photo=None) -> None:
        from chalicelib.domain.errors import ReportExists

        if report.id in self.reports:
            raise ReportExists(report.id)
        self.reports[report.id] = report
        self.codes[report.code] = report.id
        self.timelines[report.id] = [first.model_copy(update={"key": "EVENT#0"})]
        if photo is not None:
            self.photos[(report.id, photo.id)] = photo

    def load(self, report_id: str):
        from chalicelib.domain.models import Loaded

        if report_id not in self.reports:
            return None
        mine = [p for (r, _), p in self.photos.items() if r == report_id]
        return Loaded(
            self.reports[report_id],
            list(self.timelines[report_id]),
            sorted(mine, key=lambda p: p.created_at),
            (),
            (),
        )

    def get_report(self, report_id: str):
        loaded = self.load(report_id)
        return (loaded.report, loaded.timeline) if loaded else None

    def report_id_for_code(self, code: str) -> str | None:
        return self.codes.get(code)

    def record_comment(self, report, entry, expected_version: int, resend_key: str):
        from chalicelib.domain.errors import StaleReport

        markers = self.markers.setdefault(report.id, {})
        if resend_key in markers:
            return markers[resend_key], False
        if self.reports[report.id].version != expected_version:
            raise StaleReport(report.id)
        key = f"EVENT#{entry.at.isoformat()}#{report.version:04d}"
        self.reports[report.id] = report
        self.timelines[report.id].append(entry.model_copy(update={"key": key}))
        markers[resend_key] = key
        return key, True

    def _count(self, report_id: str, delta: int) -> None:
        report = self.reports[report_id]
        self.reports[report_id] = report.model_copy(
            update={"citizen_photos": report.citizen_photos + delta}
        )

    def add_photo(self, photo, counted: bool):
        from chalicelib.domain.errors import PhotoQuotaReached
        from chalicelib.domain.models import MAX_CITIZEN_PHOTOS

        existing = self.photos.get((photo.report_id, photo.id))
        if existing is not None:
            return existing
        if counted:
            if self.reports[photo.report_id].citizen_photos >= MAX_CITIZEN_PHOTOS:
                raise PhotoQuotaReached(photo.report_id)
            self._count(photo.report_id, +1)
        self.photos[(photo.report_id, photo.id)] = photo
        return photo

    def get_photo(self, report_id: str, photo_id: str):
        return self.photos.get((report_id, photo_id))

    def claim_photo(self, report_id: str, photo_id: str, now: datetime, stale: datetime) -> bool:
        photo = self.photos[(report_id, photo_id)]
        free = photo.state == "awaiting_upload" or (
            photo.state == "processing" and photo.processing_since < stale
        )
        if free:
            self.photos[(report_id, photo_id)] = photo.model_copy(
                update={"state": "processing", "processing_since": now}
            )
        return free

    def finish_photo(self, photo) -> None:
        current = self.photos[(photo.report_id, photo.id)]
        assert current.state == "processing", "finished without a claim"
        fields = ("state", "reason", "display_key", "thumb_key", "width", "height", "processed_at")
        changes = {k: getattr(photo, k) for k in fields if getattr(photo, k) is not None}
        self.photos[(photo.report_id, photo.id)] = current.model_copy(update=changes)
        if photo.state == "rejected" and photo.role == "before":
            self._count(photo.report_id, -1)

    def expire_unused_slots(self, report_id: str, created_before: datetime) -> int:
        released = 0
        for key, photo in list(self.photos.items()):
            unused = photo.state == "awaiting_upload" and photo.created_at < created_before
            if key[0] == report_id and photo.role == "before" and unused:
                self.photos[key] = photo.model_copy(update={"state": "expired"})
                self._count(report_id, -1)
                released += 1
        return released


class FakeCheckRequests:
    """``ports.CheckRequests``: the command centre's open requests for a closure check."""

    def __init__(self) -> None:
        self.open: dict[str, Any] = {}

    def request_check(self, request) -> bool:
        if request.report_id in self.open:
            return False
        self.open[request.report_id] = request
        return True

    def check_request(self, report_id: str):
        return self.open.get(report_id)

    def check_requests(self) -> list[Any]:
        return sorted(self.open.values(), key=lambda r: r.at)

    def close_check_request(self, report_id: str) -> None:
        self.open.pop(report_id, None)


class FakeMedia:
    """``ports.Media``: photo files in memory, with S3's limits and key layout."""

    MIN_BYTES, MAX_BYTES, SLOT_SECONDS = 1024, 10 * 1024 * 1024, 15 * 60

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}

    def upload_key(self, report_id: str, photo_id: str) -> str:
        return f"uploads/{report_id}/{photo_id}"

    def parse_upload_key(self, key: str):
        parts = key.split("/")
        return (parts[1], parts[2]) if len(parts) == 3 and parts[0] == "uploads" else None

    def derivative_keys(self, report_id: str, photo_id: str) -> tuple[str, str]:
        base = f"photos/{report_id}/{photo_id}"
        return f"{base}/display.jpg", f"{base}/thumb.jpg"

    def presigned_post(self, key: str, content_type: str = "image/jpeg") -> dict[str, Any]:
        return {"url": "https://fake-s3", "fields": {"key": key, "Content-Type": content_type}}

    def put_upload(self, key: str, data: bytes, content_type: str) -> None:
        self.objects[key] = (data, content_type)

    def head(self, key: str):
        if key not in self.objects:
            return None
        data, content_type = self.objects[key]
        return {"ContentLength": len(data), "ContentType": content_type}

    def read(self, key: str) -> bytes:
        return self.objects[key][0][: self.MAX_BYTES + 1]

    def put_derivative(self, key: str, data: bytes, sealed: bool = False) -> None:
        self.objects[key] = (data, "image/jpeg")
        self.sealed = getattr(self, "sealed", set()) | ({key} if sealed else set())

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def view_url(self, key: str) -> str:
        return f"https://fake-s3/{key}?signed"


class FakeProjects:
    """Projects in memory (the Projects port)."""

    def __init__(self) -> None:
        self.items: dict[str, Any] = {}
        self.progress: dict[str, dict[Any, Any]] = {}

    def project(self, project_id: str):
        return self.items.get(project_id)

    def projects_of_year(self, year: int, opd: str | None = None) -> list[Any]:
        found = [p for p in self.items.values() if p.fiscal_year == year]
        found = [p for p in found if opd is None or p.opd == opd]
        return sorted(found, key=lambda p: (p.opd, p.id))

    def create_projects(self, projects: list[Any]) -> None:
        from chalicelib.domain.errors import Conflict

        if any(p.id in self.items for p in projects):
            raise Conflict("some of these projects were stored meanwhile", code="projects_changed")
        self.items |= {p.id: p for p in projects}

    def progress_of(self, project_id: str) -> list[Any]:
        return sorted(self.progress.get(project_id, {}).values(), key=lambda p: p.week)

    def advance(self, project, expected_stage: str) -> bool:
        if self.items[project.id].stage != expected_stage:
            return False
        self.items[project.id] = self.items[project.id].model_copy(
            update={k: getattr(project, k) for k in ("stage", "pho_date", "fho_date")}
        )
        return True

    def add_progress(self, progress) -> bool:
        weeks = self.progress.setdefault(progress.project_id, {})
        if progress.week in weeks:
            return False
        weeks[progress.week] = progress
        from chalicelib.domain.projects import Reported

        latest = Reported(week=progress.week, physical=progress.physical,
                          financial=progress.financial)  # fmt: skip
        self.items[progress.project_id] = self.items[progress.project_id].model_copy(
            update={"reported": latest}
        )
        return True


class FakeInspections:
    """The shadow squad's inspections in memory (the Inspections port)."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Any] = {}

    def add_inspection(self, inspection) -> bool:
        key = (inspection.project_id, inspection.id)
        if key in self.items:
            return False
        self.items[key] = inspection
        return True

    def inspection(self, project_id: str, inspection_id: str):
        return self.items.get((project_id, inspection_id))

    def inspections(self, project_id: str | None = None) -> list[Any]:
        found = [i for (p, _), i in self.items.items() if project_id in (None, p)]
        return sorted(found, key=lambda i: (i.visited_on, i.at))


class FakeProposalStore:
    """``ports.ProposalStore``: proposals, codes, supporters and contacts in dicts."""

    def __init__(self) -> None:
        self.proposals: dict[str, Any] = {}
        self.codes: dict[str, str] = {}
        self.supporters: dict[str, set[str]] = {}
        self.contacts: dict[str, list[dict[str, Any]]] = {}

    def create_proposal(self, proposal: Any, contact: dict[str, Any] | None) -> None:
        from chalicelib.domain.errors import CodeTaken
        from chalicelib.domain.proposals import ProposalExists

        if proposal.id in self.proposals:
            raise ProposalExists(proposal.id)
        if proposal.code in self.codes:
            raise CodeTaken(proposal.code)
        self.proposals[proposal.id] = proposal.model_copy()
        self.codes[proposal.code] = proposal.id
        self.contacts[proposal.id] = [dict(contact)] if contact else []

    def get_proposal(self, proposal_id: str) -> Any:
        found = self.proposals.get(proposal_id)
        return found.model_copy() if found else None

    def proposal_id_for_code(self, code: str) -> str | None:
        return self.codes.get(code.upper())

    def save_proposal(self, proposal: Any, expected_version: int) -> bool:
        stored = self.proposals.get(proposal.id)
        if stored is None or stored.version != expected_version:
            return False
        self.proposals[proposal.id] = proposal.model_copy(update={"supporters": stored.supporters})
        return True

    def add_proposal_supporter(
        self, proposal_id: str, supporter_id: str, contact: dict[str, Any] | None, now: datetime
    ) -> bool:
        seen = self.supporters.setdefault(proposal_id, set())
        if supporter_id in seen or proposal_id not in self.proposals:
            return False
        seen.add(supporter_id)
        stored = self.proposals[proposal_id]
        counted = {"supporters": stored.supporters + 1}
        self.proposals[proposal_id] = stored.model_copy(update=counted)
        if contact:
            self.contacts[proposal_id].append(dict(contact))
        return True

    def proposals_in(self, status: str) -> list[Any]:
        found = [p for p in self.proposals.values() if p.status == status]
        return sorted((p.model_copy() for p in found), key=lambda p: (p.created_at, p.id))

    def proposal_contacts(self, proposal_id: str) -> list[dict[str, Any]]:
        return [dict(c) for c in self.contacts.get(proposal_id, [])]
