"""Availability in a real browser: the customer page's panel and the overview page, each with
its charts (the budget used day by day against an even pace, daily availability against the
objective), the numbers as tables, and an outage recorded from the issue page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import make_customer, make_issue, make_org, make_staff
from tierline.availability.actions import do_record_outage, do_set_objective
from tierline.availability.queries import parse_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def outage_today(org, minutes: float, title: str):
    """An outage of the current month that has ended, whatever the time of day."""
    now = timezone.now()
    start = parse_month("").start + (now - parse_month("").start) / 2
    return do_record_outage(actor=None, title=title, organizations=[org], started_at=start,
                            ended_at=min(start + timedelta(minutes=minutes), now))


def series(chart, name) -> list[tuple[float, float]]:
    points = chart.locator(f'polyline[data-series="{name}"]').get_attribute("points").split()
    return [tuple(map(float, p.split(","))) for p in points]


def days_so_far() -> int:
    return (timezone.now() - parse_month("").start).days + 1


def test_the_customer_panel_charts_the_budget_burned(page):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    do_set_objective(actor=None, target="99.9", organization=acme)
    outage_today(acme, 0.5, "Acme sync stalled")
    agent = make_staff("support_t1", email="alice@tierline.example")

    log_in(page, agent.email)
    page.goto(f"/desk/customers/{acme.pk}/")
    panel = page.get_by_role("region", name="Availability")
    expect(panel).to_contain_text("99.9 % a month")
    burn = panel.get_by_role("img", name="Error budget used, Acme Robotics")
    expect(burn).to_be_visible()
    used, even = series(burn, "budget-used"), series(burn, "even")
    assert len(used) == len(even) == days_so_far()  # one point a day of the month so far
    assert used[-1][1] < used[0][1] or len(used) == 1  # budget used rises (y grows downwards)
    daily = panel.get_by_role("img", name="Daily availability, Acme Robotics")
    expect(daily.locator('polyline[data-series="daily-availability"]')).to_be_attached()
    expect(panel.get_by_role("table", name="What consumed the budget")).to_contain_text("Acme sync stalled")
    panel.locator("summary").click()
    expect(panel.get_by_role("table", name="Acme Robotics: availability and error budget used, day by day")
           ).to_be_visible()


def test_the_overview_puts_the_worst_first_and_charts_the_chosen_one(page):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    globex = make_org(name="Globex Health", email_domains=["globex.example"])
    outage_today(globex, 30, "Globex database")
    outage_today(acme, 1, "Acme sync")
    agent = make_staff("support_t1", email="alice@tierline.example")

    log_in(page, agent.email)
    page.goto("/desk/availability/")
    table = page.get_by_role("table", name="Every customer and component against its objective")
    expect(table.get_by_role("row").nth(1)).to_contain_text("Globex Health")
    expect(page.get_by_role("img", name="Error budget used, Globex Health")).to_be_visible()
    table.get_by_role("link", name="Acme Robotics").click()
    expect(page.get_by_role("img", name="Error budget used, Acme Robotics")).to_be_visible()
    month = parse_month("").label
    expect(page.get_by_role("link", name="Export CSV")).to_have_attribute(
        "href", f"/desk/availability/export.csv?month={month}")


def test_operations_record_an_outage_from_the_issue_page(page):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    issue = make_issue(acme, title="Dashboard does not load")
    ops = make_staff("operations_t3", email="olga@tierline.example")
    start = timezone.localtime() - timedelta(hours=3)

    log_in(page, ops.email)
    page.goto(f"/desk/issues/{issue.key}/")
    form = page.get_by_role("form", name="Record an outage")
    form.get_by_label("From").fill(start.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("To (empty while it goes on)").fill((start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Only Acme Robotics").check()
    form.get_by_role("button", name="Record outage").click()
    outages = page.get_by_role("region", name="Outages")
    expect(outages).to_contain_text("Dashboard does not load")
    expect(page.get_by_role("list", name="Timeline")).to_contain_text("outage “Dashboard does not load” recorded")


def test_the_customer_sees_their_own_availability_in_the_portal(page):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    globex = make_org(name="Globex Health", email_domains=["globex.example"])
    outage_today(acme, 5, "Acme sync stalled")
    outage_today(globex, 50, "Globex database")
    customer = make_customer(acme, email="dana@acme.example")

    log_in(page, customer.email)
    panel = page.get_by_role("region", name="Availability")
    expect(panel.get_by_role("img", name="Error budget used, Acme Robotics")).to_be_visible()
    consumed = panel.get_by_role("table", name="What consumed the budget")
    expect(consumed.get_by_role("row")).to_have_count(2)  # the header and Acme's one outage
    expect(panel).not_to_contain_text("Globex")
    expect(panel).not_to_contain_text("Acme sync stalled")  # staff's titles are not shown
