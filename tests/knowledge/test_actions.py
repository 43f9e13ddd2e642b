"""Writing articles, drafting them from resolved issues and problems, sending them as replies."""

import pytest

from tests.factories import make_component, make_contact, make_customer, make_issue
from tests.knowledge.helpers import make_article
from tierline.errors import InvalidInput
from tierline.escalation.problems import do_create_problem
from tierline.issues.actions import do_add_comment, do_update_issue
from tierline.issues.models import EventKind
from tierline.knowledge.actions import (
    do_create_article,
    do_draft_article_from_issue,
    do_draft_article_from_problem,
    do_send_article,
    do_update_article,
)
from tierline.knowledge.search import suggest_articles

pytestmark = pytest.mark.django_db


def test_an_article_starts_as_an_internal_draft(agent):
    article = do_create_article(actor=agent, title="  Reset a  password ", body="Use the link.")
    assert (article.title, article.visibility, article.status, article.author) == (
        "Reset a password", "internal", "draft", agent)
    assert article.published_at is None


def test_bad_input_is_refused_and_nothing_changes(agent):
    with pytest.raises(InvalidInput) as error:
        do_create_article(actor=agent, title="", visibility="everyone")
    assert set(error.value.fields) == {"title", "visibility"}
    article = make_article()
    with pytest.raises(InvalidInput):
        do_update_article(article, actor=agent, status="gone", title="Changed")
    article.refresh_from_db()
    assert (article.title, article.status) == ("Export invoices as CSV", "published")


def test_publishing_stamps_when_and_reindexes(agent):
    article = do_create_article(actor=agent, title="Webhooks retry", body="Three times.")
    assert suggest_articles("webhooks retry", include_internal=True) == []  # a draft is never suggested
    article = do_update_article(article, actor=agent, status="published", title="Webhook deliveries retry")
    assert article.published_at is not None
    assert suggest_articles("webhook deliveries", include_internal=True) == [article]


def test_a_resolved_issue_becomes_a_prefilled_draft(org, agent):
    customer = make_customer(org)
    component = make_component("Billing")
    issue = make_issue(org, title="Invoice totals show no VAT", description="Our invoices lack VAT lines.",
                       component=component, requester=make_contact(org))
    do_add_comment(issue, author=customer, body="Any news?", is_public=True)
    do_add_comment(issue, author=agent, body="Turn on VAT under Billing > Tax.", is_public=True, notify=False)
    do_add_comment(issue, author=agent, body="customer was on the old plan", is_public=False)
    with pytest.raises(InvalidInput) as error:
        do_draft_article_from_issue(issue, actor=agent)
    assert error.value.fields == {"issue": "must be resolved or closed"}
    do_update_issue(issue, actor=agent, status="resolved")
    article = do_draft_article_from_issue(issue, actor=agent)
    assert (article.title, article.status, article.visibility, article.component, article.source_issue) == (
        "Invoice totals show no VAT", "draft", "internal", component, issue)
    assert "Our invoices lack VAT lines." in article.body and "Turn on VAT under Billing > Tax." in article.body
    assert "Any news?" not in article.body and "old plan" not in article.body  # only staff's public replies
    event = issue.events.get(kind=EventKind.ARTICLE_WRITTEN)
    assert event.actor == agent and event.data == {"article": {"id": article.pk, "title": article.title}}


def test_a_problem_becomes_a_draft_with_its_cause_and_fix(agent):
    problem = do_create_problem(actor=agent, title="Exports time out over 10k rows",
                                description="The export runs in the request.", fix_version="4.2")
    article = do_draft_article_from_problem(problem, actor=agent)
    assert article.source_problem == problem and article.status == "draft"
    assert "The export runs in the request." in article.body and "Fixed in version 4.2." in article.body


def test_sending_a_public_article_replies_with_its_link(org, agent, django_capture_on_commit_callbacks):
    from django.core import mail

    issue = make_issue(org, requester=make_contact(org, email="maya@acme.example"))
    article = make_article("Export invoices as CSV")
    with django_capture_on_commit_callbacks(execute=True):
        comment = do_send_article(issue, article, actor=agent)
    assert comment.is_public and f"/portal/kb/{article.pk}/" in comment.body
    assert mail.outbox[0].to == ["maya@acme.example"] and f"/portal/kb/{article.pk}/" in mail.outbox[0].body
    event = issue.events.get(kind=EventKind.ARTICLE_SUGGESTED)
    assert event.comment == comment and event.data["article"]["id"] == article.pk


@pytest.mark.parametrize("fields", [{"visibility": "internal"}, {"status": "draft"}])
def test_internal_or_draft_articles_are_never_sent(org, agent, fields):
    issue = make_issue(org)
    with pytest.raises(InvalidInput):
        do_send_article(issue, make_article(**fields), actor=agent)
    assert issue.comments.count() == 0
