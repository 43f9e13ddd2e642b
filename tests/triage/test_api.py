import pytest

from tests.factories import make_issue, make_org, make_staff

pytestmark = pytest.mark.django_db


def test_priority_details_and_override_round_trip(api_as):
    issue = make_issue(make_org(importance="key"), severity=2)
    api = api_as(make_staff("support_t2"))
    details = api.get(f"/issues/{issue.key}/priority").json()
    assert details["explanation"] == "P2: S2 for a key customer" and details["override"] is None
    assert api.get(f"/issues/{issue.key}").json()["priority_explanation"] == details["explanation"]

    bad = api.post(f"/issues/{issue.key}/priority-override", {"priority": 0})
    assert bad.status_code == 422 and bad.json()["fields"] == {"reason": "required"}
    set_ = api.post(f"/issues/{issue.key}/priority-override", {"priority": 0, "reason": "Outage for a VIP"})
    assert set_.json()["priority"] == 0 and set_.json()["computed_priority"] == 2
    assert set_.json()["override"]["reason"] == "Outage for a VIP"
    removed = api.post(f"/issues/{issue.key}/priority-override", {"priority": None})
    assert removed.json()["priority"] == 2 and removed.json()["override"] is None


def test_triage_queue_and_rule_versions(api_as):
    lost = make_issue(title="Nobody owns this")
    api = api_as(make_staff())
    assert [i["key"] for i in api.get("/triage/queue").json()["items"]] == [lost.key]
    assert api.get("/triage/rules").json()["current"] == "2026-11-27"


def test_affected_users_and_labels_feed_the_priority_through_the_api(api_as):
    from tests.factories import make_team
    from tierline.triage.actions import do_create_routing_rule

    do_create_routing_rule(name="Mobile", team=make_team("Mobile"), labels=["ios"])
    api = api_as(make_staff())
    created = api.post("/issues", {"title": "App crashes", "severity": 2, "affected_users": 5000,
                                   "labels": ["iOS"]}).json()
    assert created["priority"] == 1 and "5000 users affected" in created["priority_explanation"]
    assert created["labels"] == ["ios"] and created["team"]["name"] == "Mobile"
    patched = api.patch(f"/issues/{created['key']}", {"affected_users": 3}).json()
    assert patched["priority"] == 2 and patched["affected_users"] == 3
