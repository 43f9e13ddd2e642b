"""The portal example: everyone signs in, except the people whose identity tokens the trimming cuts
short, who go round the sign-in redirects until the client gives up; the agent sees why."""
import os
import subprocess
import sys
import time

import portal.auth as auth
import portal.config as config
import pytest
from portal.__main__ import build
from portal.app import make_app
from portal.directory import USERS

from .client import PortalClient
from .conftest import PORTAL_DIR


def settings(**overrides):
    return config.Settings(secret=b"k" * 32, **overrides)


def test_a_user_with_a_small_profile_signs_in():
    status, visited, page = PortalClient(make_app(settings())).sign_in("dana")
    assert status == 200 and "Signed in as Dana Whitfield (northwind-logistics)" in page
    assert visited == ["/sso/login", "/sso/authorize", "/sso/callback", "/"]


def test_a_user_with_a_huge_profile_goes_round_the_sign_in_redirects():
    status, visited, _ = PortalClient(make_app(settings())).sign_in("priya")
    assert status == 302
    assert visited[1:5] == ["/sso/authorize", "/sso/callback", "/sso/authorize", "/sso/callback"]
    assert "/" not in visited


def test_only_the_huge_profiles_are_cut_short():
    s = settings()
    lengths = {name: len(auth.issue_identity_token(s, user)) for name, user in USERS.items()}
    assert lengths["priya"] == lengths["tom"] == config.TOKEN_LIMIT
    assert all(length < config.TOKEN_LIMIT for name, length in lengths.items() if name not in ("priya", "tom"))
    client = PortalClient(make_app(s))
    assert client.sign_in("ines")[0] == 200  # same customer, small profile


def test_turning_the_trimming_off_lets_everyone_in():
    for username in USERS:
        status, _, page = PortalClient(make_app(settings(trim_tokens=False))).sign_in(username)
        assert status == 200 and "Signed in as" in page, username


def test_the_setting_is_read_from_the_environment(tmp_path):
    token_file = tmp_path / "agent-token"
    token_file.write_text("tla_secret\n")
    loaded = config.load({"PORTAL_TRIM_TOKENS": "0", "PORTAL_AGENT_TOKEN_FILE": str(token_file),
                          "TIERLINE_SERVER": "http://127.0.0.1:8000"})
    assert (loaded.trim_tokens, loaded.agent_token, loaded.service) == (False, "tla_secret", "portal")
    assert config.load({}).trim_tokens is True


def test_a_wrong_password_is_refused_with_a_message():
    status, _, page = PortalClient(make_app(settings())).sign_in("dana", password="nope")
    assert status == 401 and "Wrong username or password." in page


def test_forged_expired_and_foreign_tokens_and_cookies_do_not_validate():
    s, other = settings(), config.Settings(secret=b"o" * 32)
    token = auth.issue_identity_token(s, USERS["dana"], now=1000.0)
    assert auth.validate_identity_token(s, token, now=1100.0) == USERS["dana"]
    assert auth.validate_identity_token(s, token, now=2000.0) is None  # expired
    assert auth.validate_identity_token(other, token, now=1100.0) is None
    assert auth.validate_identity_token(s, token[:-3] + "AAA", now=1100.0) is None
    cookie = auth.make_cookie(s, "portal", "dana")
    assert auth.read_cookie(s, "portal", cookie) == USERS["dana"]
    assert auth.read_cookie(s, "idp", cookie) is None  # one purpose's cookie is not the other's
    assert auth.read_cookie(s, "portal", cookie.replace("dana", "omar")) is None


def _trim_line() -> int:
    with open(auth.__file__) as source:
        return next(n for n, text in enumerate(source, 1) if "token = token[:TOKEN_LIMIT]" in text)


@pytest.fixture
def agent():
    import tierline_agent
    from tierline_agent._transport import InMemoryTransport
    transport = InMemoryTransport()
    running = tierline_agent.start(service="portal", transport=transport, poll_wait=0.2)
    running.transport_double = transport
    yield running
    tierline_agent.stop()


def _wait(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_log_probe_on_the_trimming_line_shows_the_length_for_one_customer(agent):
    transport = agent.transport_double
    app = build(settings())  # the agent's WSGI middleware with the portal's identify
    transport.set_probes([{"id": "p-1", "version": 1, "kind": "log", "location": f"portal/auth.py:{_trim_line()}",
                           "condition": 'len(token) > 8000 and ctx.organization == "tyrell-biotech"',
                           "template": "token length {len(token)} for {user.username}"}])
    assert _wait(lambda: (transport.latest_status("p-1") or {}).get("status") == "installed")
    PortalClient(app).sign_in("dana")
    PortalClient(app).sign_in("ines")
    PortalClient(app).sign_in("priya", max_redirects=2)
    assert _wait(lambda: transport.hits("log"))
    hits = transport.hits("log")
    assert len(hits) == 1
    length = len(auth.issue_identity_token(settings(trim_tokens=False), USERS["priya"]))
    assert hits[0]["message"] == f"token length {length} for priya" and length > 8000
    assert hits[0]["context"] == {"user": "priya", "organization": "tyrell-biotech"}


def test_the_program_serves_over_http():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.abspath(PORTAL_DIR), *sys.path]))
    env.pop("TIERLINE_SERVER", None)
    process = subprocess.Popen([sys.executable, "-m", "portal", "--port", "0"], env=env,
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stderr.readline()
        assert "Acme Portal on http://127.0.0.1:" in line and "agent not attached" in line
        base = line.split(" on ")[1].split()[0].rstrip("/")
        status, visited, page = PortalClient(base_url=base).sign_in("lena")
        assert status == 200 and "Signed in as Lena Park (globex-health)" in page
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_readme_walk_through_names_the_trimming_line():
    readme = open(os.path.join(PORTAL_DIR, os.pardir, os.pardir, "README.md")).read()
    assert f"`portal/auth.py:{_trim_line()}`" in readme
