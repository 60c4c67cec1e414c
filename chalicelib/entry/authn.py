"""The one custom authorizer for staff routes, and reading its verdict in a view."""

from __future__ import annotations

import logging
from typing import Any

from chalice import AuthResponse, Blueprint

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import NewPasswordIn, SignedIn, SignInIn
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
    from chalicelib import config
    from chalicelib.entry.http import parse_body

    data = parse_body(bp.current_request, SignInIn)
    return _counted_attempt(
        data.username,
        lambda: cognito_sign_in(config.user_pool_client_id(), data.username, data.password),
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
    from chalicelib.entry.http import parse_body

    data = parse_body(bp.current_request, NewPasswordIn)
    return _counted_attempt(
        data.username,
        lambda: cognito_new_password(
            config.user_pool_client_id(), data.username, data.session, data.new_password
        ),
    )


def _counted_attempt(username: str, attempt: Any):
    """Run a sign-in attempt: every attempt counted per network (floods); wrong ones per
    network and per account, counted up front (parallel guesses cannot slip past the
    limit) and given back when the attempt was not a wrong guess."""
    from chalicelib import bootstrap
    from chalicelib.entry.http import source_ip
    from chalicelib.services import quotas, reports

    counters, now = bootstrap.counters(), reports.utc_now()
    address = source_ip(bp.current_request)
    quotas.take(counters, quotas.SIGN_IN_ATTEMPTS_PER_IP, address, now)
    failures = [
        (quotas.SIGN_INS_PER_IP, address),
        (quotas.SIGN_IN_FAILURES_PER_ACCOUNT, username.strip().lower()),
    ]
    quotas.take_all(counters, failures, now)
    try:
        token, expires_in = attempt()
    except Unauthenticated:
        raise
    except BaseException:  # a right password (temporary), a weak new one, an outage
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
            "set a new password first: POST /auth/new-password with this session "
            "(valid a few minutes)",
            [{"challenge": answer.get("ChallengeName"), "session": answer.get("Session")}],
            code="password_change_required",
        )
    return result["AccessToken"], int(result.get("ExpiresIn", 3600))


def cognito_new_password(
    client_id: str, username: str, session: str, new_password: str
) -> tuple[str, int]:
    from botocore.exceptions import ClientError

    from chalicelib.adapters import aws

    idp = aws.client("cognito-idp")
    try:
        with aws.outage("sign-in"):
            answer = idp.respond_to_auth_challenge(
                ClientId=client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=session,
                ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
            )
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code == "InvalidPasswordException":
            raise InvalidInput(
                "the new password is too weak: at least 8 characters with upper and lower "
                "case letters and a digit",
                [{"field": "new_password"}],
                code="weak_password",
            ) from None
        # Cognito: NotAuthorized for a bad or expired session (moto: ResourceNotFound;
        # a missing app client would already have failed the sign-in before this)
        expired = ("NotAuthorizedException", "ExpiredCodeException", "ResourceNotFoundException")
        if code in expired:
            raise Unauthenticated(
                "this sign-in has expired: sign in again with the temporary password"
            ) from None
        raise
    result = answer["AuthenticationResult"]
    return result["AccessToken"], int(result.get("ExpiresIn", 3600))
