"""Time on an issue and a team's planning page in a real browser: the time panel's form, and
the chart (one bar per week, the budget line, the weeks over budget) matching its table."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import make_issue, make_org, make_staff, make_team
from tierline.accounts.actions import do_set_team_members
from tierline.planning.actions import do_log_time, do_set_team_budget
from tierline.planning.effort import week_of
from tierline.planning.models import TimeEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_engineer_logs_time_on_the_issue_page_and_removes_it(page):
    org = make_org(name="Acme Robotics", email_domains=["acme.example"])
    platform = make_team("Platform Engineering", tier=4)
    farah = make_staff("engineer_t4", email="farah@tierline.example", name="Farah Haddad")
    do_set_team_members(platform, [farah])
    issue = make_issue(org, title="Exports time out", team=platform)

    log_in(page, farah.email)
    page.goto(f"/desk/issues/{issue.key}/")
    form = page.get_by_role("form", name="Log time")
    form.get_by_label("Time spent (minutes, h:mm or 1.5h)").fill("1:45")
    form.get_by_label("Time note").fill("Profiled the export query")
    form.get_by_role("button", name="Log time").click()

    entries = page.get_by_role("table", name="Time logged")
    expect(entries).to_contain_text("1h 45m logged")
    expect(entries).to_contain_text("Platform Engineering")
    expect(entries).to_contain_text("Profiled the export query")
    expect(page.get_by_role("list", name="Timeline")).to_contain_text("logged 1h 45m for")
    assert TimeEntry.objects.get().minutes == 105

    form = page.get_by_role("form", name="Log time")
    form.get_by_label("Time spent (minutes, h:mm or 1.5h)").fill("a while")
    form.get_by_label("Time note").fill("second sitting")
    form.get_by_role("button", name="Log time").click()
    expect(page.get_by_role("alert")).to_contain_text("minutes")
    expect(page.get_by_role("form", name="Log time").get_by_label("Time note")).to_have_value("second sitting")

    page.get_by_role("button", name="Remove 1h 45m").click()
    expect(page.get_by_role("region", name="Time spent")).to_contain_text("No time logged yet")
    assert TimeEntry.objects.get().is_removed
    expect(page.get_by_role("list", name="Timeline")).to_contain_text("removed 1h 45m logged by Farah Haddad")


def test_the_team_page_charts_each_week_against_the_budget(page):
    org = make_org(name="Acme Robotics", email_domains=["acme.example"])
    platform = make_team("Platform Engineering", tier=4)
    hana = make_staff("senior_engineer_t5", email="hana@tierline.example", name="Hana Novak")
    do_set_team_members(platform, [hana])
    today = timezone.localdate()
    do_set_team_budget(platform, actor=hana, hours=3, starts_on=today - timedelta(days=60), reason="First")
    for weeks_ago, minutes in ((0, 240), (1, 60), (3, 300)):
        day = today - timedelta(days=7 * weeks_ago)
        issue = make_issue(org, team=platform, at=timezone.now() - timedelta(days=7 * weeks_ago))
        do_log_time(issue, actor=hana, minutes=minutes, spent_on=day)

    log_in(page, hana.email)
    page.goto(f"/desk/teams/{platform.pk}/planning/")
    chart = page.get_by_role("img", name="Platform Engineering: unplanned hours per week")
    expect(chart).to_be_visible()
    rows = page.get_by_role("table", name="Weeks").locator("tbody tr")
    expect(rows).to_have_count(26)
    expect(chart.locator("rect.week-bar")).to_have_count(26)
    expect(chart.locator("polyline.budget-line")).to_be_attached()
    # The bars over budget are the rows marked over budget: this week (4 h) and three weeks ago (5 h).
    expect(chart.locator("rect.week-bar.over")).to_have_count(2)
    over = page.get_by_role("table", name="Weeks").locator("tbody tr.over-budget")
    expect(over).to_have_count(2)
    monday = week_of(today)
    expect(over.nth(0)).to_contain_text((monday - timedelta(days=21)).isoformat())
    expect(over.nth(1)).to_contain_text(monday.isoformat())
    bars = chart.locator("rect.week-bar")
    heights = [float(h) for h in bars.evaluate_all("bars => bars.map(b => b.getAttribute('height'))")]
    hours = [float(t) for t in rows.evaluate_all("rows => rows.map(r => r.cells[1].textContent)")]
    assert hours[-1] == 4.0 and hours[-4] == 5.0
    # Each bar's height is proportional to its row's hours.
    assert all(abs(h - heights[-4] * v / 5.0) < 0.2 for h, v in zip(heights, hours, strict=True))

    expect(page.get_by_role("table", name="Forecast").locator("tbody tr")).to_have_count(4)
    page.get_by_role("form", name="Forecast confidence").get_by_label("Confidence").select_option(label="95%")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".reserve")).to_contain_text("95% confidence")

    form = page.get_by_role("form", name="Set the budget")
    form.get_by_label("Budget hours").fill("10")
    form.get_by_label("Per (weeks: 1 a week, 2 a two-week sprint)").fill("2")
    form.get_by_label("Reason").fill("Sprint budget")
    form.get_by_role("button", name="Set budget").click()
    expect(page.get_by_role("table", name="Budget history")).to_contain_text("2-week sprint")
    expect(page.get_by_role("table", name="Budget history")).to_contain_text("Sprint budget")
