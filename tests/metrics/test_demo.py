"""The demo's business metrics: weeks of history, and exactly one open anomaly issue (Acme's orders)."""

import random

import pytest
from django.utils import timezone

from tests.factories import make_component, make_org
from tierline.issues.models import Channel, EventKind, Issue
from tierline.metrics.demo import seed_metrics
from tierline.metrics.models import Metric, MetricPoint

pytestmark = pytest.mark.django_db


def test_the_demo_metrics_have_history_and_one_open_anomaly():
    acme = make_org(name="Acme Robotics")
    seed_metrics(rng=random.Random(7), now=timezone.now(), organization=acme, component=make_component())
    assert MetricPoint.objects.count() > 2 * 4 * 7 * 24
    assert not MetricPoint.objects.filter(is_outside__isnull=True).exists()
    issue = Issue.objects.get(channel=Channel.METRIC)
    assert issue.organization == acme and not issue.is_done
    assert issue.events.filter(kind=EventKind.METRIC_ANOMALY).exists()
    assert Metric.objects.get(name="acme-orders").open_anomaly.issue == issue
    assert Metric.objects.get(name="checkout-conversion").open_anomaly is None
