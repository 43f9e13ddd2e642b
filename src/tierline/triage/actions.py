"""Triage writes: the computed priority with its explanation, overrides, routing rules.

`apply_priority` and `route_new_issue` run inside the issue actions' transactions
(tierline.issues.actions); the `do_*` functions here are entry points of their own.
"""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from tierline.accounts.models import Team, User
from tierline.audit.actions import AuditAction, do_record_audit
from tierline.errors import InvalidInput
from tierline.escalation.clocks import sync_sla_clocks
from tierline.issues.models import DONE_STATUSES, EventKind, Issue, IssueEvent, Priority

from .models import RoutingRule
from .rules import PriorityInputs, PriorityResult, current_rules


def priority_inputs(issue: Issue, today: date | None = None) -> PriorityInputs:
    org = issue.organization if issue.organization_id else None
    return PriorityInputs(
        severity=issue.severity, affected_users=issue.affected_users, alert_level=issue.alert_level,
        importance=org.importance if org else None,
        annual_revenue=org.annual_revenue if org else 0, renewal_date=org.renewal_date if org else None,
        open_deal_value=org.open_deal_value if org else 0, today=today or timezone.localdate(),
    )


def apply_priority(issue: Issue, *, actor: User | None, at: datetime, reason: str = "") -> list[str]:
    """Score the issue with the current rules and set its fields (the caller saves them).
    Records a priority event when the effective priority moves; returns the changed fields."""
    result: PriorityResult = current_rules().compute(priority_inputs(issue, at.date()))
    changed = []
    for name, value in (("computed_priority", result.priority), ("priority_score", result.score),
                        ("priority_explanation", result.explanation),
                        ("priority_rules_version", result.version)):
        if getattr(issue, name) != value:
            setattr(issue, name, value)
            changed.append(name)
    effective = issue.priority_override if issue.priority_override is not None else result.priority
    if issue.priority != effective:
        if issue.pk:
            IssueEvent.objects.create(
                issue=issue, kind=EventKind.PRIORITY_CHANGED, actor=actor, created_at=at,
                data={"from": issue.priority, "to": effective, "explanation": result.explanation,
                      "reason": reason or "recomputed"},
            )
        issue.priority = effective
        changed.append("priority")
    return changed


def do_recompute_priority(issue: Issue, *, actor: User | None = None, reason: str = "",
                          at: datetime | None = None) -> Issue:
    now = at or timezone.now()
    with transaction.atomic():
        issue = Issue.objects.select_for_update(of=("self",)).select_related("organization").get(pk=issue.pk)
        changed = apply_priority(issue, actor=actor, at=now, reason=reason)
        if changed:
            issue.save(update_fields=changed)
            sync_sla_clocks(issue, now)
    return issue


def do_recompute_organization_priorities(organization_id: int, *, reason: str = "organization changed") -> int:
    """Rescore the organization's unfinished issues; returns how many moved."""
    moved = 0
    ids = (Issue.objects.filter(organization_id=organization_id).exclude(status__in=DONE_STATUSES)
           .values_list("pk", flat=True))
    for pk in list(ids):
        issue = Issue.objects.get(pk=pk)
        before = issue.priority
        if do_recompute_priority(issue, reason=reason).priority != before:
            moved += 1
    return moved


def do_override_priority(issue: Issue, *, actor: User, priority: int, reason: str,
                         at: datetime | None = None) -> Issue:
    if priority not in Priority.values:
        raise InvalidInput("Invalid priority", {"priority": "0 to 3"})
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput("An override needs a reason", {"reason": "required"})
    now = at or timezone.now()
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        before = issue.priority
        issue.priority_override, issue.priority_override_reason = priority, reason[:500]
        issue.priority_override_by, issue.priority, issue.updated_at = actor, priority, now
        issue.save(update_fields=["priority_override", "priority_override_reason", "priority_override_by",
                                  "priority", "updated_at"])
        IssueEvent.objects.create(issue=issue, kind=EventKind.PRIORITY_OVERRIDDEN, actor=actor, created_at=now,
                                  data={"from": before, "to": priority, "reason": reason,
                                        "computed": issue.computed_priority})
        do_record_audit(action=AuditAction.PRIORITY_OVERRIDDEN, actor=actor, organization=issue.organization,
                        target=issue, reason=reason, data={"from": before, "to": priority,
                                                           "computed": issue.computed_priority})
        sync_sla_clocks(issue, now)
    return issue


def do_remove_priority_override(issue: Issue, *, actor: User, reason: str = "",
                                at: datetime | None = None) -> Issue:
    """Back to the computed priority; `reason` is optional (the audit entry says "override removed")."""
    now = at or timezone.now()
    reason = " ".join((reason or "").split())[:500] or "override removed"
    with transaction.atomic():
        issue = Issue.objects.select_for_update(of=("self",)).select_related("organization").get(pk=issue.pk)
        if issue.priority_override is None:
            return issue
        before, before_reason = issue.priority_override, issue.priority_override_reason
        issue.priority_override, issue.priority_override_reason, issue.priority_override_by = None, "", None
        IssueEvent.objects.create(issue=issue, kind=EventKind.PRIORITY_OVERRIDDEN, actor=actor, created_at=now,
                                  data={"from": before, "to": None, "reason": reason})
        do_record_audit(action=AuditAction.PRIORITY_OVERRIDE_REMOVED, actor=actor,
                        organization=issue.organization, target=issue, reason=reason,
                        data={"from": before, "to": issue.computed_priority, "override_reason": before_reason})
        changed = apply_priority(issue, actor=actor, at=now, reason="override removed")
        issue.updated_at = now
        issue.save(update_fields=[*changed, "priority_override", "priority_override_reason",
                                  "priority_override_by", "updated_at"])
        sync_sla_clocks(issue, now)
    return issue


def active_routing_rules() -> list[RoutingRule]:
    """The rules `route_new_issue` tries, in order, with their teams: read for every new issue, or
    once for a batch of them. Plain SQL (`bulk.read_rows`): the ORM's compiling of the query and
    its join costs more than running them."""
    from tierline.bulk import column_list, read_rows

    rules = read_rows(RoutingRule, f"SELECT {column_list(RoutingRule)} FROM triage_routingrule"
                                   " WHERE is_active = %s ORDER BY position, id", [True])
    if rules:
        wanted = sorted({rule.team_id for rule in rules})
        teams = {team.pk: team for team in read_rows(
            Team, f"SELECT {column_list(Team)} FROM accounts_team WHERE id IN ({', '.join(['%s'] * len(wanted))})",
            wanted)}
        for rule in rules:
            rule.team = teams[rule.team_id]
    return rules


def route_new_issue(*, title: str, description: str, labels: list[str], component, team: Team | None,
                    rules: list[RoutingRule] | None = None):
    """The team a new issue goes to: the one given, the component's owner, or the first
    matching routing rule (of `rules`, read here unless the caller read them for a batch).
    None puts it in the triage queue."""
    if team is not None:
        return team
    if component is not None and component.owner_team_id:
        return component.owner_team
    text = f"{title}\n{description}".lower()
    wanted = {label.lower() for label in labels}
    for rule in active_routing_rules() if rules is None else rules:
        if rule.matches(text, wanted):
            return rule.team
    return None


def clean_labels(labels) -> list[str]:
    cleaned = sorted({str(label).strip().lower() for label in labels or [] if str(label).strip()})
    if any(len(label) > 50 for label in cleaned) or len(cleaned) > 20:
        raise InvalidInput("Invalid labels", {"labels": "at most 20 labels of 50 characters"})
    return cleaned


def check_routing_rule(rule: RoutingRule) -> None:
    """Refuse (InvalidInput) or normalise an unsaved rule; the admin's form runs it too."""
    rule.name = " ".join(str(rule.name or "").split())
    if not rule.name or len(rule.name) > 100 or "\x00" in rule.name:
        raise InvalidInput("A routing rule needs a name", {"name": "1 to 100 characters"})
    keywords = sorted({" ".join(str(k).split()).lower() for k in rule.keywords or () if str(k).strip()})
    if len(keywords) > 50 or any(len(k) > 100 or "\x00" in k for k in keywords):
        raise InvalidInput("Invalid keywords", {"keywords": "at most 50 keywords of 100 characters"})
    rule.keywords, rule.labels = keywords, clean_labels(rule.labels)
    if any("\x00" in label for label in rule.labels):
        raise InvalidInput("Invalid labels", {"labels": "no NUL characters"})
    if not rule.keywords and not rule.labels:
        raise InvalidInput("A routing rule needs keywords or labels", {"keywords": "keywords or labels required"})
    if isinstance(rule.position, bool) or not isinstance(rule.position, int) or not 0 <= rule.position <= 1_000_000:
        raise InvalidInput("Invalid position", {"position": "0 to 1000000"})


def do_create_routing_rule(*, name: str, team: Team, keywords=(), labels=(), position: int = 100,
                           is_active: bool = True) -> RoutingRule:
    rule = RoutingRule(name=name, team=team, keywords=list(keywords), labels=list(labels), position=position,
                       is_active=is_active)
    check_routing_rule(rule)
    rule.save()
    return rule


@transaction.atomic
def do_update_routing_rule(rule: RoutingRule, **changes) -> RoutingRule:
    """Change a rule's words, labels, team, position or activity; it applies to issues created from now on."""
    rule = RoutingRule.objects.select_for_update().get(pk=rule.pk)
    for field, value in changes.items():
        if field not in ("name", "team", "keywords", "labels", "position", "is_active"):
            raise TypeError(f"unknown routing rule field {field}")
        setattr(rule, field, list(value) if field in ("keywords", "labels") else value)
    check_routing_rule(rule)
    rule.save()
    return rule


def do_delete_routing_rule(rule: RoutingRule) -> None:
    rule.delete()
