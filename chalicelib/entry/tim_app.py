"""The squads' app at ``/tim/``: a static page with its settings (labels with their
questions' words, kecamatan, status and rejection words). It holds no data: the
queue and reports come from the staff API with the member's token, so nothing here
names the covert squad or its work (``tests/integration/test_tim_served.py``)."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.domain import geo
from chalicelib.domain.open311 import REJECTION_WORDS
from chalicelib.entry import web_apps
from chalicelib.entry.http import route
from chalicelib.entry.web_apps import ASSET_DOC, PAGE_DOC

bp = Blueprint(__name__)


def _settings() -> dict:
    from chalicelib.domain.lifecycle import REJECT_REASONS
    from chalicelib.entry.follow_page import STATUS
    from chalicelib.routing import load_catalogue

    catalogue = load_catalogue()
    return {
        "labels": catalogue.public_labels(),
        "districts": [d.model_dump() for d in geo.load_regency().districts],
        "villages": web_apps.villages(),  # a report's place, corrected in the field
        "squads": {s.code: s.name_id for s in catalogue.squads if not s.covert},
        "statuses": STATUS,
        "reject_reasons": {
            code: [REJECTION_WORDS["id"][code], REJECTION_WORDS["en"][code]]
            for code in REJECT_REASONS
        },
    }


@route(bp, "/tim", methods=["GET"], doc=PAGE_DOC)
def tim():
    """The squads' app (a PWA): sign in, the queue by deadline, follow a report up."""
    moved = web_apps.not_at_its_folder("tim")
    if moved:
        return moved
    return web_apps.page("tim", _settings())


@route(bp, "/tim/{asset}", methods=["GET"], doc=ASSET_DOC)
def tim_asset(asset: str):
    """The app's script, styles, service worker, manifest and icon."""
    return web_apps.app_asset("tim", asset)
