"""A trial survives a restart (KAWAL_DATA_DIR): reports, their photos, their sealed
contacts, the squads' subscriptions; the demo data is not seeded twice and nothing
already sent is sent again."""

from __future__ import annotations

import base64
import time

import pytest
import requests

from tests.support.images import camera_jpeg

from .conftest import Runner, sign_in
from .test_local_runner import new_report

pytestmark = pytest.mark.e2e


def ready_photo(runner, report_id):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        photos = requests.get(f"{runner.base}/reports/{report_id}", timeout=10).json()["photos"]
        if photos and photos[0]["state"] == "ready":
            return photos[0]
        time.sleep(0.3)
    raise AssertionError(photos)


def test_a_trial_survives_a_restart(tmp_path):
    first = Runner(data_dir=tmp_path)
    try:
        first.wait_ready()
        photo = {
            "content_type": "image/jpeg",
            "data_base64": base64.b64encode(camera_jpeg()).decode(),
        }
        body = new_report(contact={"phone": "081233334444", "notify": True}, photo=photo)
        filed = requests.post(f"{first.base}/reports", json=body, timeout=20).json()
        ready_photo(first, filed["id"])
        command = {"Authorization": f"Bearer {sign_in(first, 'komando')}"}
        subscribed = requests.post(
            f"{first.base}/squads/orange/subscriptions",
            json={"protocol": "sms", "endpoint": "081255556666"},
            headers=command,
            timeout=10,
        )
        assert subscribed.status_code == 201, subscribed.text
        listed = requests.get(f"{first.base}/command/reports", headers=command, timeout=10)
        before = sorted(r["id"] for r in listed.json()["items"])
    finally:
        assert first.stop() == 0
    assert "data kept in" in first.output()

    second = Runner(data_dir=tmp_path)
    try:
        second.wait_ready()
        again = requests.get(f"{second.base}/reports/{filed['code']}", timeout=10).json()
        assert again["id"] == filed["id"] and again["status"] == "submitted"
        photo = ready_photo(second, filed["id"])
        assert requests.get(photo["display_url"], timeout=10).content[:2] == b"\xff\xd8"
        command = {"Authorization": f"Bearer {sign_in(second, 'komando')}"}
        listed = requests.get(f"{second.base}/command/reports", headers=command, timeout=10)
        assert sorted(r["id"] for r in listed.json()["items"]) == before  # no second seeding
        read = requests.post(
            f"{second.base}/command/reports/{filed['id']}/contact-reads",
            json={"reason": "memastikan lokasi banjir dengan pelapor"},
            headers=command,
            timeout=10,
        )
        assert read.status_code == 200 and read.json()["contact"]["phone"] == "+6281233334444"
        subs = requests.get(
            f"{second.base}/squads/orange/subscriptions", headers=command, timeout=10
        )
        assert "+6281255556666" in [s["endpoint"] for s in subs.json()]
        time.sleep(1.5)  # the pump has run: what was sent before is not sent again
        assert second.output().count(f"new_report · {filed['code']}") == 0
    finally:
        second.stop()
