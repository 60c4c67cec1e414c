"""A real second factor in moto's Cognito (moto 5.2.5, ``moto/cognitoidp/models.py``).

moto hands every user the same authenticator secret (``COGNITO_TOTP_MFA_SECRET``) and
checks codes only when ``MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP`` is set, with no
allowance for a phone's clock; after a new password it signs in an enrolled user
without asking for the code. Here, as on Cognito:

- ``AssociateSoftwareToken`` gives each user a fresh random secret (pending);
- ``VerifySoftwareToken`` checks the code against that pending secret and makes it
  the user's (so ``SetUserMFAPreference`` can turn it on);
- the ``SOFTWARE_TOKEN_MFA`` challenge checks the code against the user's secret,
  one 30 s step either side;
- ``NEW_PASSWORD_REQUIRED`` answered by an enrolled user leads to the code challenge.

``install()`` is idempotent; ``enrol()`` gives a seeded demo account a known secret.
"""

from __future__ import annotations

import uuid
from typing import Any

from kawal_local import totp

_installed = False
_PENDING, _SECRET = "kawal_pending_totp", "kawal_totp"


def _user_of(backend: Any, access_token: str, session: str) -> Any:
    from moto.cognitoidp.exceptions import NotAuthorizedError

    if session:
        if session not in backend.sessions:
            raise NotAuthorizedError("Invalid session for the user.")
        username, pool = backend.sessions[session]
        return pool._get_user(username)
    for pool in backend.user_pools.values():
        if access_token in pool.access_tokens:
            return pool._get_user(pool.access_tokens[access_token][1])
    raise NotAuthorizedError("Invalid Access Token")


def _check(secret: str | None, given: str) -> None:
    from moto.cognitoidp.exceptions import CodeMismatchException

    if not secret or not totp.valid(secret, given or ""):
        raise CodeMismatchException("Invalid code received for user")


def enrol(pool_id: str, username: str, secret: str) -> None:
    """Enrol a (seeded) account with a known authenticator secret, code preferred."""
    from moto.cognitoidp.models import cognitoidp_backends

    for regions in cognitoidp_backends.values():
        for backend in regions.values():
            if pool_id in backend.user_pools:
                user = backend.user_pools[pool_id]._get_user(username)
                setattr(user, _SECRET, secret)
                user.token_verified = True
                user.software_token_mfa_enabled = True
                user.preferred_mfa_setting = "SOFTWARE_TOKEN_MFA"
                return
    raise LookupError(pool_id)


def install() -> None:
    global _installed
    if _installed:
        return
    from kawal_local.moto_speed import check_moto_version

    check_moto_version()  # written against moto 5.2.5's Cognito: refuse any other
    _installed = True
    import moto.cognitoidp.models as models
    from moto.cognitoidp.models import CognitoIdpBackend

    models.get_cognito_idp_user_pool_enable_totp = lambda: False  # type: ignore[attr-defined]
    associate = CognitoIdpBackend.associate_software_token
    verify = CognitoIdpBackend.verify_software_token
    respond = CognitoIdpBackend.respond_to_auth_challenge

    def associate_software_token(self: Any, access_token: str, session: str) -> Any:
        answer = associate(self, access_token, session)
        answer["SecretCode"] = totp.new_secret()
        setattr(_user_of(self, access_token, session), _PENDING, answer["SecretCode"])
        return answer

    def verify_software_token(
        self: Any, access_token: str, session: str, user_code: str, name: str
    ) -> Any:
        user = _user_of(self, access_token, session)
        _check(getattr(user, _PENDING, None), user_code)
        answer = verify(self, access_token, session, user_code, name)
        setattr(user, _SECRET, getattr(user, _PENDING))
        delattr(user, _PENDING)
        return answer

    def respond_to_auth_challenge(
        self: Any, session: str, client_id: str, challenge: str, responses: dict[str, str]
    ) -> Any:
        known = self.sessions.get(session)
        user = known[1]._get_user(known[0]) if known else None
        if challenge == "SOFTWARE_TOKEN_MFA" and user is not None:
            _check(getattr(user, _SECRET, None), responses.get("SOFTWARE_TOKEN_MFA_CODE", ""))
        answer = respond(self, session, client_id, challenge, responses)
        if (
            challenge == "NEW_PASSWORD_REQUIRED"
            and "AuthenticationResult" in answer
            and user is not None
            and user.software_token_mfa_enabled
        ):  # Cognito asks an enrolled user for the code before any token
            again = str(uuid.uuid4())
            self.sessions[again] = known
            return {
                "ChallengeName": "SOFTWARE_TOKEN_MFA",
                "ChallengeParameters": {},
                "Session": again,
            }
        return answer

    CognitoIdpBackend.associate_software_token = associate_software_token  # type: ignore[method-assign]
    CognitoIdpBackend.verify_software_token = verify_software_token  # type: ignore[method-assign]
    CognitoIdpBackend.respond_to_auth_challenge = respond_to_auth_challenge  # type: ignore[method-assign]
