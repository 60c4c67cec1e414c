"""Takes the docs' phone and wall screenshots of the three apps, against a fresh local
runner with its demo data: `.venv/bin/python docs/screenshots.py`.

The photo is drawn here (a road with a pothole), so the pictures stay small and say
what they show; the browser tests use noisy camera-like JPEGs instead."""

from __future__ import annotations

import base64
import io
import sys
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import (  # noqa: E402
    FLAGS,
    Runner,
    held_sign_in,
    hold_sign_in,
    resolve_with_after_photo,
)

PHONE = {"width": 360, "height": 740}
WHERE = {"latitude": -8.0857, "longitude": 111.6803, "accuracy": 11}


def road_photo(fixed: bool = False) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 900), "#9fc4e8")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 380, 1200, 900), fill="#5d6d7e")
    draw.polygon([(560, 380), (640, 380), (700, 900), (500, 900)], fill="#f4f6f7")
    if not fixed:
        draw.ellipse((250, 560, 620, 720), fill="#2c2f33")
    else:
        draw.ellipse((250, 560, 620, 720), fill="#4d5b69")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def small_png(path: Path) -> None:
    """Fewer colours: a screenshot of flat UI loses nothing and shrinks several times."""
    from PIL import Image

    with Image.open(path) as shot:
        shot.convert("RGB").quantize(colors=128).save(path, optimize=True)


def main() -> None:
    from playwright.sync_api import sync_playwright

    docs = ROOT / "docs"
    runner = Runner(history_days=60)  # the command centre on its seeded weeks
    try:
        runner.wait_ready(timeout=400)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            context = browser.new_context(
                viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2,
                geolocation=WHERE, permissions=["geolocation"],
            )  # fmt: skip
            page = context.new_page()
            page.goto(f"{runner.base}/lapor/")
            photo = {"name": "jalan.jpg", "mimeType": "image/jpeg", "buffer": road_photo()}
            page.get_by_label("Foto", exact=True).set_input_files(photo)
            page.get_by_text("Foto siap").wait_for()
            page.get_by_role("button", name="Jalan rusak").click()
            page.get_by_text("Lokasi GPS").wait_for()
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(docs / "lapor-form.png"))
            # the place it gets, before sending: the nearest kecamatan, a guess, to change
            page.locator("#place-text").filter(has_text="perkiraan").wait_for()
            page.locator("#where-box").scroll_into_view_if_needed()
            page.screenshot(path=str(docs / "lapor-place.png"))
            page.get_by_role("button", name="Kirim").click()
            page.locator("#outcome-code").filter(has_text="TRG-").wait_for()
            code = page.inner_text("#outcome-code").strip()
            page.screenshot(path=str(docs / "lapor-sent.png"))
            report = page.evaluate("KawalOutbox.allSent()")[0]["response"]
            resolve_with_after_photo(
                runner, report["id"], "tim-orange", -8.0857, 111.6803, road_photo(fixed=True)
            )
            page.get_by_role("link", name="Laporan saya").click()
            page.get_by_role("link", name=code).click()
            page.get_by_role("button", name="Ya, sudah beres").wait_for()
            page.wait_for_timeout(500)
            page.screenshot(path=str(docs / "lapor-confirm.png"))
            # "Ikuti laporan" on the phone that filed it: the follow page, fix to confirm
            page.goto(f"{runner.base}/r/{code}")
            page.get_by_role("button", name="Ya, sudah beres").wait_for()
            page.wait_for_timeout(500)
            page.screenshot(path=str(docs / "follow-page.png"))
            squad = browser.new_context(
                viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2,
                geolocation=WHERE, permissions=["geolocation"],
            )  # fmt: skip
            # signed in through the API (the sign-in form is not what these pictures show)
            hold_sign_in(squad, held_sign_in(runner, "tim"))
            page = squad.new_page()
            page.goto(f"{runner.base}/tim/")
            page.locator("#queue li").first.wait_for()
            page.wait_for_timeout(800)
            page.screenshot(path=str(docs / "tim-queue.png"))
            work = requests.post(f"{runner.base}/reports", json={
                "client_report_id": str(uuid.uuid4()), "label": "jalan_rusak", "lat": -8.0911,
                "lon": 111.7012, "description": "Lubang di depan balai desa",
                "photo": {"content_type": "image/jpeg",
                          "data_base64": base64.b64encode(road_photo()).decode()},
            }, timeout=20).json()  # fmt: skip
            page.wait_for_timeout(3000)  # the photo is processed
            page.goto(f"{runner.base}/tim/#r/{work['code']}")
            page.get_by_role("button", name="Ambil").click()
            page.get_by_role("button", name="Proses").click()
            page.get_by_role("button", name="Selesai").wait_for()
            after = {"name": "sesudah.jpg", "mimeType": "image/jpeg", "buffer": road_photo(True)}
            page.get_by_label("Foto sesudah").set_input_files(after)
            page.get_by_text("Foto sesudah siap dikirim").wait_for()
            page.locator(".after").scroll_into_view_if_needed()
            page.screenshot(path=str(docs / "tim-report.png"))
            page.get_by_text("Ubah lokasi (kecamatan, desa)").click()
            page.locator(".place-box").scroll_into_view_if_needed()
            page.screenshot(path=str(docs / "tim-place.png"))
            for name, size in (
                ("command-centre.png", {"width": 1440, "height": 900}),
                ("command-centre-phone.png", {"width": 390, "height": 844}),
            ):
                board = browser.new_context(viewport=size)
                hold_sign_in(board, held_sign_in(runner, "command"))
                page = board.new_page()
                page.goto(f"{runner.base}/command-centre")
                page.wait_for_selector('#computed[data-computed-at]:not([data-computed-at=""])')
                page.wait_for_timeout(800)
                page.screenshot(path=str(docs / name))
                if size["width"] == 1440:  # and the command room's wall, 1920×1080
                    page.set_viewport_size({"width": 1920, "height": 1080})
                    page.click("#wall")
                    page.wait_for_timeout(500)
                    page.screenshot(path=str(docs / "command-centre-wall.png"))
                else:  # the phone's map, below the cards and the overdue list
                    page.locator("#map-panel").scroll_into_view_if_needed()
                    page.screenshot(path=str(docs / "command-centre-phone-map.png"))
                board.close()
            browser.close()
    finally:
        runner.stop()
    for name in ("lapor-form.png", "lapor-place.png", "lapor-sent.png", "lapor-confirm.png",
                 "follow-page.png", "tim-queue.png", "tim-report.png", "tim-place.png",
                 "command-centre.png", "command-centre-phone.png", "command-centre-wall.png",
                 "command-centre-phone-map.png"):  # fmt: skip
        small_png(docs / name)
        print(docs / name, (docs / name).stat().st_size // 1024, "KB")


if __name__ == "__main__":
    main()
