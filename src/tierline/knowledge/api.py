"""/api/v1/articles (list, write, read, edit) and /api/v1/articles/suggest?q= (what the portal's
new-issue page shows as the customer types). Customers read published public articles only;
staff read everything and write with `article.manage`."""

from django.urls import reverse
from ninja import Router, Status

from tierline.errors import InvalidInput, PermissionDenied
from tierline.escalation.models import Problem
from tierline.issues.models import Component
from tierline.issues.queries import get_issue_for_user
from tierline.pagination import paginate
from tierline.schemas import ERRORS, referenced_row

from .actions import do_create_article, do_draft_article_from_issue, do_draft_article_from_problem, do_update_article
from .markdown import plain_summary, render_article
from .queries import get_article_for_user, list_articles, may_manage, reads_internal
from .schemas import ArticleIn, ArticleList, ArticleOut, ArticlePatch, SuggestionList
from .search import suggest_articles

router = Router(tags=["knowledge"])
NEWEST_FIRST = (("updated_at", True), ("id", True))


def _portal_url(article) -> str | None:
    return reverse("portal-kb-article", args=[article.pk]) if article.is_public else None


def article_out(article, *, staff: bool) -> dict:
    return {
        "id": article.pk, "title": article.title, "body": article.body, "html": str(render_article(article.body)),
        "visibility": article.visibility, "status": article.status,
        "component": {"id": article.component.pk, "name": article.component.name} if article.component else None,
        "source_issue": article.source_issue.key if article.source_issue_id else None,
        "source_problem_id": article.source_problem_id, "created_at": article.created_at,
        "updated_at": article.updated_at, "published_at": article.published_at, "portal_url": _portal_url(article),
        "suggestion_opens": article.suggestion_opens if staff else None,
        "deflections": article.deflections if staff else None,
    }


def _may_manage(user) -> None:
    if not may_manage(user):
        raise PermissionDenied("Only staff write articles")


@router.get("/articles", response={200: ArticleList, **ERRORS})
def get_articles(request, status: str = "", visibility: str = "", q: str = "", cursor: str | None = None,
                 limit: int = 50):
    """Articles, most recently updated first: every one for staff, published public ones for customers."""
    rows = list_articles(request.auth, status=status, visibility=visibility, q=q[:200]).select_related("source_issue")
    items, next_cursor = paginate(rows, NEWEST_FIRST, cursor=cursor, limit=limit)
    staff = reads_internal(request.auth)
    return {"items": [article_out(a, staff=staff) for a in items], "next_cursor": next_cursor}


@router.get("/articles/suggest", response={200: SuggestionList, **ERRORS})
def suggest(request, q: str = ""):
    """Published articles matching `q` (the last word as typed counts as a prefix), best first:
    public ones for customers, internal ones too for staff."""
    found = suggest_articles(q[:300], include_internal=reads_internal(request.auth))
    return {"items": [{"id": a.pk, "title": a.title, "summary": plain_summary(a.body), "visibility": a.visibility,
                       "portal_url": _portal_url(a)} for a in found]}


@router.post("/articles", response={201: ArticleOut, **ERRORS})
def create_article(request, payload: ArticleIn):
    _may_manage(request.auth)
    if payload.from_issue and payload.from_problem_id:
        raise InvalidInput("Write from an issue or a problem, not both", {"from_problem_id": "not with from_issue"})
    component = referenced_row(Component, payload.component_id, "component_id")
    if payload.from_issue:
        article = do_draft_article_from_issue(get_issue_for_user(request.auth, payload.from_issue), actor=request.auth)
    elif payload.from_problem_id:
        problem = referenced_row(Problem, payload.from_problem_id, "from_problem_id")
        article = do_draft_article_from_problem(problem, actor=request.auth)
    else:
        article = do_create_article(actor=request.auth, title=payload.title, body=payload.body,
                                    visibility=payload.visibility, status=payload.status, component=component)
        return Status(201, article_out(get_article_for_user(request.auth, article.pk), staff=True))
    # A draft from a source: what the caller gave replaces what was pre-filled.
    given = payload.model_dump(exclude_unset=True, include={"title", "body", "visibility", "status"})
    if component is not None:
        given["component"] = component
    if given:
        article = do_update_article(article, actor=request.auth, **{k: v for k, v in given.items() if v != ""})
    return Status(201, article_out(get_article_for_user(request.auth, article.pk), staff=True))


@router.get("/articles/{article_id}", response={200: ArticleOut, **ERRORS})
def get_article(request, article_id: int):
    article = get_article_for_user(request.auth, article_id)
    return article_out(article, staff=reads_internal(request.auth))


@router.patch("/articles/{article_id}", response={200: ArticleOut, **ERRORS})
def update_article(request, article_id: int, payload: ArticlePatch):
    article = get_article_for_user(request.auth, article_id)
    _may_manage(request.auth)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None or k == "component_id"}
    if "component_id" in changes:
        changes["component"] = referenced_row(Component, changes.pop("component_id"), "component_id")
    do_update_article(article, actor=request.auth, **changes)
    return article_out(get_article_for_user(request.auth, article.pk), staff=True)
