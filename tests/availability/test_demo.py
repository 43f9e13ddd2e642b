"""The demo's outages: over the last months, each scope kind, one still going on, and Acme's override."""

from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import make_component, make_issue, make_org
from tierline.availability.demo import seed_availability
from tierline.availability.models import Objective, Outage
from tierline.availability.queries import organization_report, parse_month
from tierline.issues.models import EventKind

pytestmark = pytest.mark.django_db


def test_the_demo_outages_cover_every_scope_and_are_counted():
    orgs = [make_org(name=n) for n in ("Acme Robotics", "Globex Health", "Northwind Logistics")]
    components = [make_component(name=n) for n in ("Public API", "Authentication", "Reporting")]
    acme_issue = make_issue(orgs[0], at=timezone.now() - timezone.timedelta(days=60))
    now = timezone.now()
    seed_availability(now=now, organizations=orgs, components=components)
    outages = list(Outage.objects.all())
    assert len(outages) == 7
    assert any(o.is_global for o in outages) and Outage.objects.filter(ended_at=None).count() == 1
    assert {o.source for o in outages} == {"staff", "customer_reported"}
    assert (now - min(o.started_at for o in outages)).days >= 60
    assert acme_issue.events.filter(kind=EventKind.OUTAGE_RECORDED).exists()
    assert Objective.objects.get(organization=orgs[0]).target == Decimal("99.99")
    northwind = organization_report(orgs[2], parse_month(""), now)
    # Its own two overlapping outages (11:00-11:12 and 11:06-11:14) counted once, and the Public
    # API's 18 minutes for everyone.
    assert northwind.rolling.downtime_minutes == pytest.approx(14 + 18)
