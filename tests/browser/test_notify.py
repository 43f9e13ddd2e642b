"""Closing the loop in a real browser: an engineer marks a problem's fix shipped from its page, the
customer sees the notice and the reply in the portal, and rates the resolution from the email's
link on the public rating page (no login), then adds a comment."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import make_customer, make_issue, make_org, make_staff
from tierline.escalation.problems import do_create_problem, do_link_issue_to_problem
from tierline.notify.models import SatisfactionRating

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_fix_shipped_reaches_the_portal_and_the_rating_page(page, browser, live_server):
    engineer = make_staff("engineer_t4", email="hana@tierline.example", name="Hana")
    org = make_org(name="Acme", email_domains=["acme.example"])
    customer = make_customer(org, email="pat@acme.example")
    issue = make_issue(org, title="Exports time out", requester=customer.contact)
    other = make_issue(make_org(name="Globex"), title="Exports slow")
    problem = do_create_problem(actor=engineer, title="Export worker starves", fix_version="2.4.1")
    for linked in (issue, other):
        do_link_issue_to_problem(problem, linked, actor=engineer)

    log_in(page, engineer.email)
    page.goto(f"/desk/problems/{problem.pk}/")
    page.get_by_label("Note for customers (optional)").fill("Large exports now finish in seconds.")
    page.get_by_role("button", name="Fix shipped — tell 2 customers").click()
    panel = page.get_by_role("region", name="Telling customers")
    expect(panel).to_contain_text("Fix shipped in 2.4.1")
    expect(panel).to_contain_text("2 of 2 linked issues told and resolved")
    expect(page.get_by_role("button", name=re.compile("tell", re.I))).to_have_count(0)

    customer_page = browser.new_context(base_url=live_server.url).new_page()
    log_in(customer_page, customer.email)
    customer_page.goto(f"/portal/issues/{issue.key}/")
    expect(customer_page.get_by_role("status")).to_contain_text("A fix for this issue has shipped in version 2.4.1")
    expect(customer_page.get_by_role("status")).to_contain_text("Large exports now finish in seconds.")
    expect(customer_page.get_by_role("list", name="Conversation")).to_contain_text("has shipped in version 2.4.1")
    expect(customer_page.locator(".badge")).to_have_text("Resolved")
    customer_page.context.close()

    survey = next(m for m in mail.outbox if m.to == ["pat@acme.example"] and "How did we do" in m.subject)
    good = re.search(r"http://\S+(/rate/\S+\?rating=good)", survey.body).group(1)
    anonymous = browser.new_context(base_url=live_server.url).new_page()
    anonymous.on("console", lambda message: page.csp_refused.append(message.text)
                 if "Content Security Policy" in message.text else None)
    anonymous.goto(good)
    expect(anonymous.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(anonymous.get_by_role("status")).to_contain_text("Good")
    assert SatisfactionRating.objects.get(issue=issue).rating == "good"
    anonymous.get_by_label("Bad").check()
    anonymous.get_by_label("Comment").fill("It took two weeks.")
    anonymous.get_by_role("button", name="Send").click()
    expect(anonymous.get_by_text("Thanks, your comment is saved.")).to_be_visible()
    rating = SatisfactionRating.objects.get(issue=issue)
    assert (rating.rating, rating.comment) == ("bad", "It took two weeks.")
    page.goto(f"/desk/issues/{issue.key}/")
    expect(page.get_by_role("list", name="Ratings by resolution")).to_contain_text("Bad")
    expect(page.get_by_role("list", name="Ratings by resolution")).to_contain_text("It took two weeks.")
    anonymous.goto("/rate/forged-token?rating=good")
    expect(anonymous.get_by_role("heading", level=1)).to_have_text("This link does not work any more")
    anonymous.context.close()
