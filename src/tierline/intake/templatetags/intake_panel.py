"""`{% similar_issues_panel issue %}` on the desk issue page: the ranked similar issues, open and
resolved. An inclusion tag, so the issues app's view does not need to know about intake."""

from django import template

from tierline.accounts.permissions import has_perm, scope_issues
from tierline.issues.models import Issue

from ..similar import similar_issues

register = template.Library()


@register.inclusion_tag("intake/_similar.html", takes_context=True)
def similar_issues_panel(context, issue, limit: int = 5):
    user = context["request"].user
    if not has_perm(user, "issue.view_all"):
        return {"similar": None}
    visible = scope_issues(user, Issue.objects.all())
    return {"similar": similar_issues(issue, limit=limit, visible=visible, fresh=False)}
