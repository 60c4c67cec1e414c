"""The squads' app at /tim/ in a real browser (Debian's Chromium, Playwright, phone
emulation) against the local runner: the first sign-in, the queue by deadline, a
report followed through to resolved with its after-photo, actions made offline sent
once, another squad seeing none of it, the SMS link, and staying signed in."""

from __future__ import annotations

import json
import re
import uuid

import pytest
import requests

from tests.support.images import camera_jpeg

from .conftest import ROOT, cognito, wait_for

pytestmark = pytest.mark.e2e
ARTEFACTS = ROOT / ".pytest_cache" / "artefacts"
PHONE = {"width": 360, "height": 640}
PASSWORD = "Kawal-demo-2026"


@pytest.fixture(scope="module")
def tim(runner):
    return runner


def phone(browser, where=(-8.0805, 111.7105)):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2,
        geolocation={"latitude": where[0], "longitude": where[1], "accuracy": 8},
        permissions=["geolocation"],
    )  # fmt: skip
    context.set_default_timeout(20_000)
    return context


def signed_in(context, runner, username, password=PASSWORD):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{runner.base}/tim/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi", exact=True).fill(password)
    page.get_by_role("button", name="Masuk").click()
    return page, errors


def new_report(runner, label, lat, lon, photo=False):
    body = {"client_report_id": str(uuid.uuid4()), "label": label, "lat": lat, "lon": lon,
            "attributes": {"kedalaman": "selutut"} if label == "banjir" else None}  # fmt: skip
    if photo:
        data = __import__("base64").b64encode(camera_jpeg(800, 600)).decode()
        body["photo"] = {"content_type": "image/jpeg", "data_base64": data}
    body = {k: v for k, v in body.items() if v is not None}
    answer = requests.post(f"{runner.base}/reports", json=body, timeout=20)
    assert answer.status_code == 201, answer.text
    return answer.json()


def staff_view(runner, report_id, username="komando"):
    from .conftest import sign_in

    token = sign_in(runner, username)
    return requests.get(
        f"{runner.base}/staff/reports/{report_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()


def posts(runner, path_end):
    return len(re.findall(rf'"POST /reports/\w+/{path_end} HTTP/1\.1" 20[01]', runner.output()))


def test_first_sign_in_sets_a_password_and_the_queue_is_by_deadline(browser, tim):
    idp, state = cognito(tim)
    pool = state["COGNITO_USER_POOL_ID"]
    idp.admin_create_user(
        UserPoolId=pool, Username="tim-baru", TemporaryPassword="Sementara-2026",
        MessageAction="SUPPRESS",
    )  # fmt: skip
    idp.admin_add_user_to_group(UserPoolId=pool, Username="tim-baru", GroupName="squad-orange")
    road = new_report(tim, "jalan_rusak", -8.0501, 111.7101)  # 72 hours
    flood = new_report(tim, "banjir", -8.0901, 111.7301)  # 6 hours: before the road
    context = phone(browser)
    page, errors = signed_in(context, tim, "tim-baru", "Sementara-2026")
    page.get_by_label("Kata sandi baru", exact=True).fill("Baru-sekali-2026")
    page.get_by_label("Ulangi kata sandi baru").fill("Baru-sekali-2026")
    page.get_by_role("button", name="Simpan kata sandi").click()
    page.get_by_role("heading", name="Antrean Tim Oranye").wait_for()
    page.locator("#queue li").first.wait_for()
    codes = [c for c in re.findall(r"TRG-[0-9A-Z]+", page.inner_text("#queue"))]
    assert codes.index(flood["code"]) < codes.index(road["code"])
    dues = page.evaluate("KawalOutbox.kvGet('queue_cache')")
    rank = {"urgent": 0, "normal": 1, "low": 2}
    shown = {d["code"]: (rank[d["priority"]], d["sla_due_at"]) for d in dues}
    assert [shown[c] for c in codes] == sorted(shown[c] for c in codes)  # urgent, then due
    assert "MENDESAK" in page.locator("#queue li").filter(has_text=flood["code"]).inner_text()
    flood_card = page.locator("#queue li").filter(has_text=flood["code"])
    assert "jam lagi" in flood_card.inner_text()  # time left in words
    assert "WIB" in flood_card.inner_text()
    assert "Seberapa dalam airnya?: Selutut (15–50 cm)" in flood_card.inner_text()  # in words
    page.screenshot(path=str(ARTEFACTS / "tim-queue.png"))
    assert not errors
    context.close()


def test_a_report_followed_through_to_resolved_with_its_after_photo(browser, tim):
    report = new_report(tim, "pohon_tumbang", -8.1401, 111.6801, photo=True)
    wait_for(lambda: staff_view(tim, report["id"])["photos"][0]["state"] == "ready", 60)
    context = phone(browser, where=(-8.14012, 111.68012))
    page, errors = signed_in(context, tim, "tim-orange")
    page.locator("#queue li").first.wait_for()
    page.get_by_role("link", name=re.compile(report["code"])).click()
    page.get_by_role("button", name="Ambil").click()
    page.get_by_role("button", name="Proses").click()
    page.get_by_role("button", name="Selesai").wait_for()  # in progress now
    page.get_by_label("Foto sesudah").set_input_files(
        {"name": "sesudah.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg(1600, 1200)}
    )
    page.get_by_text("Foto sesudah siap dikirim").wait_for()
    assert page.get_by_role("img", name="Sebelum: Pohon tumbang").is_visible()
    page.screenshot(path=str(ARTEFACTS / "tim-after-photo.png"))
    page.get_by_label("Apa yang dikerjakan").fill("Pohon dipotong dan disingkirkan")
    page.get_by_role("button", name="Selesai").click()
    page.get_by_text("Selesai dikerjakan, menunggu konfirmasi").first.wait_for(timeout=40_000)
    view = staff_view(tim, report["id"])
    assert view["status"] == "resolved"
    after = [p for p in view["photos"] if p["role"] == "after"]
    assert len(after) == 1 and after[0]["state"] == "ready"
    assert [e["action"] for e in view["staff_timeline"]][-3:] == ["claim", "progress", "resolve"]
    assert not errors
    context.close()


def opened(browser, runner, report, username="tim-orange"):
    """A squad member's phone showing ``report``, opened from the queue."""
    context = phone(browser)
    page, errors = signed_in(context, runner, username)
    page.locator("#queue li").first.wait_for()
    page.get_by_role("link", name=re.compile(report["code"])).click()
    return context, page, errors


def test_a_member_asks_the_reporter_then_hands_the_report_to_another_squad(browser, tim):
    report = new_report(tim, "jalan_rusak", -8.1203, 111.7002)
    context, page, errors = opened(browser, tim, report)
    page.get_by_text("Tanya pelapor").click()
    page.get_by_label("Pertanyaan (identitas pelapor tetap rahasia)").fill(
        "Lubangnya di lajur kiri atau kanan?"
    )
    page.get_by_role("button", name="Kirim pertanyaan").click()
    page.get_by_text("Menunggu jawaban pelapor; batas waktu berhenti sementara.").wait_for()
    answer = requests.get(
        f"{tim.base}/reports/{report['id']}",
        headers={"X-Reporter-Token": report["reporter_token"]}, timeout=10,
    ).json()  # fmt: skip
    assert answer["question"] == "Lubangnya di lajur kiri atau kanan?"
    requests.post(
        f"{tim.base}/reports/{report['id']}/answers", json={"note": "Lajur kiri arah kota"},
        headers={"X-Reporter-Token": report["reporter_token"]}, timeout=10,
    ).raise_for_status()  # fmt: skip
    page.reload()
    page.get_by_text("Lajur kiri arah kota").wait_for()  # the answer, in the timeline
    page.get_by_text("Alihkan ke tim lain").click()
    page.get_by_label("Tim tujuan").select_option("yellow")
    page.get_by_label("Alasan (minimal 5 huruf)").first.fill("Ternyata tumpukan sampah")
    page.screenshot(path=str(ARTEFACTS / "tim-transfer.png"), full_page=True)
    page.get_by_role("button", name="Alihkan", exact=True).click()
    page.get_by_role("heading", name="Antrean Tim Oranye").wait_for()
    wait_for(lambda: staff_view(tim, report["id"])["squad"] == "yellow", 10)
    assert report["code"] not in page.inner_text("#queue")
    assert not errors
    context.close()


def test_a_report_for_pln_is_forwarded_then_settled(browser, tim):
    report = new_report(tim, "lampu_jalan_mati", -8.1101, 111.7203)
    context, page, errors = opened(browser, tim, report)
    page.get_by_text("Teruskan ke instansi lain").click()
    page.get_by_label("Instansi", exact=True).select_option("pln")
    page.get_by_label("Catatan untuk instansi (minimal 5 huruf)").fill("Kabel PLN putus di tiang")
    page.get_by_role("button", name="Teruskan", exact=True).click()
    page.get_by_text("Diteruskan ke PLN ULP Trenggalek").wait_for()
    assert staff_view(tim, report["id"])["status"] == "forwarded"
    page.goto(f"{tim.base}/tim/#antrean")
    page.get_by_label("Tampilkan").select_option("forwarded")
    page.get_by_role("link", name=re.compile(report["code"])).click()
    page.get_by_label("Apa yang dilakukan instansi (minimal 5 huruf)").fill(
        "PLN sudah menyambung kabel"
    )
    page.get_by_role("button", name="Sudah ditangani instansi").click()
    wait_for(lambda: staff_view(tim, report["id"])["status"] == "closed", 10)
    assert not errors
    context.close()


def test_actions_made_offline_are_sent_once_when_back_online(browser, tim):
    report = new_report(tim, "lampu_jalan_mati", -8.1801, 111.6901)
    context = phone(browser)
    page, _ = signed_in(context, tim, "tim-orange")
    page.locator("#queue li").first.wait_for()
    wait_for(lambda: page.evaluate("navigator.serviceWorker.controller !== null"))
    page.get_by_role("link", name=re.compile(report["code"])).click()
    page.get_by_role("button", name="Ambil").wait_for()
    claims = posts(tim, "claim")
    context.set_offline(True)
    page.get_by_role("button", name="Ambil").click()
    page.get_by_text("Disimpan; dikirim saat ada sinyal.").wait_for()
    page.get_by_text("1 tindakan menunggu sinyal.").wait_for()
    assert staff_view(tim, report["id"])["status"] == "submitted"
    context.set_offline(False)
    wait_for(lambda: staff_view(tim, report["id"])["status"] == "accepted", 40)
    wait_for(lambda: not page.evaluate("KawalOutbox.waiting()"))
    page.wait_for_timeout(1500)
    assert posts(tim, "claim") == claims + 1  # exactly once

    # an after-photo taken without signal on a report being worked
    page.get_by_role("button", name="Proses").click()
    page.get_by_role("button", name="Selesai").wait_for()
    photos = posts(tim, "after-photos")
    context.set_offline(True)
    page.get_by_label("Foto sesudah").set_input_files(
        {"name": "sesudah.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg(800, 600)}
    )
    page.get_by_text("1 tindakan menunggu sinyal.").wait_for()
    context.set_offline(False)

    def after_ready():
        return [p for p in staff_view(tim, report["id"])["photos"] if p["role"] == "after"]

    assert len(wait_for(after_ready, 40)) == 1
    wait_for(lambda: not page.evaluate("KawalOutbox.waiting()"))
    page.wait_for_timeout(1500)
    assert posts(tim, "after-photos") == photos + 1
    context.close()


def test_another_squad_sees_none_of_it_and_a_citizen_page_carries_no_staff_data(browser, tim):
    report = new_report(tim, "jalan_rusak", -8.2001, 111.6501)
    context = phone(browser)
    page, _ = signed_in(context, tim, "tim-blue")
    page.get_by_role("heading", name="Antrean Tim Biru").wait_for()
    page.wait_for_timeout(500)
    assert report["code"] not in page.inner_text("#queue")
    page.goto(f"{tim.base}/tim/#r/{report['code']}")
    page.get_by_role("heading", name="Laporan ini ditangani tim lain.").wait_for()
    assert "Jalan rusak" not in page.inner_text("#report")
    context.close()

    citizen = browser.new_context(viewport=PHONE, is_mobile=True)
    seen: list[str] = []
    page = citizen.new_page()
    page.on("response", lambda r: seen.append(r.url))
    page.goto(f"{tim.base}/tim/")
    page.get_by_role("button", name="Masuk").wait_for()
    page.wait_for_timeout(500)
    assert report["code"] not in page.content()
    assert not [u for u in seen if "/staff/" in u or "/squads/" in u or "/auth/refresh" in u]
    page.goto(f"{tim.base}/r/{report['code']}")  # a citizen's SMS link: the follow page
    page.get_by_text("Diterima, menunggu tanggapan").first.wait_for()
    assert "/tim/" not in page.url
    citizen.close()


def test_the_sms_link_opens_the_app_and_one_stays_signed_in_until_signing_out(browser, tim):
    report = new_report(tim, "banjir", -8.2201, 111.6601)
    context = phone(browser)
    page, _ = signed_in(context, tim, "tim-orange")
    page.locator("#queue li").first.wait_for()
    page.goto(f"{tim.base}/r/{report['code']}")  # the link in the squad's SMS
    page.get_by_role("button", name="Ambil").wait_for()
    assert page.url.endswith(f"/tim/#r/{report['code']}")
    page.goto(f"{tim.base}/tim/")  # another day: no password asked
    page.locator("#queue li").first.wait_for()
    assert page.locator("#view-signin").is_hidden()
    stored = json.dumps(page.evaluate("({...localStorage})")) + page.evaluate("document.cookie")
    assert "eyJ" not in stored  # no token where a script could read it
    page.get_by_role("button", name="Keluar").click()
    page.get_by_role("button", name="Masuk").wait_for()
    page.reload()
    page.get_by_role("button", name="Masuk").wait_for()
    assert page.locator("#view-queue").is_hidden()
    context.close()


def test_a_squad_member_may_turn_on_two_step_sign_in_from_the_app(browser, tim):
    from kawal_local import totp

    idp, state = cognito(tim)
    pool, username = state["COGNITO_USER_POOL_ID"], f"tim-{uuid.uuid4().hex[:6]}"
    idp.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=pool, Username=username, Password=PASSWORD, Permanent=True
    )
    idp.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName="squad-orange")
    context = phone(browser)
    page, errors = signed_in(context, tim, username)  # offered, not required: no code
    page.get_by_role("heading", name="Antrean Tim Oranye").wait_for()
    page.get_by_text("Keamanan akun: verifikasi dua langkah").click()
    page.get_by_role("button", name="Aktifkan").click()
    page.locator("#mfa-qr svg").wait_for()
    secret = page.inner_text("#mfa-secret").replace(" ", "")
    page.get_by_label("Kode 6 angka yang muncul di aplikasi").fill(totp.code(secret))
    page.get_by_role("button", name="Konfirmasi").click()
    page.get_by_text("Verifikasi dua langkah aktif").wait_for()

    page.get_by_role("button", name="Keluar").click()
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    code = page.get_by_label("Kode 6 angka dari aplikasi autentikator")
    code.fill(f"{(int(totp.code(secret)) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="Masuk").click()
    page.get_by_text("Kode salah").wait_for()
    code.fill(totp.code(secret))
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("heading", name="Antrean Tim Oranye").wait_for()
    assert not errors
    context.close()


def test_no_serious_accessibility_violation(browser, tim):
    from axe_playwright_python.sync_playwright import Axe

    new_report(tim, "jembatan_rusak", -8.2301, 111.6701)
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{tim.base}/tim/")
    page.get_by_role("button", name="Masuk").wait_for()
    axe, found = Axe(), []

    def check(where):
        for v in axe.run(page).response["violations"]:
            if v["impact"] in ("serious", "critical"):
                found.append(f"{where}: {v['id']} {[n['target'] for n in v['nodes']]}")

    check("sign-in")
    page.get_by_label("Nama pengguna").fill("tim-orange")
    page.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.locator("#queue li").first.wait_for()
    check("queue")
    page.locator("#queue li a").first.click()
    page.get_by_role("button", name="Ambil").wait_for()
    check("report")
    assert not found, "\n".join(found)
    context.close()


def test_a_closure_is_checked_on_the_spot_with_a_photo(browser, tim):
    from .conftest import resolve_with_after_photo

    report = new_report(tim, "rambu_rusak", -8.2501, 111.6801)
    resolve_with_after_photo(tim, report["id"], "tim-orange", -8.2501, 111.6801)
    from .conftest import sign_in

    asked = requests.post(  # the regent wants this one looked at first
        f"{tim.base}/command/reports/{report['id']}/check-requests",
        headers={"Authorization": f"Bearer {sign_in(tim, 'komando')}"},
        json={"note": "Rambu di tikungan"},
        timeout=10,
    )
    assert asked.status_code == 200, asked.text
    context = phone(browser, where=(-8.25012, 111.68012))
    page, errors = signed_in(context, tim, "bayangan")
    first = page.locator(".queue-item").first
    first.wait_for()
    assert report["code"] in first.inner_text()
    assert "Diminta Pusat Komando: Rambu di tikungan" in first.locator(".pin").inner_text()
    page.get_by_role("link", name=re.compile(report["code"])).click()
    page.get_by_role("heading", name="Periksa hasil di lapangan").wait_for()
    assert "Rambu di tikungan" in page.locator(".offer .pin").inner_text()
    assert page.get_by_role("button", name="Ambil").count() == 0  # nothing to work here
    page.get_by_label("Foto pemeriksaan").set_input_files(
        {"name": "periksa.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg(800, 600)}
    )
    page.get_by_text("Terkirim.").wait_for()
    page.get_by_label("Catatan (tidak wajib)").last.fill("Rambu masih miring")
    page.get_by_role("button", name="Belum beres").click()
    # (the photo's "Terkirim." is already on the page: wait for the command centre's
    # view; the check and the request's closing are two writes, so read until the
    # answer the phone got, both done, is what the view shows)
    view = wait_for(
        lambda: (
            (v := staff_view(tim, report["id"]))["shadow_checks"]
            and v["check_requested"] is None
            and v
        ),
        20,
    )
    (check,) = view["shadow_checks"]
    assert check["verdict"] == "not_fixed" and check["note"] == "Rambu masih miring"
    assert check["photo_id"] and len(view["check_photos"]) == 1
    assert view["check_requested"] is None  # the check answered the request
    assert not errors
    context.close()
