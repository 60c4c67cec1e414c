"""Staff accounts: a forgotten password is reset by an operator (or the command
centre) to a temporary one, which the person replaces at their next sign-in."""

from __future__ import annotations

import logging

from chalice import Blueprint

from chalicelib import config
from chalicelib.domain.errors import NotFound
from chalicelib.domain.models import PasswordReset
from chalicelib.domain.principals import (
    COMMAND_GROUP,
    OPERATOR_GROUP,
    SHADOW_GROUP,
    SQUAD_GROUP_PREFIX,
    Forbidden,
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
    if who.role not in ("operator", "command"):
        raise Forbidden("password resets are for operators and the command centre")
    pool = config.user_pool_id()
    groups = cognito.groups_of(pool, username)
    if who.role != "command":
        if SHADOW_GROUP in groups:  # not knowable outside the command centre: as unknown
            raise NotFound(f"no account {username!r}", code="account_not_found")
        if COMMAND_GROUP in groups or OPERATOR_GROUP in groups:
            raise Forbidden("operators reset squad members' passwords only")
        if not any(g.startswith(SQUAD_GROUP_PREFIX) for g in groups):
            raise NotFound(f"no account {username!r}", code="account_not_found")
    password = cognito.reset_password(pool, username)
    log.info("password reset", extra={"by": who.id, "account": username})
    return json_response(
        PasswordReset(username=username, temporary_password=password),
        headers={"Cache-Control": "no-store"},
    )
