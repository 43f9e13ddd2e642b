"""The planning API: time on issues, a team's weeks, budgets and forecast."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_issue, make_staff, make_team
from tierline.accounts.actions import do_set_team_members
from tierline.issues.actions import do_add_comment, do_update_issue
from tierline.planning.actions import do_log_time
from tierline.planning.effort import week_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform(db):
    return make_team("Platform", tier=4)


@pytest.fixture
def farah(platform):
    engineer = make_staff("engineer_t4", name="Farah")
    do_set_team_members(platform, [engineer])
    return engineer


def test_log_list_and_remove_time(api_as, org, farah, platform):
    issue = make_issue(org, team=platform)
    api = api_as(farah)
    created = api.post(f"/issues/{issue.key}/time", {"minutes": 75, "note": "Read the traces"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["minutes"], body["team"]["id"], body["user"]["id"]) == (75, platform.pk, farah.pk)
    assert [e["id"] for e in api.get(f"/issues/{issue.key}/time").json()] == [body["id"]]
    assert api.delete(f"/issues/{issue.key}/time/{body['id']}").status_code == 204
    assert api.get(f"/issues/{issue.key}/time").json() == []
    assert api.delete(f"/issues/{issue.key}/time/{body['id']}").status_code == 404


def test_bad_time_answers_422_with_the_field(api_as, org, farah):
    issue = make_issue(org)
    api = api_as(farah)
    for body, field in [({"minutes": 0}, "minutes"), ({"minutes": 30, "spent_on": 20261201}, "spent_on"),
                        ({"minutes": 30, "team_id": 999999}, "team_id")]:
        response = api.post(f"/issues/{issue.key}/time", body)
        assert response.status_code == 422 and field in str(response.json()), response.content


def test_someone_elses_entry_is_refused(api_as, org, farah):
    issue = make_issue(org)
    entry = do_log_time(issue, actor=farah, minutes=30)
    response = api_as(make_staff("engineer_t4")).delete(f"/issues/{issue.key}/time/{entry.pk}")
    assert response.status_code == 403
    assert api_as(make_staff("admin")).delete(f"/issues/{issue.key}/time/{entry.pk}").status_code == 204


def test_a_team_lead_sets_their_own_teams_budget_only(api_as, platform):
    lead = make_staff("senior_engineer_t5")
    do_set_team_members(platform, [lead])
    api = api_as(lead)
    response = api.post(f"/teams/{platform.pk}/budgets", {"hours": 32, "period_weeks": 2, "starts_on": "2026-11-02"})
    assert response.status_code == 201 and response.json()["weekly_hours"] == 16
    assert api.post(f"/teams/{make_team().pk}/budgets", {"hours": 5, "starts_on": "2026-11-02"}).status_code == 403
    assert [b["hours"] for b in api.get(f"/teams/{platform.pk}/budgets").json()] == [32]


def test_weeks_add_logged_and_derived_time_and_mark_the_weeks_over_budget(api_as, org, farah, platform,
                                                                          django_assert_max_num_queries):
    now = timezone.now()
    this_monday = week_of(timezone.localdate(now))
    api = api_as(make_staff("admin"))
    api.post(f"/teams/{platform.pk}/budgets", {"hours": 1, "starts_on": (this_monday - timedelta(days=7)).isoformat()})
    issue = make_issue(org, at=now - timedelta(days=20))
    do_update_issue(issue, actor=farah, team=platform, at=now - timedelta(minutes=50))  # an escalation, 10 min
    do_add_comment(issue, author=farah, is_public=False, body="Looking", at=now - timedelta(minutes=5), notify=False)
    do_log_time(make_issue(org, team=platform), actor=farah, minutes=120)
    with django_assert_max_num_queries(12):
        weeks = api.get(f"/teams/{platform.pk}/planning", weeks=3).json()
    assert [w["week"] for w in weeks] == [(this_monday - timedelta(days=7 * n)).isoformat() for n in (2, 1, 0)]
    assert [w["budget_hours"] for w in weeks] == [None, 1.0, 1.0]
    current = weeks[-1]
    assert (current["logged_hours"], current["derived_hours"], current["hours"]) == (2.0, 0.3, 2.3)
    assert current["is_over_budget"] and not weeks[1]["is_over_budget"]
    assert current["escalations"] == 2  # one handed to the team, one opened into it


def test_the_forecast_answers_intervals_and_the_reserve(api_as, org, farah, platform):
    now = timezone.now()
    for weeks_ago in range(1, 9):
        for _ in range(weeks_ago % 3 + 1):
            issue = make_issue(org, team=platform, at=now - timedelta(days=7 * weeks_ago))
            do_log_time(issue, actor=farah, minutes=60 * (weeks_ago % 2 + 1), at=now - timedelta(days=7 * weeks_ago),
                        spent_on=timezone.localdate(now - timedelta(days=7 * weeks_ago)))
    api = api_as(farah)
    low = api.get(f"/teams/{platform.pk}/forecast", confidence=0.5).json()
    high = api.get(f"/teams/{platform.pk}/forecast", confidence=0.95).json()
    # The oldest week is left out (only partly recorded), this one is still running.
    assert len(high["weeks"]) == 4 and high["observed_weeks"] == 7 and high["hours_samples"] == 17
    week = high["weeks"][0]
    assert week["escalations"]["low_80"] <= week["escalations"]["median"] <= week["escalations"]["high_80"]
    assert week["hours"]["low_95"] <= week["hours"]["low_80"] <= week["hours"]["high_80"] <= week["hours"]["high_95"]
    assert 0 < low["reserve_hours"] <= high["reserve_hours"]
    assert api.get(f"/teams/{platform.pk}/forecast", confidence=1.5).status_code == 422
