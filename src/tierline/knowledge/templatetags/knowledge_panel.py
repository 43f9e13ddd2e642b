"""The knowledge base on other apps' pages, each an inclusion tag so those views know nothing of it:

- `{% article_suggestions_panel issue %}` on the desk issue page: for a new issue, the published
  articles (internal and public) matching it, each public one with a button that sends its link
  as the reply; for a resolved one, "Write an article from this issue". Other issues cost nothing.
- `{% portal_article_suggestions %}` on the portal's new-issue page: public articles matching the
  title as the customer types (`static/knowledge/suggest.js` over /api/v1/articles/suggest), and a
  search form for browsers without JavaScript.
- `{{ article.body|article_html }}`: the body rendered without raw HTML (`markdown.py`).
"""

from django import template

from tierline.issues.models import Status

from ..markdown import plain_summary, render_article
from ..queries import may_manage
from ..search import suggest_articles

register = template.Library()


@register.inclusion_tag("knowledge/_desk_panel.html", takes_context=True)
def article_suggestions_panel(context, issue):
    error = context.get("article_error")  # a refused send or draft is shown whatever the issue's status
    if not may_manage(context["request"].user) or not (issue.is_done or issue.status == Status.NEW or error):
        return {"shown": False}
    suggestions = [] if issue.is_done else suggest_articles(
        f"{issue.title} {issue.title} {issue.description[:2000]}", include_internal=True)
    return {"shown": True, "issue": issue, "suggestions": suggestions, "csrf_token": context.get("csrf_token"),
            "error": error}


@register.inclusion_tag("knowledge/_portal_panel.html")
def portal_article_suggestions(field_id: str = "id_title"):
    return {"field_id": field_id}


@register.filter
def article_html(body: str):
    return render_article(body)


@register.filter
def article_summary(body: str) -> str:
    return plain_summary(body)
