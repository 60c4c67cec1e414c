"""End to end over real HTTP: the local runner, moto behind it, the same code as Lambda."""

from __future__ import annotations

import socket
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from .conftest import Runner

pytestmark = pytest.mark.e2e


def new_report(**changes):
    body = {
        "client_report_id": str(uuid.uuid4()),
        "label": "pohon_tumbang",
        "lat": -8.2,
        "lon": 111.66,
        "district": "kampak",
        "description": "Pohon tumbang menutup jalan desa",
    }
    return {**body, **changes}


def test_submit_and_read_back_over_http(runner):
    sent = new_report()
    r = requests.post(f"{runner.base}/reports", json=sent, timeout=10)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["handled_by"]["code"] == "orange"  # pohon_tumbang -> orange squad
    got = requests.get(f"{runner.base}/reports/{created['id']}", timeout=10)
    assert got.status_code == 200
    assert got.json()["code"] == created["code"]
    assert got.json()["description"] == sent["description"]
    assert "reporter_token" not in got.json()
    by_code = requests.get(f"{runner.base}/reports/{created['code']}", timeout=10)
    assert by_code.json()["id"] == created["id"]


def test_concurrent_retries_of_one_report_store_it_once(runner):
    sent = new_report()

    def post(_):
        return requests.post(f"{runner.base}/reports", json=sent, timeout=20)

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(post, range(8)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 7 + [201], [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert len({a.json()["code"] for a in answers}) == 1


def test_bad_input_over_http_is_a_json_4xx(runner):
    r = requests.post(
        f"{runner.base}/reports",
        data="{oops",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_json"
    r = requests.post(f"{runner.base}/reports", json=new_report(lat=-6.2, lon=106.8), timeout=10)
    assert r.status_code == 400 and r.json()["error"]["code"] == "outside_regency"


def test_demo_data_is_seeded_and_covert_demo_stays_hidden(runner):
    out = runner.output()
    assert "Kawal is running" in out and "Demo reports:" in out
    demo = [line.split()[1] for line in out.splitlines() if "/reports/" in line and "(" in line]
    assert len(demo) >= 8
    visible = [requests.get(url, timeout=10) for url in demo]
    assert sum(r.status_code == 200 for r in visible) == len(demo) - 1
    assert [r.status_code for r in visible].count(404) == 1  # the pungutan_liar demo


def test_labels_over_http(runner):
    labels = requests.get(f"{runner.base}/labels", timeout=10).json()
    assert any(label["code"] == "banjir" for label in labels)


def _bound(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_ctrl_c_stops_everything_cleanly():
    r = Runner(seed=False)
    r.wait_ready()
    assert _bound(r.port) and _bound(r.aws_port)
    assert r.stop() == 0
    assert not _bound(r.port) and not _bound(r.aws_port)
    assert "stopped." in r.output()


def test_a_submitted_report_is_printed_as_its_squad_receives_it(runner):
    import time

    created = requests.post(
        f"{runner.base}/reports", json=new_report(label="demam_berdarah"), timeout=10
    ).json()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        out = runner.output()
        if f"new_report · {created['code']}" in out:
            break
        time.sleep(0.2)
    block = out[out.index(f"new_report · {created['code']}") - 40 :]
    assert "to the white topic" in block  # demam_berdarah -> white squad
    # the link in the SMS points at the port this runner listens on, not 8000
    assert f"{runner.base}/r/{created['code']}" in block
    assert "SMS   (" in block and "EMAIL subject: [Kawal] BARU" in block
    # concurrent retries made one report, so one notification each: no duplicates
    codes = [line.split(" · ")[2] for line in out.splitlines() if line.startswith("📨")]
    assert len(codes) == len(set(codes)), codes


def _wait_for_ready_photos(runner, report_id: str, count: int) -> list[dict]:
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        photos = requests.get(f"{runner.base}/reports/{report_id}", timeout=10).json()["photos"]
        if len(photos) == count and all(p["state"] == "ready" for p in photos):
            return photos
        time.sleep(0.3)
    raise AssertionError(f"photos not ready: {photos}")


def test_inline_and_presigned_photos_become_clean_thumbnails(runner):
    import base64
    import io

    from PIL import Image

    from tests.support.images import camera_jpeg

    photo = camera_jpeg(1600, 1200)
    inline = requests.post(
        f"{runner.base}/reports",
        json=new_report(
            photo={"content_type": "image/jpeg", "data_base64": base64.b64encode(photo).decode()}
        ),
        timeout=20,
    ).json()
    other = requests.post(f"{runner.base}/reports", json=new_report(), timeout=10).json()
    slot = requests.post(
        f"{runner.base}/reports/{other['id']}/photos",
        headers={"X-Reporter-Token": other["reporter_token"]},
        json={},
        timeout=10,
    )
    assert slot.status_code == 201
    form = slot.json()["upload"]
    # straight to (embedded) S3, never through the API
    sent = requests.post(
        form["url"], data=form["fields"], files={"file": ("p.jpg", photo, "image/jpeg")}, timeout=20
    )
    assert sent.status_code in (200, 201, 204)
    for report in (inline, other):
        (ready,) = _wait_for_ready_photos(runner, report["id"], 1)
        thumb = requests.get(ready["thumb_url"], timeout=10)
        assert thumb.status_code == 200
        image = Image.open(io.BytesIO(thumb.content))
        assert image.format == "JPEG" and max(image.size) == 320
        assert image.size[0] < image.size[1]  # orientation 6 applied: upright portrait
        assert dict(image.getexif()) == {} and b"SecretPhone" not in thumb.content


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "BREW", "DELETE"])
def test_any_method_gets_an_answer_in_kawal_s_error_shape(runner, method):
    """Python's http.server would answer an unknown method with a 501 HTML page;
    API Gateway passes every method to the API, which answers 405 in our shape."""
    answer = requests.request(method, f"{runner.base}/reports", timeout=10)
    assert answer.status_code == 405, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json()["error"]["code"] == "method_not_allowed_error"


def test_concurrent_requests_never_see_each_other_s_request(runner):
    """Found by schemathesis' coverage phase with two workers: a sign-in error came back
    in Open311's shape, because chalice local kept one ``current_request`` for all its
    threads. Each answer must be rendered for its own request."""

    def sign_in(_):
        answer = requests.post(
            f"{runner.base}/auth/sign-in", json={"username": "x", "password": "y"}, timeout=20
        )
        return answer.status_code, answer.json()

    def open311(_):
        answer = requests.get(f"{runner.base}/open311/v2/requests/TRG-ZZZZZZ.json", timeout=20)
        return answer.status_code, answer.json()

    with ThreadPoolExecutor(8) as pool:
        signs = pool.map(sign_in, range(24))
        others = pool.map(open311, range(24))
        signs, others = list(signs), list(others)
    assert {status for status, _ in signs} <= {401, 429}
    assert all(isinstance(body, dict) and "error" in body for _, body in signs)
    assert all(status == 404 and isinstance(body, list) for status, body in others)


def test_the_covert_demo_is_sealed_in_the_runners_table_and_read_in_full_by_the_command_centre(
    runner,
):
    """Issue #35 on `make run`: the same sealing, the vault in-process with its own check."""
    import json

    import boto3

    from .conftest import cognito, sign_in

    out = runner.output()
    demo = [line.split()[1] for line in out.splitlines() if "/reports/" in line and "(" in line]
    hidden = [url for url in demo if requests.get(url, timeout=10).status_code == 404]
    (url,) = hidden
    command = {"Authorization": f"Bearer {sign_in(runner, 'komando')}"}
    ref = url.rsplit("/", 1)[1]
    view = requests.get(f"{runner.base}/staff/reports/{ref}", headers=command, timeout=10)
    assert view.status_code == 200, view.text
    report = view.json()
    assert report["description"] and report["district"] and report["lat"] != 0

    _, state = cognito(runner)
    db = boto3.client(
        "dynamodb",
        endpoint_url=state["AWS_ENDPOINT_URL"],
        region_name=state["AWS_DEFAULT_REGION"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    key = {"PK": {"S": f"REPORT#{report['id']}"}, "SK": {"S": "META"}}
    item = db.get_item(TableName=state["TABLE_NAME"], Key=key)["Item"]
    raw = json.dumps(item, default=repr)
    assert "sealed" in item and report["description"] not in raw
    assert report["district"] not in raw
