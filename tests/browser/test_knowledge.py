"""The knowledge base in a real browser: the suggestion panel of a new issue on the desk, writing
an article, and the portal showing matching articles while the customer types a title."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import make_contact, make_customer, make_issue, make_org, make_staff
from tests.knowledge.helpers import make_article
from tierline.issues.models import Comment, EventKind, Issue
from tierline.knowledge.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_tier_1_agent_sends_a_suggested_article(page):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    public = make_article("Export invoices as CSV", "Open **Billing**, choose Invoices, then Export.")
    make_article("Restart the invoice exporter", "ssh to the exporter host", visibility="internal")
    issue = make_issue(acme, title="The invoice exporter hangs: how do I export invoices?",
                       requester=make_contact(acme))
    agent = make_staff("support_t1", email="alice@tierline.example", name="Alice")

    log_in(page, agent.email)
    page.goto(f"/desk/issues/{issue.key}/")
    suggested = page.get_by_role("list", name="Suggested articles")
    expect(suggested).to_contain_text("Export invoices as CSV")
    expect(suggested).to_contain_text("Restart the invoice exporter")
    send = suggested.get_by_role("form", name="Send Export invoices as CSV")
    send.get_by_role("button", name="Send as reply").click()
    expect(page.get_by_role("list", name="Timeline")).to_contain_text(f"/portal/kb/{public.pk}/")
    assert issue.events.filter(kind=EventKind.ARTICLE_SUGGESTED).count() == 1

    # The article's page: the editor and its preview, Markdown rendered.
    page.goto(f"/desk/kb/{public.pk}/")
    expect(page.get_by_role("region", name="Preview").locator("strong")).to_have_text("Billing")
    form = page.get_by_role("form", name="Article")
    form.get_by_label("Title").fill("Export invoices as a CSV file")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Edit article")).to_be_visible()
    page.goto("/desk/kb/")
    expect(page.get_by_role("table", name="Articles")).to_contain_text("Export invoices as a CSV file")


def test_a_resolved_issue_becomes_a_draft_to_edit(page):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    agent = make_staff("support_t2", email="chloe@tierline.example", name="Chloe")
    issue = make_issue(acme, title="Invoices lack VAT", description="No VAT lines on invoices")
    from tierline.issues.actions import do_add_comment, do_update_issue

    do_add_comment(issue, author=agent, body="Turn on VAT under Billing, Tax.", is_public=True, notify=False)
    do_update_issue(issue, actor=agent, status="resolved")

    log_in(page, agent.email)
    page.goto(f"/desk/issues/{issue.key}/")
    page.get_by_role("button", name="Write an article from this issue").click()
    form = page.get_by_role("form", name="Article")
    expect(form.get_by_label("Title")).to_have_value("Invoices lack VAT")
    expect(form.get_by_label("Body")).to_contain_text("Turn on VAT under Billing, Tax.")
    form.get_by_label("Visibility").select_option("public")
    form.get_by_label("Status").select_option("published")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Customers read it at")).to_be_visible()
    assert Article.objects.get().is_public


def test_the_portal_suggests_articles_while_the_customer_types(page):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    other = make_org(name="Globex", email_domains=["globex.example"])
    article = make_article("Set up single sign-on with Okta", "Add Tierline as a SAML app in Okta.")
    make_article("Okta runbook for support", "internal steps", visibility="internal")
    customer = make_customer(other, email="li@globex.example")  # public articles are for every customer
    make_issue(acme)

    log_in(page, customer.email)
    page.goto("/portal/new")
    page.get_by_label("Title").press_sequentially("Login with okt", delay=20)
    suggested = page.get_by_role("list", name="Suggested articles")
    expect(suggested.get_by_role("link", name="Set up single sign-on with Okta")).to_be_visible()
    expect(suggested).not_to_contain_text("runbook")
    with page.context.expect_page() as opened:
        suggested.get_by_role("link", name="Set up single sign-on with Okta").click()
    article_page = opened.value
    expect(article_page.get_by_role("heading", name="Set up single sign-on with Okta")).to_be_visible()
    article_page.get_by_role("button", name="Yes, I don't need to report it").click()
    expect(article_page.get_by_role("status")).to_contain_text("Glad it helped")
    article.refresh_from_db()
    assert (article.suggestion_opens, article.deflections) == (1, 1)
    assert Issue.objects.filter(organization=other).count() == 0 and Comment.objects.count() == 0


def test_without_javascript_the_portal_searches(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    make_article("Export invoices as CSV", "Billing, then Export.")
    customer = make_customer(acme, email="maya@acme.example")
    log_in(page, customer.email)
    page.goto("/portal/new")
    search = page.get_by_role("search", name="Search help articles")
    search.get_by_label("Search help articles").fill("export csv")
    search.get_by_role("button", name="Search").click()
    expect(page.get_by_role("list", name="Articles matching export csv")).to_contain_text("Export invoices as CSV")
    context.close()
