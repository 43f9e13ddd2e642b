"""Who asked and the revenue behind each request, on hand-built data whose answer is known."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import make_contact, make_issue
from tests.feedback.helpers import ask, make_request, make_revenue_org
from tierline.feedback.actions import do_mark_feature_request, do_merge_feature_requests
from tierline.feedback.queries import askers, link_candidates, merge_candidates, rank_requests
from tierline.intake.similar import catch_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers():
    return {"big": make_revenue_org("Big Bank", 500_000, 50_000), "mid": make_revenue_org("Mid Mart", 80_000),
            "small1": make_revenue_org("Small One", 10_000, 5_000), "small2": make_revenue_org("Small Two", 10_000),
            "small3": make_revenue_org("Small Three", 10_000)}


def test_revenue_counts_each_organization_once(customers):
    sso = make_request("Single sign-on")
    for _ in range(3):
        ask(sso, customers["big"])  # three issues, one customer
    ask(sso, customers["mid"])
    ask(sso, None)  # an issue of no organization asks, but is no customer
    (row,) = rank_requests()
    assert (row.customers, row.issues) == (2, 5)
    assert row.arr == Decimal(580_000)
    assert row.open_deals == Decimal(50_000)
    assert row.revenue == Decimal(630_000)


def test_the_list_ranks_by_arr_by_customers_and_by_recency(customers):
    now = timezone.now()
    sso, dark, csv = make_request("Single sign-on"), make_request("Dark mode"), make_request("CSV export")
    ask(sso, customers["big"], at=now - timedelta(days=30))  # 500k, 1 customer, a month ago
    for name in ("small1", "small2", "small3"):
        ask(dark, customers[name], at=now - timedelta(days=10))  # 30k, 3 customers
    ask(csv, customers["mid"], at=now - timedelta(days=1))  # 80k, 1 customer, yesterday
    ask(csv, customers["small1"], at=now - timedelta(days=40))  # 90k, 2 customers
    assert [r.request for r in rank_requests(sort="arr")] == [sso, csv, dark]
    assert [r.request for r in rank_requests(sort="customers")] == [dark, csv, sso]
    assert [r.request for r in rank_requests(sort="recent")] == [csv, dark, sso]
    assert [r.arr for r in rank_requests(sort="arr")] == [500_000, 90_000, 30_000]


def test_merged_requests_leave_the_list_and_their_customers_count_for_the_target(customers):
    csv, spreadsheet = make_request("CSV export"), make_request("Spreadsheet export")
    ask(csv, customers["mid"])
    ask(spreadsheet, customers["mid"])  # the same customer asked twice, in other words
    ask(spreadsheet, customers["big"])
    do_merge_feature_requests(spreadsheet, into=csv, actor=None, reason="same")
    (row,) = rank_requests()
    assert row.request == csv
    assert (row.customers, row.issues, row.arr) == (2, 3, Decimal(580_000))


def test_status_filter(customers):
    planned = make_request("Planned one", status="planned")
    make_request("Open one")
    assert [r.request for r in rank_requests(statuses=["planned"])] == [planned]


def test_the_ranked_list_costs_two_queries(customers, django_assert_max_num_queries):
    for i in range(12):
        request = make_request(f"Request {i}")
        for org in customers.values():
            ask(request, org)
    with django_assert_max_num_queries(2):
        assert len(rank_requests()) == 12


def test_askers_are_grouped_by_organization_largest_first(customers):
    sso = make_request("Single sign-on")
    ask(sso, customers["mid"], requester=make_contact(customers["mid"], name="Maya"))
    ask(sso, customers["big"])
    ask(sso, customers["big"])
    ask(sso, None)
    groups = askers(sso)
    assert [g.organization.name if g.organization else None for g in groups] == ["Big Bank", "Mid Mart", None]
    assert [len(g.links) for g in groups] == [2, 1, 1]


def test_similar_issues_suggest_requests_to_link_and_to_merge(org):
    sso = make_request("Single sign-on with Okta")
    ask(sso, org, title="Please support single sign-on through Okta SAML")
    make_request("Dark mode")
    other = make_request("Okta SAML login")
    new = make_issue(org, title="We need Okta SAML single sign-on for our staff")
    catch_up()
    assert link_candidates(new) == [sso]
    do_mark_feature_request(new, actor=None, request=other)
    assert link_candidates(new) == [sso]  # never the request it already asks for
    assert merge_candidates(other) == [sso]
    assert merge_candidates(sso) == [other]
