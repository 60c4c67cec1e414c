"""Resetting a squad member's account from a screen, not only the API (issue #36): the
operator's "Akun tim" screen in /tim/ (a temporary password shown once, the second
factor reset), the member's first sign-in with it, per role; and the command centre's
sign-in page making a temporary password's holder choose their own."""

from __future__ import annotations

import uuid

import pytest
import requests

from kawal_local import totp
from kawal_local.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET

from .conftest import cognito, sign_in
from .test_command_centre import enter_code, serve_tiles
from .test_tim_app import phone, signed_in

pytestmark = pytest.mark.e2e


def operator_on_tim(browser, runner):
    """The operator signed in to /tim/: the password, then the authenticator's code."""
    context = phone(browser)
    page, errors = signed_in(context, runner, "operator")
    page.get_by_label("Kode 6 angka dari aplikasi autentikator").fill(totp.code(DEMO_TOTP_SECRET))
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("heading", name="Akun tim").wait_for()
    return context, page, errors


def test_an_operator_resets_a_members_password_and_the_member_chooses_a_new_one(browser, runner):
    context, page, errors = operator_on_tim(browser, runner)
    assert page.is_hidden("#nav-queue")  # an operator has no queue
    assert "bayangan" not in page.content().lower() and "shadow" not in page.content().lower()
    # a shadow account is as unknown to an operator as a made-up name
    page.get_by_label("Akun anggota tim").fill("bayangan")
    page.get_by_role("button", name="Atur ulang kata sandi").click()
    page.get_by_text("Akun bayangan tidak ditemukan.").wait_for()
    assert page.is_hidden("#account-temp")

    page.get_by_label("Akun anggota tim").fill("tim-yellow")
    page.get_by_role("button", name="Atur ulang kata sandi").click()
    page.locator("#account-temp:not([hidden])").wait_for()
    assert "tim-yellow" in page.inner_text("#account-temp-for")
    temporary = page.inner_text("#temp-password").strip()
    assert len(temporary) >= 12
    assert page.get_by_role("button", name="Salin").is_visible()
    # the lost phone: the second factor reset from the same screen
    page.get_by_role("button", name="Atur ulang verifikasi dua langkah").click()
    page.get_by_text("Verifikasi dua langkah tim-yellow dimatikan").wait_for()
    assert not errors
    context.close()

    # the member: the old password no longer opens it; the temporary one asks for their own
    member = phone(browser)
    page, errors = signed_in(member, runner, "tim-yellow", DEMO_PASSWORD)
    page.get_by_text("Nama pengguna atau kata sandi salah.").wait_for()
    page.get_by_label("Kata sandi", exact=True).fill(temporary)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_label("Kata sandi baru", exact=True).fill("Kuning-baru-2026")
    page.get_by_label("Ulangi kata sandi baru").fill("Kuning-baru-2026")
    page.get_by_role("button", name="Simpan kata sandi").click()
    page.get_by_role("heading", name="Antrean Tim Kuning").wait_for()
    assert page.is_hidden("#nav-accounts")
    assert not errors
    member.close()


def test_a_squad_member_sees_no_accounts_screen_and_the_api_refuses_them(browser, runner):
    context = phone(browser)
    page, errors = signed_in(context, runner, "tim-red")
    page.get_by_role("heading", name="Antrean Tim Merah").wait_for()
    assert page.is_hidden("#nav-accounts")
    page.evaluate("location.hash = '#akun'")
    page.get_by_role("heading", name="Antrean Tim Merah").wait_for()
    assert page.is_hidden("#view-accounts")
    assert not errors
    context.close()

    squad = {"Authorization": f"Bearer {sign_in(runner, 'tim-red')}"}
    for kind in ("password-reset", "mfa-reset"):
        answer = requests.post(
            f"{runner.base}/staff/accounts/tim-blue/{kind}", headers=squad, timeout=10
        )
        assert answer.status_code == 403, answer.text
        assert "temporary_password" not in answer.text
    # still the member's own password
    assert sign_in(runner, "tim-blue")


def password_on(page, username: str, password: str) -> None:
    """The command centre's sign-in form, its first step."""
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#signin button[type=submit]")


def test_the_command_centre_page_makes_a_temporary_password_be_replaced(browser, runner):
    idp, state = cognito(runner)
    pool, username = state["COGNITO_USER_POOL_ID"], f"bupati-{uuid.uuid4().hex[:6]}"
    idp.admin_create_user(
        UserPoolId=pool, Username=username, TemporaryPassword="Sementara-2026",
        MessageAction="SUPPRESS",
    )  # fmt: skip
    idp.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName="command")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    serve_tiles(page)
    page.goto(f"{runner.base}/command-centre")
    password_on(page, username, "Sementara-2026")

    page.wait_for_selector("#newpass:not([hidden])")
    page.get_by_label("Kata sandi baru", exact=True).fill("Bupati-baru-2026")
    page.get_by_label("Ulangi kata sandi baru").fill("Bupati-lain-2026")
    page.click("#signin button[type=submit]")
    page.get_by_text("Kedua kata sandi tidak sama.").wait_for()
    page.get_by_label("Ulangi kata sandi baru").fill("Bupati-baru-2026")
    page.click("#signin button[type=submit]")

    # then the command centre's two-step sign-in, enrolled from the QR code as before
    page.wait_for_selector("#mfa-setup:not([hidden]) #mfa-qr svg")
    assert page.is_hidden("#newpass")
    enter_code(page, page.inner_text("#mfa-secret").replace(" ", ""))
    page.wait_for_selector("#board:not([hidden])")

    # the chosen password is the one from now on
    page.click("#signout")
    password_on(page, username, "Bupati-baru-2026")
    page.wait_for_selector("#mfa-ask:not([hidden])")
    assert page.is_hidden("#newpass")
    page.close()
