"""Security headers outside debug mode, strong password hashing, secure cookies behind HTTPS."""

import pytest

from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def test_pages_and_api_answers_carry_security_headers(client, settings):
    settings.DEBUG = False
    page = client.get("/login/")
    assert "default-src 'self'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY" and page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"
    api = client.get("/api/v1/users/me")
    assert api["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" not in client.get("/api/v1/docs")


def test_passwords_are_hashed_with_a_strong_hasher_in_production():
    from tierline import settings as production

    # tests/settings.py swaps in a fast hasher; the real settings keep Django's PBKDF2 default.
    assert not hasattr(production, "PASSWORD_HASHERS")
    from django.conf import global_settings

    assert global_settings.PASSWORD_HASHERS[0].endswith("PBKDF2PasswordHasher")


def test_session_cookie_is_http_only_and_same_site(client):
    user = make_staff("support_t1")
    response = client.post("/login/", {"username": user.email, "password": "pw-for-tests-only"})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
