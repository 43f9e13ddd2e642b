"""Every metric on a hand-built history whose right answer was worked out by hand."""

from datetime import timedelta

import pytest

from tests.factories import make_component, make_org, make_staff, make_team
from tests.insights.helpers import T0, WEEK, escalate, issue_answered_after, period, rebuild, resolve
from tierline.escalation.problems import do_create_problem, do_link_issue_to_problem
from tierline.escalation.sla import do_create_sla_policy
from tierline.insights import impact, queries
from tierline.insights.queries import parse_filters
from tierline.issues.actions import do_update_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_p1_issues():
    """First responses after 10, 20, 30, 40 and 100 minutes; four resolved after 1, 2, 3 and 4 hours."""
    do_create_sla_policy(name="Any", first_response_minutes=60, next_response_minutes=60, resolution_minutes=200)
    agent = make_staff("support_t1")
    issues = []
    for i, (answer, resolved) in enumerate([(10, 60), (20, 120), (30, 180), (40, 240), (100, None)]):
        issues.append(issue_answered_after(answer, resolved_after=resolved, agent=agent, priority=1,
                                           channel="email" if i < 3 else "portal", created=T0 + timedelta(hours=i)))
    rebuild(now=T0 + timedelta(days=30))
    return issues


def test_first_response_and_resolution_median_and_p90(five_p1_issues):
    [row] = queries.response_times(period(), by="priority")
    assert row["priority"] == 1 and row["issues"] == 5
    assert (row["responded"], row["first_response_median"], row["first_response_p90"]) == (5, 30, 76)
    # 150 = between 120 and 180; 222 = 180 + 0.7 x 60
    assert (row["resolved"], row["resolution_median"], row["resolution_p90"]) == (4, 150, 222)


def test_inflow_per_week_and_channel(five_p1_issues):
    issue_answered_after(5, channel="phone", created=T0 + timedelta(days=8))
    rebuild()
    rows = queries.inflow(period(), by="channel")
    assert [(str(r["week"]), r["channel"], r["issues"]) for r in rows] == [
        (str(WEEK), "email", 3), (str(WEEK), "portal", 2), ("2026-06-08", "phone", 1)]


def test_escalation_rate_from_each_tier(five_p1_issues):
    a, b, c, _, _ = five_p1_issues
    escalate(a, 2, T0 + timedelta(hours=5))
    escalate(b, 2, T0 + timedelta(hours=5))
    escalate(b, 3, T0 + timedelta(hours=6))
    do_update_issue(c, actor=None, tier=2, at=T0 + timedelta(hours=7))  # the desk's tier field
    rebuild()
    rates = {r["tier"]: (r["reached"], r["escalated"], r["rate"]) for r in queries.escalation_rates(period())}
    assert rates[1] == (5, 3, 0.6)
    assert rates[2] == (3, 1, 0.3333)
    assert rates[3] == (1, 0, 0)
    assert rates[4] == (0, 0, None)


def test_reopen_rate(five_p1_issues):
    do_update_issue(five_p1_issues[0], actor=None, status="open", at=T0 + timedelta(days=1))
    resolve(five_p1_issues[0], None, T0 + timedelta(days=2))
    do_update_issue(five_p1_issues[0], actor=None, status="open", at=T0 + timedelta(days=3))
    rebuild()
    [row] = queries.reopen_rates(period())
    assert (row["issues"], row["reopened"], row["reopenings"], row["rate"]) == (5, 1, 2, 0.2)


def test_sla_compliance_per_target_and_priority(five_p1_issues):
    rows = {(r["kind"], r["priority"]): r for r in queries.sla_compliance(period())}
    first = rows[("first_response", 1)]
    assert (first["met"], first["breached"], first["compliance"]) == (4, 1, 0.8)  # 100 min > 60
    resolution = rows[("resolution", 1)]
    # Resolved after 60, 120, 180 (met) and 240 (breached) minutes; the open one is overdue by now.
    assert (resolution["met"], resolution["breached"], resolution["running"]) == (3, 2, 0)


def test_filters_narrow_to_organization_team_component():
    org, other = make_org(), make_org()
    team, component = make_team(), make_component()
    issue_answered_after(10, organization=org, team=team, component=component)
    issue_answered_after(20, organization=other)
    rebuild()
    assert sum(r["issues"] for r in queries.inflow(period(organization_id=org.pk))) == 1
    assert sum(r["issues"] for r in queries.inflow(period(team_id=team.pk))) == 1
    assert sum(r["issues"] for r in queries.inflow(period(component_id=component.pk))) == 1
    assert sum(r["issues"] for r in queries.inflow(period())) == 2
    # outside the period
    assert queries.inflow(parse_filters({"since": "2026-07-01", "until": "2026-07-31"})) == []


def test_long_tail_with_hand_offs_and_teams():
    now = T0 + timedelta(days=400)
    first, second, third = make_team(), make_team(tier=2), make_team(tier=3)
    ancient = issue_answered_after(10, team=first, created=now - timedelta(days=200))
    do_update_issue(ancient, actor=None, team=second, at=now - timedelta(days=190))
    escalate(ancient, 3, now - timedelta(days=100), team=third)
    issue_answered_after(10, created=now - timedelta(days=70))
    issue_answered_after(10, created=now - timedelta(days=40))
    issue_answered_after(10, created=now - timedelta(days=10))
    resolve(issue_answered_after(10, created=now - timedelta(days=300)), None, now - timedelta(days=299))
    rebuild(now=now)
    counts = {r["older_than_days"]: r["open_issues"] for r in impact.long_tail_counts(period(), now=now)}
    assert counts == {30: 3, 60: 2, 180: 1}
    rows = impact.long_tail(period(), now=now)
    assert [r["age_days"] for r in rows] == [200, 70, 40]  # the six-month bug first
    assert (rows[0]["key"], rows[0]["hand_offs"], rows[0]["teams_touched"], rows[0]["tier"]) == (
        ancient.key, 2, 3, 3)


def test_hotspots_weigh_customer_impact_and_repeats():
    strategic = make_org(importance="strategic", annual_revenue=1_000_000)  # weight 5 x 2 = 10
    standard = make_org(importance="standard")  # weight 1
    billing, search = make_component(), make_component()
    two = [issue_answered_after(10, organization=strategic, component=billing) for _ in range(2)]
    for _ in range(5):
        issue_answered_after(10, organization=standard, component=search)
    problem = do_create_problem(actor=None, title="Rounding of invoices", at=T0)
    for issue in two:
        do_link_issue_to_problem(problem, issue, actor=None, at=T0 + timedelta(hours=1))
    rebuild()
    rows = impact.hotspots(period())
    assert [r["component_id"] for r in rows] == [billing.pk, search.pk]
    assert (rows[0]["issues"], rows[0]["weighted_issues"], rows[0]["repeat_issues"], rows[0]["score"]) == (
        2, 20, 2, 60)  # 2 issues x 10 x (1 + 2 for the shared problem)
    assert (rows[1]["issues"], rows[1]["score"]) == (5, 5)
    do_update_issue(two[0], actor=None, status="resolved", at=T0 + timedelta(hours=2))
    do_update_issue(two[0], actor=None, status="open", at=T0 + timedelta(hours=3))
    rebuild()
    assert impact.hotspots(period())[0]["score"] == 80  # and a reopening: 10 x 2 more


def test_customer_health_weighs_breaches_by_importance(five_p1_issues):
    key = make_org(importance="key")  # weight 3
    do_create_sla_policy(name="Key P3", priority=3, first_response_minutes=30, next_response_minutes=60,
                         resolution_minutes=600)
    issue_answered_after(45, organization=key, priority=3)  # first response breached
    issue_answered_after(5, organization=key, priority=3, resolved_after=50)
    rebuild(now=T0 + timedelta(days=1))
    [row] = impact.customer_health(period())
    assert (row["organization_id"], row["issues"], row["open_issues"]) == (key.pk, 2, 1)
    assert row["sla_breaches"] == 2  # the first one's response, and its resolution is overdue a day later
    assert row["score"] == (2 + 2 * 2) * 3


def test_bad_filters_are_a_clear_error():
    from tierline.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        parse_filters({"since": "yesterday", "team_id": "x1", "until": "2026-01-01"})
    assert caught.value.fields == {"since": "a date written YYYY-MM-DD", "team_id": "a row id"}
    with pytest.raises(InvalidInput):
        parse_filters({"since": "2026-02-01", "until": "2026-01-01"})


def test_key_numbers_add_up_the_other_tables(five_p1_issues):
    from tierline.insights.tables import headline

    numbers = {r["measure"]: r["value"] for r in headline(period())}
    assert numbers["Issues created"] == 5
    assert numbers["SLA clocks met"] == 0.7  # first response 4 of 5, resolution 3 of 5
    assert numbers["Escalated above tier 1"] == 0
    assert numbers["Reopened"] == 0
    # the one never resolved, open since June 2026
    assert numbers["Open for more than 30 days (now)"] == numbers["Open for more than 180 days (now)"] == 1


def test_satisfaction_per_week_rated_with_the_team_rated(five_p1_issues):
    from tierline.insights.tables import headline
    from tierline.notify.surveys import do_rate_issue, make_rating_token

    first, second, third, fourth, _ = five_p1_issues  # the first four resolved on 1 June
    team = make_team("Billing", tier=2)
    do_update_issue(fourth, actor=None, team=team)
    for issue, rating, days in [(first, "good", 0), (second, "good", 1), (third, "bad", 8), (fourth, "good", 9)]:
        issue.refresh_from_db()
        do_rate_issue(make_rating_token(issue), rating=rating, at=T0 + timedelta(days=days, hours=6))
    assert queries.satisfaction(period()) == [
        {"week": WEEK, "ratings": 2, "good": 2, "bad": 0, "rate": 1.0},
        {"week": WEEK + timedelta(weeks=1), "ratings": 2, "good": 1, "bad": 1, "rate": 0.5}]
    assert queries.satisfaction(period(team_id=team.pk)) == [
        {"week": WEEK + timedelta(weeks=1), "ratings": 1, "good": 1, "bad": 0, "rate": 1.0}]
    assert queries.satisfaction(period(organization_id=make_org(name="Nobody").pk)) == []
    assert {r["measure"]: r["value"] for r in headline(period())}["Satisfied (good ratings)"] == 0.75
