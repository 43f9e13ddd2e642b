"""The notify app's pages: the desk's "Fix shipped" form on a problem page, and the public rating
page a satisfaction email links to (no login: the signed link is the proof)."""

from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tierline.accounts.permissions import has_perm
from tierline.errors import ActionError, NotFound
from tierline.escalation.queries import get_problem
from tierline.issues.views import staff_required

from .fixes import do_ship_fix
from .models import Rating
from .surveys import do_rate_issue, issue_for_token, rating_for_token


@require_POST
@staff_required
def fix_shipped(request, problem_id):
    if not has_perm(request.user, "problem.manage"):
        return HttpResponseForbidden("Your role may not mark fixes shipped")
    problem = get_problem(problem_id)
    if problem is None:
        raise Http404("Problem not found")
    do_ship_fix(problem, actor=request.user, version=request.POST.get("version"), note=request.POST.get("note", ""),
                resolve_issues=request.POST.get("resolve_issues") == "1")
    return redirect("escalation-problem", problem_id=problem.pk)


def rate(request, token):
    """GET with `?rating=` records it at once (the email's one click); POST changes it and adds a comment."""
    context, status = {"ratings": Rating.choices}, 200
    try:
        if request.method == "POST":
            rated = do_rate_issue(token, rating=request.POST.get("rating", ""), comment=request.POST.get("comment", ""))
            context["saved"] = True
        elif request.GET.get("rating"):
            rated = do_rate_issue(token, rating=request.GET["rating"])
        else:  # the page without a choice: nothing recorded until the customer picks one
            rated = rating_for_token(token)
            if rated is None:
                context["issue"] = issue_for_token(token)
                return _page(request, context, 200)
        context.update(rated=rated, issue=rated.issue)
    except NotFound as error:
        context["error"], status = error.detail, 404
    except ActionError as error:  # a form sent without a rating: shown again as it was
        try:
            rated = rating_for_token(token)
            context.update(rated=rated, issue=rated.issue if rated else issue_for_token(token),
                           field_error=error.detail)
            status = error.status
        except NotFound as missing:
            context["error"], status = missing.detail, 404
    return _page(request, context, status)


def _page(request, context: dict, status: int):
    response = render(request, "notify/rate.html", context, status=status)
    response["Referrer-Policy"] = "same-origin"  # the token is in the address: never to another site
    response["Cache-Control"] = "no-store"
    return response
