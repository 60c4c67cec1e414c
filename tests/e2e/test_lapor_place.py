"""Every report has its place (issue #36), in the citizens' app in a real browser:
filed by GPS, the citizen sees the kecamatan it gets before sending ("perkiraan" when
it is only the nearest one) and can change it, and the desa, with the pickers; a
point outside the regency's configured outline is explained and nothing is sent."""

from __future__ import annotations

import json

import pytest

from .conftest import ROOT, Runner
from .test_lapor_app import ARTEFACTS, SMALL, open_app, phone, public, report_posts, sent_code

pytestmark = pytest.mark.e2e
AT_TRENGGALEK = {"latitude": -8.05020, "longitude": 111.71030, "accuracy": 8}
SQUARE = [[111.60, -8.10], [111.80, -8.10], [111.80, -8.00], [111.60, -8.00], [111.60, -8.10]]


@pytest.fixture(scope="module")
def lapor(runner):
    return runner


@pytest.fixture(scope="module")
def outlined():
    """A runner whose operator configured kecamatan borders (one square, Karangan)."""
    path = ROOT / ".pytest_cache" / "outline-kecamatan.geojson"
    path.parent.mkdir(exist_ok=True)
    feature = {"type": "Feature", "properties": {"code": "karangan"},
               "geometry": {"type": "Polygon", "coordinates": [SQUARE]}}  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DISTRICT_BOUNDARIES_PATH", str(path))
        r = Runner(seed=False)
    try:
        r.wait_ready()
        yield r
    finally:
        r.stop()


def test_filed_by_gps_the_citizen_sees_the_kecamatan_and_can_change_it(browser, lapor):
    context = phone(browser, SMALL, AT_TRENGGALEK)
    page, errors = open_app(context, lapor.base)
    page.get_by_role("button", name="Jalan rusak").click()
    place = page.locator("#place-text")
    place.filter(has_text="Kecamatan Trenggalek").wait_for()
    assert "perkiraan" in place.inner_text()
    assert page.get_by_label("Atau pilih kecamatan").input_value() == "trenggalek"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "lapor-place.png"))
    # sent as it is: the kecamatan is the nearest one, and says so
    page.get_by_role("button", name="Kirim").click()
    guessed = public(lapor, sent_code(page))
    assert (guessed["district"], guessed["district_approx"]) == ("trenggalek", True)
    assert (guessed["lat"], guessed["lon"]) == (-8.0502, 111.7103)
    # the next one: the citizen knows better, and names the desa too
    page.get_by_role("button", name="Lapor lagi").click()
    page.get_by_role("button", name="Jalan rusak").click()
    place.filter(has_text="perkiraan").wait_for()
    page.get_by_label("Atau pilih kecamatan").select_option("pogalan")
    page.get_by_label("Desa/kelurahan").select_option(label="Ngadirenggo")
    place.filter(has_text="Kecamatan Pogalan, Desa Ngadirenggo").wait_for()
    assert "perkiraan" not in place.inner_text()
    page.get_by_role("button", name="Kirim").click()
    picked = public(lapor, sent_code(page))
    assert (picked["district"], picked["village"], picked["district_approx"]) == (
        "pogalan", "35.03.12.2003", False,
    )  # fmt: skip
    assert (picked["lat"], picked["lon"]) == (-8.0502, 111.7103)  # the GPS point, kept
    assert not errors
    context.close()


def test_outside_the_configured_outline_is_explained_and_nothing_is_sent(browser, outlined):
    # inside the regency's box, outside every configured kecamatan
    context = phone(browser, SMALL, {"latitude": -8.30, "longitude": 111.80, "accuracy": 8})
    page, errors = open_app(context, outlined.base)
    before = report_posts(outlined)
    page.get_by_role("button", name="Jalan rusak").click()
    page.locator("#where-text").filter(has_text="di luar Kabupaten Trenggalek").wait_for()
    page.get_by_role("button", name="Kirim").click()
    assert "di luar Kabupaten Trenggalek" in page.inner_text("#form-error")
    assert page.inner_text("#place-text") == ""
    assert report_posts(outlined) == before
    assert not errors
    context.close()
    # inside it, the border decides and nothing is a guess
    context = phone(browser, SMALL, {"latitude": -8.05, "longitude": 111.70, "accuracy": 8})
    page, errors = open_app(context, outlined.base)
    page.get_by_role("button", name="Jalan rusak").click()
    page.locator("#place-text").filter(has_text="Kecamatan Karangan").wait_for()
    assert "perkiraan" not in page.inner_text("#place-text")
    page.get_by_role("button", name="Kirim").click()
    report = public(outlined, sent_code(page))
    assert (report["district"], report["district_approx"]) == ("karangan", False)
    assert not errors
    context.close()
