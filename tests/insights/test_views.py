"""The analytics pages: each renders its charts and tables in a bounded number of queries; bad
filters say so and show the default period; CSV exports carry the table, audited when it names
customers."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from tests.factories import make_org, make_staff
from tests.insights.helpers import T0, issue_answered_after, rebuild
from tierline.audit.models import AuditEntry
from tierline.insights.views import PAGES
from tierline.notify.surveys import do_rate_issue, make_rating_token

pytestmark = pytest.mark.django_db
PERIOD = {"since": "2026-05-01", "until": "2026-07-31"}


@pytest.fixture
def staff_client(client):
    client.force_login(make_staff("support_t1"))
    return client


@pytest.fixture
def history():
    orgs = [make_org(importance=i) for i in ("strategic", "key", "standard")]
    for n in range(15):
        issue = issue_answered_after(10 + n, resolved_after=100 + n if n % 2 else None, organization=orgs[n % 3],
                                     channel=("email", "portal", "phone")[n % 3], created=T0 + timedelta(days=n))
        if n % 2:  # the resolved ones rate it, mostly good
            issue.refresh_from_db()
            do_rate_issue(make_rating_token(issue), rating="bad" if n % 3 == 0 else "good",
                          at=T0 + timedelta(days=n, hours=3))
    rebuild(now=T0 + timedelta(days=60))


@pytest.mark.parametrize("name", [name for name, _ in PAGES])
def test_each_page_shows_charts_and_tables_in_bounded_queries(staff_client, history, name,
                                                              django_assert_max_num_queries):
    with django_assert_max_num_queries(45):  # computed, and kept as snapshots
        response = staff_client.get(reverse(name), PERIOD)
    assert response.status_code == 200
    with django_assert_max_num_queries(16):  # session, user, the filters' choices, two per table
        again = staff_client.get(reverse(name), PERIOD)
    assert again.content.split(b"<main")[1] == response.content.split(b"<main")[1]  # (the CSRF token differs)
    html = response.content.decode()
    assert 'aria-label="Insights"' in html and "<table" in html
    if name != "insights-long-tail":
        assert "<svg" in html and "<title" in html


def test_bad_filters_show_an_error_and_the_default_period(staff_client, history):
    response = staff_client.get(reverse("insights-overview"), {"since": "soon"})
    assert response.status_code == 422
    assert "since (a date written YYYY-MM-DD)" in response.content.decode()


def test_csv_export_of_customer_health_is_audited(staff_client, history):
    response = staff_client.get(reverse("insights-export", args=["customer-health"]), PERIOD)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Customer", "Importance", "ARR", "Issues", "Open", "SLA breaches", "Score"]
    assert sorted(int(r[3]) for r in rows[1:]) == [5, 5, 5]
    entry = AuditEntry.objects.get(action="insights.exported")
    assert entry.target_id == "customer-health" and entry.data["rows"] == 3


def test_csv_export_without_customer_data_is_not_audited(staff_client, history):
    response = staff_client.get(reverse("insights-export", args=["inflow-by-channel"]), PERIOD)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Week", "Channel", "Issues"]
    assert sum(int(r[2]) for r in rows[1:]) == 15
    assert not AuditEntry.objects.filter(action="insights.exported").exists()


def test_a_title_that_looks_like_a_formula_stays_text_in_the_csv(staff_client):
    issue = issue_answered_after(10, title='=HYPERLINK("http://evil.example")', created=T0)  # open for months
    rebuild()
    response = staff_client.get(reverse("insights-export", args=["long-tail"]))
    [header, row] = list(csv.reader(io.StringIO(response.content.decode())))
    assert row[header.index("Issue")] == issue.key
    assert row[header.index("Title")] == "'=HYPERLINK(\"http://evil.example\")"
