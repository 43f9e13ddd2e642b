"""/issues/{key}/priority, the priority override, the triage queue, the rule versions, and the
routing rules (admins)."""

from ninja import Query, Router, Status

from tierline.accounts.models import Team
from tierline.accounts.permissions import has_perm
from tierline.errors import NotFound, PermissionDenied
from tierline.issues.queries import get_issue_for_user
from tierline.issues.schemas import IssueList
from tierline.schemas import ERRORS, referenced_row

from .actions import (
    do_create_routing_rule,
    do_delete_routing_rule,
    do_override_priority,
    do_remove_priority_override,
    do_update_routing_rule,
)
from .models import RoutingRule
from .queries import list_triage_queue, priority_details, rule_versions
from .schemas import OverrideIn, PriorityOut, RoutingRuleIn, RoutingRuleOut, RoutingRulePatch, RuleVersionsOut

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
        issue = do_remove_priority_override(issue, actor=request.auth, reason=payload.reason)
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


def _configurer(request) -> None:
    if not has_perm(request.auth, "escalation.configure"):
        raise PermissionDenied("Only admins configure routing")


def _rule(request, rule_id: int) -> RoutingRule:
    _configurer(request)
    rule = RoutingRule.objects.filter(pk=rule_id).first() if 0 < rule_id < 2**63 else None
    if rule is None:
        raise NotFound(f"Routing rule {rule_id} not found")
    return rule


def routing_rule_out(rule: RoutingRule) -> dict:
    return {"id": rule.pk, "name": rule.name, "position": rule.position, "keywords": rule.keywords,
            "labels": rule.labels, "team": {"id": rule.team_id, "name": rule.team.name}, "is_active": rule.is_active}


@router.get("/triage/routing-rules", response={200: list[RoutingRuleOut], **ERRORS})
def list_routing_rules(request):
    """In the order they are tried."""
    _configurer(request)
    return [routing_rule_out(r) for r in RoutingRule.objects.select_related("team")]


@router.post("/triage/routing-rules", response={201: RoutingRuleOut, **ERRORS})
def create_routing_rule(request, payload: RoutingRuleIn):
    _configurer(request)
    values = payload.model_dump()
    values["team"] = referenced_row(Team, values.pop("team_id"), "team_id")
    return Status(201, routing_rule_out(do_create_routing_rule(**values)))


@router.patch("/triage/routing-rules/{rule_id}", response={200: RoutingRuleOut, **ERRORS})
def update_routing_rule(request, rule_id: int, payload: RoutingRulePatch):
    """Applies to issues created from now on."""
    rule = _rule(request, rule_id)
    values = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    if "team_id" in values:
        values["team"] = referenced_row(Team, values.pop("team_id"), "team_id")
    return routing_rule_out(do_update_routing_rule(rule, **values))


@router.delete("/triage/routing-rules/{rule_id}", response={204: None, **ERRORS})
def delete_routing_rule(request, rule_id: int):
    do_delete_routing_rule(_rule(request, rule_id))
    return Status(204, None)
