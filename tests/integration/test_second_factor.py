"""Two-factor sign-in (issue #35): an authenticator app's code is required of the
command centre and operators, offered to squads, checked for real (moto patched in
kawal_local/moto_totp.py), and reset by an operator, logged."""

from __future__ import annotations

import pytest

from kawal_local import totp
from tests.conftest import bearer

from .helpers import post_json
from .test_observability import lines

PASSWORD = "Test-password-1"


def _sign_in(client, user, password=PASSWORD):
    return post_json(client, "/auth/sign-in", {"username": user, "password": password})


def _wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def _enrol_at_sign_in(client, user) -> str:
    """A required role's first sign-in: enrol with the secret it is given."""
    first = _sign_in(client, user)
    assert first.status_code == 403, first.body
    assert first.json_body["error"]["code"] == "mfa_setup_required"
    secret = first.json_body["error"]["details"][0]["secret"]
    body = {"username": user, "password": PASSWORD, "code": totp.code(secret)}
    enrolled = post_json(client, "/auth/mfa-setup", body)
    assert enrolled.status_code == 200, enrolled.body
    return secret


def _with_code(client, user, secret, code=None):
    asked = _sign_in(client, user)
    assert asked.status_code == 403, asked.body
    error = asked.json_body["error"]
    assert error["code"] == "mfa_required" and "access_token" not in asked.body.decode()
    session = error["details"][0]["session"]
    body = {"username": user, "session": session, "code": code or totp.code(secret)}
    return post_json(client, "/auth/mfa", body)


def test_the_command_centre_gets_no_token_without_the_second_factor(client, tokens):
    first = _sign_in(client, "command")
    assert first.status_code == 403
    error = first.json_body["error"]
    assert error["code"] == "mfa_setup_required"
    assert "access_token" not in first.body.decode()  # no command-centre token
    assert "Set-Cookie" not in first.headers  # nor a refresh token to get one later
    assert first.headers["Cache-Control"] == "no-store"  # the secret stays in no cache
    (setup,) = error["details"]
    secret = setup["secret"]
    assert len(secret) >= 32 and setup["otpauth_uri"].startswith("otpauth://totp/")
    assert f"secret={secret}" in setup["otpauth_uri"] and "command" in setup["otpauth_uri"]

    body = {"username": "command", "password": PASSWORD, "code": _wrong(totp.code(secret))}
    wrong = post_json(client, "/auth/mfa-setup", body)
    assert wrong.status_code == 400 and wrong.json_body["error"]["code"] == "wrong_code"
    still = _sign_in(client, "command")  # a wrong first code enrols nothing
    assert still.json_body["error"]["code"] == "mfa_setup_required"

    secret = still.json_body["error"]["details"][0]["secret"]
    body["code"] = totp.code(secret)
    enrolled = post_json(client, "/auth/mfa-setup", body)
    assert enrolled.status_code == 200, enrolled.body
    assert enrolled.json_body["role"] == "command"
    month = client.http.get("/command/reports", headers=bearer(enrolled.json_body["access_token"]))
    assert month.status_code == 200

    # from now on: the password, then the code
    signed = _with_code(client, "command", secret)
    assert signed.status_code == 200, signed.body
    assert signed.json_body["role"] == "command"
    assert "kawal_refresh=" in str(signed.headers.get("Set-Cookie"))


def test_operators_must_enrol_too(client, tokens):
    first = _sign_in(client, "operator")
    assert first.status_code == 403
    assert first.json_body["error"]["code"] == "mfa_setup_required"


def test_a_wrong_code_is_refused_and_counts_as_a_wrong_guess(client, tokens, monkeypatch):
    secret = _enrol_at_sign_in(client, "command")
    monkeypatch.setenv("QUOTA_SIGN_IN_FAILURES_PER_ACCOUNT", "3")
    asked = _sign_in(client, "command")
    session = asked.json_body["error"]["details"][0]["session"]
    body = {"username": "command", "session": session, "code": _wrong(totp.code(secret))}
    for _ in range(3):
        wrong = post_json(client, "/auth/mfa", body)
        assert wrong.status_code == 401 and wrong.json_body["error"]["code"] == "wrong_code"
    body["code"] = totp.code(secret)
    assert post_json(client, "/auth/mfa", body).status_code == 429  # six digits are not guessed


def test_squads_sign_in_without_a_code_and_may_enrol_from_their_app(client, tokens):
    assert _sign_in(client, "orange").status_code == 200  # offered, not required
    start = client.http.post("/staff/mfa", headers=bearer(tokens["orange"]))
    assert start.status_code == 200, start.body
    secret = start.json_body["secret"]
    assert start.json_body["otpauth_uri"].startswith("otpauth://totp/")
    confirm = {"code": _wrong(totp.code(secret))}
    headers = {**bearer(tokens["orange"]), "Content-Type": "application/json"}
    wrong = post_json(client, "/staff/mfa/confirm", confirm, headers)
    assert wrong.status_code == 400 and wrong.json_body["error"]["code"] == "wrong_code"
    assert _sign_in(client, "orange").status_code == 200  # not enrolled by a wrong code

    confirm["code"] = totp.code(secret)
    done = post_json(client, "/staff/mfa/confirm", confirm, headers)
    assert done.status_code == 200 and done.json_body == {"username": "orange", "enabled": True}
    assert _with_code(client, "orange", secret, _wrong(totp.code(secret))).status_code == 401
    signed = _with_code(client, "orange", secret)
    assert signed.status_code == 200 and signed.json_body["squad"] == "orange"
    assert _sign_in(client, "blue").status_code == 200  # others unaffected


def test_a_password_reset_does_not_skip_the_code(client, tokens):
    start = client.http.post("/staff/mfa", headers=bearer(tokens["orange"]))
    secret = start.json_body["secret"]
    headers = {**bearer(tokens["orange"]), "Content-Type": "application/json"}
    post_json(client, "/staff/mfa/confirm", {"code": totp.code(secret)}, headers)
    reset = client.http.post(
        "/staff/accounts/orange/password-reset", headers=bearer(tokens["operator"])
    )
    first = _sign_in(client, "orange", reset.json_body["temporary_password"])
    session = first.json_body["error"]["details"][0]["session"]
    body = {"username": "orange", "session": session, "new_password": "Baru-sekali-2026"}
    changed = post_json(client, "/auth/new-password", body)
    assert changed.status_code == 403 and "access_token" not in changed.body.decode()
    assert changed.json_body["error"]["code"] == "mfa_required"
    session = changed.json_body["error"]["details"][0]["session"]
    body = {"username": "orange", "session": session, "code": totp.code(secret)}
    signed = post_json(client, "/auth/mfa", body)
    assert signed.status_code == 200 and signed.json_body["squad"] == "orange"


def test_an_operators_reset_is_logged_and_the_next_sign_in_enrols_anew(client, tokens, capsys):
    _enrol_at_sign_in(client, "command")
    capsys.readouterr()
    reset = client.http.post(
        "/staff/accounts/command/mfa-reset", headers=bearer(tokens["operator"])
    )
    assert reset.status_code == 200, reset.body
    assert reset.json_body == {"username": "command", "enabled": False}
    logged = [
        line
        for line in lines(capsys.readouterr().out)
        if line.get("message") == "second factor reset"
    ]
    assert [(line["by"], line["account"]) for line in logged] == [("operator", "command")]
    again = _sign_in(client, "command")  # the lost phone no longer signs in; a new one enrols
    assert again.json_body["error"]["code"] == "mfa_setup_required"


def test_a_lost_phone_reset_also_signs_it_out(client, tokens):
    """A lost phone may still hold Tim's 30-day refresh cookie: the reset revokes it."""
    signed = _sign_in(client, "orange")
    refresh = signed.headers["Set-Cookie"]
    refresh = (refresh if isinstance(refresh, str) else refresh[0]).split(";")[0]
    assert client.http.post("/auth/refresh", headers={"Cookie": refresh}).status_code == 200
    reset = client.http.post("/staff/accounts/orange/mfa-reset", headers=bearer(tokens["operator"]))
    assert reset.status_code == 200
    assert client.http.post("/auth/refresh", headers={"Cookie": refresh}).status_code == 401


def test_only_operators_and_the_command_centre_reset_and_shadow_accounts_stay_unknown(
    client, tokens
):
    def reset(account, who):
        path = f"/staff/accounts/{account}/mfa-reset"
        return client.http.post(path, headers=bearer(tokens[who])).status_code

    assert reset("orange2", "orange") == reset("orange2", "shadow") == 403
    assert reset("shadow", "operator") == reset("nobody-here", "operator") == 404
    assert reset("orange2", "operator") == reset("shadow", "command") == 200


def test_the_embedded_cognito_gives_each_person_a_secret_of_their_own(client, tokens, aws):
    """moto alone hands everyone one fixed secret and takes any code; the runner's
    Cognito does not (kawal_local/moto_totp.py)."""
    idp = aws.client("cognito-idp")
    mine = idp.associate_software_token(AccessToken=tokens["orange"])["SecretCode"]
    theirs = idp.associate_software_token(AccessToken=tokens["blue"])["SecretCode"]
    assert mine != theirs
    with pytest.raises(idp.exceptions.CodeMismatchException):
        idp.verify_software_token(AccessToken=tokens["orange"], UserCode=totp.code(theirs))
    idp.verify_software_token(AccessToken=tokens["orange"], UserCode=totp.code(mine))
