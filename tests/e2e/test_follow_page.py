"""The follow page (/r/{code}: "Ikuti laporan" and every SMS lead there) in a real
browser on a phone: a page of the citizens' app, Bahasa first with English by the
toggle, before/after photos captioned, no console error, no serious axe finding, and
on the phone that filed the report the squad's question answered and the fix
confirmed from it. The after-send screen that leads there says who has the report
and by when, and copies the code."""

from __future__ import annotations

import pytest
import requests

from .conftest import resolve_with_after_photo, sign_in, wait_for
from .test_lapor_app import ARTEFACTS, LARGE, open_app, phone, public, send_with_photo

pytestmark = pytest.mark.e2e
SPOT = {"latitude": -8.0855, "longitude": 111.6905, "accuracy": 10}  # Karangan


def serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes']]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def console_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_the_filing_phone_follows_answers_and_confirms_from_the_follow_page(browser, runner):
    context = phone(browser, LARGE, SPOT)
    context.grant_permissions(["geolocation", "clipboard-read", "clipboard-write"])
    page, errors = open_app(context, runner.base)
    code = send_with_photo(page, "Jalan rusak")
    report = public(runner, code)

    # after sending: who has it and by when, and the code to keep
    page.get_by_text("Ditangani Tim Oranye. Batas tanggapan:").wait_for()
    assert "WIB" in page.inner_text("#outcome-who")
    page.get_by_role("button", name="Salin kode").click()
    page.get_by_text(f"Kode {code} disalin.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == code
    assert not serious(page)  # axe on the after-send screen too
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "lapor-sent.png"))

    # the squad asks this reporter; the follow page on this phone answers it
    squad = {"Authorization": f"Bearer {sign_in(runner, 'tim-orange')}"}
    question = "Lubangnya di lajur kiri atau kanan dari arah kota?"
    asked = requests.post(
        f"{runner.base}/reports/{report['id']}/questions",
        headers=squad, json={"note": question}, timeout=10,
    )  # fmt: skip
    assert asked.ok, asked.text
    page.get_by_role("link", name="Ikuti laporan").click()
    page.wait_for_url(f"**/r/{code}")
    follow_errors = console_errors(page)
    page.locator("p.question", has_text=question).wait_for()
    nav = page.get_by_role("navigation", name="Menu")
    assert nav.get_by_role("link", name="Lapor", exact=True).get_attribute("href") == "../lapor/"
    assert nav.get_by_role("link", name="Laporan saya").get_attribute("href") == "../lapor/#saya"
    assert "Received" not in page.content()  # no line doubled in English
    assert not serious(page)
    page.get_by_label("Jawaban Anda").fill("Lajur kiri, depan balai desa")
    with page.expect_navigation():  # then the page shows itself again, answered
        page.get_by_role("button", name="Kirim jawaban").click()
        page.get_by_text("Terima kasih, tanggapan Anda tercatat.").wait_for()
    wait_for(lambda: public(runner, code)["status"] == "submitted", 10)

    # fixed, with a photo of the fix: before and after, captioned; confirmed from here
    wait_for(lambda: public(runner, code)["photos"][0]["state"] == "ready", 60)
    resolve_with_after_photo(runner, report["id"], "tim-orange", -8.0855, 111.6905)
    page.reload()
    page.get_by_role("button", name="Ya, sudah beres").wait_for()
    assert page.locator("figure figcaption", has_text="Sebelum").is_visible()
    assert page.locator("figure figcaption", has_text="Sesudah").is_visible()
    assert page.get_by_role("img", name="Sesudah: Jalan rusak").is_visible()
    assert not serious(page)
    page.screenshot(path=str(ARTEFACTS / "follow-page.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Ya, sudah beres").click()
        page.get_by_text("Terima kasih, tanggapan Anda tercatat.").wait_for()
    assert public(runner, code)["status"] == "closed"
    page.get_by_role("group", name="Bagaimana penanganannya?").wait_for()
    assert not follow_errors and not errors  # no CSP complaint (the data: favicon) either

    # English by the toggle, remembered on the phone (Lapor's choice too)
    page.get_by_role("link", name="Ganti bahasa ke English").click()
    page.get_by_role("heading", name="Timeline").wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    page.goto(f"{runner.base}/r/{code}")
    page.get_by_role("heading", name="Timeline").wait_for()
    page.goto(f"{runner.base}/lapor/")
    page.get_by_role("button", name="Send").wait_for()
    # the same report in Lapor's "My reports" (its detail screen): axe there as well
    page.goto(f"{runner.base}/lapor/#laporan/{report['id']}")
    page.get_by_role("group", name="How was it handled?").wait_for()
    assert not serious(page)
    context.close()


def test_another_phone_sees_the_public_page_without_the_reporter_s_steps(browser, runner):
    first = requests.post(
        f"{runner.base}/reports",
        json={"client_report_id": "9b0c2e5e-0a51-4e0e-9d3e-2f1f8a1c0d11", "label": "jalan_rusak",
              "lat": -8.0855, "lon": 111.6905},
        timeout=20,
    ).json()  # fmt: skip
    context = phone(browser, LARGE, None)
    page = context.new_page()
    errors = console_errors(page)
    page.goto(f"{runner.base}/r/{first['code']}")
    page.get_by_role("heading", name=first["code"]).wait_for()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("button").count() == 0  # nothing to answer, confirm or withdraw
    assert not serious(page) and not errors
    context.close()
