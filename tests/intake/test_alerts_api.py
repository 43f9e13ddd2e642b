"""Monitoring alerts: each integration's secret checked first, payload stored and answered 202,
alerts grouped by fingerprint into one issue, replays and flapping kept off the timeline."""

import hashlib
import hmac
import json

import pytest
from django.test import Client, override_settings

from tests.factories import make_org
from tests.intake.conftest import fixture_bytes
from tests.openapi import assert_matches_openapi
from tierline.intake.actions import do_create_integration
from tierline.intake.models import AlertGroup, InboundMessage
from tierline.intake.secrets import integration_secret
from tierline.issues.models import Channel, EventKind, Issue, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def post_alert(client, django_capture_on_commit_callbacks):
    def post(integration, body, *, secret=None, headers=None, signed=False):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        secret = secret or integration_secret(integration.slug, integration.secret_salt)
        if signed:
            digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
            auth = {"X-Tierline-Signature": f"sha256={digest}"}
        else:
            auth = {"Authorization": f"Bearer {secret}"}
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(f"/api/v1/intake/alerts/{integration.slug}", data=raw,
                                     content_type="application/json", headers={**auth, **(headers or {})})
        assert_matches_openapi(response)
        return response

    return post


def am_alert(status="firing", fingerprint="abc123", starts="2026-11-27T10:00:00Z", **labels):
    return {"version": "4", "status": status, "alerts": [{
        "status": status, "fingerprint": fingerprint, "startsAt": starts,
        "labels": {"alertname": "HighErrorRate", "severity": "critical", **labels},
        "annotations": {"summary": "Error rate above 5%", "description": "5xx on checkout"},
    }]}


@pytest.fixture
def alertmanager(db):
    return do_create_integration(slug="prod-alertmanager", source="alertmanager")


def test_a_firing_alert_opens_one_issue_on_the_alert_channel(alertmanager, post_alert):
    response = post_alert(alertmanager, am_alert())
    assert response.status_code == 202
    issue = Issue.objects.get()
    assert (issue.title, issue.channel, issue.severity) == ("Error rate above 5%", Channel.ALERT, 1)
    assert "5xx on checkout" in issue.description
    assert InboundMessage.objects.get(pk=response.json()["id"]).status == "processed"


def test_the_same_fingerprint_joins_the_open_issue_with_a_count(alertmanager, post_alert):
    post_alert(alertmanager, am_alert())
    post_alert(alertmanager, am_alert(starts="2026-11-27T10:00:00Z", extra="repeat"))  # re-notification
    post_alert(alertmanager, am_alert(status="resolved"))
    post_alert(alertmanager, am_alert(starts="2026-11-27T12:00:00Z"))  # fires again
    group = AlertGroup.objects.get()
    assert Issue.objects.count() == 1
    assert (group.fired_count, group.received_count, group.state) == (2, 4, "firing")
    kinds = list(group.issue.events.values_list("kind", flat=True))
    assert kinds.count(EventKind.ALERT_FIRED) == 2 and kinds.count(EventKind.ALERT_RESOLVED) == 1
    assert kinds.count(EventKind.REOPENED) == 1
    assert group.issue.status != Status.RESOLVED


def test_a_repeated_alert_is_stored_and_counted_in_a_fixed_number_of_statements(
        alertmanager, post_alert, django_assert_max_num_queries):
    post_alert(alertmanager, am_alert())
    # The integration; the payload (no transaction of its own); the task's read of the payload with
    # its integration; the drain's pending payloads, the groups, their counts, the outcome, in one
    # transaction (a savepoint and its release inside the test's transaction).
    with django_assert_max_num_queries(9):
        post_alert(alertmanager, am_alert(extra="repeat"))
    assert AlertGroup.objects.get().received_count == 2
    assert InboundMessage.objects.filter(status="processed").count() == 2


def test_a_resolved_alert_resolves_or_only_annotates(post_alert):
    resolving = do_create_integration(slug="a", source="alertmanager")
    annotating = do_create_integration(slug="b", source="alertmanager", resolve_mode="annotate")
    for integration in (resolving, annotating):
        post_alert(integration, am_alert())
        post_alert(integration, am_alert(status="resolved"))
    assert AlertGroup.objects.get(integration=resolving).issue.status == Status.RESOLVED
    annotated = AlertGroup.objects.get(integration=annotating).issue
    assert annotated.status == Status.NEW
    assert annotated.events.filter(kind=EventKind.ALERT_RESOLVED).exists()


def test_a_replayed_payload_changes_nothing(alertmanager, post_alert):
    body = am_alert()
    post_alert(alertmanager, body)
    post_alert(alertmanager, am_alert(status="resolved"))
    replay = post_alert(alertmanager, body)
    assert replay.status_code == 202
    assert InboundMessage.objects.get(pk=replay.json()["id"]).status == "ignored"
    assert AlertGroup.objects.get().state == "resolved"


@override_settings(ALERT_FLAP_LIMIT=3)
def test_a_flapping_alert_does_not_spam_the_timeline(alertmanager, post_alert):
    for i in range(10):
        post_alert(alertmanager, am_alert(status="firing" if i % 2 == 0 else "resolved",
                                          starts=f"2026-11-27T10:{i:02d}:00Z"))
    group = AlertGroup.objects.get()
    assert group.is_flapping and group.received_count == 10
    events = list(group.issue.events.values_list("kind", flat=True))
    assert events.count(EventKind.ALERT_FLAPPING) == 1
    assert events.count(EventKind.ALERT_FIRED) + events.count(EventKind.ALERT_RESOLVED) <= 3


def test_a_customer_label_makes_it_that_customers_issue(alertmanager, post_alert):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    post_alert(alertmanager, am_alert(customer="acme robotics"))
    post_alert(alertmanager, am_alert(fingerprint="other", customer="acme.example"))
    post_alert(alertmanager, am_alert(fingerprint="third", customer="Nobody Inc"))
    orgs = {g.fingerprint: g.issue.organization for g in AlertGroup.objects.select_related("issue")}
    assert orgs == {"abc123": acme, "other": acme, "third": None}


def test_the_alerts_own_level_raises_the_priority(alertmanager, post_alert):
    post_alert(alertmanager, am_alert(fingerprint="err", severity="error"))
    post_alert(alertmanager, am_alert(fingerprint="unsaid", severity="unknown-word"))
    issues = {g.fingerprint: g.issue for g in AlertGroup.objects.select_related("issue")}
    # S2 alone is P2; an error-level alert adds its points and makes it P1.
    assert (issues["err"].alert_level, issues["err"].priority) == ("error", 1)
    assert "error alert" in issues["err"].priority_explanation
    assert (issues["unsaid"].alert_level, issues["unsaid"].priority) == ("", 2)


def test_a_higher_level_for_the_same_alert_rescores_its_issue(post_alert):
    pagerduty = do_create_integration(slug="pd", source="pagerduty")
    event = {"event_action": "trigger", "dedup_key": "db-lag", "routing_key": "x",
             "payload": {"summary": "Replication lag", "source": "db2", "severity": "warning"}}
    post_alert(pagerduty, event)
    post_alert(pagerduty, event)  # a repeat: nothing to rescore
    issue = AlertGroup.objects.get().issue
    assert (issue.alert_level, issue.priority) == ("warning", 2)
    event["payload"]["severity"] = "critical"
    post_alert(pagerduty, event)
    issue.refresh_from_db()
    assert (issue.alert_level, issue.priority) == ("critical", 0)
    changes = [e.data["fields"] for e in issue.events.filter(kind=EventKind.FIELDS_CHANGED)]
    assert changes == [{"alert_level": {"from": "warning", "to": "critical"}, "severity": {"from": 3, "to": 1}}]


def test_a_customer_label_gives_the_issue_that_customers_priority(alertmanager, post_alert):
    make_org(name="Big Bank", importance="strategic", annual_revenue=2_000_000)
    post_alert(alertmanager, am_alert(fingerprint="bank", severity="warning", customer="Big Bank"))
    post_alert(alertmanager, am_alert(fingerprint="anyone", severity="warning"))
    issues = {g.fingerprint: g.issue for g in AlertGroup.objects.select_related("issue__organization")}
    assert issues["bank"].organization.name == "Big Bank"
    # S3 warning: 35 points, P2; a strategic customer with $2M a year adds 20: P1.
    assert (issues["anyone"].priority, issues["bank"].priority) == (2, 1)
    assert "strategic" in issues["bank"].priority_explanation


def test_grafana_ok_resolves_the_alerting_rule(post_alert):
    grafana = do_create_integration(slug="grafana", source="grafana")
    alerting = json.loads(fixture_bytes("alerts", "grafana_alert_alerting.json"))
    ok = json.loads(fixture_bytes("alerts", "grafana_alert_ok.json"))
    ok["ruleId"] = alerting["ruleId"]
    post_alert(grafana, alerting)
    post_alert(grafana, ok)
    assert AlertGroup.objects.get().issue.status == Status.RESOLVED


@pytest.mark.parametrize("source,firing,resolved", [
    ("sentry", {"action": "triggered", "data": {"event": {"issue_id": "42", "title": "ZeroDivisionError",
                                                          "level": "error"}}},
     {"action": "resolved", "data": {"issue": {"id": "42", "title": "ZeroDivisionError", "status": "resolved"}}}),
    ("pagerduty", {"event_action": "trigger", "dedup_key": "disk-1", "routing_key": "x",
                   "payload": {"summary": "Disk full on db1", "source": "db1", "severity": "critical"}},
     {"event_action": "resolve", "dedup_key": "disk-1", "routing_key": "x"}),
    ("datadog", {"title": "CPU high on web-3", "alert_transition": "Triggered", "aggregate": "cpu-web",
                 "body": "CPU > 90%", "tags": "customer:acme,env:prod"},
     {"title": "CPU high on web-3", "alert_transition": "Recovered", "aggregate": "cpu-web"}),
    ("generic", {"fingerprint": "queue-lag", "title": "Queue lag", "severity": "warning"},
     {"alerts": [{"fingerprint": "queue-lag", "title": "Queue lag", "status": "resolved"}]}),
])
def test_every_source_opens_and_resolves(post_alert, source, firing, resolved):
    integration = do_create_integration(slug=f"{source}-1", source=source)
    post_alert(integration, firing)
    post_alert(integration, resolved)
    group = AlertGroup.objects.get()
    assert group.issue.status == Status.RESOLVED, InboundMessage.objects.values_list("reason", flat=True)


def test_hmac_signatures_are_accepted(alertmanager, post_alert):
    assert post_alert(alertmanager, am_alert(), signed=True).status_code == 202


@pytest.mark.parametrize("case", ["wrong token", "other integration", "bad signature", "no auth", "unknown"])
def test_wrong_secrets_are_refused_before_anything_is_stored(alertmanager, case, post_alert):
    other = do_create_integration(slug="other", source="alertmanager")
    client = Client()
    headers = {
        "wrong token": {"Authorization": "Bearer tla_nope"},
        "other integration": {"Authorization": f"Bearer {integration_secret(other.slug, other.secret_salt)}"},
        "bad signature": {"X-Tierline-Signature": "sha256=" + "0" * 64},
        "no auth": {},
        "unknown": {"Authorization": f"Bearer {integration_secret(other.slug, other.secret_salt)}"},
    }[case]
    slug = "nope" if case == "unknown" else alertmanager.slug
    response = client.post(f"/api/v1/intake/alerts/{slug}", data=b"not even json",
                           content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert InboundMessage.objects.count() == 0


def test_a_rotated_secret_stops_working(alertmanager, post_alert):
    from tierline.intake.actions import do_rotate_integration_secret

    old = integration_secret(alertmanager.slug, alertmanager.secret_salt)
    do_rotate_integration_secret(alertmanager)
    assert post_alert(alertmanager, am_alert(), secret=old).status_code == 401
    assert post_alert(alertmanager, am_alert()).status_code == 202


def test_oversized_and_malformed_payloads(alertmanager, post_alert):
    with override_settings(ALERT_MAX_BYTES=100):
        assert post_alert(alertmanager, am_alert()).status_code == 413
    assert post_alert(alertmanager, b"{not json").status_code == 422
    assert InboundMessage.objects.count() == 0
    # JSON of the wrong shape is accepted, then quarantined with the reason.
    response = post_alert(alertmanager, {"hello": "world"})
    message = InboundMessage.objects.get(pk=response.json()["id"])
    assert message.status == "quarantined" and "alerts" in message.reason


def test_a_stopped_worker_loses_nothing(alertmanager, client):
    secret = integration_secret(alertmanager.slug, alertmanager.secret_salt)
    # No on-commit callbacks run here: the worker never sees the payload.
    response = client.post(f"/api/v1/intake/alerts/{alertmanager.slug}", data=json.dumps(am_alert()),
                           content_type="application/json", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 202
    message = InboundMessage.objects.get()
    assert message.status == "pending" and Issue.objects.count() == 0
    from tierline.intake.actions import do_process_message

    do_process_message(message)
    assert message.status == "processed" and Issue.objects.count() == 1, message.reason


def test_a_group_created_meanwhile_by_another_worker_is_joined_not_quarantined(alertmanager, post_alert,
                                                                                monkeypatch):
    from tierline.intake.alert_intake import AlertBatch

    post_alert(alertmanager, am_alert())
    load, calls = AlertBatch.load, []

    def load_missing_the_group_once(self, fingerprints):
        calls.append(fingerprints)
        if len(calls) == 1:  # as if another worker committed the group just after this one looked
            self.groups = {}
            return
        load(self, fingerprints)

    monkeypatch.setattr(AlertBatch, "load", load_missing_the_group_once)
    response = post_alert(alertmanager, am_alert(starts="2026-11-27T11:00:00Z"))  # fires again
    message = InboundMessage.objects.get(pk=response.json()["id"])
    assert message.status == "processed", message.reason
    group = AlertGroup.objects.get()
    assert len(calls) == 2 and (group.fired_count, group.received_count) == (2, 2)
    assert Issue.objects.count() == 1
