"""The command centre's "Evaluasi" (issue #38): drawn by the page from
GET /command/evaluation, axe clean, and printed to A4 by Chromium with no control on
paper. Debian's Chromium, driven by Playwright, against the local runner with a week
of seeded history."""

from __future__ import annotations

import re

import pytest

from .conftest import Runner
from .test_command_centre import serious_violations
from .test_command_centre_first_screen import board

pytestmark = pytest.mark.e2e
WALL = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def centre():
    runner = Runner(history_days=7)
    try:
        runner.wait_ready(300)  # seeding a week takes minutes on a busy shared machine
        yield runner
    finally:
        runner.stop()


def opened(browser, centre):
    page = board(browser, centre, WALL)
    page.click("#evaluasi-open")
    page.wait_for_selector("#evaluasi:not([hidden]) #evaluasi-title")
    return page


def test_the_evaluation_is_drawn_and_prints_to_a4_without_controls(browser, centre):
    page = opened(browser, centre)
    body = page.inner_text("#evaluasi-body")
    for heading in ("Pemakaian", "Respons per tim", "Anggota tim", "Masalah berulang"):
        assert heading in body
    assert "separuh" in body  # the flag rule, written on the page
    bars = page.locator("#evaluasi-body svg.eval-chart rect")
    assert bars.count() == 6  # six months by default, one bar each
    assert page.eval_on_selector("#eval-from", "n => n.value")  # the period it shows
    assert serious_violations(page) == []

    page.emulate_media(media="print")
    controls = page.locator("button, input, select")
    shown = [
        controls.nth(i).inner_text()
        for i in range(controls.count())
        if controls.nth(i).is_visible()
    ]
    assert shown == []  # no control printed, not even the board's behind it
    assert not page.is_visible("#board")
    pdf = page.pdf(format="A4", print_background=False)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 6, pages


def test_a_bad_period_says_so_in_bahasa(browser, centre):
    page = opened(browser, centre)
    page.fill("#eval-from", "2026-06")
    page.fill("#eval-to", "2026-01")
    page.click("#eval-period button[type=submit]")
    page.wait_for_selector("#evaluasi-body [role=alert]")
    assert "tidak sesudah" in page.inner_text("#evaluasi-body")
