"""The portal's knowledge base: public published articles for every customer (of any organization:
they are public), search without JavaScript, and the anonymous deflection counters. An article
opened from a suggestion while reporting a problem counts once per session; "this answered my
question" counts once per session and article."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tierline.errors import NotFound
from tierline.portal.views import customer_required

from .actions import do_record_deflection, do_record_suggestion_open
from .markdown import render_article
from .queries import get_article_for_user, scope_articles
from .search import suggest_articles

OPENED, DEFLECTED = "kb_opened", "kb_deflected"  # session keys: article ids


def _article_or_404(request, article_id):
    try:
        return get_article_for_user(None, article_id)  # what anyone outside the company may read
    except NotFound:
        raise Http404("Article not found") from None


@customer_required
def portal_articles(request):
    q = request.GET.get("q", "")[:200].strip()
    articles = suggest_articles(q, limit=20) if q else scope_articles(None).order_by("title")[:200]
    return render(request, "knowledge/portal_list.html", {"articles": articles, "q": q})


def _remember(request, key: str, article_id: int) -> bool:
    """Add the article to the session's list; False if it was there already."""
    seen = request.session.get(key, [])
    if article_id in seen:
        return False
    request.session[key] = [*seen[-49:], article_id]
    return True


@customer_required
def portal_article(request, article_id):
    article = _article_or_404(request, article_id)
    if request.GET.get("from") == "suggestion" and _remember(request, OPENED, article.pk):
        do_record_suggestion_open(article)
    return render(request, "knowledge/portal_article.html", {
        "article": article, "html": render_article(article.body),
        "answered": article.pk in request.session.get(DEFLECTED, []),
    })


@customer_required
@require_POST
def portal_article_helpful(request, article_id):
    article = _article_or_404(request, article_id)
    if _remember(request, DEFLECTED, article.pk):
        do_record_deflection(article)
    return redirect("portal-kb-article", article_id=article.pk)
