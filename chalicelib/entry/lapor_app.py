"""The citizens' app at ``/lapor/``: the page with its settings (the regency's bounds,
the label catalogue, the squads' groups, status words) and its label grid drawn in."""

from __future__ import annotations

import html
import json

from chalice import Blueprint

from chalicelib import config
from chalicelib.domain import geo
from chalicelib.entry import web_apps
from chalicelib.entry.http import route
from chalicelib.entry.web_apps import ASSET_DOC, PAGE_DOC, STATIC

bp = Blueprint(__name__)


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
        # desa and kelurahan: "which village?" without a request either
        "villages": web_apps.villages(),
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
    moved = web_apps.not_at_its_folder("lapor")
    if moved:
        return moved
    settings = _settings()
    return web_apps.page("lapor", settings, labels=_label_grid(settings))


@route(bp, "/lapor/{asset}", methods=["GET"], doc=ASSET_DOC)
def lapor_asset(asset: str):
    """The app's script, styles, service worker, manifest, icon and privacy notice."""
    if asset == "privasi":
        path = STATIC / "lapor" / "privasi.html"
        days = str(config.contact_retention_days())
        text = path.read_text(encoding="utf-8").replace("{{retention_days}}", days)
        response = web_apps.serve(path, body=text)
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'"
        )
        return response
    if asset == "usul":
        return _usul()
    return web_apps.app_asset("lapor", asset)


def _usul():
    """Usul (proposals): its themes, kecamatan and desa drawn in (no request to fill a form)."""
    from chalicelib.domain.proposals import load_themes

    regency = geo.load_regency()
    settings = {
        "districts": [{"code": d.code, "name": d.name} for d in regency.districts],
        "villages": web_apps.villages(),
    }
    themes = "".join(
        f'<option value="{html.escape(t.code)}">{html.escape(t.name_id)}</option>'
        for t in load_themes().themes
    )
    path = STATIC / "lapor" / "usul.html"
    text = path.read_text(encoding="utf-8")
    text = text.replace("{{themes}}", themes)
    text = text.replace("{{districts}}", web_apps.district_options(settings["districts"]))
    text = text.replace("{{settings}}", html.escape(json.dumps(settings), quote=False))
    response = web_apps.serve(path, max_age=0, body=text)
    response.headers["Content-Security-Policy"] = web_apps.csp()
    return response
