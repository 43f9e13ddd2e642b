from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_issue, make_org, make_staff
from tierline.escalation.problems import do_create_problem, do_link_issue_to_problem
from tierline.escalation.sla import do_create_sla_policy

pytestmark = pytest.mark.django_db


def test_issue_page_shows_tier_sla_badges_and_refusals(client):
    do_create_sla_policy(name="Fast", first_response_minutes=30, next_response_minutes=60, resolution_minutes=600)
    issue = make_issue(make_org(), title="Export fails")
    client.force_login(make_staff())
    page = client.get(f"/desk/issues/{issue.key}/").content.decode()
    assert "Tier 1: <strong>Support</strong>" in page and "First response: ok" in page
    refused = client.post(f"/desk/issues/{issue.key}/handoff", {"to_tier": "3", "note": "help"})
    assert refused.status_code == 422 and "needs: reproduction_steps" in refused.content.decode()
    client.post(f"/desk/issues/{issue.key}/handoff", {"to_tier": "2", "note": "Billing question"})
    assert "escalated from tier 1 (Support) to tier 2 (Support)" in client.get(
        f"/desk/issues/{issue.key}/").content.decode()


def test_queues_and_problem_pages(client):
    do_create_sla_policy(name="Fast", first_response_minutes=30, next_response_minutes=60, resolution_minutes=600)
    late = make_issue(make_org(), title="Late one", at=timezone.now() - timedelta(minutes=40))
    problem = do_create_problem(actor=None, title="Disk fills up")
    do_link_issue_to_problem(problem, late, actor=None)
    client.force_login(make_staff("engineer_t4"))
    assert "Late one" in client.get("/desk/breaching-soon/").content.decode()
    assert "Disk fills up" in client.get("/desk/engineering/").content.decode()
    assert "Disk fills up" in client.get("/desk/problems/").content.decode()
    assert late.key in client.get(f"/desk/problems/{problem.pk}/").content.decode()
    assert client.get("/desk/problems/999/").status_code == 404


def test_problems_page_has_one_new_problem_form_and_a_plain_title(client):
    client.force_login(make_staff("engineer_t4"))
    page = client.get("/desk/problems/").content.decode()
    assert "<title>Problems · Tierline</title>" in page
    assert page.count('<form method="post" aria-labelledby="new-problem">') == 1


def test_sla_badge_says_how_long_is_left(client):
    do_create_sla_policy(name="Fast", first_response_minutes=120, next_response_minutes=60, resolution_minutes=600)
    issue = make_issue(make_org(), at=timezone.now() - timedelta(minutes=30))
    client.force_login(make_staff())
    page = client.get(f"/desk/issues/{issue.key}/").content.decode()
    assert "First response: ok" in page and ("1h 29m left" in page or "1h 30m left" in page)


def test_queue_shows_each_issues_most_urgent_sla_clock(client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tierline.issues.actions import do_add_comment, do_update_issue

    do_create_sla_policy(name="Fast", first_response_minutes=60, next_response_minutes=60, resolution_minutes=600)
    now, agent = timezone.now(), make_staff()
    late = make_issue(make_org(), title="Late", at=now - timedelta(minutes=90))
    soon = make_issue(make_org(), title="Soon", at=now - timedelta(minutes=50))
    waiting = make_issue(make_org(), title="Waiting", at=now - timedelta(minutes=5))
    do_update_issue(waiting, actor=agent, status="pending")
    answered = make_issue(make_org(), title="Answered", at=now - timedelta(minutes=5))
    do_add_comment(answered, body="Looking", is_public=True, author=agent, notify=False)
    client.force_login(agent)
    page = client.get("/desk/").content.decode()
    assert 'class="badge sla-breached"' in page and "Breached, over by 3" in page
    assert 'class="badge sla-warning"' in page
    assert ">Paused<" in page
    # Answered in time: its first response is met, the resolution clock runs.
    assert "9h 5" in page
    assert late.key in page and soon.key in page

    with CaptureQueriesContext(connection) as few:
        client.get("/desk/")
    for n in range(20):
        make_issue(make_org(), title=f"More {n}")
    with django_assert_num_queries(len(few)):
        client.get("/desk/")


def test_portal_tells_the_customer_when_to_expect_answers_in_plain_words(client):
    from tests.factories import make_customer
    from tierline.issues.actions import do_add_comment, do_update_issue

    do_create_sla_policy(name="Enterprise gold internal", first_response_minutes=60, next_response_minutes=60,
                         resolution_minutes=600)
    org = make_org()
    now = timezone.now()
    issue = make_issue(org, title="Export fails", at=now - timedelta(minutes=90))
    client.force_login(make_customer(org))
    page = client.get(f"/portal/issues/{issue.key}/").content.decode()
    assert "First reply: later than we aimed" in page and "Resolution: we aim to resolve this by" in page
    assert "Enterprise gold internal" not in page and "breach" not in page.lower()

    agent = make_staff()
    do_add_comment(issue, body="Looking", is_public=True, author=agent, notify=False)
    do_update_issue(issue, actor=agent, status="pending")
    page = client.get(f"/portal/issues/{issue.key}/").content.decode()
    assert "First reply: sent" in page and "Resolution: on hold while we wait for your answer" in page
