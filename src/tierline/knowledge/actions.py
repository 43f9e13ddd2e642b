"""Every write of the knowledge base: writing and editing articles (each save indexes the article
for suggestions, `search.py`), drafting one from a resolved issue or a problem (the issue's
timeline gets `article_written`), sending a public article as a reply on an issue
(`article_suggested`, the reply through `tierline.issues.actions.do_add_comment`), and the
anonymous deflection counters the portal keeps.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from tierline.accounts.models import User
from tierline.errors import InvalidInput
from tierline.escalation.models import Problem
from tierline.issues.actions import do_add_comment
from tierline.issues.models import Comment, Component, EventKind, Issue, IssueEvent
from tierline.text import text_problems, title_problems

from .models import Article, ArticleStatus, Visibility
from .search import index_article

MAX_TITLE = 300
MAX_BODY = 200_000
EDITABLE = frozenset({"title", "body", "visibility", "status", "component"})


def _clean(fields: dict) -> dict:
    problems = {**text_problems(fields, {"body": MAX_BODY}), **title_problems(fields, MAX_TITLE)}
    if "visibility" in fields and fields["visibility"] not in Visibility.values:
        problems["visibility"] = f"one of {', '.join(Visibility.values)}"
    if "status" in fields and fields["status"] not in ArticleStatus.values:
        problems["status"] = f"one of {', '.join(ArticleStatus.values)}"
    if problems:
        raise InvalidInput("Invalid article", problems)
    return fields


def do_create_article(*, actor: User | None, title: str, body: str = "", visibility: str = Visibility.INTERNAL,
                      status: str = ArticleStatus.DRAFT, component: Component | None = None,
                      source_issue: Issue | None = None, source_problem: Problem | None = None,
                      at: datetime | None = None) -> Article:
    fields = _clean({"title": title, "body": body or "", "visibility": visibility, "status": status})
    now = at or timezone.now()
    with transaction.atomic():
        article = Article.objects.create(
            **fields, component=component, source_issue=source_issue, source_problem=source_problem, author=actor,
            created_at=now, updated_at=now, published_at=now if status == ArticleStatus.PUBLISHED else None)
        index_article(article)
    return article


def do_update_article(article: Article, *, actor: User | None, at: datetime | None = None, **changes) -> Article:
    unknown = set(changes) - EDITABLE
    if unknown:
        raise InvalidInput("Unknown fields", {f: "cannot be changed" for f in sorted(unknown)})
    _clean(changes)
    now = at or timezone.now()
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        changed = [name for name, value in changes.items() if getattr(article, name) != value]
        for name in changed:
            setattr(article, name, changes[name])
        if article.status == ArticleStatus.PUBLISHED and article.published_at is None:
            article.published_at = now
            changed.append("published_at")
        if changed:
            article.updated_at = now
            article.save(update_fields=[*changed, "updated_at"])
            index_article(article)
    return article


def _staff_replies(issue: Issue) -> list[str]:
    """The public replies staff wrote on the issue: how it was resolved, as the customer read it."""
    comments = (Comment.objects.filter(issue=issue, is_public=True, author__isnull=False)
                .exclude(author__role="customer").order_by("created_at", "id"))
    return [c.body.strip() for c in comments if c.body.strip()]


def do_draft_article_from_issue(issue: Issue, *, actor: User | None, at: datetime | None = None) -> Article:
    """A draft, internal article pre-filled from a resolved issue: its title, its description as the
    question, its staff's public replies as the answer. Staff edit it before publishing."""
    issue = Issue.objects.select_related("component").get(pk=issue.pk)
    if not issue.is_done:
        raise InvalidInput(f"{issue.key} is not resolved yet", {"issue": "must be resolved or closed"})
    replies = _staff_replies(issue)
    body = "\n\n".join(part for part in (
        "## Question", issue.description.strip() or issue.title,
        "## Answer", "\n\n".join(replies) or "(Write how it was resolved.)") if part)
    now = at or timezone.now()
    with transaction.atomic():
        article = do_create_article(actor=actor, title=issue.title, body=body, component=issue.component,
                                    source_issue=issue, at=now)
        IssueEvent.objects.create(issue=issue, kind=EventKind.ARTICLE_WRITTEN, actor=actor, created_at=now,
                                  data={"article": {"id": article.pk, "title": article.title}})
    return article


def do_draft_article_from_problem(problem: Problem, *, actor: User | None, at: datetime | None = None) -> Article:
    """A draft, internal article from a problem: its title, its root cause and the fix."""
    parts = ["## Cause", problem.description.strip() or "(Describe the root cause.)", "## Fix",
             f"Fixed in version {problem.fix_version}." if problem.fix_version else "(Describe the fix or workaround.)"]
    return do_create_article(actor=actor, title=problem.title, body="\n\n".join(parts), source_problem=problem,
                             at=at)


def article_url(article: Article) -> str:
    return f"{settings.BASE_URL}{reverse('portal-kb-article', args=[article.pk])}"


def do_send_article(issue: Issue, article: Article, *, actor: User, at: datetime | None = None) -> Comment:
    """Reply on the issue with a public article's link (emailed to the requester like any reply)."""
    if not article.is_public:
        raise InvalidInput("Only a published public article can be sent to a customer",
                           {"article": "not a published public article"})
    now = at or timezone.now()
    with transaction.atomic():
        comment = do_add_comment(issue, body=f"This article should answer your question:\n\n{article.title}\n"
                                 f"{article_url(article)}", is_public=True, author=actor, at=now)
        IssueEvent.objects.create(issue=issue, kind=EventKind.ARTICLE_SUGGESTED, actor=actor, comment=comment,
                                  created_at=now, data={"article": {"id": article.pk, "title": article.title}})
    return comment


def do_record_suggestion_open(article: Article) -> None:
    """A customer opened the article from a suggestion while reporting a problem (no one is named)."""
    Article.objects.filter(pk=article.pk).update(suggestion_opens=F("suggestion_opens") + 1)


def do_record_deflection(article: Article) -> None:
    """A customer said the article answered them, so they need not report the problem."""
    Article.objects.filter(pk=article.pk).update(deflections=F("deflections") + 1)
