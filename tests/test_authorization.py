"""Every API endpoint against every role: allowed, denied, or not found for other organizations.

A new endpoint fails `test_every_endpoint_is_in_the_table` until it is added here.
"""

import itertools

import pytest

from tests.availability.helpers import make_availability_ids
from tests.calls.helpers import make_calls_ids
from tests.factories import make_contact, make_customer, make_issue, make_org, make_unmask_grant
from tests.feedback.helpers import make_feedback_ids
from tests.intake.helpers import make_intake_ids
from tests.knowledge.helpers import make_knowledge_ids
from tests.metrics.helpers import make_metric_ids
from tests.openapi import openapi_document
from tests.planning.helpers import make_planning_ids
from tests.probes.helpers import make_probes_ids
from tests.roles import OPS_AND_UP, ROLES, expected_for, user_for

_unique = itertools.count()
ENGINEERING = ["engineer_t4", "senior_engineer_t5", "admin"]

# method, path, body, expected status by role, read by tests/roles.py ("staff" covers every staff role
# without its own entry; "outsider" is a customer of another organization and falls back to "customer";
# anonymous callers get 401 unless the row says otherwise)
TABLE = [
    ("get", "/issues", None, {"customer": 200, "staff": 200}),
    ("post", "/issues", {"title": "Broken"}, {"customer": 201, "staff": 201}),
    ("get", "/issues/{issue}", None, {"customer": 200, "outsider": 404, "staff": 200}),
    ("patch", "/issues/{issue}", {"status": "open"}, {"customer": 403, "outsider": 404, "staff": 200}),
    ("get", "/issues/{issue}/comments", None, {"customer": 200, "outsider": 404, "staff": 200}),
    ("post", "/issues/{issue}/comments", {"body": "hi"}, {"customer": 201, "outsider": 404, "staff": 201}),
    ("get", "/organizations", None, {"customer": 200, "staff": 200}),
    ("post", "/organizations", {"name": "New Co {n}"}, {"customer": 403, "staff": 403, "admin": 201}),
    ("get", "/organizations/{org}", None, {"customer": 200, "outsider": 404, "staff": 200}),
    ("patch", "/organizations/{org}", {"notes": "x"}, {"customer": 403, "outsider": 404, "staff": 403, "admin": 200}),
    ("get", "/contacts", None, {"customer": 200, "staff": 200}),
    ("post", "/contacts", {"email": "new{n}@acme.example"}, {"customer": 403, "staff": 201}),
    ("get", "/contacts/{contact}", None, {"customer": 200, "outsider": 404, "staff": 200}),
    ("get", "/teams", None, {"customer": 403, "staff": 200}),
    ("get", "/users/me", None, {"customer": 200, "staff": 200}),
    ("get", "/issues/{issue}/priority", None, {"customer": 403, "outsider": 404, "staff": 200}),
    ("post", "/issues/{issue}/priority-override", {"priority": 0, "reason": "CEO escalation"},
     {"customer": 403, "outsider": 404, "staff": 200, "support_t1": 403}),
    ("get", "/triage/queue", None, {"customer": 403, "staff": 200}),
    ("get", "/triage/rules", None, {"customer": 403, "staff": 200}),
    ("post", "/issues/{issue}/escalate", {"note": "Billing should look", "to_tier": 2},
     {"customer": 403, "outsider": 404, "staff": 200}),
    ("post", "/issues/{issue}/de-escalate", {"note": "Back down"}, {"customer": 403, "outsider": 404, "staff": 422}),
    ("get", "/issues/{issue}/questionnaire", None, {"customer": 403, "outsider": 404, "staff": 200}),
    ("post", "/issues/{issue}/questionnaire", {"answers": {"os": "Debian 12"}},
     {"customer": 403, "outsider": 404, "staff": 200}),
    ("get", "/issues/{issue}/sla", None, {"customer": 403, "outsider": 404, "staff": 200}),
    ("get", "/sla/breaching-soon", None, {"customer": 403, "staff": 200}),
    ("get", "/issues/{issue}/team-tasks", None, {"customer": 403, "outsider": 404, "staff": 200}),
    ("post", "/issues/{issue}/team-tasks", {"team_id": 999999, "title": "Check the logs"},
     {"customer": 403, "outsider": 404, "staff": 422}),
    ("get", "/problems", None, {"customer": 403, "staff": 200}),
    ("post", "/problems", {"title": "Cache stampede"},
     {"customer": 403, "staff": 403, **dict.fromkeys(OPS_AND_UP, 201)}),
    ("get", "/problems/{problem}", None, {"customer": 403, "staff": 404}),
    ("patch", "/problems/{problem}", {"status": "fixed"},
     {"customer": 403, "staff": 403, **dict.fromkeys(OPS_AND_UP, 404)}),
    ("post", "/problems/{problem}/issues", {"issue_key": "TL-1"},
     {"customer": 403, "staff": 403, **dict.fromkeys(OPS_AND_UP, 404)}),
    ("get", "/engineering/queue", None, {"customer": 403, "staff": 200}),
    ("get", "/sla/calendars", None, {"customer": 403, "staff": 403, "admin": 200}),
    ("post", "/sla/calendars", {"name": "Office {n}", "time_zone": "Europe/Paris", "workday_start": "09:00",
                                "workday_end": "17:00"}, {"customer": 403, "staff": 403, "admin": 201}),
    ("patch", "/sla/calendars/{calendar_id}", {"holidays": ["2026-12-25"]},
     {"customer": 403, "staff": 403, "admin": 404}),
    ("delete", "/sla/calendars/{calendar_id}", None, {"customer": 403, "staff": 403, "admin": 404}),
    ("get", "/sla/policies", None, {"customer": 403, "staff": 403, "admin": 200}),
    ("post", "/sla/policies", {"name": "Plan {n}", "plan": "plan-{n}", "first_response_minutes": 60,
                               "next_response_minutes": 60, "resolution_minutes": 600},
     {"customer": 403, "staff": 403, "admin": 201}),
    ("patch", "/sla/policies/{sla_policy_id}", {"first_response_minutes": 30},
     {"customer": 403, "staff": 403, "admin": 404}),
    ("delete", "/sla/policies/{sla_policy_id}", None, {"customer": 403, "staff": 403, "admin": 404}),
    ("get", "/escalation-policies", None, {"customer": 403, "staff": 403, "admin": 200}),
    ("post", "/escalation-policies", {"name": "Breach {n}", "trigger": "breach", "actions": ["page_on_call"]},
     {"customer": 403, "staff": 403, "admin": 201}),
    ("patch", "/escalation-policies/{escalation_policy_id}", {"is_active": False},
     {"customer": 403, "staff": 403, "admin": 404}),
    ("delete", "/escalation-policies/{escalation_policy_id}", None, {"customer": 403, "staff": 403, "admin": 404}),
    ("get", "/triage/routing-rules", None, {"customer": 403, "staff": 403, "admin": 200}),
    ("post", "/triage/routing-rules", {"name": "Outages {n}", "team_id": 999999, "keywords": ["outage"]},
     {"customer": 403, "staff": 403, "admin": 422}),
    ("patch", "/triage/routing-rules/{rule_id}", {"position": 5}, {"customer": 403, "staff": 403, "admin": 404}),
    ("delete", "/triage/routing-rules/{rule_id}", None, {"customer": 403, "staff": 403, "admin": 404}),
    ("get", "/audit", None, {"customer": 403, "staff": 403, "admin": 200}),
    ("get", "/audit/export", None, {"customer": 403, "staff": 403, "admin": 200}),
    ("get", "/organizations/{org}/access-log", None, {"customer": 200, "outsider": 404, "staff": 200}),
    ("get", "/organizations/{org}/profile", None, {"customer": 403, "outsider": 404, "staff": 200}),
    # Only someone working on the issue unmasks (tests/customers/test_privacy.py); these roles are not.
    ("post", "/organizations/{org}/unmask", {"issue": "{issue}", "reason": "checking the reported problem"},
     {"customer": 403, "outsider": 404, "staff": 403}),
    ("post", "/unmask-grants/{grant}/approve", {},
     {"customer": 404, "staff": 403, "senior_engineer_t5": 200, "admin": 200}),
    ("put", "/organizations/{org}/configuration", {"flags": {"beta": True}},
     {"customer": 403, "outsider": 404, "staff": 403, "admin": 200}),
    ("get", "/organizations/{org}/configuration/history", None, {"customer": 403, "outsider": 404, "staff": 200}),
    ("get", "/organizations/{org}/configuration/diff", None, {"customer": 403, "outsider": 404, "staff": 404}),
    ("get", "/issues/{issue}/configuration-change", None, {"customer": 403, "outsider": 404, "staff": 200}),
    ("put", "/organizations/{org}/environment", {"facts": {"runtime": "CPython 3.12"}},
     {"customer": 403, "outsider": 404, "staff": 200}),
    ("get", "/sensitivity-rules", None, {"customer": 403, "staff": 200}),
    ("put", "/sensitivity-rules", {"pattern": "configuration.x{n}", "sensitivity": "internal"},
     {"customer": 403, "staff": 403, "admin": 200}),
    # An alert integration authenticates with its own secret: no user token opens it.
    ("post", "/intake/alerts/{source}", {}, {"customer": 401, "staff": 401}),
    ("get", "/intake/messages", None, {"customer": 403, "staff": 403, "admin": 200}),
    ("get", "/intake/messages/{message_id}", None, {"customer": 403, "staff": 403, "admin": 200}),
    ("post", "/intake/messages/{message_id}/retry", {}, {"customer": 403, "staff": 403, "admin": 200}),
    ("get", "/intake/integrations", None, {"customer": 403, "staff": 403, "admin": 200}),
    ("post", "/intake/integrations", {"slug": "new-{n}", "source": "generic"},
     {"customer": 403, "staff": 403, "admin": 201}),
    ("post", "/intake/integrations/{slug}/rotate", {}, {"customer": 403, "staff": 403, "admin": 200}),
    ("post", "/intake/reviews", {"data": "Rating,Review\n1,bad {n}"},
     {"customer": 403, "staff": 403, "admin": 200}),
    ("get", "/intake/issues/{issue}/similar", None, {"customer": 403, "outsider": 404, "staff": 200}),
    ("get", "/metrics", None, {"customer": 403, "staff": 200}),
    ("post", "/metrics", {"name": "metric-{n}"}, {"customer": 403, "staff": 403, "admin": 201}),
    ("get", "/metrics/{name}", None, {"customer": 403, "staff": 200}),
    ("post", "/metrics/{name}/rotate", {}, {"customer": 403, "staff": 403, "admin": 200}),
    ("get", "/metrics/{name}/points", None, {"customer": 403, "staff": 200}),
    # A metric's points come with the metric's own secret: no user token pushes them.
    ("post", "/metrics/{name}/points", {"points": []}, {"customer": 401, "staff": 401}),
    ("get", "/metrics/{name}/anomalies", None, {"customer": 403, "staff": 200}),
    ("get", "/conversations/keys", None, {"customer": 403, "staff": 403, "admin": 200}),
    ("post", "/conversations/keys", {"product": "Web app {n}"}, {"customer": 403, "staff": 403, "admin": 201}),
    ("post", "/conversations/keys/{chat_key}/rotate", {}, {"customer": 403, "staff": 403, "admin": 404}),
    ("get", "/conversations/live", None, {"customer": 403, "staff": 200}),
    ("get", "/issues/{issue}/calls", None, {"customer": 403, "outsider": 404, "staff": 200}),
    ("post", "/issues/{issue}/calls", {"direction": "inbound", "caller_number": "+14155550100", "outcome": "call_back"},
     {"customer": 403, "outsider": 404, "staff": 201}),
    ("post", "/calls", {"title": "Called about invoices", "direction": "inbound", "caller_number": "+14155550100",
                        "outcome": "call_back"}, {"customer": 403, "staff": 201}),
    ("get", "/calls/lines", None, {"customer": 403, "staff": 403, "admin": 200}),
    ("post", "/calls/lines", {"slug": "line-{n}", "auth_token": "token-{n}"},
     {"customer": 403, "staff": 403, "admin": 201}),
    ("put", "/calls/lines/{line}/token", {"auth_token": "rotated-{n}"}, {"customer": 403, "staff": 403, "admin": 200}),
    # A phone line's webhook authenticates by its provider's signature (403 without it), never a user token.
    ("post", "/calls/twilio/{line}", {}, {"anonymous": 403, "customer": 403, "staff": 403}),
    ("get", "/agents/services", None, {"customer": 403, "staff": 200}),
    ("get", "/agent-tokens", None, {"customer": 403, "staff": 403, "admin": 200}),
    ("post", "/agent-tokens", {"service": "svc-{n}"}, {"customer": 403, "staff": 403, "admin": 201}),
    ("delete", "/agent-tokens/{token_id}", None, {"customer": 403, "staff": 403, "admin": 200}),
    ("get", "/issues/{issue}/probes", None, {"customer": 403, "outsider": 404, "staff": 200}),
    ("post", "/issues/{issue}/probes", {"service": "portal", "kind": "log", "location": "app/auth.py:88",
                                        "template": "n={{len(token)}}", "reason": "token too long"},
     {"customer": 403, "outsider": 404, "staff": 403, **dict.fromkeys(ENGINEERING, 201)}),
    ("patch", "/probes/{probe_id}", {"condition": "len(token) > 1", "reason": "narrower"},
     {"customer": 404, "staff": 403, **dict.fromkeys(ENGINEERING, 200)}),
    ("delete", "/probes/{probe_id}", {"reason": "found it"},
     {"customer": 404, "staff": 403, **dict.fromkeys(ENGINEERING, 200)}),
    ("get", "/issues/{issue}/probe-hits", None,
     {"customer": 403, "outsider": 404, "staff": 403, **dict.fromkeys(ENGINEERING, 200)}),
    # The agents' endpoints authenticate with agent tokens: no user token opens them.
    ("post", "/agents/register", {"instance_id": "i-1", "service": "portal"}, {"customer": 401, "staff": 401}),
    ("post", "/agents/status", {"instance_id": "i-1"}, {"customer": 401, "staff": 401}),
    ("post", "/agents/hits", {"instance_id": "i-1", "hits": []}, {"customer": 401, "staff": 401}),
    ("get", "/insights", None, {"customer": 403, "staff": 200}),
    ("get", "/insights/{metric}", None, {"customer": 403, "staff": 200}),
    ("post", "/problems/{problem}/fix-shipped", {"version": "2.4.1"},
     {"customer": 403, "staff": 403, **dict.fromkeys(OPS_AND_UP, 404)}),
    ("get", "/satisfaction", None, {"customer": 403, "staff": 200}),
    ("get", "/satisfaction/csat", None, {"customer": 403, "staff": 200}),
    ("get", "/issues/{issue}/satisfaction", None, {"customer": 403, "outsider": 404, "staff": 200}),
    ("get", "/webhooks", None, {"customer": 403, "staff": 403, "admin": 200}),
    ("post", "/webhooks", {"name": "Hook {n}", "url": "https://hooks.example/{n}", "events": ["issue.created"]},
     {"customer": 403, "staff": 403, "admin": 201}),
    ("get", "/webhooks/{webhook_id}", None, {"customer": 403, "staff": 403, "admin": 404}),
    ("patch", "/webhooks/{webhook_id}", {"is_active": False}, {"customer": 403, "staff": 403, "admin": 404}),
    ("delete", "/webhooks/{webhook_id}", None, {"customer": 403, "staff": 403, "admin": 404}),
    ("post", "/webhooks/{webhook_id}/rotate", {}, {"customer": 403, "staff": 403, "admin": 404}),
    ("post", "/webhooks/{webhook_id}/test", {}, {"customer": 403, "staff": 403, "admin": 404}),
    ("get", "/webhooks/{webhook_id}/deliveries", None, {"customer": 403, "staff": 403, "admin": 404}),
    ("get", "/feature-requests", None, {"customer": 403, "staff": 200}),
    ("post", "/feature-requests", {"title": "Dark mode {n}"}, {"customer": 403, "staff": 201}),
    ("get", "/feature-requests/{request_id}", None, {"customer": 403, "staff": 200}),
    ("patch", "/feature-requests/{request_id}", {"status": "planned"}, {"customer": 403, "staff": 200}),
    ("post", "/feature-requests/{request_id}/merge", {"into_id": 999999, "reason": "the same"},
     {"customer": 403, "staff": 422}),
    ("post", "/feature-requests/{request_id}/notify", {}, {"customer": 403, "staff": 422}),  # not shipped
    ("get", "/issues/{issue}/feature-request", None, {"customer": 200, "outsider": 404, "staff": 200}),
    ("post", "/issues/{issue}/feature-request", {}, {"customer": 403, "outsider": 404, "staff": 200}),
    ("get", "/articles", None, {"customer": 200, "staff": 200}),
    ("post", "/articles", {"title": "Export invoices {n}"}, {"customer": 403, "staff": 201}),
    ("get", "/articles/suggest", None, {"customer": 200, "staff": 200}),
    # A public article is for every customer, of any organization.
    ("get", "/articles/{article_id}", None, {"customer": 200, "staff": 200}),
    ("patch", "/articles/{article_id}", {"title": "Renamed {n}"}, {"customer": 403, "staff": 200}),
    ("get", "/issues/{issue}/time", None, {"customer": 403, "outsider": 404, "staff": 200}),
    ("post", "/issues/{issue}/time", {"minutes": 45, "note": "Read the logs"},
     {"customer": 403, "outsider": 404, "staff": 201}),
    ("delete", "/issues/{issue}/time/{entry_id}", None, {"customer": 403, "outsider": 404, "staff": 404}),
    ("get", "/teams/{team_id}/planning", None, {"customer": 404, "staff": 200}),
    ("get", "/teams/{team_id}/budgets", None, {"customer": 404, "staff": 200}),
    # Team leads (senior engineers) set their own teams' budgets; this team has no members.
    ("post", "/teams/{team_id}/budgets", {"hours": 20, "starts_on": "2026-11-02"},
     {"customer": 404, "staff": 403, "admin": 201}),
    ("get", "/teams/{team_id}/forecast", None, {"customer": 404, "staff": 200}),
    ("get", "/organizations/{org}/availability", None, {"customer": 200, "outsider": 404, "staff": 200}),
    ("get", "/components/{component_id}/availability", None, {"customer": 403, "staff": 200}),
    ("get", "/outages", None, {"customer": 403, "staff": 200}),
    ("post", "/outages", {"title": "Checkout down", "started_at": "2026-11-02T10:00:00Z", "is_global": True},
     {"customer": 403, "staff": 403, **dict.fromkeys(OPS_AND_UP, 201)}),
    ("get", "/outages/{outage_id}", None, {"customer": 403, "staff": 200}),
    ("patch", "/outages/{outage_id}", {"title": "Checkout down for Acme"},
     {"customer": 403, "staff": 403, **dict.fromkeys(OPS_AND_UP, 200)}),
    ("get", "/availability/objectives", None, {"customer": 403, "staff": 200}),
    ("put", "/availability/objectives", {"plan": "team", "target": "99.5"},
     {"customer": 403, "staff": 403, "admin": 200}),
    ("delete", "/availability/objectives/{objective_id}", None, {"customer": 403, "staff": 403, "admin": 204}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,path,body,expectations", TABLE, ids=[f"{m} {p}" for m, p, _, _ in TABLE])
def test_endpoint_access(api_as, role, method, path, body, expectations):
    org = make_org(name="Acme", email_domains=["acme.example"], unmask_needs_approval=True)
    other_org = make_org(name="Globex", email_domains=["globex.example"])
    issue = make_issue(org)
    contact = make_contact(org)
    grant = make_unmask_grant(org, issue)
    api = api_as(user_for(role, org, other_org))
    url = path.format(issue=issue.key, org=org.pk, contact=contact.pk, grant=grant.pk, problem=999999,
                      calendar_id=999999, sla_policy_id=999999, escalation_policy_id=999999, rule_id=999999,
                      **make_metric_ids(), **make_intake_ids(), **make_calls_ids(), **make_probes_ids(),
                      **make_feedback_ids(), **make_knowledge_ids(), **make_planning_ids(),
                      **make_availability_ids(), chat_key=999999, metric="hotspots", webhook_id=999999)
    n = next(_unique)
    payload = {k: v.format(n=n, issue=issue.key) if isinstance(v, str) else v for k, v in (body or {}).items()}
    response = getattr(api, method)(url, payload) if method != "get" else api.get(url)
    assert response.status_code == expected_for(expectations, role, anonymous=401), response.content


def test_every_endpoint_is_in_the_table(db):
    documented = {
        (method, path.removeprefix("/api/v1"))
        for path, operations in openapi_document()["paths"].items() for method in operations
    }
    covered = {(m, p.replace("{issue}", "{key}").replace("{org}", "{organization_id}")
                .replace("{contact}", "{contact_id}").replace("{grant}", "{grant_id}")
                .replace("{problem}", "{problem_id}")) for m, p, _, _ in TABLE}
    assert documented == covered


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/desk/", "/desk/issues/TL-1/"])
def test_desk_pages_need_a_staff_login(client, path):
    org = make_org()
    make_issue(org)
    assert client.get(path).status_code == 302  # to the login page
    client.force_login(make_customer(org))
    assert client.get(path)["Location"] == "/portal/"


@pytest.mark.django_db
def test_portal_hides_other_organizations_issues(client):
    org, other = make_org(), make_org()
    theirs = make_issue(other)
    client.force_login(make_customer(org))
    assert client.get(f"/portal/issues/{theirs.key}/").status_code == 404
