"""`{% escalation_panel %}` on the desk issue page: tier, SLA badges, hand-off and questionnaire
forms. An inclusion tag, so the issues app's view does not need to know about escalation."""

from django import template

from tierline.accounts.models import Team
from tierline.accounts.permissions import has_perm

from ..actions import tier_name
from ..models import Problem, ProblemStatus, TaskStatus
from ..queries import format_time_left, list_team_tasks, questionnaire_state, sla_state

register = template.Library()


def _fields(schema: dict | None, answers: dict) -> list[dict]:
    if not schema:
        return []
    required = set(schema.get("required", []))
    return [{"name": name, "label": spec.get("title") or name.replace("_", " ").capitalize(),
             "choices": spec.get("enum"), "value": answers.get(name, ""), "required": name in required}
            for name, spec in schema.get("properties", {}).items()]


@register.inclusion_tag("escalation/_panel.html", takes_context=True)
def escalation_panel(context, issue):
    user = context["request"].user
    state = questionnaire_state(issue)
    answers = {**state["answers"], **context.get("questionnaire_values", {})}
    errors = context.get("escalation_errors", {})
    return {
        "issue": issue, "csrf_token": context.get("csrf_token"),
        "clocks": [{**c, "left": format_time_left(c["time_left_seconds"])} for c in sla_state(issue)],
        "tier_name": tier_name(issue.tier), "tiers": [(n, tier_name(n)) for n in range(1, 6)],
        "can_escalate": has_perm(user, "issue.escalate"), "questionnaire": state,
        "fields": [{**f, "error": errors.get(f"questionnaire.{f['name']}")}
                   for f in _fields(state["json_schema"], answers)],
        "errors": errors, "error_detail": context.get("escalation_error"),
        "team_tasks": list(list_team_tasks(issue)),
        "reproduction_steps": context.get("reproduction_value", issue.reproduction_steps),
        "problems": list(issue.problems.all()), "teams": list(Team.objects.all()),
        "task_statuses": TaskStatus.choices, "can_manage_problems": has_perm(user, "problem.manage"),
        "open_problems": list(Problem.objects.exclude(status=ProblemStatus.CLOSED).order_by("-id")[:50]),
    }
