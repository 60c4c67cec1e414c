"""The covert vault (issue #35): a function of its own, the only one the API may ask
to open a covert report's sealed words, place and notes. It holds ``kms:Decrypt`` on
the covert key; the API function does not. It verifies the caller's access token
itself (command centre or shadow squad; or a reporter's, against their report's
stored hash), so a compromised or misused API role cannot open anything without a
signed-in member's or the reporter's own token. It also signs covert photos' links."""

from __future__ import annotations

import logging

from chalice import Blueprint

bp = Blueprint(__name__)
log = logging.getLogger("kawal.vault")


@bp.lambda_function(name="covert_vault")
def covert_vault(event, context):  # noqa: ARG001 - Lambda's context says nothing here
    from chalicelib.adapters import covert

    try:
        return covert.vault(event)
    except covert.Refused as exc:
        log.warning("vault refused: %s", exc)  # who asked is in the token, not logged
        return {"refused": str(exc)}
