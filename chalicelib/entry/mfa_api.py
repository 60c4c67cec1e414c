"""The second factor (an authenticator app's 6-digit code, Cognito's software-token MFA).

Required of the roles in ``SECOND_FACTOR_ROLES`` (the command centre, operators): their
sign-in gets no token until they have enrolled and typed a code; offered to squads and
the shadow squad, who enrol from their app. A person who lost the phone is reset by an
operator (``accounts_api``), and the next sign-in enrols anew.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalice import Blueprint

from chalicelib.domain.models import (
    MfaCodeIn,
    MfaConfirmIn,
    MfaSecret,
    MfaSetupIn,
    MfaStatus,
    SignedIn,
)
from chalicelib.domain.principals import SECOND_FACTOR_ROLES, Forbidden, Principal
from chalicelib.domain.second_factor import otpauth_uri
from chalicelib.entry.authn import _counted_attempt, principal, staff
from chalicelib.entry.http import json_response, route

bp = Blueprint(__name__)


def require_second_factor(who: Principal, tokens: Any) -> None:
    """Called before tokens are handed out: a role that must use the second factor and
    signed in without it (not enrolled yet) gets a secret to enrol with, not a token.
    The tokens Cognito gave stay here: they only start the enrolment."""
    from chalicelib.adapters import cognito

    if who.role not in SECOND_FACTOR_ROLES or tokens.mfa:
        return
    secret = cognito.associate(tokens.access_token)
    raise Forbidden(
        "this account needs an authenticator app: add the secret (or scan the QR code), "
        "then POST /auth/mfa-setup with the password again and the app's first code",
        [{"challenge": "MFA_SETUP", **_secret(secret, who.id).model_dump()}],
        code="mfa_setup_required",
        headers={"Cache-Control": "no-store"},  # it carries the new secret
    )


def _secret(secret: str, username: str) -> MfaSecret:
    return MfaSecret(secret=secret, otpauth_uri=otpauth_uri(secret, username))


@route(
    bp,
    "/auth/mfa",
    methods=["POST"],
    doc={"body": MfaCodeIn, "returns": {200: SignedIn}, "errors": (401, 429)},
)
def answer_code():
    """The second step of an enrolled account's sign-in: the ``session`` of the sign-in's
    ``403 mfa_required`` and the app's code. A wrong code counts as a wrong password."""
    from chalicelib import config
    from chalicelib.adapters import cognito
    from chalicelib.entry.http import parse_body

    data = parse_body(bp.current_request, MfaCodeIn)
    client = config.user_pool_client_id()
    return _counted_attempt(
        data.username, lambda: cognito.answer_mfa(client, data.username, data.session, data.code)
    )


@route(
    bp,
    "/auth/mfa-setup",
    methods=["POST"],
    doc={"body": MfaSetupIn, "returns": {200: SignedIn}, "errors": (400, 401, 403, 429)},
)
def set_up():
    """A first sign-in's enrolment (after ``403 mfa_setup_required``): the password again
    and the app's first code, which confirms the secret; the token back."""
    from chalicelib import config
    from chalicelib.adapters import cognito
    from chalicelib.entry.http import parse_body

    data = parse_body(bp.current_request, MfaSetupIn)

    def enrol():
        tokens = cognito.sign_in(config.user_pool_client_id(), data.username, data.password)
        cognito.enrol(tokens.access_token, data.code)
        return replace(tokens, mfa=True)

    return _counted_attempt(data.username, enrol)


def _access_token() -> str:
    header = bp.current_request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else header.strip()


@route(
    bp,
    "/staff/mfa",
    methods=["POST"],
    authorizer=staff,
    doc={"returns": {200: MfaSecret}, "errors": (401,)},
)
def new_secret():
    """Start enrolling (from the squads' app): a new secret for the authenticator app;
    sign-ins ask for no code until ``/staff/mfa/confirm`` confirms it."""
    from chalicelib.adapters import cognito

    who = principal(bp.current_request)
    secret = cognito.associate(_access_token())
    return json_response(_secret(secret, who.id), headers={"Cache-Control": "no-store"})


@route(
    bp,
    "/staff/mfa/confirm",
    methods=["POST"],
    authorizer=staff,
    doc={"body": MfaConfirmIn, "returns": {200: MfaStatus}, "errors": (400, 401)},
)
def confirm():
    """The app's first code: from now on every sign-in asks for one."""
    from chalicelib.adapters import cognito
    from chalicelib.entry.http import parse_body

    data = parse_body(bp.current_request, MfaConfirmIn)
    cognito.enrol(_access_token(), data.code)
    return json_response(MfaStatus(username=principal(bp.current_request).id, enabled=True))
