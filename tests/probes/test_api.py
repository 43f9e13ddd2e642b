"""The staff API of live debugging: probes on an issue (scope, validation, audit, timeline), hits,
agent tokens and services."""

import pytest

from tests.factories import make_issue, make_org, make_staff
from tests.probes.helpers import AgentClient, make_agent_token, make_probe
from tierline.audit.models import AuditEntry
from tierline.issues.models import EventKind
from tierline.probes.models import AgentToken

pytestmark = pytest.mark.django_db
PROBE = {"service": "portal", "kind": "log", "location": "app/auth.py:88", "template": "token length {len(token)}",
         "condition": "len(token) > 8000", "reason": "TL customers see 431 errors"}


@pytest.fixture
def acme():
    return make_org(name="Acme Robotics", email_domains=["acme.example"])


@pytest.fixture
def engineer():
    return make_staff("engineer_t4", name="Erin Engineer")


def test_create_list_change_remove(api_as, acme, engineer):
    issue = make_issue(acme)
    api = api_as(engineer)
    created = api.post(f"/issues/{issue.key}/probes", PROBE)
    assert created.status_code == 201, created.content
    probe = created.json()
    assert probe["id"].startswith("p-") and probe["scope"] == {"organization": "acme-robotics", "all_customers": False}
    assert probe["version"] == 1 and probe["created_by"]["name"] == "Erin Engineer" and probe["is_active"]
    listed = api.get(f"/issues/{issue.key}/probes").json()
    assert [p["id"] for p in listed] == [probe["id"]] and listed[0]["statuses"] == []

    changed = api.patch(f"/probes/{probe['id']}", {"condition": "len(token) > 4000", "extend_seconds": 3600,
                                                   "reason": "catch the smaller ones too"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["version"] == 2 and changed.json()["condition"] == "len(token) > 4000"
    assert changed.json()["expires_at"] > probe["expires_at"]
    assert api.patch(f"/probes/{probe['id']}", {"condition": "len(token) >"}).status_code == 422  # and no reason

    removed = api.delete(f"/probes/{probe['id']}?reason=found+it")
    assert removed.status_code == 200 and removed.json()["removed_at"] and not removed.json()["is_active"]
    kinds = list(issue.events.filter(kind__startswith="probe").values_list("kind", flat=True))
    assert kinds == [EventKind.PROBE_ADDED, EventKind.PROBE_CHANGED, EventKind.PROBE_REMOVED]
    audits = AuditEntry.objects.filter(action__startswith="probe.").order_by("id")
    assert [a.action for a in audits] == ["probe.created", "probe.changed", "probe.removed"]
    assert audits[0].reason == "TL customers see 431 errors" and audits[0].actor == engineer
    assert audits[0].data["location"] == "app/auth.py:88"
    assert audits[0].data["scope"] == {"organization": "acme-robotics", "all_customers": False}


@pytest.mark.parametrize("change,field,needle", [
    ({"condition": "user.__class__"}, "condition", "line 1, column"),
    ({"template": "{len(token}"}, "template", "line 1"),
    ({"location": "app/auth.py"}, "location", "location"),
    ({"kind": "metric", "metric_type": "gauge"}, "value", "value"),
    ({"kind": "trace"}, "kind", "log"),
    ({"reason": ""}, "reason", "why"),
    ({"ttl_seconds": 30 * 24 * 3600}, "ttl_seconds", "seconds"),
    ({"rate": -1}, "rate", "hits per second"),
    ({"service": "no spaces please"}, "service", "service"),
    ({"capture": {"max_depth": 99}}, "capture.max_depth", "from 0"),
])
def test_invalid_probes_are_422_naming_the_field(api_as, acme, engineer, change, field, needle):
    issue = make_issue(acme)
    response = api_as(engineer).post(f"/issues/{issue.key}/probes", {**PROBE, **change})
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"] and needle in response.json()["fields"][field], response.json()
    assert not issue.events.filter(kind=EventKind.PROBE_ADDED).exists()


def test_wider_scopes_need_an_explicit_choice(api_as, acme, engineer):
    api = api_as(engineer)
    orphan = make_issue(None)
    refused = api.post(f"/issues/{orphan.key}/probes", PROBE)
    assert refused.status_code == 422 and "all_customers" in refused.json()["fields"]
    wide = api.post(f"/issues/{orphan.key}/probes", {**PROBE, "all_customers": True})
    assert wide.status_code == 201 and wide.json()["scope"] == {"organization": None, "all_customers": True}
    everyone = api.post(f"/issues/{make_issue(acme).key}/probes", {**PROBE, "all_customers": True}).json()
    entry = AuditEntry.objects.get(action="probe.created", target_id=everyone["id"])
    assert entry.data["scope"] == {"organization": None, "all_customers": True}
    _, secret = make_agent_token("portal")
    agent = AgentClient(secret)
    wire = agent.poll(agent.register().json()["instance_id"]).json()["probes"]
    assert {p["condition"] for p in wire} == {"len(token) > 8000"}  # no organization check for either


def test_hits_for_engineers_only_and_after_a_cursor(api_as, acme, engineer):
    issue = make_issue(acme)
    probe = make_probe(issue)
    _, secret = make_agent_token("portal")
    agent = AgentClient(secret)
    instance_id = agent.register().json()["instance_id"]
    hit = {"kind": "snapshot", "probe_id": probe.public_id, "timestamp": 1764280001.5, "context": {},
           "snapshot": {"arguments": {"password": {"type": "str", "redacted": True, "size": 12}}}}
    agent.post("hits", {"instance_id": instance_id, "hits": [hit, {**hit, "timestamp": 1764280002.5}]})
    api = api_as(engineer)
    first = api.get(f"/issues/{issue.key}/probe-hits", limit=1).json()
    assert len(first["hits"]) == 1 and first["hits"][0]["snapshot"]["arguments"]["password"]["redacted"] is True
    assert first["hits"][0]["host"] == "web-3" and first["hits"][0]["probe"] == probe.public_id
    rest = api.get(f"/issues/{issue.key}/probe-hits", after=first["last_id"]).json()
    assert len(rest["hits"]) == 1 and rest["last_id"] > first["last_id"]
    assert api.get(f"/issues/{issue.key}/probe-hits", after=rest["last_id"], wait=0.6).json()["hits"] == []
    assert api_as(make_staff("support_t2")).get(f"/issues/{issue.key}/probe-hits").status_code == 403
    assert len(api.get(f"/issues/{issue.key}/probes").json()) == 1
    assert api_as(make_staff("support_t2")).get(f"/issues/{issue.key}/probes").status_code == 200


def test_probe_lists_do_not_grow_queries_per_probe(api_as, acme, engineer, django_assert_max_num_queries):
    issue = make_issue(acme)
    _, secret = make_agent_token("portal")
    agent = AgentClient(secret)
    instance_id = agent.register().json()["instance_id"]
    probes = [make_probe(issue) for _ in range(6)]
    agent.post("status", {"instance_id": instance_id, "probes": [
        {"id": p.public_id, "version": 1, "status": "installed"} for p in probes]})
    api = api_as(engineer)
    with django_assert_max_num_queries(8):
        listed = api.get(f"/issues/{issue.key}/probes").json()
    assert len(listed) == 6 and all(p["statuses"][0]["status"] == "installed" for p in listed)
    with django_assert_max_num_queries(8):
        assert len(api.get(f"/issues/{issue.key}/probe-hits").json()["hits"]) == 0


def test_agent_tokens_are_shown_once_and_hashed(api_as, admin_user):
    api = api_as(admin_user)
    created = api.post("/agent-tokens", {"service": "portal", "name": "production"})
    assert created.status_code == 201
    secret = created.json()["token"]
    row = AgentToken.objects.get(pk=created.json()["id"])
    assert secret.startswith("tla_") and secret not in str(row.__dict__) and row.prefix == secret[:12]
    assert "token" not in api.get("/agent-tokens").json()[0]
    agent = AgentClient(secret)
    assert agent.register().status_code == 200
    services = api.get("/agents/services").json()
    assert services[0]["service"] == "portal" and services[0]["instances"][0]["is_live"] is True
    assert api.delete(f"/agent-tokens/{row.pk}").json()["revoked_at"]
    assert agent.register().status_code == 401
    assert [a.action for a in AuditEntry.objects.filter(action__startswith="agent_token.").order_by("id")] == \
        ["agent_token.created", "agent_token.revoked"]
