"""The anomaly issue page in a real browser: the chart of the metric's window, described for
screen readers, with its numbers as a table."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import make_org, make_staff
from tests.metrics.helpers import history_start, make_metric
from tests.metrics.synthetic import hourly_orders
from tierline.issues.models import Issue
from tierline.metrics.actions import do_record_points

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WEEK = 7 * 24


def test_the_anomaly_issue_shows_the_chart_and_its_numbers(page):
    org = make_org(name="Acme Robotics", email_domains=["acme.example"])
    agent = make_staff("support_t1", email="alice@tierline.example")
    metric = make_metric("acme-orders", organization=org, description="Acme orders per hour")
    drop = (3 * WEEK + 2 * 24 + 10, 3 * WEEK + 2 * 24 + 16)  # a Wednesday from 10:00
    times, values = hourly_orders(4, drop=drop, factor=0.1, start=history_start(4))
    points = [{"at": t, "value": v, "successes": None, "attempts": None} for t, v in zip(times, values, strict=True)]
    do_record_points(metric, points[:drop[1]])  # the worker judges them (inline in tests)
    issue = Issue.objects.get()

    log_in(page, agent.email)
    page.goto(f"/desk/issues/{issue.key}/")
    panel = page.get_by_role("region", name="Metric acme-orders")
    chart = panel.get_by_role("img", name="acme-orders from")
    expect(chart).to_be_visible()
    expect(chart.locator("circle").first).to_be_attached()  # the points outside the band
    panel.locator("summary").click()
    table = panel.get_by_role("table", name="acme-orders: each point and the range expected at that time")
    expect(table).to_be_visible()
    expect(table.get_by_role("row").filter(has_text="yes").first).to_be_visible()
    expect(page.get_by_role("list", name="Timeline")).to_contain_text("saw metric acme-orders fall to")
