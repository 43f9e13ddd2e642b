"""/api/v1/insights: every table as JSON with the pages' filters, staff only, bad filters a 422."""

import pytest

from tests.factories import make_customer, make_org, make_staff, make_team
from tests.insights.helpers import issue_answered_after, rebuild
from tierline.insights.tables import TABLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_api(api_as):
    return api_as(make_staff("support_t2"))


def test_every_table_answers_with_its_columns(staff_api):
    issue_answered_after(30, priority=1, organization=make_org(), channel="email")
    rebuild()
    listed = staff_api.get("/insights").json()
    assert [t["name"] for t in listed] == list(TABLES)
    for name, table in TABLES.items():
        body = staff_api.get(f"/insights/{name}", since="2026-05-01", until="2026-07-31").json()
        assert body["name"] == name
        assert [c["key"] for c in body["columns"]] == [k for k, _ in table.columns]
        assert body["filters"] == {"since": "2026-05-01", "until": "2026-07-31"}
        for row in body["rows"]:
            assert {k for k, _ in table.columns} <= set(row)


def test_the_numbers_match_the_history(staff_api):
    team = make_team()
    for minutes in (10, 20, 30, 40, 100):
        issue_answered_after(minutes, priority=1, team=team)
    issue_answered_after(5, priority=1)  # another team's
    rebuild()
    body = staff_api.get("/insights/times-by-priority", since="2026-05-01", until="2026-07-31",
                         team_id=str(team.pk)).json()
    [row] = body["rows"]
    assert (row["priority_name"], row["issues"], row["first_response_median"], row["first_response_p90"]) == (
        "P1", 5, 30, 76)
    assert body["filters"]["team_id"] == str(team.pk)
    inflow = staff_api.get("/insights/inflow-by-channel", since="2026-05-01", until="2026-07-31").json()
    assert inflow["rows"] == [{"week": "2026-06-01", "channel": "portal", "channel_name": "Portal", "issues": 6}]


def test_bad_filters_and_unknown_tables(staff_api):
    response = staff_api.get("/insights/hotspots", since="last week", organization_id="-3")
    assert response.status_code == 422
    assert response.json()["fields"] == {"since": "a date written YYYY-MM-DD", "organization_id": "a row id"}
    assert staff_api.get("/insights/nothing-here").status_code == 404


def test_customers_never_see_analytics(api_as):
    org = make_org()
    assert api_as(make_customer(org)).get("/insights/customer-health").status_code == 403


def test_a_table_costs_a_fixed_number_of_queries(staff_api, django_assert_max_num_queries):
    for n in range(12):
        issue_answered_after(10 + n, organization=make_org(), team=make_team())
    rebuild()
    for name in TABLES:
        # computed, and kept as the snapshot (the key numbers read five other tables' snapshots)
        with django_assert_max_num_queries(24 if name == "headline" else 14):
            first = staff_api.get(f"/insights/{name}", since="2026-05-01", until="2026-07-31")
        with django_assert_max_num_queries(4):  # token, mark, snapshot
            again = staff_api.get(f"/insights/{name}", since="2026-05-01", until="2026-07-31")
        assert again.json() == first.json()
