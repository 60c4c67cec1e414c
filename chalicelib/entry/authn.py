"""The one custom authorizer for staff routes, and reading its verdict in a view."""

from __future__ import annotations

import logging
from typing import Any

from chalice import AuthResponse, Blueprint

from chalicelib.domain.models import SignedIn, SignInIn
from chalicelib.domain.principals import ANONYMOUS, Forbidden, Principal, Unauthenticated
from chalicelib.entry.http import json_response, route

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
    """Who the authorizer let in (anonymous on a route without it)."""
    context = (request.context or {}).get("authorizer") or {}
    if not context.get("principalId") or context.get("principalId") == "anonymous":
        return ANONYMOUS
    groups = [g for g in str(context.get("groups", "")).split(",") if g]
    user = context.get("username") or context["principalId"]
    return Principal.from_groups(user, groups)


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
    from chalicelib import bootstrap, config
    from chalicelib.entry.http import parse_body, source_ip
    from chalicelib.services import quotas, reports

    request = bp.current_request
    data = parse_body(request, SignInIn)
    counters, now, address = bootstrap.counters(), reports.utc_now(), source_ip(request)
    quotas.take(counters, quotas.SIGN_IN_ATTEMPTS_PER_IP, address, now)
    # counted as failures up front (so parallel guesses cannot slip past the limit)
    # and given back when the password was right
    failures = [
        (quotas.SIGN_INS_PER_IP, address),
        (quotas.SIGN_IN_FAILURES_PER_ACCOUNT, data.username.strip().lower()),
    ]
    quotas.take_all(counters, failures, now)
    try:
        token, expires_in = cognito_sign_in(
            config.user_pool_client_id(), data.username, data.password
        )
    except Unauthenticated:
        raise
    except BaseException:  # a right password (temporary) or an outage: not a guess
        quotas.give_back_all(counters, failures, now)
        raise
    quotas.give_back_all(counters, failures, now)
    return json_response(SignedIn(access_token=token, expires_in=expires_in))


def cognito_sign_in(client_id: str, username: str, password: str) -> tuple[str, int]:
    from botocore.exceptions import ClientError

    from chalicelib.adapters import aws

    idp = aws.client("cognito-idp")
    try:
        with aws.outage("sign-in"):
            answer = idp.initiate_auth(
                ClientId=client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code in ("NotAuthorizedException", "UserNotFoundException"):
            raise Unauthenticated("wrong username or password") from None
        raise
    result = answer.get("AuthenticationResult")
    if result is None:  # a temporary password: Cognito wants a new one first
        raise Forbidden(
            "set a new password first (Cognito challenge " + str(answer.get("ChallengeName")) + ")",
            code="password_change_required",
        )
    return result["AccessToken"], int(result.get("ExpiresIn", 3600))
