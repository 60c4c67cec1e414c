"""Cognito for staff accounts: sign-in, the first password, staying signed in
(refresh), signing out, and an operator's password reset. Cognito's own errors
become Kawal's here, so no caller reads a botocore error code."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters import aws
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.principals import Forbidden, Unauthenticated

WRONG = ("NotAuthorizedException", "UserNotFoundException")
# a bad or expired session (moto says ResourceNotFound where Cognito says NotAuthorized)
EXPIRED = ("NotAuthorizedException", "ExpiredCodeException", "ResourceNotFoundException")


@dataclass(frozen=True)
class Tokens:
    access_token: str
    expires_in: int
    refresh_token: str | None = None  # only from a sign-in; a refresh keeps the old one


def _code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def _tokens(result: dict[str, Any]) -> Tokens:
    return Tokens(
        result["AccessToken"], int(result.get("ExpiresIn", 3600)), result.get("RefreshToken")
    )


def sign_in(client_id: str, username: str, password: str) -> Tokens:
    idp = aws.client("cognito-idp")
    try:
        with aws.outage("sign-in"):
            answer = idp.initiate_auth(
                ClientId=client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
    except ClientError as exc:
        if _code(exc) in WRONG:
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
    return _tokens(result)


def new_password(client_id: str, username: str, session: str, password: str) -> Tokens:
    idp = aws.client("cognito-idp")
    try:
        with aws.outage("sign-in"):
            answer = idp.respond_to_auth_challenge(
                ClientId=client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=session,
                ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": password},
            )
    except ClientError as exc:
        if _code(exc) == "InvalidPasswordException":
            raise InvalidInput(
                "the new password is too weak: at least 8 characters with upper and lower "
                "case letters and a digit",
                [{"field": "new_password"}],
                code="weak_password",
            ) from None
        if _code(exc) in EXPIRED:
            raise Unauthenticated(
                "this sign-in has expired: sign in again with the temporary password"
            ) from None
        raise
    return _tokens(answer["AuthenticationResult"])


def refresh(client_id: str, refresh_token: str) -> Tokens:
    """A new access token for a refresh token (revoked by a sign-out: 401)."""
    idp = aws.client("cognito-idp")
    try:
        with aws.outage("sign-in"):
            answer = idp.initiate_auth(
                ClientId=client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token},
            )
    except ClientError as exc:
        if _code(exc) in (*WRONG, "ResourceNotFoundException"):
            raise Unauthenticated("signed out: sign in again") from None
        raise
    return _tokens(answer["AuthenticationResult"])


def sign_out(access_token: str) -> None:
    """Revoke every refresh token of the person (Cognito's global sign-out)."""
    idp = aws.client("cognito-idp")
    try:
        with aws.outage("sign-out"):
            idp.global_sign_out(AccessToken=access_token)
    except ClientError as exc:
        if _code(exc) not in WRONG:  # an expired access token: nothing more to revoke
            raise


def groups_of(pool_id: str, username: str) -> list[str]:
    idp = aws.client("cognito-idp")
    try:
        with aws.outage("accounts"):
            answer = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username=username)
    except ClientError as exc:
        if _code(exc) == "UserNotFoundException":
            raise NotFound(f"no account {username!r}", code="account_not_found") from None
        raise
    return [g["GroupName"] for g in answer.get("Groups", [])]


def temporary_password() -> str:
    """Random, and within Cognito's default policy (upper, lower, digit, symbol)."""
    pools = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "-_!#%")
    chars = [secrets.choice(pool) for pool in pools]
    chars += [secrets.choice(string.ascii_letters + string.digits) for _ in range(10)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def reset_password(pool_id: str, username: str) -> str:
    """A new temporary password: the next sign-in must set the person's own."""
    password = temporary_password()
    idp = aws.client("cognito-idp")
    with aws.outage("accounts"):
        idp.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password=password, Permanent=False
        )
    return password
