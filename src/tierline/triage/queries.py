"""Triage reads: an issue's priority with its explanation, and the triage queue."""

from tierline.accounts.permissions import scope_issues
from tierline.issues.models import DONE_STATUSES, Issue
from tierline.pagination import paginate

from . import rules

TRIAGE_SORT = (("created_at", False), ("id", False))  # oldest unrouted issue first


def priority_details(issue: Issue) -> dict:
    override = None
    if issue.priority_override is not None:
        by = issue.priority_override_by
        override = {"priority": issue.priority_override, "reason": issue.priority_override_reason,
                    "by": by.display_name if by else None}
    return {
        "priority": issue.priority, "computed_priority": issue.computed_priority,
        "score": issue.priority_score, "explanation": issue.priority_explanation,
        "rules_version": issue.priority_rules_version, "override": override,
    }


def list_triage_queue(user, *, cursor: str | None = None, limit: int = 25):
    """Unfinished issues no team owns: no component owner and no routing rule matched."""
    issues = scope_issues(user, Issue.objects.filter(team__isnull=True).exclude(status__in=DONE_STATUSES))
    return paginate(issues.select_related("organization", "requester", "assignee", "team", "component"),
                    TRIAGE_SORT, cursor=cursor, limit=limit, max_limit=100)


def rules_changelog() -> list[str]:
    return [line.removeprefix("- ").strip() for line in rules.__doc__.split("CHANGELOG", 1)[1].splitlines()
            if line.startswith("- ")]


def rule_versions() -> dict:
    return {"current": rules.CURRENT_VERSION, "versions": list(rules.RULESETS), "changelog": rules_changelog()}
