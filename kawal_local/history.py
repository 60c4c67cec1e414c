"""A regency's last weeks, so the command centre means something on first start:
``KAWAL_SEED_DAYS`` (60 by default) of reports over the 14 kecamatan and every squad,
filed and followed up through the real services — the report service, the workflow
and its status machine, merges, shadow checks, escalation — each step at its own
moment on an injected clock.

The story is drawn, not scripted (one seed, so every start tells the same one):
squads answer at their own pace (white fast, orange and red slow, one orange member
much slower than the others), some reports are rejected, disputed and reopened,
merged into an earlier one, left overdue and escalated; the shadow squad re-checks
some closures and finds a few not fixed. After-photos are one shared picture stored
once (processing thousands would only time Pillow).
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.adapters import media
from chalicelib.domain import geo, lifecycle
from chalicelib.domain.errors import Conflict, KawalError, StaleReport
from chalicelib.domain.models import Photo, ReportIn
from chalicelib.domain.principals import Principal
from chalicelib.routing import Catalogue, load_catalogue
from chalicelib.services import reports
from chalicelib.services.followup import FollowUp
from chalicelib.storage import ReportStore
from kawal_local.history_cast import (
    DISTRICT_WEIGHT,
    MEMBERS,
    PACE,
    PER_DAY,
    RECURRING,
    SLOW_MEMBER,
    SQUAD_WEIGHT,
    WORDS,
)

log = logging.getLogger("kawal.history")
SHARED_AFTER_PHOTO = "derived/seed/after.jpg", "derived/seed/after-thumb.jpg"


class Clock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at


@dataclass
class Seeded:
    reports: int = 0
    steps: int = 0
    seconds: float = 0.0


def _hours(rng: random.Random, median: float, spread: float = 0.7) -> timedelta:
    return timedelta(hours=median * math.exp(rng.gauss(0, spread)))


class History:
    def __init__(
        self, days: int, now: datetime, seed: int = 2026, every_day: Any = lambda: None
    ) -> None:
        self.days, self.now, self.rng = days, now, random.Random(seed)
        self.catalogue: Catalogue = load_catalogue()
        self.regency = geo.load_regency()
        self.store = ReportStore()
        self.clock = Clock()
        self.workflow = FollowUp(
            store=self.store, catalogue=self.catalogue, media=media, now=self.clock
        )
        self.done = Seeded()
        self.every_day = every_day  # e.g. drop the stream records written so far
        self.open_by_place: dict[tuple[str, str], list[tuple[str, datetime]]] = {}

    # -- one report's life --------------------------------------------------------
    def _at(self, when: datetime) -> bool:
        """Move the clock; False when that moment has not come yet."""
        if when >= self.now:
            return False
        self.clock.at = when
        return True

    def _step(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            result = call(*args, **kwargs)
        except (Conflict, StaleReport):
            return None
        self.done.steps += 1
        return result

    def _after_photo(self, report_id: str, at: datetime) -> str:
        photo = Photo(
            id=f"seed-after-{uuid.UUID(int=self.rng.getrandbits(128)).hex[:16]}",
            report_id=report_id,
            role="after",
            state="ready",
            upload_key=f"uploads/{report_id}/seed",
            display_key=SHARED_AFTER_PHOTO[0],
            thumb_key=SHARED_AFTER_PHOTO[1],
            width=800,
            height=600,
            created_at=at,
            processed_at=at,
        )
        return self.store.add_photo(photo, counted=False).id

    def _work(
        self, report_id: str, member: Principal, start: datetime, slow: float
    ) -> datetime | None:
        """claim → progress → resolve, from ``start``; the resolution time, or None
        when the story stops before (it is still being worked now)."""
        rng = self.rng
        if (
            not self._at(start)
            or self._step(self.workflow.staff_action, report_id, "claim", member) is None
        ):
            return None
        at = start + _hours(rng, 2 * slow)
        if (
            not self._at(at)
            or self._step(self.workflow.staff_action, report_id, "progress", member) is None
        ):
            return None
        at += _hours(rng, 18 * slow, 0.8)
        if not self._at(at):
            return None
        photo = self._after_photo(report_id, at - timedelta(minutes=20))
        notes = ["Sudah ditangani.", "Selesai dikerjakan bersama warga.", "Sudah diperbaiki."]
        done = self._step(
            self.workflow.staff_action,
            report_id,
            "resolve",
            member,
            note=rng.choice(notes),
            photo_id=photo,
        )
        return at if done is not None else None

    def _escalate_if_late(self, report_id: str, due: datetime, answered: datetime | None) -> None:
        if (answered is None or answered > due) and due < self.now:
            found = self.store.load(report_id)
            if found and found.report.status in ("submitted", "reopened"):
                entry = lifecycle.overdue_entry(found.report, due + timedelta(minutes=15))
                self.store.mark_escalated(found.report, entry)
                self.done.steps += 1

    def _close_or_dispute(self, report_id: str, token: str, resolved: datetime, squad: str) -> bool:
        """What the reporter does after a fix; True when it was reopened."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.07 + (0.06 if squad == "orange" else 0):  # "it is not fixed"
            if self._at(resolved + _hours(rng, 20)):
                self._step(
                    self.workflow.citizen_action,
                    report_id,
                    "dispute",
                    token,
                    note="Belum beres, masih sama.",
                )
                return True
        elif roll < 0.45:
            if self._at(resolved + _hours(rng, 10)):
                self._step(self.workflow.citizen_action, report_id, "confirm", token)
                self._rate(report_id, token)
        else:
            self._auto_close(report_id, resolved)
        return False

    def _rate(self, report_id: str, token: str) -> None:
        """Most who confirm also give stars; the slow members' reporters fewer."""
        if self.rng.random() > 0.7:
            return
        found = self.store.load(report_id)
        slow = found is not None and found.report.assignee in SLOW_MEMBER
        stars = self.rng.choice([1, 2, 2, 3, 4] if slow else [3, 4, 4, 5, 5, 5])
        note = (
            "Lama sekali ditangani."
            if stars <= 2
            else "Terima kasih, cepat."
            if stars == 5
            else None
        )
        self._step(self.workflow.rate, report_id, token, stars, note)

    def _auto_close(self, report_id: str, resolved: datetime) -> None:
        """Nobody answered the fix: closed after the 7 days to dispute it."""
        if resolved + lifecycle.DISPUTE_WINDOW >= self.now:
            return
        found = self.store.load(report_id)
        if found and found.report.status == "resolved":
            at = resolved + lifecycle.DISPUTE_WINDOW + timedelta(minutes=5)
            change = lifecycle.apply(
                found.report, "auto_close", actor="system", actor_id=None, at=at,
                note="ditutup otomatis setelah 7 hari",
            )  # fmt: skip
            self._step(
                self.store.record_transition, change.report, change.entry, found.report.version
            )

    def _shadow_check(self, report_id: str, at: datetime, member: str) -> None:
        if not self._at(at):
            return
        failing = self.rng.random() < (0.45 if member in SLOW_MEMBER else 0.1)
        self._step(
            self.workflow.shadow_check,
            report_id,
            Principal("shadow", "bayangan", "shadow"),
            verdict="not_fixed" if failing else "fixed",
            note="Dicek di lokasi." if not failing else "Di lokasi belum diperbaiki.",
            photo_id=None,
        )

    def one(self, created: datetime, spot: tuple | None = None) -> None:
        """One report; at a ``RECURRING`` spot (within ~20 m of it) when given."""
        rng = self.rng
        squad = rng.choices(list(SQUAD_WEIGHT), weights=list(SQUAD_WEIGHT.values()))[0]
        label = rng.choice([lb for lb in self.catalogue.labels if lb.squad == squad])
        district_code = rng.choices(list(DISTRICT_WEIGHT), weights=list(DISTRICT_WEIGHT.values()))[
            0
        ]
        near = (rng.uniform(-0.012, 0.012), rng.uniform(-0.012, 0.012))
        if spot is not None:
            found = self.catalogue.label(spot[0])
            if found is None:
                return
            label, squad, district_code = found, found.squad, spot[1]
            near = (spot[2] + rng.uniform(-2e-4, 2e-4), spot[3] + rng.uniform(-2e-4, 2e-4))
        district = self.regency.district(district_code)
        if district is None:
            return
        self._at(created)
        data = ReportIn(
            client_report_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            label=label.code,
            lat=round(district.lat + near[0], 6),
            lon=round(district.lon + near[1], 6),
            district=district_code,
            description=f"{label.name_id} di Kec. {district.name}. {rng.choice(WORDS)}".strip(),
        )
        stored, _, token = reports.submit(
            data, store=self.store, catalogue=self.catalogue, regency=self.regency,
            now=self.clock, source="seed",
        )  # fmt: skip
        self.done.reports += 1
        report = stored.report
        place = (label.code, district_code)
        if squad == "shadow":
            self._covert(report.id, created, label.sla_hours)
            return
        # a second report of the same problem, soon after: merged into the first
        earlier = [
            r for r in self.open_by_place.get(place, []) if created - r[1] < timedelta(days=2)
        ]
        members = MEMBERS[squad]
        member_id = rng.choice(members)
        member = Principal("squad", member_id, squad)
        slow = SLOW_MEMBER.get(member_id, 1.0)
        merging = earlier and rng.random() < 0.5 and self._at(created + _hours(rng, 3))
        if merging and self._step(self.workflow.merge, report.id, earlier[0][0], member):
            return  # (when the earlier one was dealt with meanwhile, this one lives on)
        self.open_by_place.setdefault(place, []).append((report.id, created))
        if rng.random() < 0.07:  # not the regency's to fix, or not a problem
            reason = rng.choice(
                ["other_authority", "other_authority", "not_a_problem", "outside_regency"]
            )
            if self._at(created + _hours(rng, 6)):
                note = "Diteruskan ke instansi terkait." if reason == "other_authority" else None
                self._step(
                    self.workflow.staff_action,
                    report.id,
                    "reject",
                    member,
                    reason=reason,
                    note=note,
                )
            return
        answer = created + _hours(rng, label.sla_hours * PACE[squad] * slow, 0.6)
        if rng.random() < 0.03:
            answer += timedelta(days=rng.uniform(3, 20))  # forgotten: overdue, escalated
        self._escalate_if_late(
            report.id,
            created + timedelta(hours=label.sla_hours),
            answer if answer < self.now else None,
        )
        resolved = self._work(report.id, member, answer, slow)
        if resolved is None:
            return
        if self._close_or_dispute(report.id, token, resolved, squad):
            again = self.clock.at + _hours(rng, label.sla_hours * PACE[squad] * slow * 0.5)
            resolved = self._work(report.id, member, again, slow)
            if resolved is not None:
                self._close_or_dispute(report.id, token, resolved, "")
        if resolved is not None and rng.random() < 0.12:
            self._shadow_check(report.id, resolved + _hours(rng, 48), member_id)

    def _covert(self, report_id: str, created: datetime, sla_hours: int) -> None:
        """A covert report: worked from the regent's command centre, its only staff."""
        member = Principal("command", "komando")
        answer = created + _hours(self.rng, sla_hours * 0.5)
        resolved = self._work(report_id, member, answer, 1.0)
        if resolved is not None:
            self._auto_close(report_id, resolved)

    def run(self) -> Seeded:
        started = time.monotonic()
        media.put_derivative(SHARED_AFTER_PHOTO[0], _shared_photo(800, 600))
        media.put_derivative(SHARED_AFTER_PHOTO[1], _shared_photo(240, 180))
        first = (self.now - timedelta(days=self.days)).replace(minute=0, second=0, microsecond=0)
        moments = []
        for day in range(self.days):
            # a little more each week, busier on weekdays, by daylight in WIB
            base = first + timedelta(days=day)
            count = int(
                PER_DAY
                * (0.8 + 0.4 * day / max(1, self.days))
                * (0.7 if base.weekday() >= 5 else 1)
            )
            for _ in range(self.rng.randint(int(count * 0.8), int(count * 1.2))):
                wib_hour = min(23.5, max(5.0, self.rng.gauss(11, 3.5)))
                moments.append((base.replace(hour=0) + timedelta(hours=wib_hour - 7), None))
        for spot in RECURRING:  # a few reports more: the default seed stays fast
            for day in range(2, self.days, spot[4]):
                moments.append((first + timedelta(days=day, hours=2), spot))
        # each filed report's metric line (EMF on stdout) would bury the console
        with contextlib.redirect_stdout(io.StringIO()):
            day = None
            for created, spot in sorted(
                (m for m in moments if m[0] < self.now), key=lambda m: m[0]
            ):
                if day is not None and created.date() != day:
                    self.every_day()
                day = created.date()
                try:
                    self.one(created, spot)
                except KawalError as exc:  # one odd draw never stops the seeding
                    log.warning("seeding skipped a step: %s", exc)
            # what the schedule would have done by now: close what nobody disputed,
            # escalate what is late (before the stream is trimmed: no message flood)
            self.clock.at = self.now
            self.workflow.housekeeping()
        self.done.seconds = round(time.monotonic() - started, 1)
        return self.done


def _shared_photo(width: int, height: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (120, 150, 110))
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 8, height // 2, width * 7 // 8, height * 3 // 4), fill=(90, 90, 95))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


def seed_history(days: int, now: datetime | None = None, every_day: Any = None) -> Seeded:
    """``days`` of history ending now (or at ``now``); ``every_day`` is called between
    the seeded days."""
    return History(days, now or datetime.now(UTC), every_day=every_day or (lambda: None)).run()
