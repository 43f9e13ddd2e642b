"""Priority stored on the issue, recomputed when inputs change, overrides, routing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_component, make_issue, make_org, make_staff, make_team
from tierline.customers.actions import do_update_organization
from tierline.errors import InvalidInput
from tierline.issues.actions import do_update_issue
from tierline.triage.actions import do_create_routing_rule, do_override_priority, do_remove_priority_override
from tierline.triage.queries import list_triage_queue

pytestmark = pytest.mark.django_db


def kinds(issue):
    return list(issue.events.values_list("kind", flat=True))


def test_new_issue_stores_score_explanation_and_version():
    org = make_org(importance="strategic", renewal_date=timezone.localdate() + timedelta(days=34))
    issue = make_issue(org, severity=2)
    assert (issue.priority, issue.computed_priority) == (1, 1)
    assert issue.priority_explanation == "P1: S2 for a strategic customer renewing in 34 days"
    assert issue.priority_rules_version == "2026-11-27"
    assert issue.priority_score > 0


def test_severity_change_recomputes_with_a_timeline_event():
    issue = make_issue(make_org(), severity=3)
    assert issue.priority == 2
    issue = do_update_issue(issue, actor=make_staff(), severity=1)
    assert issue.priority == 0 and issue.priority_explanation.startswith("P0: S1")
    event = issue.events.filter(kind="priority_changed").get()
    assert (event.data["from"], event.data["to"], event.data["reason"]) == (2, 0, "details changed")


def test_organization_change_rescores_its_open_issues(django_capture_on_commit_callbacks):
    org = make_org(importance="standard")
    issue, done = make_issue(org, severity=2), make_issue(org, severity=2)
    do_update_issue(done, actor=make_staff(), status="resolved")
    with django_capture_on_commit_callbacks(execute=True):
        do_update_organization(org, importance="strategic",
                               renewal_date=timezone.localdate() + timedelta(days=20))
    issue.refresh_from_db()
    done.refresh_from_db()
    assert (issue.priority, done.priority) == (1, 2)
    assert "renewing in 20 days" in issue.priority_explanation
    assert kinds(issue)[-1] == "priority_changed"


def test_override_is_kept_through_recomputes_until_removed():
    lead = make_staff("support_t2")
    issue = make_issue(make_org(), severity=3)
    issue = do_override_priority(issue, actor=lead, priority=0, reason="Board member is waiting")
    issue = do_update_issue(issue, actor=lead, severity=4)
    assert (issue.priority, issue.computed_priority, issue.priority_override_reason) == (
        0, 3, "Board member is waiting")
    issue = do_remove_priority_override(issue, actor=lead)
    assert (issue.priority, issue.priority_override) == (3, None)
    assert kinds(issue).count("priority_overridden") == 2


def test_override_needs_a_reason():
    with pytest.raises(InvalidInput) as error:
        do_override_priority(make_issue(), actor=make_staff(), priority=0, reason="  ")
    assert error.value.fields == {"reason": "required"}


def test_explicit_priority_at_creation_is_an_override():
    issue = make_issue(make_org(), severity=3, priority=0)
    assert (issue.priority, issue.computed_priority) == (0, 2)
    assert issue.priority_override_reason == "set when the issue was filed"


def test_routing_by_component_then_rules_else_triage_queue():
    billing, platform = make_team("Billing"), make_team("Platform")
    component = make_component("Invoices", owner_team=billing)
    do_create_routing_rule(name="Outages", team=platform, keywords=["outage", "down"])
    do_create_routing_rule(name="K8s", team=platform, labels=["kubernetes"])
    assert make_issue(component=component, title="Site down").team == billing
    assert make_issue(title="Total OUTAGE in eu-west").team == platform
    assert make_issue(title="Pods restart", labels=["Kubernetes"]).team == platform
    lost = make_issue(title="Something odd")
    assert lost.team is None
    items, _ = list_triage_queue(make_staff())
    assert [i.pk for i in items] == [lost.pk]


def test_routing_rule_needs_a_match():
    with pytest.raises(InvalidInput):
        do_create_routing_rule(name="Empty", team=make_team())


def test_an_issue_keeps_the_rule_version_that_scored_it_until_rescored(monkeypatch):
    from tierline.triage import rules
    from tierline.triage.actions import do_recompute_priority

    monkeypatch.setattr(rules, "CURRENT_VERSION", "2026-11-01")  # before impact weighting was released
    issue = make_issue(make_org(importance="standard"), severity=2)
    assert (issue.priority, issue.priority_rules_version) == (1, "2026-11-01")
    monkeypatch.undo()
    issue.refresh_from_db()
    assert (issue.priority, issue.priority_rules_version) == (1, "2026-11-01")  # stored, not recomputed on read
    issue = do_recompute_priority(issue, reason="rules released")
    assert (issue.priority, issue.priority_rules_version) == (2, "2026-11-27")
    event = issue.events.filter(kind="priority_changed").get()
    assert (event.data["from"], event.data["to"], event.data["reason"]) == (1, 2, "rules released")
