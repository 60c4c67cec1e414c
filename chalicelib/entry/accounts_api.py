"""Staff accounts: a forgotten password is reset by an operator (or the command
centre) to a temporary one, which the person replaces at their next sign-in; a lost
authenticator app is reset (logged) and the next sign-in enrols a new one."""

from __future__ import annotations

import logging

from chalice import Blueprint

from chalicelib import config
from chalicelib.domain.errors import NotFound
from chalicelib.domain.models import MfaStatus, PasswordReset
from chalicelib.domain.principals import (
    SHADOW_GROUP,
    SQUAD_GROUP_PREFIX,
    Forbidden,
    Principal,
)
from chalicelib.entry.authn import principal, staff
from chalicelib.entry.http import json_response, route

bp = Blueprint(__name__)
log = logging.getLogger("kawal.accounts")


@route(
    bp,
    "/staff/accounts/{username}/password-reset",
    methods=["POST"],
    authorizer=staff,
    doc={"returns": {200: PasswordReset}, "errors": (403, 404)},
)
def reset_password(username: str):
    """A temporary password for a squad member who forgot theirs (operators and the
    command centre); shown once, to be passed on in person or by phone."""
    from chalicelib.adapters import cognito

    who = principal(bp.current_request)
    groups = _account_groups(who, username)
    if who.role != "command" and not any(g.startswith(SQUAD_GROUP_PREFIX) for g in groups):
        raise Forbidden("operators reset squad members' passwords only")
    password = cognito.reset_password(config.user_pool_id(), username)
    log.info("password reset", extra={"by": who.id, "account": username})
    return json_response(
        PasswordReset(username=username, temporary_password=password),
        headers={"Cache-Control": "no-store"},
    )


@route(
    bp,
    "/staff/accounts/{username}/mfa-reset",
    methods=["POST"],
    authorizer=staff,
    doc={"returns": {200: MfaStatus}, "errors": (403, 404)},
)
def reset_second_factor(username: str):
    """Turn off the second factor of someone who lost their phone (operators and the
    command centre), and sign them out everywhere; their next sign-in enrols a new
    authenticator app. Logged. Without
    the password it opens nothing, so operators may reset the command centre's too."""
    from chalicelib.adapters import cognito

    who = principal(bp.current_request)
    groups = _account_groups(who, username)
    cognito.reset_mfa(config.user_pool_id(), username)
    log.warning("second factor reset", extra={"by": who.id, "account": username, "groups": groups})
    return json_response(
        MfaStatus(username=username, enabled=False), headers={"Cache-Control": "no-store"}
    )


def _account_groups(who: Principal, username: str) -> list[str]:
    """The account's groups, for operators and the command centre; a shadow account is
    not knowable outside the command centre: to operators it is as unknown (404)."""
    from chalicelib.adapters import cognito

    if who.role not in ("operator", "command"):
        raise Forbidden("account resets are for operators and the command centre")
    groups = cognito.groups_of(config.user_pool_id(), username)
    if who.role != "command" and (SHADOW_GROUP in groups or not groups):
        raise NotFound(f"no account {username!r}", code="account_not_found")
    return groups
