"""The command centre's page in a real browser (Debian's Chromium, driven by
Playwright) against the local runner with its demo data."""

from __future__ import annotations

import base64
import io
import os
import re
import uuid

import pytest
import requests
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from kawal_local import totp
from kawal_local.seed import DEMO_TOTP_SECRET
from tests.support.images import camera_jpeg

from .conftest import ROOT, Runner, cognito, sign_in, wait_for

pytestmark = pytest.mark.e2e
ARTEFACTS = ROOT / ".pytest_cache" / "artefacts"
OPEN_SQUADS = ("pink", "white", "orange", "yellow", "blue", "red")
TILES = "http://tiles.kawal.test"


@pytest.fixture(scope="module")
def centre():
    # the runner inherits these: a quick refresh, and map tiles from a server the
    # browser tests answer for (page.route), as a regency's tile server would
    settings = {"COMMAND_REFRESH_SECONDS": "2", "MAP_TILE_URL": TILES + "/{z}/{x}/{y}.png",
                "MAP_TILE_ATTRIBUTION": "© Peta Uji Kawal"}  # fmt: skip
    os.environ.update(settings)
    runner = Runner(history_days=7)  # a week of seeded history on the board
    try:
        runner.wait_ready(300)  # seeding a week takes minutes on a busy shared machine
        yield runner
    finally:
        runner.stop()
        for name in settings:
            os.environ.pop(name, None)


def serve_tiles(page, *, down: bool = False) -> None:
    """The tile server: a plain 256 px tile for every request, or down altogether."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (222, 235, 214)).save(buffer, "PNG")
    tile = buffer.getvalue()
    if down:
        page.route(TILES + "/**", lambda route: route.abort("connectionrefused"))
    else:
        page.route(TILES + "/**", lambda route: route.fulfill(body=tile, content_type="image/png"))


@pytest.fixture(scope="module")
def worked_report(centre):
    """An open report with a before-photo and an after-photo (claimed, worked on),
    in a district with no demo report, so its marker stands alone."""
    base = centre.base
    squad = {"Authorization": f"Bearer {sign_in(centre, 'tim-orange')}"}
    photo = base64.b64encode(camera_jpeg(800, 600)).decode()
    report = requests.post(
        f"{base}/reports",
        json={"client_report_id": str(uuid.uuid4()), "label": "jalan_rusak", "lat": -8.08,
              "lon": 111.55, "district": "bendungan", "description": "Aspal amblas",
              "photo": {"content_type": "image/jpeg", "data_base64": photo}},
        timeout=20,
    ).json()  # fmt: skip
    rid = report["id"]
    for step in ("claim", "progress"):
        assert requests.post(f"{base}/reports/{rid}/{step}", headers=squad, timeout=10).ok
    slot = requests.post(
        f"{base}/reports/{rid}/after-photos", headers=squad, json={"lat": -8.0801, "lon": 111.55},
        timeout=10,
    ).json()  # fmt: skip
    form = slot["upload"]
    requests.post(
        form["url"], data=form["fields"],
        files={"file": ("a.jpg", camera_jpeg(640, 480), "image/jpeg")}, timeout=20,
    )  # fmt: skip

    def both_ready():
        view = requests.get(f"{base}/staff/reports/{rid}", headers=squad, timeout=10).json()
        ready = {p["role"] for p in view["photos"] if p["state"] == "ready"}
        return {"before", "after"} <= ready

    wait_for(both_ready, 60)
    duplicate = requests.post(
        f"{base}/reports",
        json={"client_report_id": str(uuid.uuid4()), "label": "jalan_rusak", "lat": -8.0801,
              "lon": 111.5501, "district": "bendungan"},
        timeout=20,
    ).json()  # fmt: skip
    command = {"Authorization": f"Bearer {sign_in(centre, 'komando')}"}
    merged = requests.post(
        f"{base}/reports/{duplicate['id']}/merge", headers=command, json={"into": rid}, timeout=10
    )
    assert merged.status_code == 200
    return {**report, "duplicate_code": duplicate["code"]}


def signed_in_page(browser, centre, username):
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1600, "height": 1000}, reduced_motion="reduce")
    serve_tiles(page)
    page.on(
        "console",
        lambda m: errors.append(f"{m.text} {m.location.get('url')}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.request.method} {r.url}") if r.status >= 400 else None
        ),
    )
    sign_in_on(page, centre, username)
    # an enrolled account's password is answered 403 mfa_required, which Chromium logs: expected
    errors[:] = [e for e in errors if not e.endswith("/auth/sign-in")]
    return page, errors


def sign_in_on(page, centre, username="komando"):
    """The command centre's page, signed in on its own form."""
    page.goto(f"{centre.base}/command-centre")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Kawal-demo-2026")
    page.click("#signin button[type=submit]")
    if username in ("komando", "operator"):  # enrolled demo accounts: the code next
        enter_code(page)
        page.wait_for_selector("#mfa-code-label", state="hidden")


def enter_code(page, secret: str = DEMO_TOTP_SECRET, code: str = "") -> None:
    """The sign-in's second step: the code an authenticator app shows for ``secret``."""
    page.wait_for_selector("#mfa-code-label:not([hidden])")
    page.fill("#mfa-code", code or totp.code(secret))
    page.click("#signin button[type=submit]")


def api_get(centre, path: str, username: str = "komando") -> dict:
    token = sign_in(centre, username)
    answer = requests.get(
        f"{centre.base}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    return answer.json()


def api_stats(centre, token, window="30d"):
    return requests.get(
        f"{centre.base}/stats?window={window}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()


def shown_stats(page, centre, token) -> dict:
    """GET /stats of the very run the page shows (the job runs every second here)."""

    def agreeing():
        stats = api_stats(centre, token)
        shown_at = page.eval_on_selector("#computed", "n => n.dataset.computedAt")
        return stats if stats["computed_at"] == shown_at else None

    return wait_for(agreeing)


def open_reports(centre, token) -> dict[str, str]:
    """Every open report id -> squad, covert ones included, as the command centre reads them."""
    found = {}
    for squad in (*OPEN_SQUADS, "shadow"):
        answer = requests.get(
            f"{centre.base}/squads/{squad}/reports?limit=100",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).json()
        found |= {r["id"]: squad for r in answer["items"]}
    return found


def markers(page) -> list[str]:
    """Every report the map's markers and clusters stand for."""
    return page.eval_on_selector_all(
        ".report-marker", "ms => ms.flatMap(m => m.dataset.reports.split(' '))"
    )


def figures_on(page, squad: str) -> dict[str, str]:
    return page.eval_on_selector_all(
        f'.card[data-squad="{squad}"] .metric',
        "nodes => Object.fromEntries(nodes.map(n => [n.dataset.metric, n.dataset.value]))",
    )


def expected_figures(stats: dict, squad: str) -> dict[str, object]:
    f = stats["figures"].get(f"squad#{squad}", {})
    b = stats["backlog"].get(f"squad#{squad}", {})
    r, z = f.get("time_to_first_response", {}), f.get("time_to_resolution", {})
    return {
        "backlog": b.get("open", 0), "overdue": b.get("overdue", 0),
        "response_median": r.get("median_minutes"), "response_p90": r.get("p90_minutes"),
        "resolution_median": z.get("median_minutes"), "resolution_p90": z.get("p90_minutes"),
        "on_time": r.get("within_sla_share"), "reopen_rate": f.get("reopen_rate"),
        "shadow_fail": f.get("shadow_not_fixed_share"),
    }  # fmt: skip


def same(shown: str, expected: object) -> bool:
    return shown == "" if expected is None else float(shown) == float(expected)


def test_the_command_centre_sees_every_squad_report_and_photo(browser, centre, worked_report):
    token = sign_in(centre, "komando")
    page, errors = signed_in_page(browser, centre, "komando")
    page.wait_for_selector("#board:not([hidden])")
    # (selectors and functions only: the page's CSP forbids evaluating strings)
    page.wait_for_selector('#computed[data-computed-at]:not([data-computed-at=""])')

    # the squad figures exactly as GET /stats returns them, for the same run
    stats = shown_stats(page, centre, token)
    squads = [s["code"] for s in stats["squads"]]
    assert set(squads) == {*OPEN_SQUADS, "shadow"}  # the command centre sees the covert one
    for squad in squads:
        shown = figures_on(page, squad)
        for name, value in expected_figures(stats, squad).items():
            assert same(shown[name], value), (squad, name, shown[name], value)

    # one marker per open report, covert ones included for this role
    expected = open_reports(centre, token)
    assert worked_report["id"] in expected and "shadow" in expected.values()
    page.wait_for_selector(f'#marker-count[data-count="{len(expected)}"]')
    on_map = markers(page)
    assert sorted(on_map) == sorted(expected)

    page.screenshot(path=str(ARTEFACTS / "command-centre.png"), full_page=False)

    # the drawer: timeline and both photos, side by side
    # its marker when it stands alone; in a cluster with a seeded report nearby (the
    # cluster's own test is below), the search by code opens the same drawer
    marker = f'.report-marker[data-reports="{worked_report["id"]}"]'
    if page.locator(marker).count():
        page.click(marker)
    else:
        page.fill("#search-code", worked_report["code"])
        page.click("#search button[type=submit]")
    page.wait_for_selector("#drawer:not([hidden]) .timeline li")
    assert page.locator("#drawer .timeline li").count() == 3  # submit, claim, progress
    for role in ("before", "after"):
        wait_for(
            lambda r=role: page.eval_on_selector(
                f"#drawer [data-role={r}] img", "i => i.complete && i.naturalWidth > 0"
            )
        )
    assert "m (" in page.inner_text("#drawer [data-field=position]")
    assert worked_report["duplicate_code"] in page.inner_text("#drawer [data-field=duplicates]")
    page.screenshot(path=str(ARTEFACTS / "command-centre-drawer.png"))
    page.click("#drawer-close")

    # a squad filter changes the cards and the markers
    page.select_option("#f-squad", "orange")
    assert page.eval_on_selector_all(".card", "cs => cs.map(c => c.dataset.squad)") == ["orange"]
    on_map = markers(page)
    assert on_map and all(expected[r] == "orange" for r in on_map)
    assert len(on_map) == sum(1 for s in expected.values() if s == "orange")

    # Bahasa Indonesia first, English a click away
    assert page.inner_text("h1") == "Pusat Komando"
    page.click("#lang")
    assert page.inner_text("h1") == "Command Centre"
    assert errors == []


def test_a_squad_member_gets_no_data(browser, centre):
    page, errors = signed_in_page(browser, centre, "tim-orange")
    page.wait_for_selector("#denied:not([hidden])")
    assert page.is_hidden("#board")
    assert page.locator(".card").count() == 0 and page.locator(".report-marker").count() == 0
    assert [e for e in errors if "403" not in e] == []  # the refused API call is logged


def test_a_wrong_password_is_refused_on_the_page(browser, centre):
    page = browser.new_page()
    serve_tiles(page)
    page.goto(f"{centre.base}/command-centre")
    page.fill("input[name=username]", "komando")
    page.fill("input[name=password]", "salah")
    page.click("#signin button[type=submit]")
    wait_for(lambda: page.inner_text("#signin-error"))
    assert page.is_hidden("#board")


def test_a_new_regent_enrols_an_authenticator_app_from_the_qr_code_and_signs_in(browser, centre):
    idp, state = cognito(centre)
    pool, username = state["COGNITO_USER_POOL_ID"], f"bupati-{uuid.uuid4().hex[:6]}"
    idp.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=pool, Username=username, Password="Kawal-demo-2026", Permanent=True
    )
    idp.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName="command")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    serve_tiles(page)
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda r: (
            elsewhere.append(r.url) if not r.url.startswith((centre.base, TILES, "data:")) else None
        ),
    )
    page.goto(f"{centre.base}/command-centre")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Kawal-demo-2026")
    page.click("#signin button[type=submit]")

    # first time: a QR code drawn in the page, and the same secret as text to type
    page.wait_for_selector("#mfa-setup:not([hidden]) #mfa-qr svg")
    assert page.is_hidden("#board")
    secret = page.inner_text("#mfa-secret").replace(" ", "")
    assert len(secret) >= 32
    enter_code(page, secret, code=f"{(int(totp.code(secret)) + 1) % 1_000_000:06d}")
    wait_for(lambda: "Kode salah" in page.inner_text("#signin-error"))
    assert page.is_hidden("#board")
    enter_code(page, secret)
    page.wait_for_selector("#board:not([hidden])")
    assert elsewhere == []  # the otpauth:// link (the secret) never leaves the page

    # afterwards: the password, then the code from the app (no QR again)
    page.click("#signout")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Kawal-demo-2026")
    page.click("#signin button[type=submit]")
    page.wait_for_selector("#mfa-ask:not([hidden])")
    assert page.is_hidden("#mfa-setup")
    enter_code(page, secret)
    page.wait_for_selector("#board:not([hidden])")


ARTEFACTS.mkdir(parents=True, exist_ok=True)


def test_the_regent_sees_the_worst_squad_first_and_finds_a_report_by_code(
    browser, centre, worked_report
):
    token = sign_in(centre, "komando")
    page, errors = signed_in_page(browser, centre, "komando")
    page.wait_for_selector("#board:not([hidden])")
    page.wait_for_selector('#computed[data-computed-at]:not([data-computed-at=""])')

    stats = shown_stats(page, centre, token)

    def on_time(squad):
        figures = stats["figures"].get(f"squad#{squad}", {})
        return figures.get("time_to_first_response", {}).get("within_sla_share")

    shown = page.eval_on_selector_all(
        ".card", "cs => cs.map(c => [c.dataset.squad, c.dataset.standing])"
    )
    shares = [on_time(squad) for squad, _ in shown]
    known = [s for s in shares if s is not None]
    assert known == sorted(known) and shares[: len(known)] == known  # worst first, no data last
    for (squad, standing), value in zip(shown, shares, strict=True):
        expected = (
            "none" if value is None else "good" if value >= 0.9 else "warn" if value >= 0.75
            else "bad"
        )  # fmt: skip
        assert standing == expected, (squad, value, standing)
    cards = page.locator("#cards")
    assert cards.evaluate("c => c.scrollHeight <= c.clientHeight + 1")  # nothing hidden inside

    # every member in one table, worst on-time share first; a click sorts the other way
    members = {d for d in stats["figures"] if d.startswith("member#")}
    rows = page.eval_on_selector_all(
        "#members tbody tr",
        "rs => rs.map(r => [r.dataset.member,"
        " r.querySelector('[data-column=on_time]').dataset.value])",
    )
    assert {f"member#{m}" for m, _ in rows} == members and members
    values = [float(v) for _, v in rows if v != ""]
    assert values == sorted(values)
    page.click("#members [data-sort=on_time]")
    values = page.eval_on_selector_all(
        "#members tbody [data-column=on_time]", "cs => cs.map(c => c.dataset.value)"
    )
    assert [float(v) for v in values if v] == sorted((float(v) for v in values if v), reverse=True)

    overdue = page.inner_text("#overdue")
    assert (
        ("terlambat" in overdue)
        if stats["most_overdue"]
        else "Tidak ada laporan terlambat" in overdue
    )

    with page.expect_download() as download:
        page.click("#excel")
    sheet = open(download.value.path(), encoding="utf-8").read()  # noqa: SIM115
    assert sheet.startswith("\ufeffdimension;name;received") and "squad;orange" in sheet

    # three reports metres apart: their cluster, clicked (zooming in if need be), spreads them apart
    # (spiderfy); each one's own marker opens it
    spot = [requests.post(f"{centre.base}/reports", json={
        "client_report_id": str(uuid.uuid4()), "label": "sampah_menumpuk",
        "lat": -8.3301 + i * 0.00005, "lon": 111.6201, "district": "watulimo"},
        timeout=20).json() for i in range(3)]  # fmt: skip
    page.reload()
    page.wait_for_selector("#board:not([hidden])")
    first = f'.report-marker[data-reports~="{spot[0]["id"]}"]'
    page.wait_for_selector(first)
    for _ in range(12):
        if page.locator(f'.report-marker.single[data-reports="{spot[0]["id"]}"]').count():
            break
        page.click(first)
        page.wait_for_timeout(150)
    # a refresh that brings a report 60 m away leaves the spread cluster open; its
    # marker is placed once the regent closes the spread (a click on the map)
    near = requests.post(f"{centre.base}/reports", json={
        "client_report_id": str(uuid.uuid4()), "label": "jalan_rusak",
        "lat": -8.3295, "lon": 111.6201, "district": "watulimo"}, timeout=20).json()  # fmt: skip
    page.wait_for_selector(f'#report-list tr[data-report="{near["id"]}"]', state="attached")
    for report in spot:
        drawer = f'#drawer:not([hidden]) h2:has-text("{report["code"]}")'
        # the board refreshes every few seconds and redraws its markers: a click that
        # lands as its marker is replaced is lost (a regent clicks again; so does this)
        for attempt in range(3):
            page.click(f'.report-marker.single[data-reports="{report["id"]}"]')
            try:
                page.wait_for_selector(drawer, timeout=10000)
                break
            except PlaywrightTimeout:
                if attempt == 2:
                    raise
        page.click("#drawer-close")
    page.click("#map", position={"x": 5, "y": 5})
    page.wait_for_selector(f'.report-marker[data-reports~="{near["id"]}"]')

    # the list beside the map: the same open reports, by deadline, each opening its drawer
    page.click("#list-title")
    listed = page.eval_on_selector_all(
        "#report-list tbody tr", "rs => rs.map(r => r.dataset.report)"
    )
    assert sorted(listed) == sorted(open_reports(centre, token))
    page.click(f'#report-list tr[data-report="{worked_report["id"]}"] button')
    page.wait_for_selector("#drawer:not([hidden]) .timeline li")
    page.click("#drawer-close")

    # where problems cluster: open reports per kecamatan
    page.check("#density")
    counts = page.eval_on_selector_all(".density", "ds => ds.map(d => Number(d.dataset.count))")
    assert sum(counts) == len(open_reports(centre, token))
    page.uncheck("#density")

    # the wall display: large type, one panel at a time, in turn
    page.click("#wall")
    panels = ["#map-panel", "#cards", "#rankings", "#most-overdue"]
    assert [page.locator(p).is_visible() for p in panels] == [True, False, False, False]
    assert page.get_attribute("#wall", "aria-pressed") == "true"
    page.click("#wall")
    assert all(page.locator(p).is_visible() for p in panels)

    # the weekly summary the regent prints: the 7-day figures, squads worst first
    # (the statistics job runs every second here and the reports filed above are being
    # counted: the page and the API agree once both read the same computed figures)
    def weekly_agrees():
        page.click("#weekly-open")
        page.wait_for_selector("#weekly:not([hidden]) .weekly-table tbody tr")
        week = api_stats(centre, token, "7d")
        received = page.eval_on_selector_all(
            "#weekly tbody tr",
            "rs => rs.map(r => [r.dataset.squad,"
            " r.querySelector('[data-column=received]').textContent])",
        )
        figures = week["figures"]
        agree = received and all(
            int(shown) == figures.get(f"squad#{squad}", {}).get("received", 0)
            for squad, shown in received
        )
        if not agree:
            page.click("#weekly-close")
        return agree and week

    assert wait_for(weekly_agrees, 40)
    page.emulate_media(media="print")
    assert page.locator("#board").is_hidden() and page.locator("#weekly").is_visible()
    page.emulate_media(media="screen")
    page.click("#weekly-close")

    page.fill("#search-code", worked_report["code"].lower())
    page.click("#search button[type=submit]")
    page.wait_for_selector("#drawer:not([hidden]) .timeline li")
    assert worked_report["code"] in page.inner_text("#drawer h2")
    deadline = page.inner_text("#drawer [data-field=deadline]")
    assert deadline.startswith("Batas tanggapan") and "WIB" in deadline
    assert "WIB" in page.inner_text("#drawer .timeline li")
    assert "(citizen)" not in page.inner_text("#drawer")  # Bahasa all through
    page.click("#drawer-close")
    page.fill("#search-code", "TRG-ZZZZZZ")
    page.click("#search button[type=submit]")
    page.wait_for_selector("#search-error:has-text('Laporan tidak ditemukan')")
    assert not [e for e in errors if "TRG-ZZZZZZ" not in e], errors


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    return [
        f"{v['id']} {[n['target'] for n in v['nodes']]}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_no_serious_accessibility_violation_on_the_board_or_on_a_phone(browser, centre):
    found = []
    for size in ({"width": 1440, "height": 900}, {"width": 390, "height": 844}):
        page = browser.new_page(viewport=size)
        serve_tiles(page)
        sign_in_on(page, centre)
        page.wait_for_selector("#board:not([hidden])")
        page.wait_for_selector("#members caption")
        found += [f"{size['width']}: {v}" for v in serious_violations(page)]
        wide = page.evaluate("document.documentElement.scrollWidth > innerWidth + 1")
        assert not wide, f"sideways scroll at {size['width']} px"
        # a finger can hit every marker; the kecamatan names are readable, not 7 px
        sides = page.eval_on_selector_all(
            ".report-marker", "ms => ms.map(m => Math.min(m.offsetWidth, m.offsetHeight))"
        )
        assert sides and min(sides) >= 24, (size, min(sides or [0]))
        type_px = page.eval_on_selector_all(
            ".district-name",
            "ns => ns.map(n => parseFloat(getComputedStyle(n.firstChild).fontSize))",
        )
        assert len(type_px) == 14 and min(type_px) >= 12, type_px
        page.close()
    assert not found, "\n".join(found)


def test_from_the_drawer_the_regent_reminds_a_squad_and_hands_a_report_over(
    browser, centre, worked_report
):
    from axe_playwright_python.sync_playwright import Axe

    page, errors = signed_in_page(browser, centre, "komando")
    page.wait_for_selector('#computed[data-computed-at]:not([data-computed-at=""])')
    page.fill("#search-code", worked_report["code"])
    page.click("#search button[type=submit]")
    page.wait_for_selector("#drawer:not([hidden]) [data-field=actions]")
    members = page.eval_on_selector_all("#reassign-member option", "os => os.map(o => o.value)")
    assert "orange-joko" in members and "tim-orange" not in members  # its squad, not the holder
    page.select_option("#reassign-member", "orange-joko")
    page.get_by_role("button", name="Alihkan").click()
    page.wait_for_selector("#drawer [data-field=actions] [role=status]:has-text('Terkirim')")
    assert "ke orange-joko" in page.inner_text("#drawer .timeline")
    page.get_by_label("Pesan untuk tim (boleh kosong)").fill("Mohon selesai hari ini.")
    page.get_by_role("button", name="Tegur tim").click()
    page.wait_for_selector("#drawer .timeline li:has-text('Mohon selesai hari ini.')")
    token = sign_in(centre, "komando")
    view = requests.get(
        f"{centre.base}/staff/reports/{worked_report['id']}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    assert view["assignee"] == "orange-joko"
    assert [e["action"] for e in view["staff_timeline"]][-2:] == ["reassign", "remind"]
    serious = [
        v["id"]
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious and errors == [], (serious, errors)


OUTLINES = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": {"code": code}, "geometry": {
            "type": "Polygon", "coordinates": [[[lon - .04, lat - .04], [lon + .04, lat - .04],
                                                [lon + .04, lat + .04], [lon - .04, lat + .04],
                                                [lon - .04, lat - .04]]]}}
        for code, lat, lon in (("trenggalek", -8.05, 111.71), ("watulimo", -8.26, 111.71))
    ],
}  # fmt: skip


def test_the_map_shows_tiles_and_borders_and_works_without_its_tile_server(browser, centre):
    """Tiles from the configured server with its attribution; the kecamatan borders
    where the operator configured them; with the tile server down, a note and the
    same map of names, borders and markers."""

    for down in (False, True):
        page, errors = signed_in_page(browser, centre, "komando")
        page.unroute(TILES + "/**")
        serve_tiles(page, down=down)
        page.route("**/districts/outlines", lambda r: r.fulfill(json=OUTLINES))
        page.wait_for_selector("#board:not([hidden])")
        page.reload()  # with the tile server and the borders as this round wants them
        page.wait_for_selector("#board:not([hidden]) .report-marker")
        page.wait_for_selector('#map[data-outlines="2"]')
        assert page.locator("#map path.outline").count() == 2
        assert page.locator(".district-name").count() == 14
        if down:
            page.wait_for_selector("#map-note:has-text('Peta dasar tidak dapat dimuat')")
            assert [e for e in errors if "tiles.kawal.test" not in e] == []
        else:
            page.wait_for_selector(".leaflet-tile-loaded")
            assert "© Peta Uji Kawal" in page.inner_text(".leaflet-control-attribution")
            assert page.inner_text("#map-note") == "" and errors == []
        # the density view shades the borders by the open reports in them
        page.check("#density")
        shades = page.eval_on_selector_all(
            "#map path.outline", "ps => ps.map(p => Number(p.getAttribute('fill-opacity')))"
        )
        assert len(shades) == 2 and max(shades) > 0.05, shades
        page.close()


def test_from_the_drawer_the_regent_asks_for_a_closure_to_be_checked(browser, centre):
    resolved = api_get(centre, "/squads/white/reports?status=resolved&limit=1")["items"][0]
    page, errors = signed_in_page(browser, centre, "komando")
    page.wait_for_selector("#board:not([hidden])")
    page.fill("#search-code", resolved["code"])
    page.click("#search button[type=submit]")
    page.get_by_label("Yang perlu diperiksa (boleh kosong)").fill("Apakah saluran benar bersih?")
    page.get_by_role("button", name="Minta pemeriksaan lapangan").click()
    page.wait_for_selector("#drawer [data-field=asked]")
    assert "Apakah saluran benar bersih?" in page.inner_text("#drawer [data-field=asked]")
    assert page.locator("#ask-0").count() == 0  # asked once; the drawer says so
    first = api_get(centre, "/squads/shadow/reports", "bayangan")["items"][0]
    assert first["id"] == resolved["id"] and "saluran" in first["pin_id"]
    assert errors == []


def test_the_drawer_says_how_late_as_the_server_does(browser, centre, worked_report):
    """How late a report is comes from the server (late_minutes, domain/lateness.py), the
    one meaning Tim, the digest and the statistics use: not a sum on the regent's screen."""
    page, errors = signed_in_page(browser, centre, "komando")

    def doctored(route):
        answer = route.fetch()
        body = answer.json()
        body.update(overdue=True, late_minutes=300)  # due later today, yet 5 hours late
        route.fulfill(response=answer, json=body)

    page.route(re.compile(r"/staff/reports/[^/?]+$"), doctored)  # by id or by code
    page.wait_for_selector('#computed[data-computed-at]:not([data-computed-at=""])')
    page.fill("#search-code", worked_report["code"])
    page.click("#search button[type=submit]")
    page.wait_for_selector("#drawer:not([hidden]) [data-field=deadline]")
    assert "(terlambat 5 jam)" in page.inner_text("#drawer [data-field=deadline]")
    assert not errors
