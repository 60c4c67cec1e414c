"""The citizens' web app at ``/lapor/`` and the files the apps share at ``/shared/``:
static files from ``static/``, served by the API itself (same origin: no CORS, one
deploy, runs unchanged under `make run`). The page holds no data; its settings (the
regency's bounds, the squads' groups, status words) come from the catalogue."""

from __future__ import annotations

import hashlib
import html
import json
from functools import cache
from pathlib import Path

from chalice import Blueprint, Response

from chalicelib import config
from chalicelib.domain import geo
from chalicelib.domain.errors import NotFound
from chalicelib.entry.http import route

bp = Blueprint(__name__)
STATIC = Path(__file__).parent / "static"
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".html": "text/html; charset=utf-8",
}
SECURITY = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
ASSET_DOC = {
    "returns": {200: {"text/javascript": {"type": "string"}, "text/css": {"type": "string"}}}
}
PAGE_DOC = {"returns": {200: {"text/html": {"type": "string"}}, 302: None}}


def _files(folder: str) -> dict[str, Path]:
    """The servable files of one folder, by the name in the URL (no path from the
    request ever reaches the file system)."""
    found = {}
    for path in (STATIC / folder).iterdir():
        if path.is_file() and path.suffix in TYPES and path.name != "index.html":
            found[path.stem if path.suffix == ".html" else path.name] = path
    return found


def serve(path: Path, max_age: int = 300, body: str | None = None) -> Response:
    return Response(
        body=path.read_text(encoding="utf-8") if body is None else body,
        status_code=200,
        headers={
            "Content-Type": TYPES[path.suffix],
            "Cache-Control": f"public, max-age={max_age}" if max_age else "no-cache",
            **SECURITY,
        },
    )


def squad_colours() -> str:
    """Each public handler's colour as a CSS custom property (a style attribute would
    need 'unsafe-inline' in the CSP); the covert squad is never among them."""
    from chalicelib.routing import COMMAND_CENTRE, load_catalogue

    public = [s for s in load_catalogue().squads if not s.covert]
    colours = [(s.code, s.colour) for s in public] + [("command", COMMAND_CENTRE["colour"])]
    return "".join(
        f".handled-by-{code}, .squad-{code} {{ --squad: {colour}; }}\n" for code, colour in colours
    )


@cache
def version() -> str:
    """A digest of every file the service worker caches: a change ships a new cache."""
    digest = hashlib.sha256()
    for folder in ("lapor", "shared"):
        for path in sorted(p for p in (STATIC / folder).iterdir() if p.is_file()):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def _csp() -> str:
    """Only our own files; photos from the bucket's presigned URLs (its origin alone)."""
    from urllib.parse import urlsplit

    from chalicelib.adapters import media

    bucket = urlsplit(media.view_url("photos/x.jpg"))
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        f"img-src 'self' blob: data: {bucket.scheme}://{bucket.netloc}; worker-src 'self'; "
        "manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


def _settings() -> dict:
    from chalicelib.entry.follow_page import STATUS
    from chalicelib.routing import COMMAND_CENTRE, load_catalogue

    regency = geo.load_regency()
    catalogue = load_catalogue()
    # the grid's groups in the catalogue's label order: roads and floods come first
    order = list(dict.fromkeys(label.squad for label in catalogue.labels))
    squads = sorted(
        (s for s in catalogue.squads if not s.covert),
        key=lambda s: order.index(s.code) if s.code in order else len(order),
    )
    groups = [
        {"code": s.code, "handles_id": s.handles_id, "handles_en": s.handles_en} for s in squads
    ]
    # labels the command centre answers itself (publicly: who else does is not said)
    groups.append(
        {
            "code": COMMAND_CENTRE["code"],
            "handles_id": f"Langsung ke {COMMAND_CENTRE['name_id']}",
            "handles_en": f"Straight to the {COMMAND_CENTRE['name_en']}",
        }
    )
    return {
        "regency": regency.regency,
        "bounds": regency.bounds.model_dump(),
        "groups": groups,
        "statuses": STATUS,
        # the catalogue in the page: the grid needs no request (and does not jump in)
        "labels": catalogue.public_labels(),
        "districts": [d.model_dump() for d in regency.districts],
    }


def _label_grid(settings: dict) -> str:
    """The label buttons as the script would draw them, in the page itself: painted
    at once on a slow phone, nothing shifts when the script takes over."""
    e = html.escape
    out = []
    for group in settings["groups"]:
        labels = [lb for lb in settings["labels"] if lb["handled_by"]["code"] == group["code"]]
        if not labels:
            continue
        buttons = "".join(
            f'<button type="button" class="label" data-code="{e(lb["code"])}" '
            f'aria-pressed="false"><span class="icon" aria-hidden="true">{e(lb["icon"])}</span>'
            f"<span>{e(lb['name_id'])}</span></button>"
            for lb in labels
        )
        out.append(
            f'<div class="group squad-{e(group["code"])}"><h4>{e(group["handles_id"])}</h4>'
            f'<div class="grid">{buttons}</div></div>'
        )
    return "".join(out)


@route(bp, "/lapor", methods=["GET"], doc=PAGE_DOC)
def lapor():
    """The citizens' app (a PWA): photo, label, send; my reports; works offline."""
    request = bp.current_request
    if not request.context.get("path", "/").endswith("/"):
        # relative links (app.js, ../labels) need the page at /lapor/, whatever the prefix
        return Response(body="", status_code=302, headers={"Location": "lapor/"})
    settings = _settings()
    page = (STATIC / "lapor" / "index.html").read_text(encoding="utf-8")
    page = page.replace("{{labels}}", _label_grid(settings))
    options = "".join(
        f'<option value="{html.escape(d["code"])}">{html.escape(d["name"])}</option>'
        for d in settings["districts"]
    )
    page = page.replace("{{districts}}", options)
    page = page.replace("{{settings}}", html.escape(json.dumps(settings), quote=False))
    headers = {
        "Content-Type": TYPES[".html"],
        "Cache-Control": "no-cache",
        "Content-Security-Policy": _csp(),
        **SECURITY,
    }
    return Response(body=page, status_code=200, headers=headers)


@route(bp, "/lapor/{asset}", methods=["GET"], doc=ASSET_DOC)
def lapor_asset(asset: str):
    """The app's script, styles, service worker, manifest, icon and privacy notice."""
    path = _files("lapor").get(asset)
    if path is None:
        raise NotFound(f"no asset {asset!r}")
    if asset == "sw.js":  # always checked for a new version; its scope is /lapor/
        return serve(path, 0, path.read_text(encoding="utf-8").replace("{{version}}", version()))
    if asset == "style.css":
        return serve(path, body=path.read_text(encoding="utf-8") + squad_colours())
    if asset == "privasi":
        days = str(config.contact_retention_days())
        response = serve(
            path, body=path.read_text(encoding="utf-8").replace("{{retention_days}}", days)
        )
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'"
        )
        return response
    return serve(path)


@route(bp, "/shared/{asset}", methods=["GET"], doc=ASSET_DOC)
def shared_asset(asset: str):
    """Styles, strings, the offline outbox and vendored libraries the apps share."""
    path = _files("shared").get(asset)
    if path is None:
        raise NotFound(f"no asset {asset!r}")
    return serve(path)
