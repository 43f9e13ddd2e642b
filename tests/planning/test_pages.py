"""The team planning page, the teams overview, and the issue page's time panel (server side;
the browser tests drive them in Chromium)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_issue, make_staff, make_team
from tierline.accounts.actions import do_set_team_members
from tierline.planning.actions import do_log_time, do_set_team_budget
from tierline.planning.effort import week_of
from tierline.planning.models import TeamBudget, TimeEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform(db):
    return make_team("Platform", tier=4)


def test_the_team_page_shows_one_bar_and_one_row_per_week(client, org, platform, django_assert_max_num_queries):
    farah = make_staff("engineer_t4")
    do_set_team_members(platform, [farah])
    monday = week_of(timezone.localdate())
    do_set_team_budget(platform, actor=None, hours=1, starts_on=monday - timedelta(days=70))
    do_log_time(make_issue(org, team=platform), actor=farah, minutes=150)
    client.force_login(farah)
    with django_assert_max_num_queries(20):
        page = client.get(f"/desk/teams/{platform.pk}/planning/").content.decode()
    assert page.count('class="week-bar') == 26 and page.count("<tr") >= 26 + 4
    assert page.count('class="week-bar over"') == 1 and page.count('class="over-budget"') == 1
    assert 'class="budget-line"' in page and "Set budget" not in page  # an engineer does not set it


def test_an_admin_sets_a_budget_and_a_bad_one_is_shown_again(client, platform):
    client.force_login(make_staff("admin"))
    response = client.post(f"/desk/teams/{platform.pk}/planning/budget",
                           {"hours": "lots", "period_weeks": "2", "starts_on": "2026-11-02", "reason": "Sprint"})
    assert response.status_code == 422 and b'value="lots"' in response.content and b"hours" in response.content
    response = client.post(f"/desk/teams/{platform.pk}/planning/budget",
                           {"hours": "30", "period_weeks": "2", "starts_on": "2026-11-02", "reason": "Sprint"})
    assert response.status_code == 302
    budget = TeamBudget.objects.get()
    assert (float(budget.hours), budget.period_weeks, budget.reason) == (30.0, 2, "Sprint")


def test_the_time_panel_logs_time_in_hours_and_minutes(client, org, platform):
    agent = make_staff("support_t2")
    issue = make_issue(org)
    client.force_login(agent)
    url = f"/desk/issues/{issue.key}/time"
    assert client.post(url, {"minutes": "1:30", "note": "Call prep"}).status_code == 302
    assert client.post(url, {"minutes": "1.5h", "team": str(platform.pk)}).status_code == 302  # a form's own team
    assert list(TimeEntry.objects.values_list("minutes", "team_id")) == [(90, None), (90, platform.pk)]
    refused = client.post(f"/desk/issues/{issue.key}/time", {"minutes": "soon", "note": "kept"})
    assert refused.status_code == 422 and b'value="kept"' in refused.content
    page = client.get(f"/desk/issues/{issue.key}/").content.decode()
    assert "3h 00m logged" in page and page.count(">Remove</button>") == 2


def test_the_teams_overview_lists_every_team(client, platform):
    make_team("Support Desk", tier=1)
    client.force_login(make_staff("support_t1"))
    page = client.get("/desk/planning/").content.decode()
    assert "Platform" in page and "Support Desk" in page
