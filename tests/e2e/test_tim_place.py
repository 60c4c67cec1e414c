"""Every report has its place (issue #36), in the squads' app: a report filed by GPS
alone is in its kecamatan's filter, marked "perkiraan" on its card and page, and the
squad member corrects the kecamatan and desa on the spot (on the timeline)."""

from __future__ import annotations

import re

import pytest

from .conftest import wait_for
from .test_tim_app import ARTEFACTS, new_report, phone, signed_in, staff_view

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def tim(runner):
    return runner


def test_a_guessed_kecamatan_is_shown_as_such_and_the_squad_corrects_it(browser, tim):
    report = new_report(tim, "jalan_rusak", -8.05020, 111.71030)  # GPS only, no kecamatan
    context = phone(browser)
    page, errors = signed_in(context, tim, "tim-orange")
    page.locator("#queue li").first.wait_for()
    # the kecamatan filter keeps it (it had none before), its card says it is a guess
    page.get_by_label("Kecamatan").select_option("trenggalek")
    card = page.locator("#queue li").filter(has_text=report["code"])
    card.wait_for()
    assert "Trenggalek (perkiraan)" in card.inner_text()
    page.get_by_role("link", name=re.compile(report["code"])).click()
    page.locator("#report").get_by_text("Trenggalek (perkiraan)").wait_for()
    page.get_by_text("Ubah lokasi (kecamatan, desa)").click()
    page.get_by_label("Kecamatan", exact=True).last.select_option("pogalan")
    page.locator("#place-village").select_option(label="Ngadirenggo")
    page.get_by_label("Keterangan (tidak wajib)").fill("Dicek di lokasi")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "tim-place.png"), full_page=True)
    page.get_by_role("button", name="Simpan lokasi").click()
    page.locator("#report").get_by_text("Pogalan, Desa Ngadirenggo", exact=True).wait_for()
    page.locator("#report").get_by_text("Lokasi dikoreksi").wait_for()  # on the timeline
    # no longer a guess: only the timeline remembers the old place
    assert page.locator("#report").get_by_text("Trenggalek (perkiraan)", exact=True).count() == 0
    seen = wait_for(lambda: staff_view(tim, report["id"]), 10)
    assert (seen["district"], seen["village"], seen["district_approx"]) == (
        "pogalan", "35.03.12.2003", False,
    )  # fmt: skip
    assert not errors
    context.close()
