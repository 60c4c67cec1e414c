"""The one custom authorizer for staff routes, and reading its verdict in a view."""

from __future__ import annotations

import logging
from typing import Any

from chalice import AuthResponse, Blueprint

from chalicelib.domain.models import NewPasswordIn, SignedIn, SignInIn
from chalicelib.domain.principals import ANONYMOUS, Principal, Unauthenticated
from chalicelib.entry.http import cookie, json_response, route

bp = Blueprint(__name__)
log = logging.getLogger("kawal.auth")


@bp.authorizer(ttl_seconds=300)
def staff(auth_request):
    """Verify the Cognito access token; pass who it is to the view. Deny (403) on
    a bad token: API Gateway caches the verdict per token for five minutes."""
    from chalicelib.adapters.tokens import InvalidToken, verify

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
    """Who the authorizer let in (anonymous on a route without it). The command centre
    and the shadow squad may open covert reports' sealed words in this request."""
    from chalicelib.adapters import covert

    context = (request.context or {}).get("authorizer") or {}
    if not context.get("principalId") or context.get("principalId") == "anonymous":
        return ANONYMOUS
    groups = [g for g in str(context.get("groups", "")).split(",") if g]
    user = context.get("username") or context["principalId"]
    who = Principal.from_groups(user, groups)
    # their own token goes to the vault, which checks it again itself
    bearer = (request.headers or {}).get("authorization", "")
    covert.clear(bearer if who.role in covert.OPENERS else None)
    return who


@route(
    bp,
    "/auth/sign-in",
    methods=["POST"],
    doc={"body": SignInIn, "returns": {200: SignedIn}, "errors": (401, 403, 429)},
)
def sign_in():
    """Staff sign-in (the command-centre page): username and password to Cognito,
    an access token back. Wrong passwords are counted per network and per account;
    every attempt per network too, against a ceiling only a flood reaches."""
    from chalicelib import config
    from chalicelib.adapters import cognito
    from chalicelib.entry.http import parse_body

    data = parse_body(bp.current_request, SignInIn)
    return _counted_attempt(
        data.username,
        lambda: cognito.sign_in(config.user_pool_client_id(), data.username, data.password),
    )


@route(
    bp,
    "/auth/new-password",
    methods=["POST"],
    doc={"body": NewPasswordIn, "returns": {200: SignedIn}, "errors": (401, 429)},
)
def new_password():
    """First sign-in with a temporary password: set one's own (the ``session`` comes
    with the sign-in's ``403 password_change_required``); an access token back."""
    from chalicelib import config
    from chalicelib.adapters import cognito
    from chalicelib.entry.http import parse_body

    data = parse_body(bp.current_request, NewPasswordIn)
    return _counted_attempt(
        data.username,
        lambda: cognito.new_password(
            config.user_pool_client_id(), data.username, data.session, data.new_password
        ),
    )


def _counted_attempt(username: str, attempt: Any):
    """Run a sign-in attempt past the guard (services/sign_in_guard.py): counted per
    network; per account a back-off that guesses from elsewhere cannot impose on a
    network the account signs in from."""
    from chalicelib import bootstrap
    from chalicelib.entry.http import source_ip

    address = source_ip(bp.current_request)
    return signed_in(bootstrap.sign_in_guard().attempt(username, address, attempt))


# Staying signed in (the squads' app): the access token (1 hour) lives only in the
# page's memory; the refresh token (Cognito's, 30 days) only in an HttpOnly cookie
# scoped to /auth, which no script can read and no other site can send
# (SameSite=Strict). A sign-out revokes it at Cognito and clears it.
REFRESH_COOKIE, STAFF_HINT = "kawal_refresh", "kawal_staff"
REFRESH_DAYS = 30


def _prefix() -> str:
    """The stage prefix the API is served under (``/api`` on API Gateway, '' locally)."""
    path = (bp.current_request.context or {}).get("path") or ""
    at = path.find("/auth/")
    return path[:at] if at > 0 else ""


def _cookies(refresh_token: str | None) -> list[str]:
    secure = "; Secure" if _https() else ""
    base, days = _prefix(), 0 if refresh_token is None else REFRESH_DAYS * 86400
    return [
        f"{REFRESH_COOKIE}={refresh_token or ''}; Path={base}/auth; Max-Age={days}; "
        f"HttpOnly; SameSite=Strict{secure}",
        # not a secret: tells /r/{code} to open the squads' app for this browser
        f"{STAFF_HINT}={'1' if refresh_token else ''}; Path={base or '/'}; Max-Age={days}; "
        f"SameSite=Lax{secure}",
    ]


def _https() -> bool:
    headers = bp.current_request.headers
    return bool(headers) and headers.get("x-forwarded-proto", "") == "https"


def signed_in(tokens: Any, cookie: bool = True):
    from chalicelib.adapters.tokens import verify
    from chalicelib.entry.mfa_api import require_second_factor

    claims = verify(tokens.access_token)
    who = Principal.from_groups(claims.get("username", ""), claims.get("cognito:groups") or [])
    require_second_factor(who, tokens)  # the command centre and operators: no token without it
    body = SignedIn(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        username=claims.get("username"),
        role=who.role,
        squad=who.squad,
    )
    response = json_response(body, headers={"Cache-Control": "no-store"})
    if cookie and tokens.refresh_token:
        response.headers["Set-Cookie"] = _cookies(tokens.refresh_token)
    return response


@route(bp, "/auth/refresh", methods=["POST"], doc={"returns": {200: SignedIn}, "errors": (401,)})
def refresh():
    """A fresh access token from the sign-in's HttpOnly cookie (staying signed in)."""
    from chalicelib import config
    from chalicelib.adapters import cognito

    token = cookie(bp.current_request, REFRESH_COOKIE)
    if not token:
        raise Unauthenticated("not signed in")
    return signed_in(cognito.refresh(config.user_pool_client_id(), token), cookie=False)


@route(bp, "/auth/sign-out", methods=["POST"], doc={"returns": {204: None}})
def sign_out():
    """Sign out on this phone and revoke the refresh token everywhere."""
    from chalice import Response

    from chalicelib.adapters import cognito

    access = bp.current_request.headers.get("authorization", "")
    if access.lower().startswith("bearer "):
        cognito.sign_out(access[7:])
    return Response(body="", status_code=204, headers={"Set-Cookie": _cookies(None)})
