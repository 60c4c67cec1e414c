"""The public projects page at /proyek/ in a real browser (Debian's Chromium,
Playwright) against the local runner, at phone and wall sizes: the year's projects on
the map and in the list, a project's weekly progress against its S-curve, axe clean."""

from __future__ import annotations

import pytest
import requests

from .conftest import ROOT, sign_in

pytestmark = pytest.mark.e2e
TEMPLATE = ROOT / "chalicelib" / "data" / "projects-template.csv"
ARTEFACTS = ROOT / ".pytest_cache" / "artefacts"
PHONE = {"width": 360, "height": 640}
WALL = {"width": 1440, "height": 900}


@pytest.fixture(scope="module")
def projects(runner):
    command = {"Authorization": f"Bearer {sign_in(runner, 'komando')}"}
    answer = requests.post(
        f"{runner.base}/projects/import",
        data=TEMPLATE.read_bytes(),
        headers={"Content-Type": "text/csv", **command},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    pupr = {"Authorization": f"Bearer {sign_in(runner, 'dinas-pupr')}"}
    filed = requests.post(
        f"{runner.base}/projects/2026-pupr-001/progress",
        json={"week": "2026-03-22", "physical": 12.0, "financial": 100_000_000,
              "note": "Galian saluran tepi jalan"},
        headers=pupr,
        timeout=30,
    )  # fmt: skip
    assert filed.status_code == 201, filed.text
    return runner


def open_page(browser, base, viewport):
    context = browser.new_context(viewport=viewport, is_mobile=viewport == PHONE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/proyek/")
    page.select_option("#f-year", "2026")
    page.wait_for_selector("#list li button[data-id='2026-pupr-001']")
    return page, errors


@pytest.mark.parametrize("viewport", [PHONE, WALL], ids=["phone", "wall"])
def test_a_citizen_sees_the_years_projects_and_one_projects_weeks(browser, projects, viewport):
    from axe_playwright_python.sync_playwright import Axe

    page, errors = open_page(browser, projects.base, viewport)
    assert page.locator("#list li").count() == 3
    road = page.locator("#list button[data-id='2026-pupr-001']")
    assert "Rp 1.350.000.000" in road.inner_text() and "Kritis" in road.inner_text()
    # the road is a line on the map, the buildings points
    assert page.locator("#map path.leaflet-interactive").count() == 3
    page.select_option("#f-opd", "perkim")
    page.locator("#list li button[data-id='2026-perkim-004']").wait_for()
    page.wait_for_selector("#list li:nth-child(2)", state="detached")
    page.select_option("#f-opd", "")
    road.wait_for()
    road.click()
    page.wait_for_selector("#detail:not([hidden])")
    assert page.inner_text("#detail-title") == "Rehabilitasi Jalan Durenan - Ngadisuko"
    week = page.locator("#weeks tbody tr").first.inner_text()
    assert "2026-03-22" in week and "30 %" in week and "12 %" in week
    assert "Galian saluran" in week
    violations = [
        f"{v['id']} {[n['target'] for n in v['nodes']]}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not violations, violations
    assert not page.evaluate("document.documentElement.scrollWidth > innerWidth + 1")
    # every panel, the open project's table included, fits the screen's width
    rights = page.eval_on_selector_all(
        "main > section", "ss => ss.map(s => s.getBoundingClientRect().right)"
    )
    assert max(rights) <= viewport["width"] + 1, rights
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"proyek-{viewport['width']}.png"))
    assert not errors, errors
    page.context.close()


def test_the_page_is_same_origin_under_a_strict_csp(projects):
    got = requests.get(f"{projects.base}/proyek/", timeout=10)
    csp = got.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert "http" not in got.text.split("<body>")[0].replace("http-equiv", "")
