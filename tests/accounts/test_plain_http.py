"""`make run` serves http://127.0.0.1:8000 with TIERLINE_PLAIN_HTTP=1: a browser-like client logs
in over plain HTTP. Without the switch the cookies are HTTPS-only, so the same login cannot work."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.test_processes import Server, clean_env, cli

pytestmark = pytest.mark.e2e


def _log_in(base: str) -> tuple[int, str]:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form = opener.open(f"{base}/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "ops@tierline.example",
                                   "password": "a-long-password"}).encode()
    try:
        with opener.open(urllib.request.Request(f"{base}/login/", body, {"Referer": f"{base}/login/"}),
                         timeout=10) as response:
            return response.status, response.url
    except urllib.error.HTTPError as error:
        return error.code, error.url


@pytest.mark.parametrize("plain_http", [True, False])
def test_logging_in_over_plain_http_needs_the_switch(tmp_path, plain_http):
    env = clean_env(tmp_path, **({"TIERLINE_PLAIN_HTTP": "1"} if plain_http else {}))
    cli(env, "migrate")
    cli(env, "user", "create", "ops@tierline.example", "--role", "admin", "--password", "a-long-password")
    server = Server(env, "--no-demo", "--no-worker")
    try:
        status, url = _log_in(server.base)
    finally:
        log = server.stop()
    if plain_http:
        assert (status, urllib.parse.urlparse(url).path) == (200, "/desk/"), log
    else:
        assert status == 403, log  # the HTTPS-only CSRF cookie never came back over http
        assert "TIERLINE_PLAIN_HTTP=1" in log
