"""Reads of the knowledge base, scoped to the reader: staff read every article; customers (and
anyone else) read published public articles only, of whichever organization they came from,
and another article does not exist for them (404)."""

from django.db.models import Count, Q, QuerySet

from tierline.accounts.permissions import has_perm, is_staff_member
from tierline.errors import NotFound
from tierline.issues.models import EventKind

from .models import Article, ArticleStatus, Visibility


def reads_internal(user) -> bool:
    return user is not None and is_staff_member(user)


def scope_articles(user, articles: QuerySet | None = None) -> QuerySet:
    articles = Article.objects.all() if articles is None else articles
    if reads_internal(user):
        return articles
    return articles.filter(status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC)


def may_manage(user) -> bool:
    return user is not None and has_perm(user, "article.manage")


def get_article_for_user(user, pk) -> Article:
    article = (scope_articles(user).select_related("component", "author", "source_issue", "source_problem")
               .filter(pk=pk).first() if str(pk).isdigit() and len(str(pk)) < 19 else None)
    if article is None:
        raise NotFound("Article not found")
    return article


def list_articles(user, *, status: str = "", visibility: str = "", q: str = "") -> QuerySet:
    articles = scope_articles(user).select_related("component")
    if status in ArticleStatus.values:
        articles = articles.filter(status=status)
    if visibility in Visibility.values:
        articles = articles.filter(visibility=visibility)
    if q:
        articles = articles.filter(Q(title__icontains=q) | Q(body__icontains=q))
    return articles


def with_times_sent(articles: QuerySet) -> QuerySet:
    """How often staff sent each article as a reply (the `article_suggested` events naming it)."""
    from tierline.issues.models import IssueEvent

    counts = dict(IssueEvent.objects.filter(kind=EventKind.ARTICLE_SUGGESTED).values_list("data__article__id")
                  .annotate(n=Count("id")).values_list("data__article__id", "n"))
    rows = list(articles)
    for article in rows:
        article.times_sent = counts.get(article.pk, 0)
    return rows
