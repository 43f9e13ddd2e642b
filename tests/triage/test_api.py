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


def test_routing_rules_are_created_changed_and_removed_by_admins(api_as):
    from tests.factories import make_team

    platform, mobile = make_team("Platform"), make_team("Mobile")
    admin = api_as(make_staff("admin"))
    created = admin.post("/triage/routing-rules", {"name": "Outages", "team_id": platform.pk,
                                                   "keywords": ["Outage", " down "], "position": 10})
    assert created.status_code == 201
    rule = created.json()
    assert (rule["keywords"], rule["labels"], rule["team"]["name"]) == (["down", "outage"], [], "Platform")
    agent = api_as(make_staff())
    assert agent.post("/issues", {"title": "Total outage"}).json()["team"]["name"] == "Platform"

    patched = admin.patch(f"/triage/routing-rules/{rule['id']}", {"team_id": mobile.pk, "labels": ["ios"]})
    assert patched.json()["team"]["name"] == "Mobile" and patched.json()["labels"] == ["ios"]
    assert agent.post("/issues", {"title": "Outage again"}).json()["team"]["name"] == "Mobile"
    empty = admin.patch(f"/triage/routing-rules/{rule['id']}", {"keywords": [], "labels": []})
    assert empty.status_code == 422 and empty.json()["fields"] == {"keywords": "keywords or labels required"}
    assert admin.patch(f"/triage/routing-rules/{rule['id']}", {"team_id": 999999}).json()["fields"] == {
        "team_id": "does not exist"}
    assert [r["name"] for r in admin.get("/triage/routing-rules").json()] == ["Outages"]
    assert agent.get("/triage/routing-rules").status_code == 403
    assert admin.delete(f"/triage/routing-rules/{rule['id']}").status_code == 204
    assert agent.post("/issues", {"title": "Outage once more"}).json()["team"] is None


@pytest.mark.parametrize("key", ["³", "TL-²", "١٢"])
def test_unicode_digits_in_an_issue_key_are_a_404_not_a_500(api_as, key):
    api = api_as(make_staff())
    assert api.get(f"/issues/{key}/priority").status_code == 404
    assert api.get(f"/issues/{key}/sla").status_code == 404
