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
    # the seeded new member: `make run`'s banner gives the temporary password to try
    def banner_line():  # printed by the API's process once it serves (its output lags)
        lines = tim.output().splitlines()
        return next((line for line in lines if line.strip().startswith("tim-baru")), None)

    assert "Sementara-2026" in wait_for(banner_line, 30)
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


def token_of(runner, username="tim-orange"):
    from .conftest import sign_in

    return {"Authorization": f"Bearer {sign_in(runner, username)}"}


def queue_codes(page):
    return re.findall(r"TRG-[0-9A-Z]+", page.inner_text("#queue"))


def test_unpinned_reports_follow_their_deadlines_not_the_apis_order(browser, tim):
    road = new_report(tim, "jalan_rusak", -8.0611, 111.7111)  # normal, 72 hours
    bridge = new_report(tim, "jembatan_rusak", -8.0622, 111.7122)  # normal, 48: due first
    context = phone(browser)
    page, errors = signed_in(context, tim, "tim-orange")
    page.locator("#queue li").filter(has_text=bridge["code"]).wait_for()
    codes = queue_codes(page)
    assert codes.index(bridge["code"]) < codes.index(road["code"])
    assert not errors
    context.close()


def test_late_is_what_the_server_says(browser, tim):
    """The card says "terlambat" when, and by as much as, the server's late_minutes say
    (not the phone's own sum): a claimed report past its response target is not late."""
    waiting = new_report(tim, "jalan_rusak", -8.0633, 111.7133)
    worked = new_report(tim, "lampu_jalan_mati", -8.0644, 111.7144)
    past = "2026-01-01T00:00:00Z"

    def doctored(route):
        answer = route.fetch()
        body = answer.json()
        for item in body["items"]:
            if item["id"] == waiting["id"]:
                item["late_minutes"] = 125  # the server's word, whatever the due time
            if item["id"] == worked["id"]:
                item.update(status="accepted", sla_due_at=past, late_minutes=None)
        route.fulfill(response=answer, json=body)

    context = phone(browser)
    context.route("**/squads/orange/reports?*", doctored)
    page, errors = signed_in(context, tim, "tim-orange")
    card = page.locator("#queue li").filter(has_text=waiting["code"])
    card.wait_for()
    assert "terlambat 2 jam" in card.inner_text()
    assert "late" in card.get_attribute("class")
    other = page.locator("#queue li").filter(has_text=worked["code"]).inner_text()
    assert "terlambat" not in other
    assert not errors
    context.close()


def test_feedback_is_where_the_finger_is_and_fold_outs_look_tappable(browser, tim):
    report = new_report(tim, "jalan_rusak", -8.0812, 111.7112)
    context = phone(browser)
    page, errors = signed_in(context, tim, "tim-orange")
    card = page.locator("#queue li").filter(has_text=report["code"])
    wait_for(lambda: "dari Anda" in card.inner_text())
    kecamatan = card.locator("p.muted").inner_text().split(" · ")[1]
    page.get_by_role("link", name=re.compile(report["code"])).click()
    page.get_by_role("button", name="Ambil").wait_for()
    facts = page.locator(".report-facts")
    wait_for(lambda: "dari Anda" in facts.inner_text())  # the distance, as on its card
    assert kecamatan and kecamatan in facts.inner_text()
    for fold in ("Tanya pelapor", "Alihkan ke tim lain", "Teruskan ke instansi lain",
                 "Ubah prioritas", "Tolak"):  # fmt: skip
        summary = page.locator("summary", has_text=fold)
        marker = summary.evaluate("s => getComputedStyle(s, '::before').content")
        assert marker not in ("none", "normal", '""'), fold
    context.set_offline(True)
    page.get_by_role("button", name="Ambil").click()
    # said beside the button pressed, once the step is in the phone's outbox (async)
    wait_for(
        lambda: (
            page.get_by_role("button", name="Ambil").evaluate(
                "b => b.nextElementSibling.textContent"
            )
            == "Disimpan; dikirim saat ada sinyal."
        ),
        10,
    )
    context.set_offline(False)
    wait_for(lambda: staff_view(tim, report["id"])["status"] == "accepted", 40)
    page.get_by_role("button", name="Proses").wait_for()
    page.get_by_text("Ubah prioritas").click()
    page.get_by_label("Prioritas", exact=True).select_option("urgent")
    page.get_by_label("Alasan (minimal 5 huruf)").last.fill("Jalan utama ke pasar")
    page.get_by_role("button", name="Simpan prioritas").click()
    # the report is drawn again after the step: its word stays where the buttons are
    page.locator(".actions").get_by_text("Terkirim.").wait_for()
    assert staff_view(tim, report["id"])["priority"] == "urgent"
    assert not errors
    context.close()


def test_an_action_refused_after_queueing_offline_is_shown_with_a_redo_or_a_drop(browser, tim):
    report = new_report(tim, "jalan_rusak", -8.0912, 111.7212)
    context, page, errors = opened(browser, tim, report)
    page.get_by_role("button", name="Ambil").wait_for()
    context.set_offline(True)
    page.get_by_role("button", name="Ambil").click()
    page.get_by_text("1 tindakan menunggu sinyal.").wait_for()
    requests.post(  # meanwhile the command centre took it
        f"{tim.base}/reports/{report['id']}/claim", headers=token_of(tim, "komando"), timeout=10
    ).raise_for_status()
    context.set_offline(False)
    refused = page.locator("#refused li")
    refused.wait_for(timeout=40_000)
    text = refused.inner_text()
    assert f"Ambil · {report['code']}" in text
    assert "Status laporan sudah berubah (Sudah ditanggapi petugas)" in text  # in Bahasa
    assert refused.get_by_role("button", name="Kirim lagi").is_visible()
    refused.get_by_role("button", name="Buang").click()
    page.locator("#refused").wait_for(state="hidden")
    assert not page.evaluate("KawalOutbox.waiting()")
    assert not errors
    context.close()


def test_a_step_whose_answer_was_lost_is_sent_again_and_made_once(browser, tim):
    report = new_report(tim, "jalan_rusak", -8.0922, 111.7222)
    context, page, errors = opened(browser, tim, report)
    page.get_by_role("button", name="Ambil").wait_for()
    lost = []

    def lose_the_first_answer(route):
        if not lost:
            lost.append(route.fetch().status)  # the API did it; the phone never hears
            route.abort()
        else:
            route.continue_()

    page.route(f"**/reports/{report['id']}/claim", lose_the_first_answer)
    claims = posts(tim, "claim")
    page.get_by_role("button", name="Ambil").click()
    page.get_by_text("Disimpan; dikirim saat ada sinyal.").wait_for()
    wait_for(lambda: not page.evaluate("KawalOutbox.waiting()"), 40)
    assert lost == [200] and posts(tim, "claim") == claims + 2  # sent twice, both 200
    view = staff_view(tim, report["id"])
    assert [e["action"] for e in view["staff_timeline"]].count("claim") == 1
    assert page.locator("#refused").is_hidden()
    assert not errors
    context.close()


def test_an_after_photo_already_sent_is_used_when_the_report_is_opened_again(browser, tim):
    report = new_report(tim, "pohon_tumbang", -8.1511, 111.6811)
    context, page, errors = opened(browser, tim, report)
    page.get_by_role("button", name="Ambil").click()
    page.get_by_role("button", name="Proses").click()
    page.get_by_label("Apa yang dikerjakan").wait_for()
    assert page.get_by_role("button", name="Selesai").is_disabled()  # no after-photo yet
    page.get_by_label("Foto sesudah").set_input_files(
        {"name": "sesudah.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg(800, 600)}
    )
    page.get_by_text("Foto sesudah siap dikirim").wait_for()
    assert page.get_by_role("button", name="Selesai").is_enabled()

    def after_ready():
        after = [p for p in staff_view(tim, report["id"])["photos"] if p["role"] == "after"]
        return after and after[0]["state"] == "ready"

    wait_for(after_ready, 60)
    page.reload()  # another load of the app: the photo lives on the server, not in memory
    page.get_by_text("Foto sesudah sudah terkirim.").wait_for()
    assert page.get_by_role("img", name="Sesudah").is_visible()
    page.get_by_label("Apa yang dikerjakan").fill("Pohon dipotong dan disingkirkan")
    page.get_by_role("button", name="Selesai").click()
    wait_for(lambda: staff_view(tim, report["id"])["status"] == "resolved", 40)
    after = [p for p in staff_view(tim, report["id"])["photos"] if p["role"] == "after"]
    assert len(after) == 1
    assert not errors
    context.close()


def test_every_open_report_is_reached_and_the_kecamatan_is_asked_of_the_server(browser, tim):
    """More than a page (100) of open reports: every one is in the queue, and a kecamatan
    shows all of its own (the server filters; the phone does not search a first page).
    Last in this module: the squad's queue is long from here on."""
    headers = token_of(tim)

    def listed(**params):
        out, params = [], {"limit": "100", **params}
        while True:
            page = requests.get(f"{tim.base}/squads/orange/reports", params=params,
                                headers=headers, timeout=20).json()  # fmt: skip
            out += page["items"]
            if not page["next_cursor"]:
                return out
            params["cursor"] = page["next_cursor"]

    for n in range(max(0, 101 - len(listed()))):
        new_report(tim, "lampu_jalan_mati", -8.10 - n * 0.0008, 111.70)
    everything = listed()
    assert len(everything) > 100
    context = phone(browser)
    page, errors = signed_in(context, tim, "tim-orange")
    page.locator("#queue li").first.wait_for()
    wait_for(lambda: page.locator("#queue li").count() == len(everything), 30)
    last = everything[-1]  # the API's last (its newest normal one): beyond a first page
    mine = listed(district=last["district"])
    page.get_by_label("Kecamatan").select_option(last["district"])
    # the whole queue holds the last report too: wait for the server's filtered answer
    wait_for(lambda: page.locator("#queue li").count() == len(mine), 30)
    assert last["code"] in page.inner_text("#queue")
    assert not errors
    context.close()
