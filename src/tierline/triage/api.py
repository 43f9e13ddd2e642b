"""/issues/{key}/priority, the priority override, the triage queue and the rule versions."""

from ninja import Query, Router

from tierline.accounts.permissions import has_perm
from tierline.errors import PermissionDenied
from tierline.issues.queries import get_issue_for_user
from tierline.issues.schemas import IssueList
from tierline.schemas import ERRORS

from .actions import do_override_priority, do_remove_priority_override
from .queries import list_triage_queue, priority_details, rule_versions
from .schemas import OverrideIn, PriorityOut, RuleVersionsOut

router = Router(tags=["triage"])


@router.get("/issues/{key}/priority", response={200: PriorityOut, **ERRORS})
def get_priority(request, key: str):
    """The effective priority, what the rules computed and why, and any override."""
    if not has_perm(request.auth, "issue.view_all"):
        get_issue_for_user(request.auth, key)  # 404 for other organizations' issues first
        raise PermissionDenied("Only staff see how an issue is scored")
    return priority_details(get_issue_for_user(request.auth, key))


@router.post("/issues/{key}/priority-override", response={200: PriorityOut, **ERRORS})
def set_priority_override(request, key: str, payload: OverrideIn):
    issue = get_issue_for_user(request.auth, key)
    if not has_perm(request.auth, "issue.override_priority"):
        raise PermissionDenied("Your role may not override priorities")
    if payload.priority is None:
        issue = do_remove_priority_override(issue, actor=request.auth)
    else:
        issue = do_override_priority(issue, actor=request.auth, priority=payload.priority, reason=payload.reason)
    return priority_details(get_issue_for_user(request.auth, key))


@router.get("/triage/queue", response={200: IssueList, **ERRORS})
def get_triage_queue(request, cursor: str | None = None, limit: int = Query(25, ge=1, le=100)):
    """Unfinished issues that no team owns yet, oldest first."""
    from tierline.issues.api import issue_out

    if not has_perm(request.auth, "issue.triage"):
        raise PermissionDenied("Only staff see the triage queue")
    items, next_cursor = list_triage_queue(request.auth, cursor=cursor, limit=limit)
    return {"items": [issue_out(i) for i in items], "next_cursor": next_cursor}


@router.get("/triage/rules", response={200: RuleVersionsOut, **ERRORS})
def get_rule_versions(request):
    if not has_perm(request.auth, "issue.view_all"):
        raise PermissionDenied("Only staff see the priority rules")
    return rule_versions()
