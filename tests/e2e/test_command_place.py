"""Every report has its place (issue #36), on the command centre's screen: a report
filed by GPS alone is in its kecamatan, and the drawer says the kecamatan is a guess
("perkiraan") until a squad corrects it."""

from __future__ import annotations

import uuid

import pytest
import requests

from .conftest import sign_in
from .test_command_centre import signed_in_page

pytestmark = pytest.mark.e2e


def test_the_drawer_says_a_guessed_kecamatan_is_a_guess(browser, runner):
    report = requests.post(
        f"{runner.base}/reports",
        json={"client_report_id": str(uuid.uuid4()), "label": "jalan_rusak",
              "lat": -8.05020, "lon": 111.71030},
        timeout=20,
    ).json()  # fmt: skip
    page, _ = signed_in_page(browser, runner, "komando")
    page.fill("#search-code", report["code"])
    page.click("#search button[type=submit]")
    page.wait_for_selector(f'#drawer:not([hidden]) h2:has-text("{report["code"]}")')
    where = page.locator("#drawer-body > p").first  # squad · kecamatan · status
    assert "Trenggalek (perkiraan)" in where.inner_text()
    page.click("#drawer-close")
    squad = {"Authorization": f"Bearer {sign_in(runner, 'tim-orange')}"}
    fixed = requests.post(f"{runner.base}/reports/{report['id']}/place", headers=squad,
                          json={"district": "pogalan"}, timeout=10)  # fmt: skip
    assert fixed.status_code == 200, fixed.text
    page.click("#search button[type=submit]")
    page.wait_for_selector("#drawer:not([hidden]) .timeline li >> text=Lokasi dikoreksi")
    assert "Pogalan" in where.inner_text() and "perkiraan" not in where.inner_text()
    page.close()
