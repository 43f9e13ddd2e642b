"""The SLA configuration API (admins): calendars, SLA policies, escalation policies; a change
re-plans the open clocks it governs."""

from datetime import UTC, datetime

import pytest

from tests.factories import make_issue, make_org, make_staff
from tierline.escalation.models import SlaClock

pytestmark = pytest.mark.django_db
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_calendars_and_policies_round_trip_and_re_plan(api_as, django_capture_on_commit_callbacks):
    api = api_as(make_staff("admin"))
    created = api.post("/sla/calendars", {"name": "Paris office", "time_zone": "Europe/Paris",
                                          "workday_start": "09:00", "workday_end": "17:00"})
    assert created.status_code == 201
    calendar = created.json()
    assert (calendar["weekdays"], calendar["holidays"]) == ([0, 1, 2, 3, 4], [])
    policy = api.post("/sla/policies", {"name": "Business P2", "plan": "business", "priority": 2,
                                        "first_response_minutes": 60, "next_response_minutes": 120,
                                        "resolution_minutes": 960, "calendar_id": calendar["id"]})
    assert policy.status_code == 201 and policy.json()["calendar"]["name"] == "Paris office"
    issue = make_issue(make_org(plan="business"), severity=3, at=MONDAY_9)  # P2; 10:00 in Paris
    assert SlaClock.objects.get(issue=issue, kind="first_response").due_at == datetime(2026, 11, 30, 10, tzinfo=UTC)

    with django_capture_on_commit_callbacks(execute=True):
        changed = api.patch(f"/sla/calendars/{calendar['id']}", {"holidays": ["2026-11-30"]})
    assert changed.status_code == 200 and changed.json()["holidays"] == ["2026-11-30"]
    # Monday is a holiday now: the hour counts from Tuesday 09:00 Paris time (08:00 UTC).
    assert SlaClock.objects.get(issue=issue, kind="first_response").due_at == datetime(2026, 12, 1, 9, tzinfo=UTC)

    with django_capture_on_commit_callbacks(execute=True):
        patched = api.patch(f"/sla/policies/{policy.json()['id']}", {"first_response_minutes": 30,
                                                                     "calendar_id": None})
    assert patched.json()["calendar"] is None and patched.json()["first_response_minutes"] == 30
    assert SlaClock.objects.get(issue=issue, kind="first_response").due_at == datetime(2026, 11, 30, 9, 30, tzinfo=UTC)

    assert [p["name"] for p in api.get("/sla/policies").json()] == ["Business P2"]
    assert [c["name"] for c in api.get("/sla/calendars").json()] == ["Paris office"]
    assert api.delete(f"/sla/calendars/{calendar['id']}").status_code == 204
    assert api.delete(f"/sla/policies/{policy.json()['id']}").status_code == 204
    assert api.get("/sla/policies").json() == []
    assert api.delete(f"/sla/policies/{policy.json()['id']}").status_code == 404


def test_refusals_name_the_field(api_as):
    api = api_as(make_staff("admin"))
    bad_zone = api.post("/sla/calendars", {"name": "Moon", "time_zone": "Moon/Base", "workday_start": "09:00",
                                           "workday_end": "17:00"})
    assert bad_zone.status_code == 422 and "time_zone" in bad_zone.json()["fields"]
    backwards = api.post("/sla/calendars", {"name": "Night", "time_zone": "UTC", "workday_start": "17:00",
                                            "workday_end": "09:00"})
    assert backwards.json()["fields"] == {"workday_end": "after workday_start"}
    calendar = api.post("/sla/calendars", {"name": "Office", "time_zone": "UTC", "workday_start": "09:00",
                                           "workday_end": "17:00"}).json()
    api.post("/sla/policies", {"name": "Any", "first_response_minutes": 1, "next_response_minutes": 1,
                               "resolution_minutes": 1, "calendar_id": calendar["id"]})
    in_use = api.delete(f"/sla/calendars/{calendar['id']}")
    assert in_use.status_code == 422 and in_use.json()["fields"] == {"calendar": "used by Any"}
    unknown = api.post("/sla/policies", {"name": "X", "priority": 1, "first_response_minutes": 1,
                                         "next_response_minutes": 1, "resolution_minutes": 1, "calendar_id": 999})
    assert unknown.json()["fields"] == {"calendar_id": "does not exist"}
    nul = api.post("/sla/calendars", {"name": "A\x00", "time_zone": "UTC", "workday_start": "09:00",
                                      "workday_end": "17:00"})
    assert nul.status_code == 422


def test_escalation_policies_round_trip(api_as):
    api = api_as(make_staff("admin"))
    created = api.post("/escalation-policies", {"name": "Breach", "trigger": "breach",
                                                "actions": ["notify_team_lead", "page_on_call"]})
    assert created.status_code == 201
    policy = created.json()
    assert (policy["actions"], policy["clock_kind"], policy["is_active"]) == (
        ["notify_team_lead", "page_on_call"], "", True)
    patched = api.patch(f"/escalation-policies/{policy['id']}", {"actions": ["raise_tier"], "is_active": False,
                                                                 "clock_kind": "first_response"})
    assert (patched.json()["actions"], patched.json()["is_active"], patched.json()["clock_kind"]) == (
        ["raise_tier"], False, "first_response")
    bad = api.patch(f"/escalation-policies/{policy['id']}", {"actions": ["sing"]})
    assert bad.status_code == 422 and "actions" in bad.json()["fields"]
    assert [p["name"] for p in api.get("/escalation-policies").json()] == ["Breach"]
    assert api.delete(f"/escalation-policies/{policy['id']}").status_code == 204
    assert api.get("/escalation-policies").json() == []


@pytest.mark.parametrize("role", ["support_t2", "senior_engineer_t5"])
def test_only_admins_configure(api_as, role):
    api = api_as(make_staff(role))
    assert api.get("/sla/calendars").status_code == 403
    assert api.post("/escalation-policies", {"name": "X", "trigger": "breach",
                                             "actions": ["raise_tier"]}).status_code == 403
