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
