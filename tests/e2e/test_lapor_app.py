"""The citizens' app at /lapor/ in a real browser (Debian's Chromium, Playwright) with
phone emulation, against the local runner: the report arrives with its photo, offline
reports are sent exactly once, nearby reports can be supported, the reporter confirms
the fix. Screenshots for the README land in .pytest_cache/artefacts."""

from __future__ import annotations

import base64
import re
import uuid

import pytest
import requests

from tests.support.images import camera_jpeg

from .conftest import ROOT, Runner, resolve_with_after_photo, wait_for

pytestmark = pytest.mark.e2e
ARTEFACTS = ROOT / ".pytest_cache" / "artefacts"
SMALL = {"width": 360, "height": 640}
LARGE = {"width": 412, "height": 915}
CODE = re.compile(r"TRG-[0-9A-Z]{4,}")


@pytest.fixture(scope="module")
def lapor(runner):
    return runner


def phone(browser, viewport=SMALL, where=None, offline=False):
    """A phone's browser context: touch, a small screen, GPS inside the regency unless
    ``where`` is None (then no permission: the app must cope without)."""
    options = {"viewport": viewport, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
    if where:
        options |= {"geolocation": where, "permissions": ["geolocation"]}
    context = browser.new_context(**options)
    context.set_default_timeout(20_000)
    return context


def open_app(context, base):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/lapor/")
    page.get_by_role("button", name="Banjir").wait_for()
    return page, errors


def controlled(page):
    """Wait until the service worker controls the page (polled from here: the page's
    CSP forbids the eval that ``wait_for_function`` needs)."""
    wait_for(lambda: page.evaluate("navigator.serviceWorker.controller !== null"))


def jpeg_file(data: bytes, name="foto.jpg"):
    return {"name": name, "mimeType": "image/jpeg", "buffer": data}


def report_posts(runner: Runner) -> int:
    return len(re.findall(r'"POST /reports HTTP/1\.1" 20[01]', runner.output()))


def sent_code(page) -> str:
    page.locator("#outcome-code").filter(has_text=CODE).wait_for()
    return page.inner_text("#outcome-code").strip()


def send_with_photo(page, label: str) -> str:
    """A camera photo, a label, Kirim: the report's code once it is sent."""
    page.get_by_label("Foto", exact=True).set_input_files(jpeg_file(camera_jpeg(800, 600)))
    page.get_by_text("Foto siap").wait_for()
    page.get_by_role("button", name=label).click()
    page.get_by_role("button", name="Kirim").click()
    return sent_code(page)


def public(runner, ref):
    return requests.get(f"{runner.base}/reports/{ref}", timeout=10).json()


def test_a_citizen_reports_in_three_taps_and_the_photo_arrives(browser, lapor):
    gps = {"latitude": -8.1905, "longitude": 111.5612, "accuracy": 12}  # Dongko
    context = phone(browser, SMALL, gps)
    page, errors = open_app(context, lapor.base)
    original = camera_jpeg(3000, 2000)  # a 6 MP phone photo, too big to send as it is
    assert len(original) > 4 * 1024 * 1024
    page.get_by_label("Foto", exact=True).set_input_files(jpeg_file(original))
    page.get_by_text("Foto siap").wait_for()
    page.get_by_role("button", name="Banjir", exact=True).click()
    page.get_by_text("Lokasi GPS, akurasi ±12 m.").wait_for()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "lapor-form.png"))
    with page.expect_request(re.compile(r"/reports$")) as posted:
        page.get_by_role("button", name="Kirim").click()
    sent = posted.value.post_data_json
    assert len(posted.value.post_data) < 3 * 1024 * 1024  # downscaled in the browser
    code = sent_code(page)
    page.screenshot(path=str(ARTEFACTS / "lapor-sent.png"))
    assert sent["label"] == "banjir" and sent["client_report_id"]
    report = public(lapor, code)
    assert report["label"]["code"] == "banjir" and report["handled_by"]["code"] == "orange"
    assert (report["lat"], report["lon"]) == (-8.1905, 111.5612)

    def photo_ready():
        photos = public(lapor, code)["photos"]
        return photos and photos[0]["state"] == "ready" and photos[0]

    photo = wait_for(photo_ready, 60)
    # the EXIF orientation (6: rotate 90°) was applied before the canvas dropped EXIF
    assert photo["height"] > photo["width"]
    assert page.get_by_role("link", name="Ikuti laporan").get_attribute("href") == f"../r/{code}"
    assert not errors
    context.close()


def test_without_gps_the_photo_s_own_location_is_used(browser, lapor):
    context = phone(browser, LARGE, where=None)  # no permission: GPS refused
    page, errors = open_app(context, lapor.base)
    page.get_by_label("Foto", exact=True).set_input_files(jpeg_file(camera_jpeg(1200, 900)))
    page.get_by_text("Lokasi dari foto.").wait_for()
    page.get_by_role("button", name="Sampah menumpuk").click()
    page.get_by_role("button", name="Kirim").click()
    report = public(lapor, sent_code(page))
    # camera_jpeg's EXIF GPS: 8°3'15" S, 111°42'30" E
    assert report["lat"] == pytest.approx(-8.054167, abs=1e-5)
    assert report["lon"] == pytest.approx(111.708333, abs=1e-5)
    assert report["label"]["code"] == "sampah_menumpuk"
    assert not errors
    context.close()


def test_a_point_outside_the_regency_is_explained_before_sending(browser, lapor):
    jakarta = {"latitude": -6.2, "longitude": 106.816, "accuracy": 10}
    context = phone(browser, SMALL, jakarta)
    page, _ = open_app(context, lapor.base)
    before = report_posts(lapor)
    page.get_by_role("button", name="Jalan rusak").click()
    page.get_by_text("di luar Kabupaten Trenggalek").first.wait_for()
    page.get_by_role("button", name="Kirim").click()
    assert "di luar Kabupaten Trenggalek" in page.inner_text("#form-error")
    # choosing the kecamatan instead makes it sendable
    page.get_by_label("Atau pilih kecamatan").select_option("pogalan")
    page.get_by_role("button", name="Kirim").click()
    report = public(lapor, sent_code(page))
    assert report["district"] == "pogalan"
    assert report_posts(lapor) == before + 1
    context.close()


def test_offline_reports_wait_and_are_sent_exactly_once(browser, lapor):
    gps = {"latitude": -8.2905, "longitude": 111.5705, "accuracy": 8}  # Munjungan
    context = phone(browser, SMALL, gps)
    page, errors = open_app(context, lapor.base)
    controlled(page)
    before = report_posts(lapor)
    context.set_offline(True)
    page.get_by_text("Tidak ada sinyal").wait_for()
    page.get_by_label("Foto", exact=True).set_input_files(jpeg_file(camera_jpeg(800, 600)))
    page.get_by_role("button", name="Tanah longsor").click()
    page.get_by_role("button", name="Kirim").click()
    page.get_by_role("heading", name="Tersimpan, menunggu sinyal").wait_for()
    page.screenshot(path=str(ARTEFACTS / "lapor-offline.png"))
    # still there after the app is reloaded from its service worker, offline
    page.reload()
    page.get_by_role("link", name="Laporan saya").click()
    page.get_by_text("menunggu sinyal").wait_for()
    assert report_posts(lapor) == before
    waiting = page.evaluate("KawalOutbox.waiting()")
    assert [w["kind"] for w in waiting] == ["report"]
    client_id = waiting[0]["id"]

    context.set_offline(False)
    code = wait_for(lambda: CODE.search(page.inner_text("#mine")), 30).group(0)
    report = public(lapor, code)
    assert report["label"]["code"] == "tanah_longsor"
    wait_for(lambda: not page.evaluate("KawalOutbox.waiting()"))
    page.wait_for_timeout(1500)  # a Background Sync racing the page would show up here
    assert report_posts(lapor) == before + 1
    sent = page.evaluate(f"KawalOutbox.sent('{client_id}')")
    assert sent["response"]["code"] == code
    assert not errors
    context.close()


def test_a_report_made_offline_is_sent_after_the_tab_was_closed(browser, lapor):
    gps = {"latitude": -8.2405, "longitude": 111.4405, "accuracy": 8}  # Panggul
    context = phone(browser, LARGE, gps)
    page, _ = open_app(context, lapor.base)
    controlled(page)
    before = report_posts(lapor)
    context.set_offline(True)
    page.get_by_role("button", name="Pohon tumbang").click()
    page.get_by_role("button", name="Kirim").click()
    page.get_by_role("heading", name="Tersimpan, menunggu sinyal").wait_for()
    page.close()  # the citizen closes the tab in the hills
    context.set_offline(False)
    again, _ = open_app(context, lapor.base)
    again.get_by_role("link", name="Laporan saya").click()
    code = wait_for(lambda: CODE.search(again.inner_text("#mine")), 30).group(0)
    assert public(lapor, code)["label"]["code"] == "pohon_tumbang"
    again.wait_for_timeout(1500)
    assert report_posts(lapor) == before + 1
    context.close()


def test_a_similar_report_nearby_can_be_supported_instead(browser, lapor):
    spot = (-8.1255, 111.7555)  # Gandusari
    photo = {
        "content_type": "image/jpeg",
        "data_base64": base64.b64encode(camera_jpeg(800, 600)).decode(),
    }
    first = requests.post(
        f"{lapor.base}/reports",
        json={"client_report_id": str(uuid.uuid4()), "label": "lampu_jalan_mati",
              "lat": spot[0], "lon": spot[1], "photo": photo},
        timeout=20,
    ).json()  # fmt: skip
    wait_for(lambda: public(lapor, first["id"])["photos"][0]["state"] == "ready", 60)
    gps = {"latitude": spot[0] + 0.0001, "longitude": spot[1], "accuracy": 10}  # ~11 m away
    context = phone(browser, SMALL, gps)
    page, _ = open_app(context, lapor.base)
    before = report_posts(lapor)
    page.get_by_role("button", name="Lampu jalan mati").click()
    page.get_by_role("heading", name="Sudah ada laporan serupa di dekat Anda").wait_for()
    # the other report's own photo: the citizen can tell it is the same problem
    shown = page.get_by_role("img", name=f"Foto laporan {first['code']}")
    shown.wait_for()
    wait_for(lambda: page.evaluate("document.querySelector('.nearby-photo').naturalWidth") > 0, 20)
    page.get_by_role("button", name=f"Dukung {first['code']} (+1)").click()
    page.get_by_text(f"Dukungan Anda untuk {first['code']} tercatat").wait_for()
    assert public(lapor, first["id"])["supporters"] == 1
    assert report_posts(lapor) == before  # no second report
    context.close()


def test_the_reporter_sees_the_fix_and_confirms_it(browser, lapor):
    spot = {"latitude": -8.0855, "longitude": 111.6805, "accuracy": 10}  # Karangan
    context = phone(browser, LARGE, spot)
    page, errors = open_app(context, lapor.base)
    page.get_by_label("Foto", exact=True).set_input_files(jpeg_file(camera_jpeg(800, 600)))
    page.get_by_text("Foto siap").wait_for()
    page.get_by_role("button", name="Jalan rusak").click()
    page.get_by_text("Tambah keterangan").click()
    page.get_by_label("Uraian").fill("Lubang besar di depan SD")
    page.get_by_label("Desa/kelurahan").select_option(label="Kayen")
    page.get_by_role("checkbox", name="Berlubang").check()
    page.get_by_role("button", name="Kirim").click()
    code = sent_code(page)
    report = public(lapor, code)
    assert report["description"] == "Lubang besar di depan SD"
    assert (report["village"], report["district"]) == ("35.03.06.2001", "karangan")
    wait_for(lambda: public(lapor, code)["photos"][0]["state"] == "ready", 60)
    resolve_with_after_photo(lapor, report["id"], "tim-orange", -8.0855, 111.6805)

    page.get_by_role("link", name="Laporan saya").click()
    page.get_by_role("link", name=code).click()
    page.get_by_role("button", name="Ya, sudah beres").wait_for()
    assert page.get_by_role("img", name="Sebelum: Jalan rusak").is_visible()
    assert page.get_by_role("img", name="Sesudah: Jalan rusak").is_visible()
    page.screenshot(path=str(ARTEFACTS / "lapor-confirm.png"), full_page=True)
    page.get_by_role("button", name="Ya, sudah beres").click()
    page.get_by_text("Terima kasih, tanggapan Anda tercatat.").wait_for()
    assert public(lapor, code)["status"] == "closed"

    # then the stars: the form comes back with the closed report
    page.get_by_role("button", name="Ya, sudah beres").wait_for(state="detached")
    page.get_by_role("group", name="Bagaimana penanganannya?").wait_for()
    page.locator("label[for='star-4']").click()  # a tap on the fourth star
    assert page.get_by_label("4 bintang").is_checked()
    page.get_by_label("Komentar (tidak wajib)").fill("Cepat, terima kasih")
    page.get_by_role("button", name="Kirim penilaian").click()
    page.get_by_text("Penilaian Anda: 4 dari 5. Terima kasih.").wait_for()
    assert public(lapor, code)["rating"] == 4
    assert not errors
    context.close()


def _staff_post(runner, user, path, body):
    from .conftest import sign_in

    headers = {"Authorization": f"Bearer {sign_in(runner, user)}"}
    answer = requests.post(f"{runner.base}{path}", headers=headers, json=body, timeout=10)
    assert answer.ok, answer.text


def test_the_reporter_answers_the_squads_question_then_withdraws(browser, lapor):
    spot = {"latitude": -8.0652, "longitude": 111.7155, "accuracy": 10}
    context = phone(browser, LARGE, spot)
    page, errors = open_app(context, lapor.base)
    code = send_with_photo(page, "Lampu jalan mati")
    report = public(lapor, code)
    question = "Tiang lampu nomor berapa? Ada di sisi jalan yang mana?"
    _staff_post(lapor, "tim-orange", f"/reports/{report['id']}/questions", {"note": question})
    assert public(lapor, code)["question"] is None  # asked this reporter alone

    page.get_by_role("link", name="Laporan saya").click()
    page.get_by_role("link", name=code).click()
    page.locator("p.question", has_text=question).wait_for()
    page.get_by_label("Jawaban Anda").fill("Tiang nomor 14, sisi timur dekat warung")
    page.screenshot(path=str(ARTEFACTS / "lapor-question.png"), full_page=True)
    page.get_by_role("button", name="Kirim jawaban").click()
    page.get_by_text("Terima kasih, tanggapan Anda tercatat.").wait_for()
    wait_for(lambda: public(lapor, code)["status"] == "submitted", 10)

    # nobody has claimed it yet: the reporter may take it back
    page.get_by_text("Tarik laporan ini").wait_for()
    page.get_by_text("Tarik laporan ini").click()
    page.get_by_role("button", name="Ya, tarik laporan").click()
    page.get_by_text("Ditarik pelapor").first.wait_for()
    assert public(lapor, code)["status"] == "withdrawn"

    # what this phone's owner can see and erase of their personal data (UU PDP)
    page.get_by_role("link", name="Laporan saya").click()
    page.get_by_text("Data pribadi saya").click()
    page.get_by_text(f"{code}: tanpa kontak").wait_for()
    page.get_by_role("button", name="Hapus kontak saya dan lupakan HP ini").click()
    page.get_by_role("button", name="Ya, hapus. Laporan tetap ada tanpa identitas saya.").click()
    page.get_by_text("Kontak Anda sudah dihapus dan HP ini dilupakan.").wait_for()
    assert public(lapor, code)["code"] == code  # the report stays
    assert not errors
    context.close()


def test_english_on_request(browser, lapor):
    context = phone(browser, SMALL, {"latitude": -8.08, "longitude": 111.765, "accuracy": 10})
    page, _ = open_app(context, lapor.base)
    page.get_by_role("button", name="Ganti bahasa ke English").click()
    page.get_by_role("button", name="Flood", exact=True).wait_for()
    assert page.get_by_role("button", name="Send").is_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    page.reload()  # remembered on the phone
    page.get_by_role("button", name="Send").wait_for()
    context.close()


def test_no_serious_accessibility_violation(browser, lapor):
    from axe_playwright_python.sync_playwright import Axe

    context = phone(browser, SMALL, {"latitude": -8.08, "longitude": 111.765, "accuracy": 10})
    page, _ = open_app(context, lapor.base)
    axe = Axe()
    found = []

    def check(where):
        results = axe.run(page)
        found.extend(
            f"{where}: {v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        )

    check("form")
    page.get_by_role("button", name="Jalan rusak").click()
    page.get_by_text("Tambah keterangan").click()
    page.get_by_text("Saya ingin kabar perkembangan").click()
    check("form, opened")
    page.get_by_role("link", name="Laporan saya").click()
    page.get_by_role("heading", name="Laporan saya").wait_for()
    check("my reports")
    page.goto(f"{lapor.base}/lapor/privasi")
    check("privacy notice")
    assert not found, "\n".join(found)
    context.close()


def test_a_levy_report_goes_to_the_command_centre_and_names_no_covert_squad(browser, lapor):
    context = phone(browser, SMALL, {"latitude": -8.0505, "longitude": 111.7105, "accuracy": 9})
    page, errors = open_app(context, lapor.base)
    page.get_by_role("heading", name="Langsung ke Pusat Komando Bupati").wait_for()
    page.get_by_role("button", name="Pungutan liar").click()
    page.get_by_text("Ditangani Pusat Komando Bupati").wait_for()
    page.get_by_role("button", name="Kirim").click()
    code = sent_code(page)
    assert page.get_by_role("link", name="Ikuti laporan").is_hidden()  # not a public report
    page.get_by_role("link", name="Laporan saya").click()
    page.get_by_role("link", name=code).click()
    page.get_by_text("ditangani langsung oleh pusat komando").wait_for()
    shown = page.content().lower()
    for word in ("shadow", "bayangan", "pengawasan", "covert"):
        assert word not in shown.replace("box-shadow", "")
    assert not errors
    context.close()
