"""Recording and changing outages (their timeline entries, refusals that lose nothing), and
audited objectives."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.availability.helpers import make_outage
from tests.factories import make_component, make_issue, make_org, make_staff
from tierline.audit.models import AuditEntry
from tierline.availability.actions import do_change_outage, do_record_outage, do_remove_objective, do_set_objective
from tierline.availability.models import Objective, Outage
from tierline.errors import InvalidInput
from tierline.issues.models import EventKind

pytestmark = pytest.mark.django_db


def test_a_recorded_outage_is_on_each_linked_issues_timeline():
    org, ops = make_org(), make_staff("operations_t3")
    first, second = make_issue(org), make_issue(org)
    start = timezone.now() - timedelta(hours=3)
    outage = do_record_outage(actor=ops, title="Checkout down", started_at=start, ended_at=start + timedelta(hours=1),
                              source="customer_reported", organizations=[org], issues=[first, second])
    assert set(outage.issues.all()) == {first, second}
    for issue in (first, second):
        event = issue.events.get(kind=EventKind.OUTAGE_RECORDED)
        assert event.actor == ops
        assert event.data["outage"] == outage.pk and event.data["change"] == "recorded"
        assert event.data["organizations"] == [{"id": org.pk, "name": org.name}]
        assert event.data["ended_at"] == (start + timedelta(hours=1)).isoformat()


@pytest.mark.parametrize("fields,field", [
    ({"title": " "}, "title"),
    ({"ended_at": "start"}, "ended_at"),  # an end at the start
    ({"started_at": "future"}, "started_at"),
    ({"is_global": False}, "scope"),  # nobody affected
    ({"source": "rumour"}, "source"),
])
def test_bad_outages_are_refused_naming_the_field(fields, field):
    start = timezone.now() - timedelta(hours=1)
    values = {"title": "Down", "started_at": start, "is_global": True, **fields}
    if values.get("ended_at") == "start":
        values["ended_at"] = start
    if values["started_at"] == "future":
        values["started_at"] = timezone.now() + timedelta(hours=1)
    with pytest.raises(InvalidInput) as refused:
        do_record_outage(actor=None, **values)
    assert field in refused.value.fields
    assert not Outage.objects.exists()


def test_ending_an_outage_and_changing_its_scope():
    org, api = make_org(), make_component(name="API")
    issue = make_issue(org)
    outage = make_outage(ended=False, organizations=[org], issues=[issue])
    ended_at = timezone.now()
    do_change_outage(outage, actor=None, ended_at=ended_at)
    outage.refresh_from_db()
    assert outage.ended_at == ended_at
    assert issue.events.filter(kind=EventKind.OUTAGE_RECORDED).latest("id").data["change"] == "ended"
    do_change_outage(outage, actor=None, components=[api], organizations=[])
    assert list(outage.components.all()) == [api] and not outage.organizations.exists()
    assert issue.events.filter(kind=EventKind.OUTAGE_RECORDED).latest("id").data["components"][0]["name"] == "API"


def test_a_change_that_leaves_nobody_affected_is_refused_and_changes_nothing():
    org = make_org()
    outage = make_outage(organizations=[org])
    with pytest.raises(InvalidInput) as refused:
        do_change_outage(outage, actor=None, organizations=[])
    assert "scope" in refused.value.fields
    assert list(outage.organizations.all()) == [org]
    with pytest.raises(InvalidInput):
        do_change_outage(outage, actor=None, ended_at=outage.started_at - timedelta(minutes=1))


def test_objectives_are_audited_with_before_and_after():
    admin, org = make_staff("admin"), make_org()
    do_set_objective(actor=admin, target="99.9", plan="business")
    do_set_objective(actor=admin, target=99.95, plan="business", reason="new contract terms")
    override = do_set_objective(actor=admin, target="99.99", organization=org)
    assert Objective.objects.get(plan="business").target == Decimal("99.95")
    entries = list(AuditEntry.objects.filter(action="availability.objective_changed").order_by("id"))
    assert [(e.data["from"], e.data["to"]) for e in entries] == [(None, "99.9"), ("99.9", "99.95"), (None, "99.99")]
    assert entries[1].reason == "new contract terms" and entries[2].organization == org
    do_remove_objective(override, actor=admin)
    assert AuditEntry.objects.get(action="availability.objective_removed").data["from"] == "99.99"


@pytest.mark.parametrize("target", ["100", "49", "abc", "99.9999", "NaN", ""])
def test_impossible_objectives_are_refused(target):
    with pytest.raises(InvalidInput) as refused:
        do_set_objective(actor=None, target=target, plan="team")
    assert "target" in refused.value.fields
    assert not Objective.objects.exists()


def test_an_objective_has_exactly_one_subject():
    with pytest.raises(InvalidInput):
        do_set_objective(actor=None, target="99.9", plan="team", component=make_component())
    with pytest.raises(InvalidInput):
        do_set_objective(actor=None, target="99.9", plan="platinum")
