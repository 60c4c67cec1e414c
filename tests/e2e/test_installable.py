"""Lapor and Tim install as apps on Android: Chromium itself is asked (CDP
``Page.getInstallabilityErrors``, what its install prompt checks) and finds nothing
missing: a manifest with PNG icons of 192 and 512 px (and a maskable one) besides the
SVG, served as images, a service worker."""

from __future__ import annotations

import pytest
import requests

from .conftest import CHROMIUM, FLAGS, wait_for

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("app", ["lapor", "tim"])
def test_the_app_is_installable_on_a_phone(runner, app, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # a profile of its own: Chromium never offers to install from an incognito window
        context = p.chromium.launch_persistent_context(
            str(tmp_path), executable_path=CHROMIUM, args=FLAGS,
            viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
        )  # fmt: skip
        page = context.new_page()
        page.goto(f"{runner.base}/{app}/")
        wait_for(lambda: page.evaluate("navigator.serviceWorker.controller !== null"))
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        manifest = cdp.send("Page.getAppManifest")
        context.close()
    assert errors == [], errors
    assert not manifest.get("errors"), manifest["errors"]
    icons = requests.get(f"{runner.base}/{app}/manifest.webmanifest", timeout=10).json()["icons"]
    sizes = {(i["sizes"], i["purpose"]): i["src"] for i in icons if i["type"] == "image/png"}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= set(sizes)
    for src in sizes.values():
        icon = requests.get(f"{runner.base}/{app}/{src}", timeout=10)
        assert icon.status_code == 200 and icon.headers["Content-Type"] == "image/png"
        assert icon.content.startswith(b"\x89PNG\r\n\x1a\n")
