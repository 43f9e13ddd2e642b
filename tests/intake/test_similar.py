"""Similar issues: ranked by words they share, open and resolved, scoped to what the caller sees."""

import pytest

from tests.factories import make_customer, make_issue, make_staff
from tierline.intake.similar import query_terms, similar_issues
from tierline.issues.actions import do_update_issue

pytestmark = pytest.mark.django_db


def test_query_terms_drop_noise_words():
    assert query_terms("The export of the CSV file fails, please help!") == ["export", "csv", "file", "fails", "help"]


def test_the_closest_issue_ranks_first_open_or_resolved(org, agent):
    resolved = make_issue(org, title="CSV export times out for large projects",
                          description="Exporting more than 10000 rows to CSV times out after 30 seconds")
    do_update_issue(resolved, actor=agent, status="resolved")
    make_issue(org, title="Login page shows a blank screen", description="Safari only, after the update")
    make_issue(org, title="Invoices PDF missing the VAT number")
    new = make_issue(org, title="Export to CSV timing out", description="Our large project export times out")
    found = similar_issues(new)
    assert found[0].issue == resolved and found[0].score > 0
    assert new not in [s.issue for s in found]


def test_renamed_issues_are_reindexed(org, agent):
    issue = make_issue(org, title="Mobile app crashes on start")
    probe = make_issue(org, title="Webhook retries duplicate deliveries")
    assert issue not in [s.issue for s in similar_issues(probe)]
    do_update_issue(issue, actor=agent, title="Webhook deliveries duplicated by retries")
    assert similar_issues(probe)[0].issue == issue


def test_the_api_lists_similar_issues_for_staff(api_as, org, other_org):
    first = make_issue(org, title="Search results empty for quoted phrases")
    second = make_issue(org, title="Quoted phrases return empty search results")
    response = api_as(make_staff("support_t2")).get(f"/intake/issues/{second.key}/similar")
    assert response.status_code == 200
    assert response.json()[0]["key"] == first.key
    assert api_as(make_customer(org)).get(f"/intake/issues/{second.key}/similar").status_code == 403
    assert api_as(make_customer(other_org)).get(f"/intake/issues/{second.key}/similar").status_code == 404
