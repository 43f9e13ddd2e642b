import pytest

from tierline.accounts.models import Team, User
from tierline.customers.models import Organization
from tierline.demo.seed import DEMO_PASSWORD, seed_demo
from tierline.issues.models import Issue, IssueEvent

pytestmark = pytest.mark.django_db


def test_demo_is_believable():
    seed_demo(issues=150)
    assert Organization.objects.count() == 12
    assert set(Organization.objects.values_list("importance", flat=True)) == {"strategic", "key", "standard"}
    assert sorted(Team.objects.values_list("tier", flat=True)) == [1, 2, 3, 4, 5]
    assert Issue.objects.filter(metric_anomalies=None).count() == 151  # and the live-debugging story's email
    assert Issue.objects.exclude(metric_anomalies=None).count() == 1  # the demo metric's open anomaly
    statuses = set(Issue.objects.values_list("status", flat=True))
    assert {"open", "closed"} <= statuses
    assert Issue.objects.filter(tier__gte=3).exists()  # some climbed the ladder
    kinds = set(IssueEvent.objects.values_list("kind", flat=True))
    assert {"created", "commented", "note_added", "tier_changed", "assigned", "status_changed"} <= kinds
    oldest = Issue.objects.order_by("created_at").first()
    newest = Issue.objects.order_by("-created_at").first()
    assert (newest.created_at - oldest.created_at).days > 120
    # history never runs ahead of the issue
    for issue in Issue.objects.all()[:50]:
        times = list(issue.events.values_list("created_at", flat=True))
        assert times == sorted(times) and times[0] == issue.created_at
    admin = User.objects.get(email="admin@tierline.example")
    assert admin.check_password(DEMO_PASSWORD) and admin.role == "admin"
    assert User.objects.filter(role="customer").count() == 12
