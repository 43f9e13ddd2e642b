"""The demo's knowledge base."""

import random

import pytest
from django.utils import timezone

from tests.factories import make_component, make_issue, make_org, make_staff
from tierline.issues.actions import do_update_issue
from tierline.knowledge.demo import ARTICLES, seed_knowledge
from tierline.knowledge.models import Article
from tierline.knowledge.search import suggest_articles

pytestmark = pytest.mark.django_db


def test_the_demo_articles_are_searchable_and_one_comes_from_an_issue():
    make_staff("support_t2")
    make_component("Authentication")
    issue = make_issue(make_org(), title="Invoice shows wrong VAT rate")
    do_update_issue(issue, actor=None, status="resolved")
    seed_knowledge(rng=random.Random(7), now=timezone.now())
    assert Article.objects.count() == len(ARTICLES) + 1
    from_issue = Article.objects.get(source_issue=issue)
    assert from_issue.is_public and from_issue.title == "Invoices with the wrong VAT rate"
    assert suggest_articles("sso saml sign-in loops")[0].title == "Set up single sign-on (SAML)"
    assert Article.objects.get(title="Set up single sign-on (SAML)").component.name == "Authentication"
    assert all(a.deflections <= a.suggestion_opens for a in Article.objects.all())
    assert Article.objects.filter(suggestion_opens__gt=0, visibility="internal").count() == 0
