import pytest

from tests.factories import make_staff, make_team
from tierline.escalation.models import EscalationPolicy, SlaPolicy
from tierline.triage.models import RoutingRule

pytestmark = pytest.mark.django_db


def test_admin_creates_policies_and_rules_through_the_actions(client):
    client.force_login(make_staff("admin"))
    team = make_team("Platform")
    assert client.post("/admin/escalation/slapolicy/add/", {
        "name": "Enterprise P0", "plan": "enterprise", "priority": "0", "first_response_minutes": "15",
        "next_response_minutes": "30", "resolution_minutes": "240"}).status_code == 302
    assert client.post("/admin/escalation/escalationpolicy/add/", {
        "name": "Breach", "trigger": "breach", "clock_kind": "", "is_active": "on",
        "step_1": "notify_team_lead", "step_2": "page_on_call"}).status_code == 302
    assert client.post("/admin/triage/routingrule/add/", {
        "name": "Outages", "position": "10", "team": team.pk, "keywords": '["outage"]', "labels": "[]",
        "is_active": "on"}).status_code == 302
    assert SlaPolicy.objects.get().first_response_minutes == 15
    assert list(EscalationPolicy.objects.get().steps.values_list("action", flat=True)) == [
        "notify_team_lead", "page_on_call"]
    assert RoutingRule.objects.get().keywords == ["outage"]
    for page in ("escalation/businesscalendar", "escalation/questionnaire", "escalation/teamoncall",
                 "escalation/slapolicy", "triage/routingrule"):
        assert client.get(f"/admin/{page}/").status_code == 200


def test_admin_changes_and_deletes_through_the_actions(client, django_capture_on_commit_callbacks):
    from datetime import UTC, datetime, time

    from tests.factories import make_issue, make_org
    from tierline.escalation.models import BusinessCalendar, SlaClock
    from tierline.escalation.sla import do_create_business_calendar, do_create_escalation_policy, do_create_sla_policy
    from tierline.triage.actions import do_create_routing_rule

    client.force_login(make_staff("admin"))
    calendar = do_create_business_calendar(name="Office", time_zone="UTC", workday_start=time(9), workday_end=time(17))
    policy = do_create_sla_policy(name="Any", calendar=calendar, first_response_minutes=60,
                                  next_response_minutes=60, resolution_minutes=600)
    issue = make_issue(make_org(), at=datetime(2026, 11, 30, 9, tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):  # the re-planning task, run inline
        changed = client.post(f"/admin/escalation/businesscalendar/{calendar.pk}/change/", {
            "name": "Office", "time_zone": "UTC", "workday_start": "09:00", "workday_end": "17:00",
            "weekdays": "[0, 1, 2, 3, 4]", "holidays": '["2026-11-30"]'})
    assert changed.status_code == 302
    assert SlaClock.objects.get(issue=issue, kind="first_response").due_at == datetime(2026, 12, 1, 10, tzinfo=UTC)
    refused = client.post(f"/admin/escalation/businesscalendar/{calendar.pk}/change/", {
        "name": "Office", "time_zone": "Nowhere/Land", "workday_start": "09:00", "workday_end": "17:00",
        "weekdays": "[0]", "holidays": "[]"})
    assert refused.status_code == 200 and "an IANA name" in refused.content.decode()
    assert BusinessCalendar.objects.get().time_zone == "UTC"

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/admin/escalation/slapolicy/{policy.pk}/change/", {
            "name": "Any", "plan": "", "priority": "", "first_response_minutes": "30", "next_response_minutes": "60",
            "resolution_minutes": "600", "calendar": ""}).status_code == 302
    assert SlaClock.objects.get(issue=issue, kind="first_response").due_at == datetime(2026, 11, 30, 9, 30,
                                                                                       tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/admin/escalation/slapolicy/{policy.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not SlaPolicy.objects.exists() and SlaClock.objects.get(issue=issue, kind="first_response").policy is None

    escalation = do_create_escalation_policy(name="Warn", trigger="warning", actions=["notify_assignee"])
    page = client.get(f"/admin/escalation/escalationpolicy/{escalation.pk}/change/").content.decode()
    assert '<option value="notify_assignee" selected>' in page
    assert client.post(f"/admin/escalation/escalationpolicy/{escalation.pk}/change/", {
        "name": "Warn", "trigger": "warning", "clock_kind": "", "is_active": "on",
        "step_1": "notify_team_lead", "step_2": "", "step_3": "raise_tier", "step_4": ""}).status_code == 302
    assert list(escalation.steps.values_list("action", flat=True)) == ["notify_team_lead", "raise_tier"]

    rule = do_create_routing_rule(name="Outages", team=make_team("Platform"), keywords=["outage"])
    assert client.post(f"/admin/triage/routingrule/{rule.pk}/change/", {
        "name": "Outages", "position": "5", "team": rule.team_id, "keywords": '["Outage", "down"]',
        "labels": "[]", "is_active": "on"}).status_code == 302
    rule.refresh_from_db()
    assert (rule.position, rule.keywords) == (5, ["down", "outage"])
    assert client.post("/admin/triage/routingrule/", {"action": "delete_selected", "_selected_action": [rule.pk],
                                                      "post": "yes"}).status_code == 302
    assert not RoutingRule.objects.exists()
