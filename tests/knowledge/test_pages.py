"""The knowledge base pages: the desk's list and editor, the issue page's panel, the portal's
articles and their deflection counters."""

import pytest

from tests.factories import make_customer, make_issue
from tests.knowledge.helpers import make_article
from tierline.escalation.problems import do_create_problem, do_update_problem
from tierline.issues.actions import do_update_issue
from tierline.issues.models import EventKind
from tierline.knowledge.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def portal(client, org):
    client.force_login(make_customer(org))
    return client


def test_write_an_article_and_see_its_preview(desk, agent):
    response = desk.post("/desk/kb/new", {"title": "Export invoices", "body": "1. Open **Billing**",
                                          "visibility": "public", "status": "published"})
    article = Article.objects.get()
    assert response["Location"] == f"/desk/kb/{article.pk}/"
    page = desk.get(f"/desk/kb/{article.pk}/").content.decode()
    assert "<strong>Billing</strong>" in page and f"/portal/kb/{article.pk}/" in page
    assert article.author == agent and article.is_public


def test_an_error_keeps_what_was_typed(desk):
    response = desk.post("/desk/kb/new", {"title": "", "body": "my long answer", "visibility": "public",
                                          "status": "draft"})
    assert response.status_code == 422 and "my long answer" in response.content.decode()
    assert not Article.objects.exists()


def test_the_list_shows_the_counters(desk):
    article = make_article("Export invoices")
    Article.objects.filter(pk=article.pk).update(suggestion_opens=7, deflections=3)
    page = desk.get("/desk/kb/").content.decode()
    assert "Export invoices" in page and "<td>7</td><td>3</td>" in page


def test_a_new_issue_shows_matching_articles_and_sends_one(desk, org, agent):
    public = make_article("Export invoices as CSV", "Billing, then Export.")
    internal = make_article("Restart the invoice exporter", "ssh in", visibility="internal")
    issue = make_issue(org, title="How do I export invoices to CSV?", description="The invoice exporter?")
    page = desk.get(f"/desk/issues/{issue.key}/").content.decode()
    assert "Suggested articles" in page and public.title in page and internal.title in page
    assert page.count("Send as reply") == 1  # internal articles are never sent
    desk.post(f"/desk/issues/{issue.key}/send-article", {"article": public.pk})
    assert issue.events.filter(kind=EventKind.ARTICLE_SUGGESTED).count() == 1
    assert "<td>0</td><td>0</td><td>1</td>" in desk.get("/desk/kb/").content.decode()  # sent once
    refused = desk.post(f"/desk/issues/{issue.key}/send-article", {"article": internal.pk})
    assert refused.status_code == 422 and "Only a published public article" in refused.content.decode()


def test_a_resolved_issue_is_turned_into_an_article(desk, org, agent):
    issue = make_issue(org, title="Invoices lack VAT")
    do_update_issue(issue, actor=agent, status="resolved")
    assert "Write an article from this issue" in desk.get(f"/desk/issues/{issue.key}/").content.decode()
    response = desk.post(f"/desk/issues/{issue.key}/article")
    article = Article.objects.get()
    assert response["Location"] == f"/desk/kb/{article.pk}/" and article.source_issue == issue


def test_a_problem_is_turned_into_an_article(desk, agent):
    problem = do_create_problem(actor=agent, title="Exports time out", description="Runs in the request")
    do_update_problem(problem, actor=agent, status="identified")
    assert "PRB-" in desk.get("/desk/kb/").content.decode()
    desk.post("/desk/kb/from-problem", {"problem": problem.pk})
    assert Article.objects.get().source_problem == problem


def test_customers_read_public_articles_and_never_internal_ones(portal):
    public, internal = make_article("Export invoices"), make_article("Runbook", visibility="internal")
    draft = make_article("Soon", status="draft")
    listing = portal.get("/portal/kb/").content.decode()
    assert "Export invoices" in listing and "Runbook" not in listing and "Soon" not in listing
    assert portal.get(f"/portal/kb/{public.pk}/").status_code == 200
    assert portal.get(f"/portal/kb/{internal.pk}/").status_code == 404
    assert portal.get(f"/portal/kb/{draft.pk}/").status_code == 404


def test_search_without_javascript(portal):
    make_article("Export invoices as CSV")
    make_article("Single sign-on", "Add Tierline as a SAML app in Okta.")
    page = portal.get("/portal/kb/", {"q": "export csv"}).content.decode()
    assert "Export invoices as CSV" in page and "Single sign-on" not in page
    assert "?from=suggestion" in page


def test_the_new_issue_page_offers_suggestions_without_inline_script(portal):
    page = portal.get("/portal/new").content.decode()
    assert "data-article-suggest" in page and "knowledge/suggest.js" in page
    assert "<script>" not in page


def test_opening_from_a_suggestion_and_answering_count_once_per_session(portal):
    article = make_article("Export invoices")
    for _ in range(2):
        portal.get(f"/portal/kb/{article.pk}/", {"from": "suggestion"})
    portal.get(f"/portal/kb/{article.pk}/")  # opened some other way: not a suggestion
    for _ in range(2):
        portal.post(f"/portal/kb/{article.pk}/helpful")
    article.refresh_from_db()
    assert (article.suggestion_opens, article.deflections) == (1, 1)
    assert "Glad it helped" in portal.get(f"/portal/kb/{article.pk}/").content.decode()


def test_staff_are_sent_to_the_desk_from_the_portal_pages(desk):
    assert desk.get("/portal/kb/")["Location"] == "/desk/"
