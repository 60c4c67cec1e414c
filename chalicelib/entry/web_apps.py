"""The web apps' common ground: their static files from ``static/`` served by the API
itself (same origin: no CORS, one deploy, runs unchanged under `make run`), one strict
CSP, and the files they share at ``/shared/``. Each app's own page is in its module
(``lapor_app``, ``tim_app``); no page holds data."""

from __future__ import annotations

import hashlib
import html
import json
from functools import cache
from pathlib import Path

from chalice import Blueprint, Response

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
    ".png": "image/png",  # the install icons (Android wants PNGs beside the SVG)
}
SECURITY = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
ASSET_DOC = {
    "returns": {200: {"text/javascript": {"type": "string"}, "text/css": {"type": "string"}}}
}
PAGE_DOC = {"returns": {200: {"text/html": {"type": "string"}}, 302: None}}


@cache
def _files(folder: str) -> dict[str, Path]:
    """The servable files of one folder, by the name in the URL (no path from the
    request ever reaches the file system); listed once per process."""
    found = {}
    for path in (STATIC / folder).iterdir():
        if path.is_file() and path.suffix in TYPES and path.name != "index.html":
            found[path.stem if path.suffix == ".html" else path.name] = path
    return found


def serve(path: Path, max_age: int = 300, body: str | None = None) -> Response:
    binary = TYPES[path.suffix].startswith("image/png")  # in Chalice's binary_types
    return Response(
        body=(path.read_bytes() if binary else path.read_text(encoding="utf-8"))
        if body is None
        else body,
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
def version(app: str) -> str:
    """A digest of every file the service worker caches: a change ships a new cache."""
    digest = hashlib.sha256()
    for folder in (app, "shared"):
        for path in sorted(p for p in (STATIC / folder).iterdir() if p.is_file()):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


@cache
def _bucket_origin(_bucket: str, _endpoint: str) -> str:
    """Where presigned photo URLs point: worked out once per bucket and endpoint (the
    cache's key; a presign builds an S3 client)."""
    from urllib.parse import urlsplit

    from chalicelib.adapters import media

    url = urlsplit(media.view_url("photos/x.jpg"))
    return f"{url.scheme}://{url.netloc}"


def _csp(images: str = "") -> str:
    """Only our own files; photos from the bucket's presigned URLs (its origin alone)
    and, for a map, its configured tile server's origin."""
    import os

    from chalicelib import config

    origin = _bucket_origin(config.bucket_name(), os.environ.get("AWS_ENDPOINT_URL", ""))
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        f"img-src 'self' blob: data: {origin}{' ' + images if images else ''}; worker-src 'self'; "
        "manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


def villages() -> list[dict]:
    """Desa and kelurahan for an app's pickers ("which village?" without a request)."""
    from chalicelib.domain import geo

    return [
        {"code": v.code, "name": v.name, "district": v.district, "kind": v.kind}
        for v in geo.load_villages().villages
    ]


def district_options(districts: list[dict]) -> str:
    """The kecamatan as <option>s, drawn in the page (no request, nothing shifts)."""
    return "".join(
        f'<option value="{html.escape(d["code"])}">{html.escape(d["name"])}</option>'
        for d in districts
    )


def csp() -> str:
    """An app page's Content-Security-Policy (for a page drawn outside ``page``)."""
    return _csp()


def page(app: str, settings: dict, images: str = "", **fills: str) -> Response:
    """An app's page: its template with the settings as a JSON data block (no inline
    script) and any pieces drawn in the page; never cached by the browser (the service
    worker keeps a copy)."""
    text = (STATIC / app / "index.html").read_text(encoding="utf-8")
    fills["districts"] = district_options(settings["districts"])
    for name, value in fills.items():
        text = text.replace("{{" + name + "}}", value)
    text = text.replace("{{settings}}", html.escape(json.dumps(settings), quote=False))
    headers: dict[str, str | list[str]] = {
        "Content-Type": TYPES[".html"],
        "Cache-Control": "no-cache",
        "Content-Security-Policy": _csp(images),
        **SECURITY,
    }
    return Response(body=text, status_code=200, headers=headers)


def not_at_its_folder(app: str) -> Response | None:
    """Relative links (app.js, ../labels) need the page at /<app>/, whatever the prefix."""
    if not (bp.current_request.context or {}).get("path", "/").endswith("/"):
        return Response(body="", status_code=302, headers={"Location": f"{app}/"})
    return None


def app_asset(app: str, asset: str) -> Response:
    """One of an app's files; its service worker carries the version of its files."""
    path = _files(app).get(asset)
    if path is None:
        raise NotFound(f"no asset {asset!r}")
    if asset == "sw.js":  # always checked for a new version; its scope is the app's folder
        text = path.read_text(encoding="utf-8").replace("{{version}}", version(app))
        return serve(path, 0, text)
    if asset == "style.css":
        return serve(path, body=path.read_text(encoding="utf-8") + squad_colours())
    return serve(path)


@route(bp, "/shared/{asset}", methods=["GET"], doc=ASSET_DOC)
def shared_asset(asset: str):
    """Styles, strings, the offline outbox and vendored libraries the apps share."""
    path = _files("shared").get(asset)
    if path is None:
        raise NotFound(f"no asset {asset!r}")
    return serve(path)
