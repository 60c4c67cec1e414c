"""The command centre's page at ``/command-centre``, on the web apps' common ground
(``web_apps``): its page, script and stylesheet from ``static/command``, the map library
(Leaflet, vendored) from ``/shared/``, the same strict CSP. The page holds no data: it
signs in and reads the same APIs as any client.

Map tiles are optional (``MAP_TILE_URL``, e.g. OpenStreetMap's or a regency tile
server, with ``MAP_TILE_ATTRIBUTION``); the CSP admits that one origin for images.
Without tiles, or offline, the map is the kecamatan (and their borders, where
configured) on a plain background."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from chalice import Blueprint

from chalicelib.domain import geo
from chalicelib.entry import web_apps
from chalicelib.entry.http import route
from chalicelib.entry.web_apps import ASSET_DOC, PAGE_DOC

bp = Blueprint(__name__)


def _settings() -> dict:
    from chalicelib.entry.follow_page import STATUS  # the citizen's words for each status

    return {
        "districts": [d.model_dump() for d in geo.load_regency().districts],
        "tileUrl": os.environ.get("MAP_TILE_URL", ""),
        "tileAttribution": os.environ.get("MAP_TILE_ATTRIBUTION", ""),
        "refreshSeconds": int(os.environ.get("COMMAND_REFRESH_SECONDS", "60")),
        # a squad's standing by its on-time share: good from here, a warning from here
        "onTimeGood": float(os.environ.get("COMMAND_ONTIME_GOOD", "0.9")),
        "onTimeWarn": float(os.environ.get("COMMAND_ONTIME_WARN", "0.75")),
        "wallSeconds": int(os.environ.get("COMMAND_WALL_SECONDS", "20")),
        "statuses": STATUS,
    }


def _tile_origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""


@route(bp, "/command-centre", methods=["GET"], doc=PAGE_DOC)
def page():
    """The command centre's screen (sign in as a command-centre account)."""
    settings = _settings()
    return web_apps.page("command", settings, images=_tile_origin(settings["tileUrl"]))


@route(bp, "/command-centre/{asset}", methods=["GET"], doc=ASSET_DOC)
def asset(asset: str):
    """The page's script and stylesheet."""
    return web_apps.app_asset("command", asset)
