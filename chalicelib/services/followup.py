"""Use cases of follow-up (domain/followup.py): a squad asks the reporter and they
answer, a report moves to the right squad, its priority changes, the reporter
withdraws or rates it. Who may act on which report is decided here, per report.

A step retried by a phone on a flaky network finds itself already the report's
latest entry and changes nothing (200 with the report as it is, not a 409)."""

from __future__ import annotations

from chalicelib.domain import bodies, followup
from chalicelib.domain.bodies import Body
from chalicelib.domain.geo import Regency
from chalicelib.domain.lifecycle import staff_actor
from chalicelib.domain.models import Report, TimelineEntry
from chalicelib.domain.principals import Principal
from chalicelib.routing import SQUAD_CODES
from chalicelib.services import photos, places
from chalicelib.services.places import Place
from chalicelib.services.workflow import Workflow

PUBLIC_SQUADS = tuple(s for s in SQUAD_CODES if s != "shadow")


def _already(timeline: list[TimelineEntry], action: str, note: str | None, **same) -> bool:
    """Is the report's latest entry this very step (a retry of it)?"""
    if not timeline:
        return False
    last = max(timeline, key=lambda e: (e.at, e.key or ""))
    ends = same.pop("ends", None)
    said = last.note or ""
    if last.action != action or not (said.endswith(ends.strip()) if ends else
                                     said == (note or "").strip()):  # fmt: skip
        return False
    return all(getattr(last, k) == v for k, v in same.items())


class FollowUp(Workflow):
    # -- squads and the command centre ---------------------------------------
    def ask(self, report_id: str, who: Principal, question: str, *, public: bool) -> Report:
        loaded = self._load(report_id)
        report, actor = loaded.report, staff_actor(loaded.report, who)
        if _already(loaded.timeline, "ask", question, actor_id=who.id):
            return report
        change = followup.ask(
            report, actor=actor, actor_id=who.id, at=self.now(), question=question, public=public
        )
        return self._save(report, change)

    def transfer(self, report_id: str, who: Principal, to_squad: str, reason: str) -> Report:
        loaded = self._load(report_id)
        report, actor = loaded.report, staff_actor(loaded.report, who)
        change = followup.transfer(
            report,
            actor=actor,
            actor_id=who.id,
            at=self.now(),
            to_squad=to_squad,
            reason=reason,
            public_squads=PUBLIC_SQUADS,
        )
        return self._save(report, change)

    def reprioritise(self, report_id: str, who: Principal, priority: str, reason: str) -> Report:
        loaded = self._load(report_id)
        report, actor = loaded.report, staff_actor(loaded.report, who)
        if report.priority == priority and _already(
            loaded.timeline, "prioritise", None, actor_id=who.id, ends=f"-> {priority}: {reason}"
        ):
            return report  # the same change, retried
        change = followup.reprioritise(
            report, actor=actor, actor_id=who.id, at=self.now(), priority=priority, reason=reason
        )
        return self._save(report, change)

    def relocate(
        self, report_id: str, who: Principal, place: Place, regency: Regency, reason: str | None
    ) -> Report:
        """Put the report in its right kecamatan and desa (a guess made certain)."""
        loaded = self._load(report_id)
        report, actor = loaded.report, staff_actor(loaded.report, who)
        was = Place(report.district, report.village, report.district_approx)
        if was == place:
            return report  # nothing to correct, or the same correction retried
        note = f"{places.describe(regency, was)} -> {places.describe(regency, place)}"
        if reason and reason.strip():
            note += f": {reason.strip()}"
        change = followup.relocate(
            report, actor=actor, actor_id=who.id, at=self.now(), district=place.district or "",
            village=place.village, note=note,
        )  # fmt: skip
        return self._save(report, change)

    # -- outside bodies ------------------------------------------------------------
    def forward(self, report_id: str, who: Principal, body: Body | None, note: str) -> Report:
        loaded = self._load(report_id)
        report, actor = loaded.report, staff_actor(loaded.report, who)
        if report.status == "forwarded" and body and report.forwarded_to == body.code:
            return report  # a retry
        change = bodies.forward(
            report, body, actor=actor, actor_id=who.id, at=self.now(), note=note
        )
        return self._save(report, change)

    def settle(self, report_id: str, who: Principal, note: str, *, declined: bool) -> Report:
        """What the body did (the report closes), or that it declined (back to work)."""
        loaded = self._load(report_id)
        report, actor = loaded.report, staff_actor(loaded.report, who)
        action = "recall" if declined else "settle"
        if _already(loaded.timeline, action, note, actor_id=who.id):
            return report
        change = bodies.settle(
            report, declined=declined, actor=actor, actor_id=who.id, at=self.now(), note=note
        )
        return self._save(report, change)

    # -- the reporter ----------------------------------------------------------
    def _reporters(self, report_id: str, token: str | None):
        loaded = self._load(report_id)
        photos.check_reporter(loaded.report, token)
        return loaded

    def answer(self, report_id: str, token: str | None, text: str) -> Report:
        loaded = self._reporters(report_id, token)
        if _already(loaded.timeline, "answer", text):
            return loaded.report
        # as public as the question it answers
        asked = [e for e in loaded.timeline if e.action == "ask"]
        public = bool(asked) and max(asked, key=lambda e: e.at).public
        change = followup.answer(loaded.report, at=self.now(), text=text, public=public)
        return self._save(loaded.report, change)

    def answer_from(self, report_ids: list[str], text: str) -> Report | None:
        """Words from the number that filed these reports (WhatsApp, SMS: the channel
        vouches for the sender): the answer to the one awaiting it, if any."""
        for report_id in report_ids:
            loaded = self.store.load(report_id)
            if loaded is not None and loaded.report.status == "awaiting_info":
                asked = [e for e in loaded.timeline if e.action == "ask"]
                public = bool(asked) and max(asked, key=lambda e: e.at).public
                change = followup.answer(loaded.report, at=self.now(), text=text, public=public)
                return self._save(loaded.report, change)
        return None

    def withdraw(self, report_id: str, token: str | None, note: str | None) -> Report:
        loaded = self._reporters(report_id, token)
        if loaded.report.status == "withdrawn":
            return loaded.report  # a retry
        change = followup.withdraw(loaded.report, at=self.now(), note=note)
        return self._save(loaded.report, change)

    def rate(self, report_id: str, token: str | None, stars: int, note: str | None) -> Report:
        loaded = self._reporters(report_id, token)
        if loaded.report.rating == stars and _already(loaded.timeline, "rate", note, stars=stars):
            return loaded.report
        change = followup.rate(loaded.report, at=self.now(), stars=stars, note=note)
        return self._save(loaded.report, change)
