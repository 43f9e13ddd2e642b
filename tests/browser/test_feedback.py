"""Feature requests in a real browser: marking an issue, the ranked list, merging, and telling the
customers once the request shipped."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import make_contact, make_issue, make_org, make_staff
from tests.feedback.helpers import ask, make_request
from tierline.feedback.models import FeatureRequest
from tierline.issues.models import Comment, Severity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_converts_a_question_and_ranks_the_requests(page):
    bank = make_org(name="Big Bank", annual_revenue=Decimal(400_000), open_deal_value=Decimal(50_000))
    shop = make_org(name="Small Shop", annual_revenue=Decimal(5_000))
    dark = make_request("Dark mode")
    ask(dark, shop)
    question = make_issue(bank, title="Can we log in with Okta?", severity=Severity.S4,
                          requester=make_contact(bank, name="Maya Moss"))
    agent = make_staff("support_t1", email="alice@tierline.example", name="Alice")

    log_in(page, agent.email)
    page.goto(f"/desk/issues/{question.key}/")
    page.get_by_role("link", name="Convert this question to a feature request").click()
    form = page.get_by_role("form", name="Requested feature")
    form.get_by_label("New request's title").fill("Single sign-on with Okta")
    form.get_by_role("button", name="Convert to a feature request").click()
    panel = page.get_by_role("region", name="Feature request")
    expect(panel).to_contain_text("Asks for FR-")
    expect(panel).to_contain_text("Single sign-on with Okta")

    page.goto("/desk/requests/")
    table = page.get_by_role("table", name="Feature requests ranked by Combined ARR")
    expect(table.get_by_role("row").nth(1)).to_contain_text("Single sign-on with Okta")
    expect(table.get_by_role("row").nth(1)).to_contain_text("400,000")
    page.get_by_label("Rank by").select_option(label="Most recently asked")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("table", name="Feature requests ranked by Most recently asked")
           .get_by_role("row").nth(1)).to_contain_text("Single sign-on with Okta")

    page.goto(f"/desk/requests/{dark.pk}/")
    merge = page.get_by_role("form", name="Merge into another request")
    sso = FeatureRequest.objects.exclude(pk=dark.pk).get()
    merge.get_by_label(f"Merge {dark.key} into").select_option(label=str(sso))
    merge.get_by_label("Why they are the same").fill("Both are about signing in")
    merge.get_by_role("button", name="Merge").click()
    expect(page.get_by_role("status").filter(has_text="Merged into")).to_contain_text("Both are about signing in")
    assert FeatureRequest.objects.get(pk=dark.pk).merged_into.title == "Single sign-on with Okta"


def test_agent_tells_the_customers_once_shipped(page):
    bank = make_org(name="Big Bank", annual_revenue=Decimal(400_000))
    shop = make_org(name="Small Shop", annual_revenue=Decimal(5_000))
    sso = make_request("Single sign-on", status="shipped")
    issues = [ask(sso, bank, requester=make_contact(bank, name="Maya Moss")), ask(sso, shop), ask(sso, shop)]
    agent = make_staff("support_t2", email="chloe@tierline.example", name="Chloe")

    log_in(page, agent.email)
    page.goto(f"/desk/requests/{sso.pk}/")
    asking = page.get_by_role("table", name="Customers asking")
    expect(asking).to_contain_text("Big Bank")
    expect(asking).not_to_contain_text("Maya")  # people are masked
    expect(page.get_by_role("definition").filter(has_text="405,000")).to_be_visible()
    form = page.get_by_role("form", name="Tell the customers")
    form.get_by_label("Reply (public").fill("Single sign-on is live: Settings > Security.")
    form.get_by_role("button", name="Tell 3 customers").click()
    expect(page.get_by_role("status")).to_contain_text("Told 3 customers.")
    expect(page.get_by_role("region", name="Tell the customers")).to_contain_text("Every customer asking has been told")
    for issue in issues:
        assert list(Comment.objects.filter(issue=issue).values_list("body", flat=True)) == [
            "Single sign-on is live: Settings > Security."]
        issue.refresh_from_db()
        assert issue.status == "resolved"
