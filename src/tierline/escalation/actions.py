"""Escalation writes: tier hand-offs with their note, questionnaires and their answers.

Escalating into engineering (settings.ENGINEERING_TIER and up) needs evidence (reproduction
steps or an attachment) and the component's questionnaire complete; a refusal lists exactly
what is missing, one field per gap.
"""

from datetime import datetime

import jsonschema
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tierline.accounts.models import Team, User
from tierline.customers.actions import do_update_environment
from tierline.errors import InvalidInput
from tierline.issues.models import Component, EventKind, Issue, IssueEvent
from tierline.issues.signals import send_events_recorded

from .models import Questionnaire

MAX_NOTE = 10_000


def tier_name(tier: int) -> str:
    return settings.TIER_NAMES[tier - 1] if 1 <= tier <= len(settings.TIER_NAMES) else f"Tier {tier}"


def _ref(obj) -> dict | None:
    return {"id": obj.pk, "name": getattr(obj, "display_name", None) or str(obj)} if obj else None


def known_environment(issue: Issue) -> dict:
    """The organization's known facts as plain values ({"cloud": "aws", ...})."""
    facts = getattr(issue.organization, "environment", None) if issue.organization_id else None
    return {k: (v.get("value") if isinstance(v, dict) else v) for k, v in (facts or {}).items()}


def prefilled_answers(issue: Issue, questionnaire: Questionnaire | None) -> dict:
    """The issue's own answers over the organization's known environment, limited to the
    questionnaire's questions: what the form shows before anyone types."""
    if questionnaire is None:
        return dict(issue.questionnaire_answers)
    questions = questionnaire.schema.get("properties", {})
    known = {k: v for k, v in known_environment(issue).items() if k in questions}
    return {**known, **{k: v for k, v in issue.questionnaire_answers.items() if k in questions}}


def questionnaire_errors(schema: dict, answers: dict) -> dict[str, str]:
    """{"questionnaire.<field>": message} for every answer that is missing or wrong."""
    errors = {}
    validator = jsonschema.Draft202012Validator(schema)
    for error in sorted(validator.iter_errors(answers), key=lambda e: list(e.path)):
        if error.validator == "required":
            for name in error.validator_value:
                if name not in error.instance:
                    errors.setdefault(f"questionnaire.{name}", "required")
        else:
            name = ".".join(str(p) for p in error.path) or "answers"
            errors.setdefault(f"questionnaire.{name}", error.message[:200])
    return errors


def missing_for_engineering(issue: Issue) -> dict[str, str]:
    missing = {}
    if not issue.reproduction_steps.strip() and not issue.attachments.exists():
        missing["reproduction_steps"] = "reproduction steps or an attachment as evidence"
    questionnaire = Questionnaire.objects.filter(component_id=issue.component_id).first()
    if questionnaire is not None:
        missing.update(questionnaire_errors(questionnaire.schema, issue.questionnaire_answers))
    return missing


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise InvalidInput("A hand-off needs a note", {"note": "required"})
    if len(note) > MAX_NOTE:
        raise InvalidInput("The note is too long", {"note": f"at most {MAX_NOTE} characters"})
    return note


def _hand_off(issue: Issue, kind: str, *, actor: User | None, to_tier: int, note: str, team: Team | None,
              assignee: User | None, at: datetime) -> Issue:
    before = (issue.tier, issue.team, issue.assignee)
    issue.tier, issue.updated_at = to_tier, at
    fields = ["tier", "updated_at"]
    if team is not None:
        issue.team = team
        fields.append("team")
    if assignee is not None:
        issue.assignee = assignee
        fields.append("assignee")
    issue.save(update_fields=fields)
    event = IssueEvent.objects.create(issue=issue, kind=kind, actor=actor, created_at=at, data={
        "from": before[0], "to": to_tier, "from_name": tier_name(before[0]), "to_name": tier_name(to_tier),
        "note": note, "from_team": _ref(before[1]), "to_team": _ref(issue.team),
        "from_assignee": _ref(before[2]), "to_assignee": _ref(issue.assignee),
    })
    send_events_recorded(Issue, [event])
    return issue


def do_escalate_issue(issue: Issue, *, actor: User | None, note: str, to_tier: int | None = None,
                      team: Team | None = None, assignee: User | None = None, check_requirements: bool = True,
                      at: datetime | None = None) -> Issue:
    """Hand the issue up the ladder. `check_requirements=False` is for escalation policies,
    which raise the tier of a breaching issue whatever its state."""
    note = _clean_note(note)
    now = at or timezone.now()
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        to_tier = issue.tier + 1 if to_tier is None else to_tier
        if not issue.tier < to_tier <= 5:
            raise InvalidInput("Escalation goes up the ladder", {"to_tier": f"between {issue.tier + 1} and 5"})
        if assignee is not None and assignee.is_customer:
            raise InvalidInput("Issues are assigned to staff", {"assignee": "not a staff member"})
        if check_requirements and to_tier >= settings.ENGINEERING_TIER:
            missing = missing_for_engineering(issue)
            if missing:
                raise InvalidInput(
                    f"Escalating to tier {to_tier} ({tier_name(to_tier)}) needs: " + "; ".join(
                        f"{field.removeprefix('questionnaire.')} ({what})" for field, what in missing.items()),
                    missing)
        return _hand_off(issue, EventKind.ESCALATED, actor=actor, to_tier=to_tier, note=note, team=team,
                         assignee=assignee, at=now)


def do_de_escalate_issue(issue: Issue, *, actor: User | None, note: str, to_tier: int | None = None,
                         team: Team | None = None, assignee: User | None = None,
                         at: datetime | None = None) -> Issue:
    note = _clean_note(note)
    now = at or timezone.now()
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        to_tier = issue.tier - 1 if to_tier is None else to_tier
        if not 1 <= to_tier < issue.tier:
            raise InvalidInput("De-escalation goes down the ladder", {"to_tier": f"between 1 and {issue.tier - 1}"})
        return _hand_off(issue, EventKind.DE_ESCALATED, actor=actor, to_tier=to_tier, note=note, team=team,
                         assignee=assignee, at=now)


def do_set_questionnaire(component: Component, schema: dict) -> Questionnaire:
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise InvalidInput("A questionnaire is a JSON Schema of an object", {"schema": "type must be object"})
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as error:
        raise InvalidInput("Invalid JSON Schema", {"schema": error.message[:200]}) from None
    questionnaire, _ = Questionnaire.objects.update_or_create(
        component=component, defaults={"schema": schema, "updated_at": timezone.now()})
    return questionnaire


def do_answer_questionnaire(issue: Issue, *, actor: User | None, answers: dict,
                            reproduction_steps: str | None = None, at: datetime | None = None) -> Issue:
    """Store the answers (merged over earlier ones) once they are valid, and teach the
    organization's known environment, so the next issue starts pre-filled."""
    if not isinstance(answers, dict):
        raise InvalidInput("Answers are an object", {"answers": "must be an object"})
    now = at or timezone.now()
    with transaction.atomic():
        issue = Issue.objects.select_for_update(of=("self",)).select_related("organization").get(pk=issue.pk)
        questionnaire = Questionnaire.objects.filter(component_id=issue.component_id).first()
        merged = {**issue.questionnaire_answers, **answers}
        merged = {k: v for k, v in merged.items() if v not in ("", None)}
        if questionnaire is not None:
            errors = questionnaire_errors(questionnaire.schema, merged)
            if errors:
                raise InvalidInput("Some answers are missing or invalid", errors)
        fields = ["questionnaire_answers", "updated_at"]
        issue.questionnaire_answers, issue.updated_at = merged, now
        if reproduction_steps is not None:
            issue.reproduction_steps = reproduction_steps.strip()[:100_000]
            fields.append("reproduction_steps")
        issue.save(update_fields=fields)
        IssueEvent.objects.create(issue=issue, kind=EventKind.QUESTIONNAIRE_ANSWERED, actor=actor, created_at=now,
                                  data={"component": str(issue.component or ""), "answers": merged})
        _remember_environment(issue, merged, actor)
    return issue


def _remember_environment(issue: Issue, answers: dict, actor: User | None) -> None:
    if not issue.organization_id:
        return
    facts = {k: str(v) for k, v in answers.items() if isinstance(v, (str, int, float))}
    if facts:
        do_update_environment(issue.organization, facts, source="questionnaire", actor=actor)
