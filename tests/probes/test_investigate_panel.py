"""The Investigate panel on the desk issue page: who sees it, the services and their instances, each
probe with its status per instance (the agent's answer beside it), the hits so far, the metric chart."""

import pytest
from django.urls import reverse

from tests.factories import make_issue, make_org, make_staff
from tests.probes.helpers import make_agent_token, make_instance, make_probe
from tests.probes.panel_helpers import SNAPSHOT, report_status, store_hit

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    org = make_org(name="Tyrell Biotech")
    issue = make_issue(org, title="Cannot sign in")
    token, _ = make_agent_token("portal")
    instance = make_instance(token, host="portal-1")
    return issue, instance


def page(client, user, issue):
    client.force_login(user)
    return client.get(reverse("desk-issue", kwargs={"key": issue.key})).content.decode()


@pytest.mark.parametrize("role", ["support_t1", "support_t2", "operations_t3"])
def test_the_panel_is_not_there_for_roles_that_may_not_set_probes(client, story, role):
    issue, _ = story
    html = page(client, make_staff(role), issue)
    assert "Investigate" not in html and "probes/investigate.js" not in html


@pytest.mark.parametrize("role", ["engineer_t4", "senior_engineer_t5", "admin"])
def test_engineers_see_the_services_and_the_form(client, story, role):
    issue, _ = story
    html = page(client, make_staff(role), issue)
    assert 'id="investigate-heading">Investigate' in html
    assert "<strong>portal</strong>: 1 live of 1 instance" in html and "portal-1 (pid 4121, Python 3.11.7" in html
    assert '<code>ctx.organization == "tyrell-biotech"</code>' in html  # the default scope, said plainly
    assert '<label for="probe-condition">Condition</label>' in html
    assert '<option value="portal">portal (1 live)</option>' in html
    assert f'data-hits-url="/api/v1/issues/{issue.key}/probe-hits"' in html
    assert "<script" in html and "probes/investigate.js" in html


def test_each_probe_shows_its_status_per_instance_and_the_agents_answer(client, story):
    issue, instance = story
    other = make_instance(make_agent_token("portal")[0], host="portal-2")
    probe = make_probe(issue, location="portal/auth.py:40", condition="len(token) > 8000")
    report_status(instance, probe, "installed", hits=3)
    report_status(other, probe, "error", "line 40 of /srv/portal/auth.py has no code a probe can run at; "
                                         "nearest lines with code: 38, 39, 41")
    html = page(client, make_staff("engineer_t4"), issue)
    assert f'data-probe-id="{probe.public_id}"' in html
    assert "portal-1: <strong>installed</strong>, hits: 3" in html
    assert ("portal-2: <strong>error</strong> — <span class=\"message\">line 40 of /srv/portal/auth.py has no "
            "code a probe can run at; nearest lines with code: 38, 39, 41</span>, hits: 0") in html
    assert "only tyrell-biotech" in html and '<code class="condition">len(token) &gt; 8000</code>' in html
    assert reverse("probes-remove", kwargs={"key": issue.key, "probe_id": probe.public_id}) in html
    assert reverse("probes-extend", kwargs={"key": issue.key, "probe_id": probe.public_id}) in html


def test_hits_so_far_are_listed_with_the_snapshot_stack_first(client, story):
    issue, instance = story
    log = make_probe(issue)
    snap = make_probe(issue, kind="snapshot", template="", location="portal.auth:issue_identity_token")
    store_hit(instance, log)
    store_hit(instance, snap, kind="snapshot", snapshot=SNAPSHOT)
    html = page(client, make_staff("engineer_t4"), issue)
    assert '<p class="message">token length 21964 for priya</p>' in html
    assert "for tyrell-biotech / priya" in html
    snapshot = html[html.index('<details class="snapshot">'):]
    assert snapshot.index("<h4>Stack</h4>") < snapshot.index("<h4>Arguments</h4>") < snapshot.index("<h4>Locals</h4>")
    assert "<code>issue_identity_token</code> /srv/portal/auth.py:44" in snapshot
    assert "[redacted, 32 characters]" in snapshot
    last = max(int(x) for x in __import__("re").findall(r'data-hit-id="(\d+)"', html))
    assert f'data-last-id="{last}"' in html


def test_a_metric_probe_is_drawn_as_a_chart(client, story):
    issue, instance = story
    probe = make_probe(issue, kind="metric", template="", metric_type="histogram", value="len(token)",
                       metric_name="token.length")
    for n, (total, count) in enumerate([(100.0, 4), (300.0, 3), (50.0, 5)]):
        store_hit(instance, probe, kind="metric", metric={
            "name": "token.length", "metric_type": "histogram", "start": 1_764_280_000.0 + 10 * n,
            "end": 1_764_280_010.0 + 10 * n, "count": count, "sum": total, "min": 1, "max": 90})
    html = page(client, make_staff("engineer_t4"), issue)
    assert f'<figure class="probe-chart" data-probe="{probe.public_id}"' in html
    assert '<polyline points="8.0,' in html  # the first interval at the left edge
    assert "data-series=\"[[1764280010.0, 25.0], [1764280020.0, 100.0], [1764280030.0, 10.0]]\"" in html.replace(
        "&quot;", '"')
    assert "token.length (mean per interval): from 10 to 100 over 3 intervals." in html
    assert "token.length histogram, count 4, sum 100.0, min 1, max 90" in html


def test_a_metric_probe_without_intervals_yet_says_it_waits(client, story):
    issue, _ = story
    make_probe(issue, kind="metric", template="", metric_type="count", metric_name="signins")
    html = page(client, make_staff("engineer_t4"), issue)
    assert "signins (count per interval): waiting for the first intervals" in html
    assert 'data-series="[]"' in html


def test_the_issue_page_reads_the_panel_in_a_fixed_number_of_queries(client, story, django_assert_max_num_queries):
    issue, instance = story
    engineer = make_staff("engineer_t4")
    client.force_login(engineer)
    url = reverse("desk-issue", kwargs={"key": issue.key})
    client.get(url)
    for n in range(6):
        probe = make_probe(issue, location=f"portal/auth.py:{40 + n}")
        report_status(instance, probe)
        store_hit(instance, probe)
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for n in range(6):
        probe = make_probe(issue, location=f"portal/app.py:{40 + n}")
        report_status(instance, probe)
        store_hit(instance, probe)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
