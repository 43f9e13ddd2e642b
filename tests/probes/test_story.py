"""The live-debugging story end to end, with real processes: `tierline run` with the demo and the
example portal beside it (agent attached, as `make run` starts them), `tierline smtpd` taking the
customer's email. Tier 1 and tier 2 cannot reproduce; engineering gets the issue with the
questionnaire filled from the agent's runtime report; a log probe on the trimming line, scoped to the
customer, shows the 8,000-plus token when the customer retries; the fix ships, the problem is fixed,
the customer is told by email and the issue resolved. The README's walk-through is the same story."""

import json
import os
import signal
import smtplib
import subprocess
import sys
import urllib.error
import urllib.request
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.examples.client import PortalClient
from tests.test_processes import TIERLINE, Server, clean_env, cli, free_port, outbox, wait_for

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
PORTAL = ROOT / "examples" / "portal"


class Api:
    def __init__(self, base: str, token: str):
        self.base, self.token = base, token

    def __call__(self, method: str, path: str, body=None):
        request = urllib.request.Request(f"{self.base}/api/v1{path}", method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Authorization": f"Bearer {self.token}",
                                                  "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=40) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


def trim_line() -> int:
    source = (PORTAL / "portal" / "auth.py").read_text().splitlines()
    return next(n for n, text in enumerate(source, 1) if "token = token[:TOKEN_LIMIT]" in text)


def shell(env, code: str) -> str:
    return cli(env, "manage", "shell", "-c", code).strip().splitlines()[-1]


def portal_instance(api) -> dict | None:
    services = api("GET", "/agents/services")[1]
    return next((i for s in services if s["service"] == "portal" for i in s["instances"] if i["is_live"]), None)


def test_a_customer_who_cannot_sign_in_is_helped_by_a_probe(tmp_path):
    portal_port, smtp_port = free_port(), free_port()
    env = clean_env(tmp_path, TIERLINE_DEMO_ISSUES="20", TIERLINE_DEMO_PORTAL="1", TIERLINE_PLAIN_HTTP="1",
                    TIERLINE_DEMO_PORTAL_PORT=str(portal_port), TIERLINE_SMTPD_PORT=str(smtp_port))
    server = Server(env)  # seeds the demo on its first run and starts the portal beside it
    smtpd = subprocess.Popen([TIERLINE, "smtpd", "--port", str(smtp_port)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fixed_portal = None
    portal = f"http://127.0.0.1:{portal_port}"
    try:
        tokens = {email: cli(env, "token", "create", f"{email}@tierline.example").strip()
                  for email in ("alice", "chloe", "farah")}
        alice, chloe, farah = (Api(server.base, tokens[n]) for n in ("alice", "chloe", "farah"))
        wait_for(lambda: portal_instance(farah), 30, "the portal's agent")

        # The customer emails.
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = "tom@tyrell.example", "support@tierline.localhost", \
            "Cannot sign in: the page keeps reloading"
        mail.set_content("Since this morning the portal sends me back to sign in, again and again.")
        wait_for(lambda: smtplib.SMTP("127.0.0.1", smtp_port, timeout=5).quit() or True, 30, "the SMTP intake")
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
            smtp.send_message(mail)

        def the_issue():
            found = alice("GET", "/issues?q=keeps%20reloading")[1]["items"]
            return found[0] if found else None
        wait_for(the_issue, 30, "the issue from the email")
        issue = the_issue()
        key = issue["key"]
        assert issue["channel"] == "email" and issue["tier"] == 1

        # Tier 1 cannot reproduce, hands over to tier 2, who cannot either.
        component = shell(env, "from tierline.issues.models import Component; "
                               "print(Component.objects.get(name='Authentication').pk)")
        assert alice("PATCH", f"/issues/{key}", {"component_id": int(component)})[0] == 200
        assert alice("POST", f"/issues/{key}/comments", {
            "body": "Thanks Tom. We signed in with test accounts and it works; could you try a private window?",
            "is_public": True})[0] == 201
        assert alice("POST", f"/issues/{key}/escalate", {"note": "Cannot reproduce; only Tyrell users.",
                                                          "to_tier": 2})[0] == 200
        assert chloe("POST", f"/issues/{key}/comments", {
            "body": "Cannot reproduce with our accounts or a copy of Tom's settings; Ines at Tyrell signs in fine.",
            "is_public": False})[0] == 201

        # Into engineering with the questionnaire already filled from the agent's runtime report.
        questionnaire = chloe("GET", f"/issues/{key}/questionnaire")[1]
        answers = questionnaire["answers"]
        assert answers["runtime"].startswith("CPython 3.11") and answers["deployment"] == "Kubernetes"
        assert answers["product_version"] == "portal 2.14.0" and answers["cloud"] == "AWS eu-west-1"
        assert chloe("POST", f"/issues/{key}/questionnaire", {
            "answers": answers, "reproduction_steps": "Sign in as a Tyrell researcher: redirect loop."})[0] == 200
        status, escalated = chloe("POST", f"/issues/{key}/escalate", {
            "note": "Tyrell only, big accounts only; needs engineering.", "to_tier": 4})
        assert status == 200 and escalated["tier"] == 4, escalated

        # The engineer adds a log probe on the trimming line for this customer only.
        status, probe = farah("POST", f"/issues/{key}/probes", {
            "service": "portal", "kind": "log", "location": f"portal/auth.py:{trim_line()}",
            "condition": "len(token) > 8000", "template": "token length {len(token)} for {user.username}",
            "reason": "Tyrell's researchers loop at sign-in; is their identity token cut?"})
        assert status == 201, probe
        assert probe["scope"] == {"organization": "tyrell-biotech", "all_customers": False}

        def installed():
            probes = farah("GET", f"/issues/{key}/probes")[1]
            return any(s["status"] == "installed" for s in probes[0]["statuses"])
        wait_for(installed, 30, "the probe installed in the portal")

        # The customer retries; someone at another customer signs in meanwhile.
        assert PortalClient(base_url=portal).sign_in("dana")[0] == 200
        status, visited, _ = PortalClient(base_url=portal).sign_in("tom", max_redirects=2)
        assert status == 302 and visited[-1] == "/sso/callback"
        hits = farah("GET", f"/issues/{key}/probe-hits?wait=20")[1]["hits"]
        assert len(hits) == 1, hits
        length = int(hits[0]["message"].split()[2])
        assert hits[0]["message"] == f"token length {length} for tom" and length > 8000
        assert hits[0]["context"] == {"user": "tom", "organization": "tyrell-biotech"}

        # The fix ships: the portal is redeployed without the trimming.
        problem = farah("POST", "/problems", {"title": "Identity tokens trimmed to 8,000 characters",
                                              "fix_version": "portal 2.14.1"})[1]
        assert farah("POST", f"/problems/{problem['id']}/issues", {"issue_key": key})[0] == 200
        os.kill(portal_instance(farah)["pid"], signal.SIGTERM)
        wait_for(lambda: not _answers(portal), 15, "the old portal to stop")
        fixed_portal = subprocess.Popen(
            [sys.executable, "-m", "portal", "--port", str(portal_port)], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env={**env, "PYTHONPATH": os.pathsep.join([str(PORTAL), *sys.path]),
                                            "PORTAL_TRIM_TOKENS": "0", "TIERLINE_SERVER": server.base,
                                            "PORTAL_AGENT_TOKEN_FILE": str(tmp_path / "demo-agent-token")})
        wait_for(lambda: _answers(portal), 15, "the fixed portal")
        status, _, page = PortalClient(base_url=portal).sign_in("tom")
        assert status == 200 and "Signed in as Tom Becker (tyrell-biotech)" in page
        assert farah("PATCH", f"/problems/{problem['id']}", {"status": "fixed"})[1]["status"] == "fixed"
        assert farah("DELETE", f"/probes/{probe['id']}?reason=found%20it")[0] == 200

        # The customer is told by email and the issue resolved.
        assert farah("POST", f"/issues/{key}/comments", {
            "body": "Fixed in portal 2.14.1: long identity tokens are no longer cut. Please sign in again.",
            "is_public": True})[0] == 201
        assert farah("PATCH", f"/issues/{key}", {"status": "resolved"})[1]["status"] == "resolved"
        wait_for(lambda: any("portal 2.14.1" in m and "tom@tyrell.example" in m for m in outbox(tmp_path)),
                 30, "the email to the customer")
    finally:
        for process in (smtpd, fixed_portal):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
        log = server.stop()
    assert "Demo portal (the live-debugging story, agent attached): " in log, log
    assert tokens["farah"] not in log and (tmp_path / "demo-agent-token").read_text().strip() not in log


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
