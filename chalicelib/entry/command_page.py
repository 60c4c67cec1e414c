"""The command centre's page, served by the API itself: one HTML file, a script and a
stylesheet from ``chalicelib/static/command`` (no build step, no library, nothing
fetched from the internet at run time). Served by Chalice rather than an S3 site so it
needs no other resource, shares the API's origin (no CORS) and runs unchanged under
`make run`. The page holds no data: it signs in and reads the same APIs as any client.

Map tiles are optional (``MAP_TILE_URL``, e.g. a regency tile server); by default the
map is the districts on a plain background, which works offline.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

from chalice import Blueprint, Response

from chalicelib.domain.errors import NotFound
from chalicelib.entry.http import route

bp = Blueprint(__name__)
STATIC = Path(__file__).parent / "static" / "command"
ASSETS = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}
PAGE = {200: {"text/html": {"type": "string"}}}


@route(bp, "/command-centre", methods=["GET"], doc={"returns": PAGE})
def page():
    """The command centre's screen (sign in as a command-centre account)."""
    settings = {
        "tileUrl": os.environ.get("MAP_TILE_URL", ""),
        "tileAttribution": os.environ.get("MAP_TILE_ATTRIBUTION", ""),
        "refreshSeconds": int(os.environ.get("COMMAND_REFRESH_SECONDS", "60")),
        # a squad's standing by its on-time share: good from here, a warning from here
        "onTimeGood": float(os.environ.get("COMMAND_ONTIME_GOOD", "0.9")),
        "onTimeWarn": float(os.environ.get("COMMAND_ONTIME_WARN", "0.75")),
        "wallSeconds": int(os.environ.get("COMMAND_WALL_SECONDS", "20")),
    }
    text = (STATIC / "index.html").read_text(encoding="utf-8")
    text = text.replace("{{settings}}", html.escape(json.dumps(settings), quote=False))
    return Response(
        body=text,
        status_code=200,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-store",
            # Only our own script and style; images from presigned S3 URLs and tiles.
            "Content-Security-Policy": "default-src 'self'; img-src 'self' https: http: data:; "
            "style-src 'self'; script-src 'self'; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff",
        },
    )


@route(
    bp,
    "/command-centre/{asset}",
    methods=["GET"],
    doc={"returns": {200: {"text/javascript": {"type": "string"}, "text/css": {"type": "string"}}}},
)
def asset(asset: str):
    """The page's script and stylesheet."""
    if asset not in ASSETS:
        raise NotFound(f"no asset {asset!r}")
    return Response(
        body=(STATIC / asset).read_text(encoding="utf-8"),
        status_code=200,
        headers={"Content-Type": ASSETS[asset], "Cache-Control": "public, max-age=300"},
    )
