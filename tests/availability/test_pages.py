"""The desk's availability pages and panels: the overview worst first with its CSV, the customer
page's panel, the issue page's "Record an outage" form, and the portal's read-only panel."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.availability.helpers import make_outage
from tests.factories import make_component, make_customer, make_issue, make_org, make_staff
from tierline.availability.models import Outage
from tierline.issues.models import EventKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_customers(org, other_org):
    make_component(name="API")
    # Globex lost three hours this month, Acme ten minutes.
    make_outage(minutes=180, ago=timedelta(hours=5), organizations=[other_org], title="Globex database")
    make_outage(minutes=10, ago=timedelta(hours=1), organizations=[org], title="Acme sync")
    return org, other_org


def test_the_overview_lists_the_worst_first_in_a_fixed_number_of_queries(client, two_customers,
                                                                        django_assert_max_num_queries):
    org, other_org = two_customers
    for _ in range(5):
        make_outage(minutes=5, organizations=[make_org()], issues=[make_issue(org)])
    client.force_login(make_staff())
    with django_assert_max_num_queries(14):
        response = client.get("/desk/availability/")
    assert response.status_code == 200
    names = [r["report"].name for r in response.context["rows"]]
    assert names[0] == other_org.name and names.index(org.name) < names.index("API")
    assert response.context["chosen"].name == other_org.name  # the worst one's chart by default
    chosen = client.get("/desk/availability/", {"subject": f"organization-{org.pk}"}).context["chosen"]
    assert chosen.name == org.name


def test_a_bad_month_says_so_and_shows_this_month(client, two_customers):
    client.force_login(make_staff())
    response = client.get("/desk/availability/", {"month": "2026-99"})
    assert response.status_code == 422 and b"YYYY-MM" in response.content


def test_the_csv_export_has_every_subject(client, two_customers):
    org, other_org = two_customers
    client.force_login(make_staff())
    response = client.get("/desk/availability/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == {org.name, other_org.name, "API"}
    assert float(by_name[other_org.name]["downtime_minutes"]) == pytest.approx(180)
    assert by_name["API"]["kind"] == "component"


def test_the_customer_page_shows_its_availability(client, two_customers):
    org, _ = two_customers
    client.force_login(make_staff())
    page = client.get(f"/desk/customers/{org.pk}/").content.decode()
    assert "Availability" in page and "Acme sync" in page and "Globex database" not in page


def test_recording_an_outage_from_the_issue_page(client, org):
    issue = make_issue(org, component=make_component(name="API"))
    client.force_login(make_staff("operations_t3"))
    start = timezone.localtime() - timedelta(hours=2)
    response = client.post(f"/desk/issues/{issue.key}/outages", {
        "title": "Exports failing", "started_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ended_at": (start + timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M"), "scope": "both",
        "source": "customer_reported"})
    assert response.status_code == 302
    outage = Outage.objects.get()
    assert outage.source == "customer_reported" and (outage.ended_at - outage.started_at) == timedelta(minutes=45)
    assert list(outage.organizations.all()) == [org] and [c.name for c in outage.components.all()] == ["API"]
    assert issue.events.filter(kind=EventKind.OUTAGE_RECORDED).exists()
    assert "Exports failing" in client.get(f"/desk/issues/{issue.key}/").content.decode()


def test_a_bad_outage_form_is_shown_again_as_typed(client, org):
    issue = make_issue(org)
    client.force_login(make_staff("operations_t3"))
    response = client.post(f"/desk/issues/{issue.key}/outages", {
        "title": "Exports failing", "started_at": "yesterday", "scope": "organization", "source": "staff"})
    assert response.status_code == 422 and not Outage.objects.exists()
    page = response.content.decode()
    assert "started_at" in page and 'value="Exports failing"' in page


def test_support_may_not_record_outages(client, org):
    issue = make_issue(org)
    client.force_login(make_staff("support_t2"))
    assert "Record an outage" not in client.get(f"/desk/issues/{issue.key}/").content.decode()
    assert client.post(f"/desk/issues/{issue.key}/outages", {}).status_code == 403


def test_the_portal_shows_the_customer_their_own_availability_only(client, two_customers):
    org, other_org = two_customers
    client.force_login(make_customer(org))
    page = client.get("/portal/").content.decode()
    assert "Availability" in page and "What consumed the budget" in page
    assert "Acme sync" not in page and "Globex" not in page  # no titles; nobody else's outage


def test_an_outage_for_everyone_that_also_names_the_customer_counts_once(client, org):
    make_outage(minutes=20, is_global=True, organizations=[org])
    client.force_login(make_staff())
    rows = client.get("/desk/availability/").context["rows"]
    report = next(r["report"] for r in rows if r["report"].name == org.name)
    assert len(report.rolling.charges) == 1 and report.rolling.downtime_minutes == pytest.approx(20)
