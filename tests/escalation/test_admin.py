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
