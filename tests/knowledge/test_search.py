"""Article suggestions: the similar-issue search's words and scoring, published articles only,
internal ones only for staff, and the word being typed as a prefix."""

import pytest

from tests.knowledge.helpers import make_article
from tierline.knowledge.actions import do_update_article
from tierline.knowledge.markdown import plain_summary, render_article
from tierline.knowledge.search import suggest_articles

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles():
    return {
        "csv": make_article("Export invoices as CSV", "Open Billing, choose Invoices, then Export as CSV."),
        "sso": make_article("Set up single sign-on with Okta", "Add Tierline as a SAML app in Okta."),
        "vat": make_article("Invoices without VAT", "Turn on VAT under Billing, Tax."),
        "runbook": make_article("Restart the invoice exporter", "ssh to the exporter host", visibility="internal"),
        "draft": make_article("Invoice export limits", "Up to 10k rows", status="draft"),
    }


def test_the_best_match_comes_first(articles):
    found = suggest_articles("How do I export my invoices to CSV?")
    assert found[0] == articles["csv"]
    assert articles["sso"] not in found


def test_customers_get_public_published_articles_only(articles):
    found = suggest_articles("invoice exporter export limits")
    assert articles["runbook"] not in found and articles["draft"] not in found
    staff = suggest_articles("restart invoice exporter", include_internal=True)
    assert staff[0] == articles["runbook"] and articles["draft"] not in staff


def test_the_word_being_typed_is_a_prefix(articles):
    assert suggest_articles("single sig") == [articles["sso"]]
    assert suggest_articles("okt") == [articles["sso"]]
    assert suggest_articles("okt ") == []  # a finished word is a whole word


def test_nothing_to_match_is_no_suggestion(articles):
    assert suggest_articles("") == [] and suggest_articles("the and of") == []


def test_an_edit_changes_what_matches(articles, agent):
    do_update_article(articles["sso"], actor=agent, title="Sign in with Azure AD", body="Add an enterprise app.")
    assert suggest_articles("okta saml") == []
    assert suggest_articles("azure") == [articles["sso"]]


def test_markdown_is_rendered_without_raw_html():
    html = render_article("# Steps\n\n1. Open **Billing**\n2. <script>alert(1)</script>\n\n"
                          "[docs](https://example.com) [bad](javascript:alert(1)) ![x](https://evil.example/x.png)")
    assert "<h1>Steps</h1>" in html and "<strong>Billing</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="https://example.com">docs</a>' in html
    assert 'href="javascript:' not in html and "<img" not in html


def test_summaries_drop_markdown_marks():
    assert plain_summary("## Question\n\n- Open **Billing**") == "Question Open **Billing**"
    assert plain_summary("word " * 100, length=20).endswith("…")
