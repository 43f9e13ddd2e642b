"""Every alert integration fed the payloads its sender really sends: the real captures in
tests/fixtures/alerts/ (see NOTICE) where they exist, and hand-written ones shaped after the
vendor's documentation in tests/fixtures/alerts/from-docs/ (Sentry, PagerDuty Events v2, Datadog)."""

import json

import pytest
from django.test import Client

from tests.factories import make_org
from tests.intake.conftest import FIXTURES, fixture_bytes
from tierline.intake.actions import do_create_integration
from tierline.intake.models import AlertGroup, InboundMessage
from tierline.intake.secrets import integration_secret
from tierline.issues.models import Channel, Status

pytestmark = pytest.mark.django_db

ALERTS = FIXTURES / "alerts"


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    def post(integration, name: str) -> InboundMessage:
        secret = integration_secret(integration.slug, integration.secret_salt)
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(f"/api/v1/intake/alerts/{integration.slug}", data=(ALERTS / name).read_bytes(),
                                     content_type="application/json", headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 202, response.content
        return InboundMessage.objects.get(pk=response.json()["id"])

    return post


# source, payload, (title, severity, alert level) of the one issue it opens
REAL = [
    ("alertmanager", "prometheus_v4_alert.json", ("No things for over 10 minutes", 1, "critical")),
    ("alertmanager", "prometheus_v3_alert.json", ("Connect fail", 1, "critical")),
    ("alertmanager", "prometheus-msteams-prom_post_request.json", ("Server High Memory usage", 3, "warning")),
    ("grafana", "grafana_6.json", ("Testing -> Battery Voltage alert", 3, "warning")),
    ("grafana", "grafana_alert_alerting.json", ("Zeta CPU alert", 3, "")),
    ("grafana", "grafana_example.json", ("Load peaking!", 3, "")),
]
FROM_DOCS = [
    ("sentry", "from-docs/sentry_event_alert.json", ("ZeroDivisionError: division by zero", 2, "error")),
    ("sentry", "from-docs/sentry_issue_created.json",
     ("TimeoutError: payment provider did not answer in 30s", 1, "critical")),
    ("pagerduty", "from-docs/pagerduty_events_v2_trigger.json",
     ("Replication lag above 60s on db-2.example.net", 1, "critical")),
    ("datadog", "from-docs/datadog_default_triggered.json", ("CPU usage high on web-3", 3, "")),
    ("datadog", "from-docs/datadog_custom_triggered.json", ("Error rate above 5%", 1, "critical")),
    ("generic", "from-docs/generic.json", ("Order queue lag above 5 minutes", 2, "error")),
]


@pytest.mark.parametrize("source,name,expected", REAL + FROM_DOCS, ids=[n for _, n, _ in REAL + FROM_DOCS])
def test_each_payload_opens_one_issue_with_the_senders_title_and_level(post, source, name, expected):
    integration = do_create_integration(slug=source, source=source)
    message = post(integration, name)
    assert message.status == "processed", message.reason
    group = AlertGroup.objects.select_related("issue").get()
    issue = group.issue
    assert (issue.title, issue.severity, issue.alert_level) == expected
    assert issue.channel == Channel.ALERT and message.issue == issue and group.state == "firing"
    assert post(integration, name).status == "ignored"  # the sender's retry


@pytest.mark.parametrize("source,opening,closing", [
    ("grafana", "grafana_alert_alerting.json", "grafana_alert_ok.json"),
    ("sentry", "from-docs/sentry_issue_created.json", "from-docs/sentry_issue_resolved.json"),
    ("pagerduty", "from-docs/pagerduty_events_v2_trigger.json", "from-docs/pagerduty_events_v2_resolve.json"),
    ("datadog", "from-docs/datadog_default_triggered.json", "from-docs/datadog_default_recovered.json"),
])
def test_the_senders_recovery_resolves_the_issue(post, source, opening, closing):
    integration = do_create_integration(slug=source, source=source)
    post(integration, opening)
    assert post(integration, closing).status == "processed"
    group = AlertGroup.objects.select_related("issue").get()
    assert group.state == "resolved" and group.issue.status == Status.RESOLVED


@pytest.mark.parametrize("source,name", [
    ("sentry", "from-docs/sentry_event_alert.json"),  # Sentry's tags are [key, value] pairs
    ("pagerduty", "from-docs/pagerduty_events_v2_trigger.json"),  # custom_details
    ("datadog", "from-docs/datadog_custom_triggered.json"),  # "customer:acme robotics" tags
    ("generic", "from-docs/generic.json"),
])
def test_the_customer_label_reaches_the_organization(post, source, name):
    acme = make_org(name="Acme Robotics")
    post(do_create_integration(slug=source, source=source), name)
    assert AlertGroup.objects.filter(state="firing").get().issue.organization == acme


def test_pagerdutys_old_incident_webhook_is_read_and_an_unknown_resolve_ignored(post):
    # The v1 webhook (incidents acknowledged and resolved), as PagerDuty sent it; nothing of ours to resolve.
    message = post(do_create_integration(slug="pd", source="pagerduty"), "pagerduty_alert.json")
    assert message.status == "processed" and AlertGroup.objects.count() == 0


UNSUPPORTED = ["cloudwatch_insufficient_data.json", "cloudwatch_notification.json",
               "cloudwatch_subscription_confirmation.json", "graylog_notification.json", "new_relic_notification.json",
               "pingdom_down.json", "pingdom_up.json", "riemann_alert.json", "stackdriver_closed.json",
               "vmware_vrealize.json"]


@pytest.mark.parametrize("name", UNSUPPORTED)
def test_other_vendors_payloads_are_kept_in_the_quarantine_with_the_reason(post, name):
    message = post(do_create_integration(slug="generic", source="generic"), name)
    assert message.status == "quarantined" and message.reason
    assert bytes(InboundMessage.objects.get(pk=message.pk).raw) == fixture_bytes("alerts", name)


def test_every_fixture_is_replayed_by_a_test():
    used = {n for _, n, _ in REAL + FROM_DOCS} | set(UNSUPPORTED) | {
        "grafana_alert_ok.json", "pagerduty_alert.json", "from-docs/sentry_issue_resolved.json",
        "from-docs/pagerduty_events_v2_resolve.json", "from-docs/datadog_default_recovered.json"}
    present = {p.relative_to(ALERTS).as_posix() for p in ALERTS.rglob("*.json")}
    assert present == used
    for name in present:
        json.loads((ALERTS / name).read_bytes())
