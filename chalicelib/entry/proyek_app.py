"""The public projects page at ``/proyek/``: every public work on a map (Leaflet,
vendored in ``/shared/``) and in a list, planned vs reported progress; on the web apps'
common ground (same origin, strict CSP, no data in the page: it reads GET /projects)."""

from __future__ import annotations

import html
import os

from chalice import Blueprint

from chalicelib.domain import geo
from chalicelib.domain.projects import FUNDING, OPDS
from chalicelib.entry import web_apps
from chalicelib.entry.command_page import _tile_origin
from chalicelib.entry.http import route
from chalicelib.entry.web_apps import ASSET_DOC, PAGE_DOC
from chalicelib.services.reports import utc_now

bp = Blueprint(__name__)


@route(bp, "/proyek", methods=["GET"], doc=PAGE_DOC)
def proyek():
    """The public works of the regency: a map and a list, planned vs reported progress."""
    moved = web_apps.not_at_its_folder("proyek")
    if moved:
        return moved
    from chalicelib.domain.sms_text import WIB

    tiles = os.environ.get("MAP_TILE_URL", "")
    settings = {
        "districts": [d.model_dump() for d in geo.load_regency().districts],
        "year": utc_now().astimezone(WIB).year,
        "funding": FUNDING,
        "tileUrl": tiles,
        "tileAttribution": os.environ.get("MAP_TILE_ATTRIBUTION", ""),
    }
    opds = "".join(
        f'<option value="{html.escape(code)}">{html.escape(name)}</option>'
        for code, name in OPDS.items()
    )
    return web_apps.page("proyek", settings, images=_tile_origin(tiles), opds=opds)


@route(bp, "/proyek/{asset}", methods=["GET"], doc=ASSET_DOC)
def proyek_asset(asset: str):
    """The page's script and stylesheet."""
    return web_apps.app_asset("proyek", asset)
