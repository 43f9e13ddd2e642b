"""The Investigate panel in a real browser, with the real agent attached to the example portal
(a separate process talking to the live server): a bad expression is refused beside its field, a
good probe installs, its hit arrives live, a snapshot opens as a tree, the probe is removed."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.examples.client import PortalClient
from tests.factories import make_issue, make_org, make_staff
from tests.probes.helpers import make_agent_token
from tierline.probes.models import AgentInstance, Probe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
PORTAL = ROOT / "examples" / "portal"


def blank_line() -> int:
    """A line between two functions of auth.py: no code a probe can run at."""
    source = (PORTAL / "portal" / "auth.py").read_text().splitlines()
    start = next(n for n, text in enumerate(source, 1) if text.startswith("def validate_identity_token"))
    return start - 1


def trim_line() -> int:
    source = (PORTAL / "portal" / "auth.py").read_text().splitlines()
    return next(n for n, text in enumerate(source, 1) if "token = token[:TOKEN_LIMIT]" in text)


@pytest.fixture
def portal(live_server, tmp_path):
    """The example portal with its agent attached to the live server; its base URL."""
    _, secret = make_agent_token("portal")
    env = {**os.environ, "TIERLINE_SERVER": live_server.url, "TIERLINE_AGENT_TOKEN": secret,
           "TIERLINE_SERVICE": "portal", "TIERLINE_TAGS": "env=test",
           "PYTHONPATH": os.pathsep.join([str(PORTAL), str(ROOT / "agent" / "src"), *sys.path])}
    log = open(tmp_path / "portal.log", "w+")
    process = subprocess.Popen([sys.executable, "-m", "portal", "--port", "0"], env=env, stderr=log, stdout=log)
    try:
        deadline = time.monotonic() + 20
        while not AgentInstance.objects.filter(service="portal").exists():
            assert time.monotonic() < deadline and process.poll() is None, "the portal's agent did not register"
            time.sleep(0.2)
        log.seek(0)
        line = next(text for text in log.read().splitlines() if "Acme Portal on" in text)
        yield line.split(" on ")[1].split()[0].rstrip("/")
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def add_probe(panel, *, kind="log", location, condition, template="", reason):
    panel.get_by_label("Kind").select_option(kind)
    panel.get_by_label("Location").fill(location)
    panel.get_by_label("Condition").fill(condition)
    if template:
        panel.get_by_label("Message template").fill(template)
    panel.get_by_label("Reason").fill(reason)
    panel.get_by_role("button", name="Add probe").click()


def test_an_engineer_finds_the_long_token_live(page, portal):
    org = make_org(name="Tyrell Biotech", email_domains=["tyrell.example"])
    issue = make_issue(org, title="Cannot sign in to the portal")
    engineer = make_staff("engineer_t4", email="farah@tierline.example")
    location = f"portal/auth.py:{trim_line()}"

    log_in(page, engineer.email)
    page.goto(f"/desk/issues/{issue.key}/")
    panel = page.get_by_role("region", name="Investigate")
    expect(panel.get_by_role("list", name="Services with an agent")).to_contain_text("1 live of 1 instance")

    add_probe(panel, location=location, condition="token.__class__", template="token length {len(token)}",
              reason="Tyrell users loop at sign-in")
    panel = page.get_by_role("region", name="Investigate")
    error = panel.locator("#probe-condition-error")
    expect(error).to_contain_text("dunder")
    expect(panel.get_by_label("Condition")).to_have_value("token.__class__")  # what was typed is kept
    assert not Probe.objects.exists()

    panel.get_by_label("Condition").fill("len(token) > 8000")
    panel.get_by_role("button", name="Add probe").click()
    probe = Probe.objects.get()
    item = page.locator(f'li.probe[data-probe-id="{probe.public_id}"]')
    expect(item.locator("ul.statuses")).to_contain_text("installed", timeout=15_000)  # refreshed live

    assert PortalClient(base_url=portal).sign_in("dana")[0] == 200  # not this customer: no hit
    assert PortalClient(base_url=portal).sign_in("priya", max_redirects=2)[0] == 302
    hits = page.get_by_role("list", name="Hits")
    expect(hits.locator("li.hit-log")).to_contain_text("token length", timeout=15_000)
    expect(hits.locator("li.hit-log")).to_have_count(1)
    expect(page.locator(".hits-status")).to_have_text("1 new hit")
    assert int(hits.locator("li.hit-log .message").inner_text().split()[2]) > 8000

    add_probe(page.get_by_role("region", name="Investigate"), kind="snapshot", location=location,
              condition="len(token) > 8000", reason="what else is in the profile")
    snapshot_probe = Probe.objects.get(kind="snapshot")
    expect(page.locator(f'li.probe[data-probe-id="{snapshot_probe.public_id}"] ul.statuses')
           ).to_contain_text("installed", timeout=15_000)
    PortalClient(base_url=portal).sign_in("tom", max_redirects=2)
    snapshot = page.locator("li.hit-snapshot details.snapshot").first
    expect(snapshot).to_be_visible(timeout=15_000)
    snapshot.locator("summary").first.click()
    expect(snapshot.locator("ol.stack li").first).to_contain_text("issue_identity_token")
    expect(snapshot.locator(".redacted:visible").first).to_be_visible()  # the token itself never leaves the portal
    arguments = snapshot.locator("h4:text-is('Arguments') + ul.captured")
    arguments.locator("summary", has_text="portal.directory.User").click()
    expect(snapshot).to_contain_text("'tom'")

    add_probe(page.get_by_role("region", name="Investigate"), location=f"portal/auth.py:{blank_line()}",
              condition="", template="here", reason="is this line reached?")
    misplaced = Probe.objects.get(location__endswith=f":{blank_line()}")
    expect(page.locator(f'li.probe[data-probe-id="{misplaced.public_id}"] ul.statuses .message')
           ).to_contain_text("nearest lines with code", timeout=15_000)  # the agent's answer, beside the probe

    page.locator(f'li.probe[data-probe-id="{probe.public_id}"]').get_by_role("button", name="Remove").click()
    expect(page.locator(f'li.probe[data-probe-id="{probe.public_id}"]')).to_contain_text("removed")
    probe.refresh_from_db()
    assert probe.removed_at is not None


def test_a_metric_probes_chart_grows_as_intervals_arrive(page):
    from tests.probes.helpers import make_instance, make_probe
    from tests.probes.panel_helpers import store_hit

    issue = make_issue(make_org(name="Tyrell Biotech"), title="Slow sign-in")
    engineer = make_staff("engineer_t4", email="farah@tierline.example")
    instance = make_instance(make_agent_token("portal")[0])
    probe = make_probe(issue, kind="metric", template="", metric_type="duration", location="portal.auth:read_cookie",
                       metric_name="read_cookie")
    log_in(page, engineer.email)
    page.goto(f"/desk/issues/{issue.key}/")
    figure = page.locator(f'figure.probe-chart[data-probe="{probe.public_id}"]')
    expect(figure.locator("figcaption")).to_contain_text("waiting for the first intervals")
    for n, (total, count) in enumerate([(12.0, 4), (90.0, 3)]):
        store_hit(instance, probe, kind="metric", metric={
            "name": "read_cookie", "metric_type": "duration", "start": 1_764_280_000.0 + 10 * n,
            "end": 1_764_280_010.0 + 10 * n, "count": count, "sum": total, "min": 1, "max": 40})
    caption = "read_cookie (mean ms per interval): from 3 to 30 over 2 intervals."
    expect(figure.locator("figcaption")).to_have_text(caption, timeout=15_000)
    assert figure.locator("polyline").get_attribute("points") == "8.0,174.5 632.0,16.8"
    # drawn live exactly as the server draws it on the next page load
    page.reload()
    expect(figure.locator("figcaption")).to_have_text(caption)
    assert figure.locator("polyline").get_attribute("points") == "8.0,174.5 632.0,16.8"
    expect(page.get_by_role("list", name="Hits").locator("li.hit-metric")).to_have_count(2)
