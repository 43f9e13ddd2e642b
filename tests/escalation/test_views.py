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


def test_sla_badge_says_how_long_is_left(client):
    do_create_sla_policy(name="Fast", first_response_minutes=120, next_response_minutes=60, resolution_minutes=600)
    issue = make_issue(make_org(), at=timezone.now() - timedelta(minutes=30))
    client.force_login(make_staff())
    page = client.get(f"/desk/issues/{issue.key}/").content.decode()
    assert "First response: ok" in page and ("1h 29m left" in page or "1h 30m left" in page)
