"""The demo carries budgets and logged time, and gives the forecast enough weeks."""

import pytest

from tierline.accounts.models import Team
from tierline.demo.seed import seed_demo
from tierline.planning.models import TeamBudget, TimeEntry
from tierline.planning.queries import first_full_week, history_start, read_ledger, team_forecast

pytestmark = pytest.mark.django_db


def test_the_demo_has_budgets_logged_time_and_months_of_weeks():
    seed_demo(issues=300)
    assert TeamBudget.objects.values("team").distinct().count() == 5
    assert TeamBudget.objects.filter(team__slug="platform").count() == 2  # raised mid-way
    entries = TimeEntry.objects.select_related("team")
    assert entries.count() > 50 and all(e.team.tier >= 2 for e in entries)
    since = history_start()
    assert (history_start(weeks=1) - first_full_week(since)).days // 7 >= 20
    ledger = read_ledger(since)
    operations = Team.objects.get(slug="operations")
    weeks, result = team_forecast(operations, ledger, since_week=since)
    assert len(weeks) == 4 and result.hours_samples > 0 and result.reserve(0.9) > 0
