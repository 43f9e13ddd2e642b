"""Security headers outside debug mode, strong password hashing, HTTPS-only cookies and HSTS by
default, and the plain-HTTP switch for local use."""

import json
import subprocess
import sys

import pytest

from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def test_pages_and_api_answers_carry_security_headers(client, settings):
    settings.DEBUG = False
    page = client.get("/login/")
    assert "default-src 'self'" in page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
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


def test_session_cookie_is_https_only_http_only_and_same_site_by_default(client, settings):
    assert not settings.DEBUG and settings.SESSION_COOKIE_NAME == "__Host-sessionid"
    user = make_staff("support_t1")
    response = client.post("/login/", {"username": user.email, "password": "pw-for-tests-only"})
    cookie = response.cookies["__Host-sessionid"]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
    assert response.cookies["__Host-csrftoken"]["secure"]


def test_https_answers_carry_hsts_and_a_trusted_proxy_says_https(client, settings):
    assert "Strict-Transport-Security" not in client.get("/login/")  # browsers ignore it over http
    assert client.get("/login/", secure=True)["Strict-Transport-Security"] == "max-age=31536000"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # TIERLINE_TRUST_FORWARDED_FOR
    assert "max-age" in client.get("/login/", HTTP_X_FORWARDED_PROTO="https")["Strict-Transport-Security"]


def _settings_with(tmp_path, **env) -> dict:
    code = ("import json, tierline.settings as s; print(json.dumps({'secure': s.SESSION_COOKIE_SECURE, "
            "'csrf': s.CSRF_COOKIE_SECURE, 'hsts': getattr(s, 'SECURE_HSTS_SECONDS', 0), "
            "'proxy': getattr(s, 'SECURE_PROXY_SSL_HEADER', None), "
            "'cookie': getattr(s, 'SESSION_COOKIE_NAME', 'sessionid')}))")
    base = {"PATH": "/usr/bin:/bin", "TIERLINE_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def test_the_defaults_are_secure_and_plain_http_is_a_documented_switch(tmp_path):
    assert _settings_with(tmp_path) == {"secure": True, "csrf": True, "hsts": 31536000, "proxy": None,
                                        "cookie": "__Host-sessionid"}
    plain = _settings_with(tmp_path, TIERLINE_PLAIN_HTTP="1")
    assert (plain["secure"], plain["csrf"], plain["hsts"], plain["cookie"]) == (False, False, 0, "sessionid")
    assert _settings_with(tmp_path, TIERLINE_DEBUG="1")["secure"] is False
    assert _settings_with(tmp_path, TIERLINE_DEBUG="1", TIERLINE_PLAIN_HTTP="0")["secure"] is True
    assert _settings_with(tmp_path, TIERLINE_TRUST_FORWARDED_FOR="1")["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    makefile = (Path(__file__).parents[2] / "Makefile").read_text()
    assert "`TIERLINE_PLAIN_HTTP`" in readme and "TIERLINE_PLAIN_HTTP" in makefile
