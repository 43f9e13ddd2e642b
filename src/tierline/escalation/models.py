"""The escalation ladder's data: questionnaires, team tasks, problems,
SLA policies with business-hours calendars and per-issue clocks, and escalation policies
whose every step runs once per clock round (EscalationRun is the idempotency key)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Questionnaire(models.Model):
    """The environment questions of one component, as a JSON Schema (type object). Answers are
    pre-filled from the organization's known environment (`Organization.environment`)."""

    component = models.OneToOneField("issues.Component", on_delete=models.CASCADE, related_name="questionnaire")
    schema = models.JSONField()
    updated_at = models.DateTimeField(default=timezone.now)


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    DONE = "done", "Done"


class TeamTask(models.Model):
    """One team's part of an issue that involves several teams."""

    issue = models.ForeignKey("issues.Issue", on_delete=models.CASCADE, related_name="team_tasks")
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="team_tasks")
    status = models.CharField(max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["issue", "team"], name="team_task_once_per_team")]


class ProblemStatus(models.TextChoices):
    INVESTIGATING = "investigating", "Investigating"
    IDENTIFIED = "identified", "Root cause identified"
    FIX_IN_PROGRESS = "fix_in_progress", "Fix in progress"
    FIXED = "fixed", "Fixed"
    CLOSED = "closed", "Closed"


class Problem(models.Model):
    """The engineering record of one root cause, linking the issues it causes."""

    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="problems")
    status = models.CharField(max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.INVESTIGATING)
    fix_version = models.CharField(max_length=50, blank=True)
    issues = models.ManyToManyField("issues.Issue", through="ProblemLink", related_name="problems")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"PRB-{self.pk} {self.title}"


class ProblemLink(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="links")
    issue = models.ForeignKey("issues.Issue", on_delete=models.CASCADE, related_name="problem_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["problem", "issue"], name="problem_link_once")]


class BusinessCalendar(models.Model):
    """Working hours in a time zone, on some weekdays, minus holidays."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    workday_start = models.TimeField()
    workday_end = models.TimeField()
    weekdays = models.JSONField(default=list)  # Monday is 0
    holidays = models.JSONField(default=list, blank=True)  # "YYYY-MM-DD" in the calendar's zone

    def __str__(self) -> str:
        return self.name


class SlaPolicy(models.Model):
    """Targets in business minutes for one plan and priority; a blank plan or a null
    priority matches any. The most specific policy wins."""

    name = models.CharField(max_length=100)
    plan = models.CharField(max_length=20, blank=True)
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    first_response_minutes = models.PositiveIntegerField()
    next_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()
    calendar = models.ForeignKey(BusinessCalendar, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="policies")  # null: around the clock

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "priority"], name="sla_policy_once")]

    def __str__(self) -> str:
        return self.name


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    NEXT_RESPONSE = "next_response", "Next response"
    RESOLUTION = "resolution", "Resolution"


class SlaClock(models.Model):
    """One SLA target of one issue. Business minutes spent paused push the due time out;
    `next_check_at` is the only thing the worker's sweep reads (indexed)."""

    issue = models.ForeignKey("issues.Issue", on_delete=models.CASCADE, related_name="sla_clocks")
    kind = models.CharField(max_length=20, choices=ClockKind.choices)
    policy = models.ForeignKey(SlaPolicy, null=True, on_delete=models.SET_NULL, related_name="+")
    round = models.PositiveIntegerField(default=1)  # a restarted clock (next response) starts a new round
    target_minutes = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    paused_minutes = models.FloatField(default=0)
    paused_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField()
    due_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)  # target met (or issue done)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issue", "kind"], name="sla_clock_once")]
        indexes = [models.Index(fields=["next_check_at"], name="sla_clock_check_idx"),
                   models.Index(fields=["due_at"], name="sla_clock_due_idx")]

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def is_running(self) -> bool:
        return self.stopped_at is None and self.paused_at is None


class Trigger(models.TextChoices):
    WARNING = "warning", "Warning (75%)"
    BREACH = "breach", "Breach (100%)"


class StepAction(models.TextChoices):
    NOTIFY_ASSIGNEE = "notify_assignee", "Notify the assignee"
    NOTIFY_TEAM_LEAD = "notify_team_lead", "Notify the team lead"
    RAISE_TIER = "raise_tier", "Raise the tier"
    PAGE_ON_CALL = "page_on_call", "Page the on-call engineer"


class EscalationPolicy(models.Model):
    name = models.CharField(max_length=100)
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    clock_kind = models.CharField(max_length=20, choices=ClockKind.choices, blank=True)  # blank: any
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=20, choices=StepAction.choices)

    class Meta:
        ordering = ["position", "id"]


class EscalationRun(models.Model):
    """A step that fired for one clock round. The unique constraint is what makes a step run
    once however many workers sweep, and across restarts."""

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="runs")
    round = models.PositiveIntegerField()
    step = models.ForeignKey(EscalationStep, on_delete=models.CASCADE, related_name="runs")
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clock", "round", "step"], name="escalation_run_once")]


class TeamOnCall(models.Model):
    """Who a team's escalations reach: its lead, and where to page its on-call engineer."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="on_call")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    page_email = models.EmailField(blank=True)
    webhook_url = models.URLField(blank=True)
