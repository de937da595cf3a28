"""A coordinator required to use a second factor enrols in Chromium (the QR code and the secret under
the site's content security policy), then signs in with a code from an authenticator app (pyotp)."""

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.e2e
PASSWORD = "pass-word-123"


def password_sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_load_state("networkidle")


def test_a_coordinator_enrols_then_signs_in_with_a_code(page, settings, transactional_db):
    from django.contrib.auth.models import Group

    from accounts import roles
    from tests.factories import UserFactory

    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)
    settings.MFA_REQUIRED_FOR_COORDINATORS = True
    settings.MFA_TOTP_TOLERANCE = 1  # a code made at the end of its 30 seconds may arrive in the next
    UserFactory(username="coordinator", role="coordinator")
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    password_sign_in(page, "coordinator")
    page.goto("/")  # anywhere: enrolment first, after the password again
    assert "/accounts/reauthenticate/" in page.url
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert page.get_by_role("img").first.is_visible()  # the QR code (a data: image, allowed by the policy)
    assert [v["id"] for v in Axe().run(page).response["violations"] if v.get("impact") in {"serious", "critical"}] == []
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    page.goto("/")
    assert page.url.endswith("/") and page.get_by_role("heading", level=1).is_visible()

    page.context.clear_cookies()
    password_sign_in(page, "coordinator")
    assert "/accounts/2fa/authenticate/" in page.url
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state("networkidle")
    assert "/accounts/" not in page.url, page.url
    assert not [error for error in errors if "Content Security Policy" in error], errors
