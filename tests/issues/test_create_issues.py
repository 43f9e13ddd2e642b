"""do_create_issues: issues opened in bulk (alert intake, imports) are what do_create_issue opens
one by one: routing, priority, SLA clocks and the `created` entry."""


import pytest

from tests.factories import make_component, make_contact, make_org, make_staff, make_team
from tests.issues.clocks import MONDAY_9, clock_state
from tierline.errors import InvalidInput
from tierline.escalation.models import SlaClock
from tierline.issues.actions import IssueDraft, do_create_issue, do_create_issues
from tierline.issues.models import Issue, IssueEvent
from tierline.triage.actions import do_create_routing_rule

pytestmark = pytest.mark.django_db
ROW = ("title", "description", "channel", "status", "severity", "priority", "computed_priority", "priority_score",
       "priority_explanation", "priority_rules_version", "priority_override", "priority_override_by_id",
       "priority_override_reason", "tier", "organization_id", "requester_id", "component_id", "team_id",
       "labels", "affected_users", "alert_level", "created_at", "updated_at")


@pytest.fixture
def desk(business_policies):
    database_team, owners = make_team("Databases", tier=3), make_team("Billing owners")
    do_create_routing_rule(name="Disks", team=database_team, keywords=["disk full"])
    do_create_routing_rule(name="Paging", team=make_team("On call"), labels=["pager"])
    return {"organization": make_org(plan="business", importance="strategic", annual_revenue=2_000_000),
            "component": make_component(owner_team=owners), "team": make_team("Chosen")}


def _cases(desk):
    """Keyword arguments of do_create_issue covering routing (a rule by words or by label, a
    component's owner, a team given), scoring inputs, overrides and no organization at all; the
    channel is always given, as the two actions' defaults differ."""
    org, contact = desk["organization"], make_contact(desk["organization"])
    return [
        dict(title="Disk full on db1", channel="alert", severity=1, alert_level="critical", organization=org),
        dict(title="Checkout slow", description="the pager says so", channel="email", severity=2,
             labels=["Pager", "ops"], organization=org, requester=contact, affected_users=250),
        dict(title="Invoice wrong", channel="portal", component=desk["component"], organization=org, priority=0),
        dict(title="Question", channel="portal", severity=4, team=desk["team"]),
        dict(title="  Spaces   collapse  ", channel="api", severity=3, alert_level="warning"),
    ]


def _draft(case) -> IssueDraft:
    ids = {f"{name}_id": case[name].pk for name in ("organization", "requester", "component", "team") if name in case}
    plain = {k: v for k, v in case.items() if k not in ("organization", "requester", "component", "team")}
    return IssueDraft(**plain, **ids)


def _written(issue):
    issue.refresh_from_db()
    events = [(e.kind, e.actor_id, e.actor_contact_id, e.data, e.created_at)
              for e in IssueEvent.objects.filter(issue=issue).order_by("id")]
    clocks = clock_state(issue)
    return [getattr(issue, f) for f in ROW], events, clocks


@pytest.mark.parametrize("actor_role", [None, "support_t1"])
def test_bulk_opened_issues_are_written_as_one_by_one(desk, actor_role):
    actor = make_staff(actor_role) if actor_role else None
    cases = _cases(desk)
    single = [do_create_issue(actor=actor, at=MONDAY_9, **case) for case in cases]
    bulk = do_create_issues([_draft(case) for case in cases], actor=actor, at=MONDAY_9)
    assert [_written(issue) for issue in bulk] == [_written(issue) for issue in single]
    # the cases really cover what they claim: routed three ways, scored, clocked
    teams = [issue.team.name if issue.team else None for issue in bulk]
    assert teams == ["Databases", "On call", "Billing owners", "Chosen", None]
    assert bulk[0].priority == 0 and bulk[2].priority_override == 0
    assert SlaClock.objects.filter(issue__in=bulk).count() == 6  # the three issues of the business customer


def test_statements_do_not_grow_with_the_number_of_issues(desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    org, counts = desk["organization"], []
    for size in (2, 20):  # (SQLite splits an insert of many more rows by its parameter limit)
        drafts = [IssueDraft(title=f"Disk full on db{n}", channel="alert", severity=2, alert_level="error",
                             organization_id=org.pk) for n in range(size)]
        with CaptureQueriesContext(connection) as queries:
            issues = do_create_issues(drafts, at=MONDAY_9)
        counts.append(len(queries))
        assert [issue.team.name for issue in issues] == ["Databases"] * size
        assert SlaClock.objects.filter(issue__in=issues).count() == 2 * size
    # organizations, routing rules and their teams, issues, events, SLA policies and their calendars,
    # clocks (no savepoint inside the caller's transaction)
    assert counts[0] == counts[1] <= 8


@pytest.mark.parametrize("bad", [dict(title=" "), dict(title="x", severity=7), dict(title="x", priority=9),
                                 dict(title="x", labels=["y" * 51])])
def test_one_invalid_draft_writes_nothing(bad):
    with pytest.raises(InvalidInput):
        do_create_issues([IssueDraft(title="Fine"), IssueDraft(**bad)])
    assert not Issue.objects.exists()
