"""The one custom authorizer for staff routes, and reading its verdict in a view."""

from __future__ import annotations

import logging
from typing import Any

from chalice import AuthResponse, Blueprint

from chalicelib.principals import ANONYMOUS, Principal

bp = Blueprint(__name__)
log = logging.getLogger("kawal.auth")


@bp.authorizer(ttl_seconds=300)
def staff(auth_request):
    """Verify the Cognito access token; pass who it is to the view. Deny (403) on
    a bad token: API Gateway caches the verdict per token for five minutes."""
    from chalicelib.tokens import InvalidToken, verify

    try:
        claims = verify(auth_request.token or "")
    except InvalidToken as exc:
        log.info("token refused: %s", exc)
        return AuthResponse(routes=[], principal_id="anonymous")
    groups = claims.get("cognito:groups") or []
    return AuthResponse(
        routes=["*"],
        principal_id=claims["sub"],
        context={"username": claims.get("username", ""), "groups": ",".join(groups)},
    )


def principal(request: Any) -> Principal:
    """Who the authorizer let in (anonymous on a route without it)."""
    context = (request.context or {}).get("authorizer") or {}
    if not context.get("principalId") or context.get("principalId") == "anonymous":
        return ANONYMOUS
    groups = [g for g in str(context.get("groups", "")).split(",") if g]
    user = context.get("username") or context["principalId"]
    return Principal.from_groups(user, groups)
