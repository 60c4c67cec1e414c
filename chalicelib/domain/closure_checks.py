"""The closure check as the apps draw it: offered by the staff API only to those
who check (and the command centre), so no file anyone can load describes it."""

from __future__ import annotations

from chalicelib.domain.models import Ask, CheckRequest, Offer, OfferChoice, Report, TimelineEntry

CHECKABLE = ("resolved", "closed")


def checkable(report: Report) -> bool:
    return not report.covert and report.status in CHECKABLE


def still_asked(asked: CheckRequest, report: Report, timeline: list[TimelineEntry]) -> bool:
    """Whether a request still stands: its report is checkable and has not left
    resolved/closed since it was asked (disputed, reopened and resolved again is a
    new closure, not the one the command centre asked about)."""
    return checkable(report) and not any(
        e.at > asked.at and e.to_status not in CHECKABLE for e in timeline
    )


def asked_words(asked: CheckRequest) -> tuple[str, str]:
    """What the checker's app shows of a request: who asked, and their words."""
    said = f": {asked.note}" if asked.note else ""
    return f"Diminta Pusat Komando{said}", f"Asked for by the command centre{said}"


def check_offer(report: Report, asked: CheckRequest | None = None) -> Offer:
    """The check as an offer; ``asked``: the command centre's request, shown with it."""
    context_id, context_en = asked_words(asked) if asked else (None, None)
    return Offer(
        context_id=context_id,
        context_en=context_en,
        title_id="Periksa hasil di lapangan",
        title_en="Check the result on the spot",
        path=f"reports/{report.id}/shadow-checks",
        field="verdict",
        choices=[
            OfferChoice(value="fixed", name_id="Sudah beres", name_en="Fixed"),
            OfferChoice(value="not_fixed", name_id="Belum beres", name_en="Not fixed"),
        ],
        photo_path=f"reports/{report.id}/check-photos",
        photo_label_id="Foto pemeriksaan",
        photo_label_en="Check photo",
    )


def check_ask(report: Report, asked: CheckRequest | None = None) -> Ask:
    """The command centre's side: ask for the check, or see that it was asked."""
    return Ask(
        title_id="Minta pemeriksaan lapangan",
        title_en="Ask for an on-the-spot check",
        note_label_id="Yang perlu diperiksa (boleh kosong)",
        note_label_en="What to look at (optional)",
        path=f"command/reports/{report.id}/check-requests",
        asked_id="Pemeriksaan lapangan diminta" if asked else None,
        asked_en="On-the-spot check asked for" if asked else None,
        asked_at=asked.at if asked else None,
        asked_note=asked.note if asked else None,
    )
