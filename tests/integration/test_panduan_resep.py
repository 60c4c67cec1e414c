"""The recipes of docs/panduan-pengembang.md, done on the embedded AWS (moto) through
the API: each test is named after the recipe it proves and does what the recipe says."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from chalicelib import bootstrap, config
from chalicelib.adapters.notify import DeliveryFailed, Parts
from chalicelib.domain.messages import Notification
from chalicelib.entry import events
from chalicelib.entry.web_apps import TYPES
from chalicelib.services import dispatch, reports
from kawal_local.pump import StreamReader, drain

from .helpers import keys, post_json, report_body
from .test_dispatch import Clock, received, sns_outage, subscribe_queue

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "chalicelib" / "data" / "catalogue.json"
STATIC = ROOT / "chalicelib" / "entry" / "static"

AT_TRENGGALEK = {"lat": -8.0502, "lon": 111.7103}  # the centre of Kec. Trenggalek
NGADIRENGGO = "35.03.12.2003"  # a desa of Kecamatan Pogalan (villages.json)


def square(lon: float, lat: float, half: float = 0.02) -> list[list[float]]:
    """A closed ring around a point, (lon, lat) as GeoJSON orders them."""
    w, e, s, n = lon - half, lon + half, lat - half, lat + half
    return [[w, s], [e, s], [e, n], [w, n], [w, s]]


def geojson(tmp_path: Path, name: str, shapes: dict[str, list]) -> Path:
    features = [
        {"type": "Feature", "properties": {"code": code},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}
        for code, ring in shapes.items()
    ]  # fmt: skip
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.fixture
def stream(aws):
    reader = StreamReader(config.table_name())
    return lambda: drain(reader, events.dispatch_stream)


# --- Resep 1: menambah label ---------------------------------------------------------

NEW_LABEL = {
    "code": "jembatan_gantung_rusak",
    "squad": "orange",
    "sla_hours": 48,
    "name_id": "Jembatan gantung rusak",
    "name_en": "Damaged suspension bridge",
    "synonyms": ["jembatan gantung"],
    "icon": "🌉",
}


def test_resep_menambah_label(client, aws, stream, tmp_path, monkeypatch):
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    data["labels"].append(NEW_LABEL)
    edited = tmp_path / "catalogue.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("CATALOGUE_PATH", str(edited))
    orange = subscribe_queue(aws, "orange", "resep-label-orange")
    yellow = subscribe_queue(aws, "yellow", "resep-label-yellow")

    listed = {lb["code"]: lb for lb in client.http.get("/labels").json_body}
    assert listed["jembatan_gantung_rusak"]["handled_by"]["code"] == "orange"
    assert listed["jembatan_gantung_rusak"]["name_id"] == "Jembatan gantung rusak"

    filed = post_json(client, "/reports", report_body(label="jembatan_gantung_rusak"))
    assert filed.status_code == 201, filed.body
    stream()
    (told,) = received(aws, orange)  # exactly once, on the orange squad's topic
    attributes = {k: v["Value"] for k, v in told["MessageAttributes"].items()}
    assert (attributes["label"], attributes["squad"]) == ("jembatan_gantung_rusak", "orange")
    assert json.loads(told["Message"])["report_code"] == filed.json_body["code"]
    assert received(aws, yellow) == []
    # without the edited file the label is unknown again: a clear 400, nothing stored
    monkeypatch.delenv("CATALOGUE_PATH")
    before = keys()
    refused = post_json(client, "/reports", report_body(label="jembatan_gantung_rusak"))
    assert refused.status_code == 400 and refused.json_body["error"]["code"]
    assert keys() == before


# --- Resep 3: memuat batas kecamatan/desa --------------------------------------------


def test_resep_memuat_batas_kecamatan(client, tmp_path, monkeypatch):
    # Kec. Karangan's polygon drawn over Trenggalek's centre: the polygon decides,
    # not the nearest centre (which would say Trenggalek, "perkiraan")
    ring = square(AT_TRENGGALEK["lon"], AT_TRENGGALEK["lat"])
    path = geojson(tmp_path, "kecamatan.geojson", {"karangan": ring})
    monkeypatch.setenv("DISTRICT_BOUNDARIES_PATH", str(path))

    filed = post_json(client, "/reports", report_body(district=None, **AT_TRENGGALEK))
    assert filed.status_code == 201, filed.body
    assert (filed.json_body["district"], filed.json_body["district_approx"]) == ("karangan", False)
    outlines = client.http.get("/districts/outlines").json_body
    assert [f["properties"]["code"] for f in outlines["features"]] == ["karangan"]
    # inside the regency's box but outside every polygon: refused, nothing stored
    before = keys()
    outside = post_json(client, "/reports", report_body(district=None, lat=-8.30, lon=111.45))
    assert outside.status_code == 400
    assert outside.json_body["error"]["code"] == "outside_regency"
    assert keys() == before


def test_resep_memuat_batas_kecamatan_kode_tak_dikenal_ditolak(tmp_path, monkeypatch):
    from chalicelib.domain import geo

    ring = square(AT_TRENGGALEK["lon"], AT_TRENGGALEK["lat"])
    path = geojson(tmp_path, "salah.geojson", {"Karangan": ring})  # a name, not the code
    monkeypatch.setenv("DISTRICT_BOUNDARIES_PATH", str(path))
    with pytest.raises(ValueError, match="unknown district code 'Karangan'"):
        geo.load_boundaries(geo.load_regency())


def test_resep_memuat_batas_desa(client, tmp_path, monkeypatch):
    ring = square(AT_TRENGGALEK["lon"], AT_TRENGGALEK["lat"], half=0.005)
    path = geojson(tmp_path, "desa.geojson", {NGADIRENGGO: ring})
    monkeypatch.setenv("VILLAGE_BOUNDARIES_PATH", str(path))

    filed = post_json(client, "/reports", report_body(district=None, **AT_TRENGGALEK))
    assert filed.status_code == 201, filed.body
    shown = client.http.get(f"/reports/{filed.json_body['id']}").json_body
    # the desa's polygon names the desa, and the desa names its kecamatan
    assert (shown["district"], shown["village"]) == ("pogalan", NGADIRENGGO)
    assert shown["district_approx"] is False


# --- Resep 4: menambah kanal notifikasi ----------------------------------------------


class KanalTelegram:
    """The recipe's new channel: a squad's chat group hears each squad message once,
    before the publisher it wraps (so a retry after the inner one failed skips it).
    ``send`` stands in for the real client (adapters/telegram.py in the recipe)."""

    def __init__(self, inner, outbox, send, catalogue):
        self.inner, self.outbox, self.send = inner, outbox, send
        self.covert = {s.code for s in catalogue.squads if s.covert}

    def publish(self, n: Notification) -> str:
        if n.audience == "squad" and n.topic not in self.covert:
            parts = Parts(self.outbox, n)
            if not parts.sent("telegram", n.topic):
                self.send(n.topic, n.sms)  # raises DeliveryFailed: the outbox retries
                parts.mark("telegram", n.topic)
        return self.inner.publish(n)


def redrive(d) -> None:
    """As the scheduled redrive_notifications runs it (sealed ones opened there)."""
    from chalicelib.adapters import covert

    with covert.opening():
        d.redrive()


def test_resep_menambah_kanal_notifikasi(client, aws, stream, monkeypatch):
    chats: list[tuple[str, str]] = []
    down = {"now": True}

    def send(chat: str, text: str) -> None:
        if down["now"]:
            raise DeliveryFailed("telegram: 502 Bad Gateway")
        chats.append((chat, text))

    built = bootstrap.dispatcher

    def wired():  # what the recipe's edit of bootstrap.dispatcher() builds
        d = built()
        d.publisher = KanalTelegram(d.publisher, d.outbox, send, d.catalogue)
        return d

    monkeypatch.setattr(bootstrap, "dispatcher", wired)
    orange = subscribe_queue(aws, "orange", "resep-kanal-orange")

    filed = post_json(client, "/reports", report_body()).json_body
    shadow = post_json(client, "/reports", report_body(label="pungutan_liar")).json_body
    stream()  # the new channel is down: nothing is lost, the outbox keeps it pending
    assert chats == [] and received(aws, orange) == []

    clock = Clock()
    d = wired()
    d.now = clock
    # the channel is back but SNS is not: the chat hears it, the outbox retries SNS
    down["now"] = False
    outage = {"down": True}
    sns_outage(aws, monkeypatch, outage)
    clock.at = reports.utc_now() + dispatch.backoff(1)
    redrive(d)
    assert chats == [("orange", chats[0][1])] and filed["code"] in chats[0][1]
    assert received(aws, orange) == []
    # SNS is back: the topic gets it once, the chat is not told again
    outage["down"] = False
    clock.at += dispatch.backoff(2)
    redrive(d)
    (on_topic,) = received(aws, orange)
    assert json.loads(on_topic["Message"])["report_code"] == filed["code"]
    assert len(chats) == 1
    # a later redrive and a redelivered stream record send nothing twice
    clock.at += timedelta(hours=2)
    redrive(d)
    stream()
    assert len(chats) == 1 and received(aws, orange) == []
    assert not any(shadow["code"] in text for _, text in chats)  # covert: never this channel


# --- Resep 5: menambah layar ---------------------------------------------------------


def _cached_by_service_worker(app: str) -> list[str]:
    sw = (STATIC / app / "sw.js").read_text(encoding="utf-8")
    listed = re.search(r'serve\("\w+", "\{\{version\}\}", \[(.*?)\]', sw, re.S)
    assert listed, f"{app}/sw.js lists no files"
    return re.findall(r'"([^"]+)"', listed.group(1))


@pytest.mark.parametrize("app", ["lapor", "tim"])
def test_resep_menambah_layar_setiap_file_dilayani_dan_disimpan_offline(client, app):
    page = client.http.get(f"/{app}/")
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert b"<script>" not in page.body  # no inline script: the CSP would block it
    # every file in the app's folder is served, as its type, never sniffed
    for path in sorted((STATIC / app).iterdir()):
        if path.name == "index.html" or path.suffix not in TYPES:
            continue
        name = path.stem if path.suffix == ".html" else path.name
        # an image is asked for as a browser asks (API Gateway sends binaries only then)
        image = {"Accept": "image/avif,image/webp,image/*,*/*;q=0.8"}
        served = client.http.get(f"/{app}/{name}", headers=image if path.suffix == ".png" else {})
        assert served.status_code == 200, (app, name)
        assert served.headers["Content-Type"] == TYPES[path.suffix], (app, name)
        assert served.headers["X-Content-Type-Options"] == "nosniff"
    # and every file the service worker keeps for offline use exists
    for entry in _cached_by_service_worker(app):
        url = f"/{app}/{entry}" if not entry.startswith("../") else "/" + entry[3:]
        assert client.http.get(url.replace("/./", "/")).status_code == 200, (app, entry)
