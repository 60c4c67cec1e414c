"""Usul (issue #39) in a real browser: a citizen proposes from a phone, a bad form is
explained in Bahasa and stores nothing new, Bappeda accepts it, the board shows it and
takes one support per phone; axe-clean at phone and wall sizes."""

from __future__ import annotations

import re

import pytest
import requests

from .conftest import sign_in

pytestmark = pytest.mark.e2e
PHONE = {"width": 360, "height": 640}
WALL = {"width": 1920, "height": 1080}
CODE = re.compile(r"USL-[0-9A-Z]{6}")


def _serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_citizen_proposes_bappeda_accepts_and_the_board_takes_support(browser, runner):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{runner.base}/lapor/")
    page.get_by_role("link", name="Usul").click()
    page.get_by_role("heading", name="Usul", exact=True).wait_for()
    # `make run`'s season: accepted ones on the board, most supported first
    page.locator("#papan-list li").first.filter(has_text="Jembatan gantung").wait_for()
    assert not _serious(page)

    page.get_by_label("Judul singkat").fill("Lam")  # too short, no kecamatan
    page.get_by_role("button", name="Kirim usulan").click()
    page.locator("#usul-error").filter(
        has_text="Periksa isian: judul, uraian, kecamatan."
    ).wait_for()
    before = len(requests.get(f"{runner.base}/proposals", timeout=10).json())

    page.get_by_label("Judul singkat").fill("Lampu jalan gang Mawar")
    page.get_by_label("Uraian: apa").fill("Gang ke SD Ngantru gelap setiap malam")
    page.get_by_label("Tema", exact=True).select_option(label="Infrastruktur")
    page.get_by_label("Kecamatan", exact=True).select_option(label="Trenggalek")
    page.locator("#u-village").select_option(index=1)
    page.get_by_role("button", name="Kirim usulan").click()
    page.locator("#usul-code").filter(has_text=CODE).wait_for()
    code = page.inner_text("#usul-code").strip()
    assert "menunggu moderasi" in page.inner_text("#usul-sent")

    token = sign_in(runner, "bappeda")
    accepted = requests.post(
        f"{runner.base}/bappeda/proposals/{code}/steps",
        json={"action": "accept"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert accepted.status_code == 200, accepted.text

    assert len(requests.get(f"{runner.base}/proposals", timeout=10).json()) == before + 1
    page.reload()
    card = page.locator("#papan-list li").filter(has_text="Lampu jalan gang Mawar")
    card.wait_for()
    assert "diterima · 0 dukungan" in card.inner_text()
    card.get_by_role("button", name=re.compile("Dukung usulan")).click()
    card.get_by_role("button", name=re.compile(r"Didukung \(1\)")).wait_for()
    assert not _serious(page)
    page.set_viewport_size(WALL)
    assert not _serious(page)
    assert not errors
    context.close()
