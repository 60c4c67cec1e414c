"""Cognito for staff accounts: sign-in, the first password, the second factor (an
authenticator app's code), staying signed in (refresh), signing out, and an
operator's password and second-factor resets. Cognito's own errors
become Kawal's here, so no caller reads a botocore error code."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, replace
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
    mfa: bool = False  # the sign-in passed (or just enrolled) the second factor


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
    _code_challenge(answer)
    if result is None:  # a temporary password: Cognito wants a new one first
        raise Forbidden(
            "set a new password first: POST /auth/new-password with this session "
            "(valid a few minutes)",
            [{"challenge": answer.get("ChallengeName"), "session": answer.get("Session")}],
            code="password_change_required",
        )
    return _tokens(result)


def _respond(client_id: str, challenge: str, session: str, answers: dict[str, str]) -> Any:
    with aws.outage("sign-in"):
        return aws.client("cognito-idp").respond_to_auth_challenge(
            ClientId=client_id, ChallengeName=challenge, Session=session, ChallengeResponses=answers
        )


def new_password(client_id: str, username: str, session: str, password: str) -> Tokens:
    try:
        answer = _respond(
            client_id,
            "NEW_PASSWORD_REQUIRED",
            session,
            {"USERNAME": username, "NEW_PASSWORD": password},
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
    _code_challenge(answer)  # an enrolled account: the code before any token
    return _tokens(answer["AuthenticationResult"])


def _code_challenge(answer: dict[str, Any]) -> None:
    """An enrolled account's password was right: Cognito asks for the code next."""
    if answer.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":
        raise Forbidden(
            "enter the 6-digit code from your authenticator app: POST /auth/mfa with this "
            "session (valid a few minutes)",
            [{"challenge": "SOFTWARE_TOKEN_MFA", "session": answer.get("Session")}],
            code="mfa_required",
        )


def answer_mfa(client_id: str, username: str, session: str, code: str) -> Tokens:
    """The authenticator's code for a sign-in's ``mfa_required`` session: the tokens."""
    try:
        answer = _respond(
            client_id,
            "SOFTWARE_TOKEN_MFA",
            session,
            {"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code},
        )
    except ClientError as exc:
        if _code(exc) == "CodeMismatchException":
            raise Unauthenticated(
                "wrong code: type the 6-digit code your authenticator app shows now",
                [{"field": "code"}],
                code="wrong_code",
            ) from None
        if _code(exc) in EXPIRED:
            raise Unauthenticated("this sign-in has expired: sign in again") from None
        raise
    return replace(_tokens(answer["AuthenticationResult"]), mfa=True)


def associate(access_token: str) -> str:
    """A new authenticator secret for the signed-in person (pending until confirmed)."""
    idp = aws.client("cognito-idp")
    try:
        with aws.outage("sign-in"):
            return idp.associate_software_token(AccessToken=access_token)["SecretCode"]
    except ClientError as exc:
        if _code(exc) in WRONG:
            raise Unauthenticated("signed out: sign in again") from None
        raise


def enrol(access_token: str, code: str) -> None:
    """Confirm the pending secret with a code from the app, and ask for a code at every
    sign-in from now on."""
    idp = aws.client("cognito-idp")
    try:
        with aws.outage("sign-in"):
            idp.verify_software_token(
                AccessToken=access_token, UserCode=code, FriendlyDeviceName="Kawal"
            )
            idp.set_user_mfa_preference(
                AccessToken=access_token,
                SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
            )
    except ClientError as exc:
        if _code(exc) in ("CodeMismatchException", "EnableSoftwareTokenMFAException"):
            raise InvalidInput(
                "wrong code: scan the QR code (or type the secret) again and type the "
                "6-digit code your authenticator app shows now",
                [{"field": "code"}],
                code="wrong_code",
            ) from None
        if _code(exc) in WRONG:
            raise Unauthenticated("signed out: sign in again") from None
        raise


def reset_mfa(pool_id: str, username: str) -> None:
    """Turn a person's second factor off (a lost phone): the next sign-in enrols anew.
    The lost phone may still hold a 30-day refresh token: revoked too."""
    idp = aws.client("cognito-idp")
    with aws.outage("accounts"):
        idp.admin_set_user_mfa_preference(
            UserPoolId=pool_id,
            Username=username,
            SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False},
        )
        idp.admin_user_global_sign_out(UserPoolId=pool_id, Username=username)


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
    # a refresh token comes only from a sign-in that passed the second factor where
    # the role requires one (chalicelib/entry/mfa_api.py)
    return replace(_tokens(answer["AuthenticationResult"]), mfa=True)


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
