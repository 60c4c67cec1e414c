"""Use cases of the squad workflow: claim, progress, resolve with an after-photo,
reject; the reporter's confirm and dispute; auto-close and escalation. Who may act
on which report is decided here, per report."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain import identifiers, lateness, lifecycle, workdays
from chalicelib.domain.closure_checks import CHECKABLE
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound, StaleReport
from chalicelib.domain.geo import distance_m as distance_m  # re-exported: its callers
from chalicelib.domain.models import PhotoRole, Report, ShadowCheck
from chalicelib.domain.principals import Forbidden, Principal
from chalicelib.routing import SQUAD_CODES, Catalogue
from chalicelib.services import photos
from chalicelib.services.ports import Media, WorkflowStore

log = logging.getLogger("kawal.workflow")
AFTER_PHOTO_MAX_DISTANCE_M = 100
AUTO_CLOSE_AFTER = timedelta(days=7)
AUTO_CLOSE_NOTE = "ditutup otomatis: tanpa keberatan 7 hari / closed: no objection in 7 days"


def _named_photo(report_id: str, photo_id: str | None, client_photo_id: Any) -> str | None:
    """The photo a step names: by our id, or by the phone's own (a phone that queued
    the photo and the step offline knows only its id; ours follows from it)."""
    if photo_id is None and client_photo_id is not None:
        return photos.photo_id_for(report_id, client_photo_id)
    return photo_id


class Workflow:
    def __init__(
        self,
        *,
        store: WorkflowStore,
        catalogue: Catalogue,
        media: Media,
        now: Callable[[], datetime],
    ):
        self.store, self.catalogue, self.media, self.now = store, catalogue, media, now
        self.action_id: str | None = None

    def once(self, action_id: Any) -> Workflow:
        """The same use cases, each step saved once per ``action_id`` (the phone's own
        id for it): a retry after a lost answer finds it done instead of a 409."""
        self.action_id = str(action_id) if action_id is not None else None
        return self

    def done_before(self, report_id: str, who: Principal) -> bool:
        """Did ``who`` already make the step with this action id (a retry)?"""
        if self.action_id is None:
            return False
        first = self.store.action_done(report_id, self.action_id)
        return first is not None and first.get("actor_id") == who.id

    def _load(self, report_id: str) -> Any:
        loaded = self.store.load(report_id)
        if loaded is None:
            raise NotFound(f"no report {report_id!r}", code="report_not_found")
        return loaded

    def _save(self, report: Report, change: lifecycle.Change) -> Report:
        try:
            self.store.record_transition(
                change.report, change.entry, report.version, action_id=self.action_id
            )
        except StaleReport:
            # the same step, sent twice at once (a retry racing its first): one answer
            first = self.action_id and self.store.action_done(report.id, self.action_id)
            if first and first.get("actor_id") == change.entry.actor_id:
                return change.report
            raise Conflict(
                "the report changed meanwhile (someone else acted first); reload it",
                [{"status": report.status}],
                code="changed_meanwhile",
            ) from None
        return change.report

    # -- squads and the command centre ---------------------------------------
    def staff_action(
        self,
        report_id: str,
        action: str,
        who: Principal,
        *,
        note: str | None = None,
        reason: str | None = None,
        photo_id: str | None = None,
        client_photo_id: Any = None,
    ) -> Report:
        loaded = self._load(report_id)
        report = loaded.report
        actor = lifecycle.staff_actor(report, who)
        updates: dict[str, Any] = {}
        if action == "resolve":
            photo_id = _named_photo(report.id, photo_id, client_photo_id)
            photo = next((p for p in loaded.photos if p.id == photo_id), None)
            if photo is None or photo.role != "after":
                raise InvalidInput(
                    "resolving needs the after-photo of the fix (POST …/after-photos first)",
                    [{"field": "photo_id"}],
                    code="after_photo_required",
                )
            if photo.state != "ready":
                raise Conflict(f"the after-photo is {photo.state}", code="after_photo_not_ready")
            if photo.lat is not None and photo.lon is not None:
                updates["after_photo_distance_m"] = round(
                    distance_m(report.lat, report.lon, photo.lat, photo.lon), 1
                )
        change = lifecycle.apply(
            report,
            action,
            actor=actor,
            actor_id=who.id,
            at=self.now(),
            note=note,
            reason=reason,
            photo_id=photo_id,
        )
        if updates:
            change = lifecycle.Change(change.report.model_copy(update=updates), change.entry)
        return self._save(report, change)

    # -- the command centre ------------------------------------------------------
    def remind(self, report_id: str, who: Principal, note: str | None) -> Report:
        """Tell the squad the command centre is watching (a high-priority message)."""
        report = self._command_only(report_id, who)
        change = lifecycle.remind(report, actor_id=who.id, at=self.now(), note=note)
        return self._save(report, change)

    def reassign(self, report_id: str, who: Principal, member: Principal) -> Report:
        """Hand a report being worked to another member of its squad."""
        report = self._command_only(report_id, who)
        if member.role != "squad" or member.squad != report.squad:
            raise InvalidInput(
                f"{member.id} is not a member of the report's squad", code="not_squad_member"
            )
        change = lifecycle.reassign(report, actor_id=who.id, at=self.now(), member=member.id)
        return self._save(report, change)

    def _command_only(self, report_id: str, who: Principal) -> Report:
        report = self._load(report_id).report
        if who.role != "command":
            lifecycle.staff_actor(report, who)  # 404 for a covert report, as everywhere
            raise Forbidden("only the command centre reminds squads and reassigns reports")
        return report

    def photo_slot(
        self,
        report_id: str,
        who: Principal,
        role: PhotoRole,
        *,
        lat: float,
        lon: float,
        client_photo_id: Any,
        content_type: str = "image/jpeg",
        inline: bytes | None = None,
    ) -> tuple[Any, bool]:
        """A presigned POST for a squad's after-photo (report being worked) or a shadow
        check's photo (report resolved), with where the phone took it; or, ``inline``,
        the photo itself, put where the upload would land (one call to queue offline)."""
        if role == "after":
            report = self._load(report_id).report
            lifecycle.staff_actor(report, who)
            if report.status not in ("accepted", "in_progress"):
                raise Conflict(
                    f"after-photos are for reports being worked; this one is {report.status}",
                    code="report_not_in_progress",
                )
        else:
            report = self._checkable(report_id, who).report
        photo_id = photos.photo_id_for(report.id, client_photo_id)
        wanted = photos.new_photo(
            report.id,
            photo_id,
            role,
            self.now(),
            self.media,
            lat=lat,
            lon=lon,
            content_type=content_type,
        )
        # squads' photos are not capped; a covert report's or a check's place is sealed
        sealed = report.covert or role == "check"
        photo = self.store.add_photo(wanted, counted=False, sealed=sealed)
        slot = photos.slot_for(photo, self.media)
        if inline is not None and photo.state == "awaiting_upload":
            photos.store_inline(photo, inline, content_type, self.media)
            slot = slot.model_copy(update={"upload": None})
        return slot, photo.created_at == wanted.created_at

    # -- the shadow squad --------------------------------------------------------
    def _checkable(self, report_id: str, who: Principal) -> Any:
        loaded = self._load(report_id)
        if who.role not in ("shadow", "command"):  # absent, like an unknown report
            raise NotFound(f"no report {report_id!r}", code="report_not_found")
        if loaded.report.status not in CHECKABLE:
            raise Conflict(
                f"only resolved or closed reports are checked; this one is {loaded.report.status}",
                code="report_not_resolved",
            )
        return loaded

    def shadow_check(
        self,
        report_id: str,
        who: Principal,
        *,
        verdict: str,
        note: str | None,
        photo_id: str | None,
        client_photo_id: Any = None,
    ) -> ShadowCheck:
        """Covertly check a closure: fixed or not fixed, with a photo if taken."""
        loaded = self._checkable(report_id, who)
        photo_id = _named_photo(loaded.report.id, photo_id, client_photo_id)
        if photo_id is not None:
            photo = next((p for p in loaded.photos if p.id == photo_id and p.role == "check"), None)
            if photo is None:
                raise InvalidInput("no such check photo on this report", code="check_photo_unknown")
        check = ShadowCheck(
            report_id=loaded.report.id,
            at=self.now(),
            verdict=verdict,  # type: ignore[arg-type]
            checker=who.id,
            note=note,
            photo_id=photo_id,
        )
        self.store.add_check(check)
        return check

    # -- duplicates and support -------------------------------------------------
    def support(
        self,
        report_id: str,
        client_support_id: Any,
        contact: dict | None,
        *,
        device_hash: str | None = None,
        reporter_token: str | None = None,
    ) -> tuple[bool, int]:
        """A citizen's +1 on an open report; with a contact they get its outcome too.
        One support per phone number, else per registered device, else per client id
        (a second one from the same person is a retry); never on one's own report.
        Returns whether it was new and how many supporters the report has now."""
        report = self._load(report_id).report
        if report.covert:
            raise NotFound(f"no report {report_id!r}", code="report_not_found")
        lifecycle.require_open(
            report,
            "Laporan ini sudah ditutup; dukungan tidak bisa ditambahkan",
            "this report is closed; it takes no more support",
        )
        own = reporter_token and identifiers.token_matches(reporter_token, report.token_hash)
        if own or (device_hash and device_hash == report.device_hash):
            raise Conflict("you filed this report; it counts you already", code="own_report")
        phone = (contact or {}).get("phone")
        who = f"phone:{phone}" if phone else f"device:{device_hash}" if device_hash else None
        supporter = photos.photo_id_for(report.id, who or client_support_id)  # stable per retry
        created = self.store.add_supporter(report.id, supporter, contact, self.now())
        return created, report.supporters + int(created)

    def merge(
        self,
        duplicate_id: str,
        into: str,
        who: Principal,
        resolve: Callable[[str], str] = lambda report_id: report_id,
    ) -> Report:
        """Fold a duplicate into its original (``into``: an id, or a code ``resolve``d
        to an id by the route): the duplicate is rejected as a duplicate with a link, its reporter
        and supporters become the original's supporters."""
        duplicate = self._load(duplicate_id).report
        # the caller's right to the source first: whoever may not work it learns nothing
        # of the target; a covert target answers like an unknown one (never 403)
        actor = lifecycle.staff_actor(duplicate, who)
        try:
            original = self._load(resolve(into)).report
            lifecycle.staff_actor(original, who)
        except NotFound:
            raise NotFound(f"no report {into!r}", code="report_not_found") from None
        if duplicate.id == original.id:
            raise InvalidInput("a report cannot be merged into itself", code="merge_into_self")
        if duplicate.covert != original.covert:
            # A merge shows each report's code in the other's views, timeline and
            # supporter count: across the covert line it would leave a public trace.
            raise Conflict(
                "a covert report and a public one cannot be merged", code="merge_across_covert_line"
            )
        lifecycle.require_open(
            original,
            "Laporan asal sudah ditutup; tidak bisa menjadi tujuan penggabungan",
            "the original is closed; nothing can be merged into it",
            code="original_closed",
        )
        change = lifecycle.apply(
            duplicate,
            "reject",
            actor=actor,
            actor_id=who.id,
            at=self.now(),
            note=f"digabung ke / merged into {original.code}",
            reason="duplicate",
        )
        merged = change.report.model_copy(
            update={"merged_into": original.id, "merged_into_code": original.code}
        )
        try:
            self.store.merge(merged, change.entry, original.id, 1 + duplicate.supporters)
        except StaleReport:
            raise Conflict(
                "the report changed meanwhile, or was merged already", code="changed_meanwhile"
            ) from None
        return merged

    # -- the reporter ----------------------------------------------------------
    def citizen_action(
        self, report_id: str, action: str, token: str | None, *, note: str | None = None
    ) -> Report:
        loaded = self._load(report_id)
        report = loaded.report
        photos.check_reporter(report, token)
        change = lifecycle.apply(
            report,
            action,
            actor="citizen",
            actor_id=None,  # the reporter's identity never enters the timeline
            at=self.now(),
            note=note,
            resolved_at=report.resolved_at,
        )
        if action == "dispute":
            # back in the squad's queue with a fresh response target
            due = workdays.respond_by(self.catalogue.label(report.label), change.entry.at)
            change = lifecycle.Change(
                change.report.model_copy(update={"sla_due_at": due}), change.entry
            )
        return self._save(report, change)

    # -- on a schedule ---------------------------------------------------------
    def _every(self, squad: str, status: str, page: int) -> Any:
        """Every report of a squad in a status, page by page (however long the backlog:
        escalated reports stay in it, so a first page alone would hide the rest)."""
        start, queue = None, self.store.squad_queue(squad, status)
        while True:
            items, start = self.store.read(queue, limit=page, start=start)
            yield from self.store.reports_from(items)
            if not start:
                return

    def housekeeping(self, limit: int = 200) -> dict[str, int]:
        """Close resolutions nobody disputed in 7 days; flag overdue reports once
        (the timeline entry makes dispatch tell the command centre). ``limit`` is
        the page size."""
        now = self.now()
        counts = {"closed": 0, "escalated": 0}
        for squad in SQUAD_CODES:
            for report in self._every(squad, "resolved", limit):
                if report.resolved_at and now - report.resolved_at >= AUTO_CLOSE_AFTER:
                    change = lifecycle.apply(
                        report,
                        "auto_close",
                        actor="system",
                        actor_id=None,
                        at=now,
                        note=AUTO_CLOSE_NOTE,
                    )
                    try:
                        self.store.record_transition(change.report, change.entry, report.version)
                        counts["closed"] += 1
                    except StaleReport:
                        pass  # the reporter acted meanwhile
            for status in ("submitted", "reopened"):
                for report in self._every(squad, status, limit):
                    if report.escalated_at is None and lateness.is_late(report, now):
                        entry = lifecycle.overdue_entry(report, now)
                        if self.store.mark_escalated(report, entry):
                            counts["escalated"] += 1
        return counts
