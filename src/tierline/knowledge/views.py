"""Desk pages of the knowledge base: `/desk/kb/` (every article, with its suggestion and
deflection counts), the article editor with its preview, drafts from a resolved issue or a
problem, and sending a public article as a reply from the issue page. Views parse, check access
and call actions; the portal's pages are in `portal_views.py`."""

from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tierline.errors import ActionError, InvalidInput, NotFound
from tierline.escalation.models import Problem, ProblemStatus
from tierline.issues.models import Component
from tierline.issues.views import issue_form, issue_page, staff_required

from .actions import (
    do_create_article,
    do_draft_article_from_issue,
    do_draft_article_from_problem,
    do_send_article,
    do_update_article,
)
from .models import Article, ArticleStatus, Visibility
from .queries import get_article_for_user, list_articles, may_manage, with_times_sent

REFUSAL = "Your role may not write articles"


def _writer(view):
    @staff_required
    def wrapped(request, *args, **kwargs):
        if not may_manage(request.user):
            return HttpResponseForbidden(REFUSAL)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


def _row(model, value: str, **conditions):
    return model.objects.filter(pk=value, **conditions).first() if value.isdigit() and len(value) < 19 else None


def _fields(post) -> dict:
    return {"title": post.get("title", ""), "body": post.get("body", ""),
            "visibility": post.get("visibility", Visibility.INTERNAL),
            "status": post.get("status", ArticleStatus.DRAFT), "component": _row(Component, post.get("component", ""))}


def _choices() -> dict:
    return {"visibilities": Visibility.choices, "statuses": ArticleStatus.choices,
            "components": Component.objects.all()}


@_writer
def article_list(request):
    get = request.GET
    articles = with_times_sent(list_articles(request.user, status=get.get("status", ""),
                                             visibility=get.get("visibility", ""), q=get.get("q", "")[:200])[:200])
    problems = Problem.objects.exclude(status=ProblemStatus.INVESTIGATING).only("id", "title")[:100]
    return render(request, "knowledge/list.html", {"articles": articles, "problems": problems, "get": get,
                                                   "error": get.get("error", ""), **_choices()})


def _editor(request, article: Article | None, *, status=200, error=None, errors=None, values=None):
    shown = values if values is not None else article
    return render(request, "knowledge/edit.html", {"article": article, "values": shown, "error": error,
                                                   "errors": errors or {}, **_choices()}, status=status)


@_writer
def article_new(request):
    if request.method == "POST":
        try:
            article = do_create_article(actor=request.user, **_fields(request.POST))
            return redirect("knowledge-article", article_id=article.pk)
        except ActionError as failure:
            return _editor(request, None, status=failure.status, error=failure.detail, errors=failure.fields,
                           values=request.POST)
    return _editor(request, None, values={})


@_writer
def article_edit(request, article_id):
    try:
        article = get_article_for_user(request.user, article_id)
    except NotFound:
        raise Http404("Article not found") from None
    if request.method == "POST":
        try:
            do_update_article(article, actor=request.user, **_fields(request.POST))
            return redirect("knowledge-article", article_id=article.pk)
        except ActionError as failure:
            return _editor(request, article, status=failure.status, error=failure.detail, errors=failure.fields,
                           values=request.POST)
    return _editor(request, article)


@issue_form("article.manage", REFUSAL)
def article_from_issue(request, issue):
    try:
        article = do_draft_article_from_issue(issue, actor=request.user)
    except ActionError as failure:
        return issue_page(request, issue, status=failure.status, article_error=failure.detail)
    return redirect("knowledge-article", article_id=article.pk)


@_writer
@require_POST
def article_from_problem(request):
    problem = _row(Problem, request.POST.get("problem", ""))
    if problem is None:
        return redirect(f"{reverse('knowledge-articles')}?error=Choose+a+problem")
    return redirect("knowledge-article", article_id=do_draft_article_from_problem(problem, actor=request.user).pk)


@issue_form("article.manage", REFUSAL)
def send_article(request, issue):
    try:
        article = _row(Article, request.POST.get("article", ""))
        if article is None:
            raise InvalidInput("Choose an article", {"article": "required"})
        do_send_article(issue, article, actor=request.user)
    except ActionError as failure:
        return issue_page(request, issue, status=failure.status, article_error=failure.detail)
    return redirect("desk-issue", key=issue.key)
