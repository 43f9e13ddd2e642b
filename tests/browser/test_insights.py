"""The analytics pages in a real browser: each chart draws the series of a known history (one bar
group per week, the counts in each bar's title, the legend naming the channels present), its
numbers are in a table below it, and the sub-navigation reaches every page."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import make_component, make_org, make_staff
from tests.insights.helpers import T0, escalate, issue_answered_after, rebuild

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PERIOD = "?since=2026-06-01&until=2026-06-14"


@pytest.fixture
def history():
    acme = make_org(name="Acme Robotics", importance="strategic")
    billing = make_component("Billing")
    issues = [issue_answered_after(10 * (n + 1), channel=channel, priority=1, organization=acme, component=billing,
                                   created=T0 + timedelta(hours=n))
              for n, channel in enumerate(["email", "email", "email", "portal", "portal"])]
    issue_answered_after(5, channel="phone", priority=1, created=T0 + timedelta(days=8))
    escalate(issues[0], 2, T0 + timedelta(days=1))
    rebuild()
    return issues


def test_the_overview_charts_inflow_per_week_by_channel(page, history):
    log_in(page, make_staff("support_t1", email="alice@tierline.example").email)
    page.goto(f"/desk/insights/{PERIOD}")
    section = page.get_by_role("region", name="Inflow by channel per week")
    chart = section.locator("figure[data-chart='inflow-channel-chart']")
    expect(chart.get_by_role("img", name="Issues created per week, by channel")).to_be_visible()
    groups = chart.locator("g.chart-group")
    expect(groups).to_have_count(2)  # one per week of the period
    first = groups.nth(0)
    expect(first).to_have_attribute("data-category", "2026-06-01")
    expect(first.locator("rect[data-series='Email']")).to_have_attribute("data-value", "3")
    expect(first.locator("rect[data-series='Portal']")).to_have_attribute("data-value", "2")
    expect(first.locator("rect[data-series='Email'] title")).to_have_text("Email, 2026-06-01: 3")
    expect(groups.nth(1).locator("rect[data-series='Phone']")).to_have_attribute("data-value", "1")
    expect(chart.get_by_role("list", name="Legend").get_by_role("listitem")).to_have_text(["Email", "Phone", "Portal"])
    table = section.get_by_role("table", name="Inflow by channel per week: the numbers")
    expect(table.get_by_role("columnheader")).to_have_text(["Week", "Email", "Phone", "Portal", "Total"])
    expect(table.get_by_role("row").nth(1).get_by_role("cell")).to_have_text(["2026-06-01", "3", "0", "2", "5"])
    expect(table.get_by_role("row").nth(2).get_by_role("cell")).to_have_text(["2026-06-08", "0", "1", "0", "1"])


def test_every_page_draws_its_charts_from_the_history(page, history):
    log_in(page, make_staff("engineer_t4", email="hana@tierline.example").email)
    page.goto(f"/desk/insights/response/{PERIOD}")
    times = page.locator("figure[data-chart='by-priority-chart']")
    # 5, 10, 20, 30, 40 and 50 minutes: the median, 25 min, is 0.4 h; the p90, 45 min, 0.8 h
    p1 = times.locator("g.chart-group[data-category='P1']")
    expect(p1.locator("rect[data-series='Median']")).to_have_attribute("data-value", "0.4")
    expect(p1.locator("rect[data-series='90th percentile']")).to_have_attribute("data-value", "0.8")
    nav = page.get_by_role("navigation", name="Insights")
    nav.get_by_role("link", name="Escalations & reopenings").click()
    expect(page.get_by_role("heading", name="Insights: Escalations & reopenings")).to_be_visible()
    expect(page.locator("figure[data-chart='escalation-chart'] g.chart-group[data-category='Tier 1'] rect")
           ).to_have_attribute("data-value", "16.7")  # 1 of 6
    nav = page.get_by_role("navigation", name="Insights")
    nav.get_by_role("link", name="Long tail").click()
    expect(page.get_by_role("table", name="The long tail: open issues older than 30 days, oldest first: the numbers")
           .get_by_role("row").nth(1)).to_contain_text(history[0].key)
    page.get_by_role("navigation", name="Insights").get_by_role("link", name="Hotspots").click()
    expect(page.locator("figure[data-chart='hotspots-chart'] g.chart-group").first).to_have_attribute(
        "data-category", "Billing")
    page.get_by_role("navigation", name="Insights").get_by_role("link", name="Customer health").click()
    expect(page.locator("figure[data-chart='health-chart'] g.chart-group").first).to_have_attribute(
        "data-category", "Acme Robotics")
    # The filters keep the period across the sub-navigation.
    expect(page.get_by_label("From")).to_have_value("2026-06-01")


def test_the_satisfaction_page_charts_the_share_of_good_ratings_per_week(page, history):
    from tests.insights.helpers import resolve
    from tierline.notify.surveys import do_rate_issue, make_rating_token

    agent = make_staff("support_t2")
    for issue, rating, days in [(history[1], "good", 1), (history[2], "bad", 2), (history[3], "good", 8)]:
        resolve(issue, agent, T0 + timedelta(days=days))
        issue.refresh_from_db()
        do_rate_issue(make_rating_token(issue), rating=rating, at=T0 + timedelta(days=days, hours=1))
    rebuild()
    log_in(page, make_staff("support_t1", email="sam@tierline.example").email)
    page.goto(f"/desk/insights/{PERIOD}")
    page.get_by_role("navigation", name="Insights").get_by_role("link", name="Satisfaction").click()
    line = page.locator("figure[data-chart='satisfaction-chart'] g.chart-line[data-series='Good ratings']")
    expect(line.locator("circle")).to_have_count(2)
    expect(line.locator("circle[data-category='2026-06-01']")).to_have_attribute("data-value", "50.0")
    expect(line.locator("circle[data-category='2026-06-08']")).to_have_attribute("data-value", "100.0")
    table = page.get_by_role("table", name="Customer satisfaction per week rated: the numbers")
    expect(table.get_by_role("row").nth(1).get_by_role("cell")).to_have_text(["2026-06-01", "2", "1", "1", "50.0 %"])
