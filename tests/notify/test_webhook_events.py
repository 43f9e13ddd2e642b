"""Every kind of issue event an endpoint may ask for reaches the outbox, whichever app writes it."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_contact, make_issue, make_org, make_staff
from tierline.escalation.actions import do_escalate_issue
from tierline.escalation.policies import sweep_sla_clocks
from tierline.escalation.sla import do_create_sla_policy
from tierline.issues.actions import do_add_comment, do_update_issue
from tierline.issues.models import Status
from tierline.notify.fixes import do_ship_fix
from tierline.notify.models import WebhookDelivery
from tierline.notify.surveys import do_rate_issue, make_rating_token
from tierline.notify.webhooks import WEBHOOK_EVENTS, do_create_webhook

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def everything(db):
    return do_create_webhook(actor=None, name="All", url="https://hooks.example/all", events=list(WEBHOOK_EVENTS))[0]


def sent(issue) -> list[str]:
    return list(WebhookDelivery.objects.filter(issue=issue).order_by("id").values_list("event", flat=True))


def test_the_issues_own_events(everything):
    staff, org = make_staff(), make_org()
    contact = make_contact(org)
    issue = make_issue(org, requester=contact)
    do_add_comment(issue, body="Looking", is_public=True, author=staff)  # new -> open with the reply
    do_update_issue(issue, actor=staff, status=Status.RESOLVED)
    do_add_comment(issue, body="Still broken", is_public=True, author_contact=contact)  # reopens
    assert sent(issue) == ["issue.created", "issue.commented", "issue.status_changed", "issue.resolved",
                           "issue.commented", "issue.reopened"]


def test_escalations_sla_breaches_fixes_and_ratings(everything, problem_with_issues, engineer,
                                                    django_capture_on_commit_callbacks):
    do_create_sla_policy(name="Around the clock", first_response_minutes=60, next_response_minutes=60,
                         resolution_minutes=600)
    late = make_issue(make_org(), at=T0)
    sweep_sla_clocks(T0 + timedelta(minutes=61))
    assert "issue.sla_breached" in sent(late)
    do_escalate_issue(late, actor=make_staff(), note="Needs operations", to_tier=2)
    assert sent(late)[-1] == "issue.escalated"
    problem, [issue] = problem_with_issues(1)
    with django_capture_on_commit_callbacks(execute=True):
        do_ship_fix(problem, actor=engineer)
    assert {"issue.fix_shipped", "issue.resolved"} <= set(sent(issue))
    issue.refresh_from_db()
    do_rate_issue(make_rating_token(issue), rating="good")
    assert sent(issue)[-1] == "issue.satisfaction_rated"
