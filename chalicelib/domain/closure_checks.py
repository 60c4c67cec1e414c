"""The closure check as the apps draw it: offered by the staff API only to those
who check (and the command centre), so no file anyone can load describes it."""

from __future__ import annotations

from chalicelib.domain.models import Offer, OfferChoice, Report

CHECKABLE = ("resolved", "closed")


def checkable(report: Report) -> bool:
    return not report.covert and report.status in CHECKABLE


def check_offer(report: Report) -> Offer:
    return Offer(
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
