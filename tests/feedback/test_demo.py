"""The demo's feature requests, seeded over the demo's own issue titles."""

from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import make_issue, make_org, make_staff
from tierline.feedback.demo import seed_feedback
from tierline.feedback.models import FeatureRequest
from tierline.feedback.queries import rank_requests
from tierline.issues.models import EventKind, IssueEvent

pytestmark = pytest.mark.django_db


def test_the_demo_requests_are_ranked_merged_and_one_waits_to_be_told():
    make_staff("support_t2")
    orgs = [make_org(annual_revenue=Decimal(10_000 * (n + 1))) for n in range(4)]
    for org in orgs:
        for title in ("Export to CSV truncates at 10,000 rows", "Seat count does not match active users",
                      "Seat count does not match active users", "Offline mode loses edits"):
            make_issue(org, title=title)
    seed_feedback(now=timezone.now())
    shipped = FeatureRequest.objects.get(title="Bill only the seats in use")
    duplicate = FeatureRequest.objects.get(title="Seats follow deactivated users")
    assert duplicate.merged_into == shipped and shipped.status == "shipped"
    assert shipped.links.count() == 6 and shipped.links.filter(notified_at__isnull=True).count() == 6
    ranked = rank_requests()
    assert {r.request.title for r in ranked} == {"Exports without a row limit", "Bill only the seats in use",
                                                  "Offline edits that always sync"}
    assert all(r.customers == 4 and r.arr == Decimal(100_000) for r in ranked)
    assert IssueEvent.objects.filter(kind=EventKind.REQUEST_MERGED).count() == 2
