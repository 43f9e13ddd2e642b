"""Alert-driven outages: a critical alert opens one at its first firing and ends it when it
resolves, scoped by its customer label; the worker's reading of the alert timeline is idempotent."""

import json

import pytest
from django.test import Client, override_settings

from tests.factories import make_org
from tierline.availability.actions import do_sync_alert_outages
from tierline.availability.models import Outage, OutageSource
from tierline.intake.actions import do_create_integration
from tierline.intake.secrets import integration_secret
from tierline.issues.models import EventKind, Issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    integration = do_create_integration(slug="monitor", source="generic")

    def send(status, fingerprint="db-down", severity="critical", starts_at="2026-12-01T10:00:00Z", **labels):
        body = {"alerts": [{"fingerprint": fingerprint, "status": status, "title": f"{fingerprint} alert",
                            "severity": severity, "labels": labels, "starts_at": starts_at}]}
        secret = integration_secret(integration.slug, integration.secret_salt)
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(f"/api/v1/intake/alerts/{integration.slug}", data=json.dumps(body),
                                     content_type="application/json", headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 202, response.content

    return send


def test_a_critical_alert_is_an_outage_from_first_firing_to_resolution(send):
    acme = make_org(name="Acme")
    send("firing", customer="Acme")
    do_sync_alert_outages()
    outage = Outage.objects.get()
    issue = Issue.objects.get()
    fired = issue.events.get(kind=EventKind.ALERT_FIRED)
    assert outage.source == OutageSource.ALERT and outage.is_open
    assert outage.started_at == fired.created_at
    assert list(outage.organizations.all()) == [acme] and not outage.is_global
    assert list(outage.issues.all()) == [issue]
    assert issue.events.filter(kind=EventKind.OUTAGE_RECORDED).count() == 1

    send("firing", customer="Acme")  # a repeat: nothing new
    send("resolved", customer="Acme")
    do_sync_alert_outages()
    outage.refresh_from_db()
    assert outage.ended_at == issue.events.get(kind=EventKind.ALERT_RESOLVED).created_at
    assert Outage.objects.count() == 1


def test_reading_again_changes_nothing(send):
    send("firing")
    assert do_sync_alert_outages() == 1
    assert do_sync_alert_outages() == 0
    send("resolved")
    send("firing", starts_at="2026-12-01T11:00:00Z")  # fires again: a second outage
    assert do_sync_alert_outages() == 2
    assert do_sync_alert_outages() == 0
    assert Outage.objects.count() == 2 and Outage.objects.filter(ended_at=None).count() == 1


def test_an_alert_without_a_customer_is_everyones_outage(send):
    send("firing")
    do_sync_alert_outages()
    assert Outage.objects.get().is_global


def test_alerts_below_the_threshold_are_not_outages(send):
    send("firing", fingerprint="slow-disk", severity="warning")
    do_sync_alert_outages()
    assert not Outage.objects.exists()


@override_settings(OUTAGE_ALERT_LEVEL="error")
def test_the_threshold_is_configurable(send):
    send("firing", fingerprint="errors", severity="error")
    send("firing", fingerprint="slow-disk", severity="warning")
    do_sync_alert_outages()
    assert Outage.objects.get().title == "errors alert"
